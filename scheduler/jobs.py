"""One scheduled crawl: a `scrapy crawl` subprocess with its own log file, old logs pruned."""

from __future__ import annotations

import logging
import threading

from crawler.registry import Portal
from archive.errors import CrawlBusy
from crawler.process import CrawlResult, prune_logs, run_crawl, run_log_path
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
        if self.closed.is_set():
            logger.info("crawl %s not started: the scheduler is stopping", portal.name)
            return None
        log_path = run_log_path(self.config.logs, portal.name)
        logger.info("crawl %s starts (log %s)", portal.name, log_path)
        try:
            (result,) = run_crawl([portal], self.config.registry, self.config.db, self.config.crawl_settings,
                               timeout=self.config.run_timeout, log_path=log_path, stop=self.stop,
                               grace=self.config.grace)
        except CrawlBusy as exc:  # crawled by hand right now: this slot is skipped
            logger.warning("crawl %s not started: %s", portal.name, exc)
            return None
        logger.info("crawl %s ended %s: %d new documents, %d failures (%.1fs)", portal.name,
                    result.status, result.counts.documents_new, result.counts.errors, result.seconds)
        prune_logs(self.config.logs, portal.name, self.config.keep_logs)
        return result
