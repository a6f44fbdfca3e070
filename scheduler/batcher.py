"""CrawlBatcher: the portals whose slots come together are crawled together, in one process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from crawler.registry import Portal

logger = logging.getLogger(__name__)

GATHER_SECONDS = 5.0   # how long the first due portal of a batch waits for the others of its tick


def portal_hosts(portal: Portal) -> set[str]:
    """The hosts a portal's crawl starts on (its politeness is kept per host)."""
    return {urlsplit(url).hostname or "" for url in portal.start_urls}


class CrawlBatcher:
    """Gathers the portals that fall due within GATHER_SECONDS of each other and hands them to
    `crawl(portals)` as one batch — one crawl process, so politeness per host holds across them.

    At most `workers` batches run at once, and a portal never runs in two of them: a portal
    already waiting or being crawled is refused (`submit` returns False, its slot is skipped),
    and a portal on a host that a running batch crawls waits for the next batch."""

    def __init__(self, crawl: Callable[[list[Portal]], Any], workers: int = 1,
                 gather: float = GATHER_SECONDS) -> None:
        self.crawl = crawl
        self.gather = gather
        self.lock = threading.Lock()
        self.waiting: dict[str, Portal] = {}
        self.running: dict[str, Portal] = {}
        self.pool = ThreadPoolExecutor(max(workers, 1), thread_name_prefix="crawl-batch")
        self.closed = threading.Event()

    def submit(self, portal: Portal) -> bool:
        with self.lock:
            if self.closed.is_set() or portal.name in self.waiting or portal.name in self.running:
                return False
            self.waiting[portal.name] = portal
            if len(self.waiting) == 1:   # the first of a batch: gather the others, then crawl
                self.pool.submit(self._run_batch)
        return True

    def _run_batch(self) -> None:
        if self.closed.wait(self.gather):
            return
        with self.lock:
            busy_hosts = set().union(*(portal_hosts(p) for p in self.running.values()))
            batch = [p for p in self.waiting.values() if not portal_hosts(p) & busy_hosts]
            for portal in batch:
                del self.waiting[portal.name]
                self.running[portal.name] = portal
            if self.waiting:   # left for the next batch, once the hosts are free
                self.pool.submit(self._run_batch)
        try:
            if batch:
                self.crawl(batch)
        except Exception:  # noqa: BLE001 - a failed batch must not stop the scheduler
            logger.exception("a crawl batch of %d portals failed", len(batch))
        finally:
            with self.lock:
                for portal in batch:
                    self.running.pop(portal.name, None)

    def shutdown(self) -> None:
        """No new batch starts; waits for the running ones (their crawls are stopped by
        CrawlJob.stop)."""
        self.closed.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
