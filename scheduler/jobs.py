"""Scheduled crawls: a `scrapy crawl` subprocess for one portal or a batch, its own log file, old logs pruned."""

from __future__ import annotations

import logging
import threading

from crawler.registry import Portal
from archive.errors import CrawlBusy
from crawler.process import BATCH_LOGS, CrawlResult, portal_lock, prune_logs, run_crawl, run_log_path
from scheduler.config import SchedulerConfig

logger = logging.getLogger(__name__)


class CrawlJob:
    """Callable the scheduler runs for a portal.

    `closed` refuses new crawls (set as soon as the scheduler stops); `stop` asks the running
    ones to end (set when the grace period is over)."""

    def __init__(self, config: SchedulerConfig) -> None:
        self.config = config
        self.closed = threading.Event()
        self.stop = threading.Event()

    def __call__(self, portal: Portal) -> CrawlResult | None:
        results = self.batch([portal])
        return results[0] if results else None

    def batch(self, portals: list[Portal]) -> list[CrawlResult]:
        """Crawl `portals` in one process (per-host politeness holds across them); a portal
        that another process is crawling right now is left out of it, logged."""
        if self.closed.is_set():
            logger.info("crawl of %s not started: the scheduler is stopping", ", ".join(p.name for p in portals))
            return []
        free = [portal for portal in portals if self._free(portal)]
        if not free:
            return []
        folder = free[0].name if len(free) == 1 else BATCH_LOGS
        log_path = run_log_path(self.config.logs, folder)
        logger.info("crawl of %s starts (log %s)", ", ".join(p.name for p in free), log_path)
        try:
            results = run_crawl(free, self.config.registry, self.config.db, self.config.crawl_settings,
                                timeout=self.config.run_timeout, log_path=log_path, stop=self.stop,
                                grace=self.config.grace)
        except CrawlBusy as exc:  # started by hand since the check: this slot is skipped
            logger.warning("crawl not started: %s", exc)
            return []
        for result in results:
            logger.info("crawl %s ended %s: %d new documents, %d failures (%.1fs)", result.portal,
                        result.status, result.counts.documents_new, result.counts.errors, result.seconds)
        prune_logs(self.config.logs, folder, self.config.keep_logs)
        return results

    def _free(self, portal: Portal) -> bool:
        try:
            with portal_lock(self.config.db, portal.name):
                return True
        except CrawlBusy as exc:  # crawled by hand right now: this slot is skipped
            logger.warning("crawl %s not started: %s", portal.name, exc)
            return False
