"""ArchivePipeline: hand each page to the archive and count what happened in stats."""

from __future__ import annotations

import logging
import sqlite3

from scrapy.crawler import Crawler

from archive.errors import ArchiveError, ExtractionError
from archive.neardup import NearDupSettings
from archive.store import Archive, PageOutcome
from crawler.items import PageCapture, PageFailure, PageGone, PageNotModified

logger = logging.getLogger(__name__)

OUTCOME_STATS = {
    PageOutcome.NEW: "govarchive/documents_new",
    PageOutcome.CLUSTERED: "govarchive/clustered",
    PageOutcome.CHANGED: "govarchive/documents_new",
    PageOutcome.DUPLICATE: "govarchive/duplicates",
    PageOutcome.UNCHANGED: "govarchive/unchanged",
}


class ArchivePipeline:
    """Writes PageCapture items as documents and PageFailure items as run errors."""

    def __init__(self, crawler: Crawler, db_path: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler, crawler.settings.get("GOVARCHIVE_DB"))

    def open_spider(self) -> None:
        threshold = self.crawler.settings.getfloat("GOVARCHIVE_NEAR_DUP_THRESHOLD", NearDupSettings.threshold)
        self.archive = Archive.open(self.db_path, NearDupSettings(threshold=threshold))

    def close_spider(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def process_item(self, item: object) -> object:
        assert self.archive is not None
        stats = self.crawler.stats
        if isinstance(item, PageFailure):
            self._record_failure(item)
            return item
        if isinstance(item, PageNotModified):
            self.archive.touch_page(item.url)
            return item
        if isinstance(item, PageGone):
            if self.archive.mark_gone(item.url, item.http_status):
                stats.inc_value("govarchive/withdrawn")
            else:  # never archived: a broken link in the column
                self._record_failure(PageFailure(item.portal, item.url, f"HTTP {item.http_status}"))
            return item
        if isinstance(item, PageCapture):
            try:
                outcome = self.archive.record_page(item)
            except ExtractionError as exc:
                self._record_failure(PageFailure(item.portal, item.url, str(exc).removeprefix(f"{item.url}: ")))
                return item
            except (sqlite3.Error, ArchiveError) as exc:
                self._record_failure(PageFailure(item.portal, item.url, f"archive write failed: {exc}"))
                return item
            stats.inc_value(OUTCOME_STATS[outcome])
            if outcome == PageOutcome.CLUSTERED:
                stats.inc_value("govarchive/documents_new")  # a new text all the same
        return item

    def _record_failure(self, failure: PageFailure) -> None:
        assert self.archive is not None
        self.crawler.stats.inc_value("govarchive/errors")
        logger.warning("failed %s: %s", failure.url, failure.reason)
        run_id = self.crawler.stats.get_value("govarchive/run_id")
        self.archive.record_error(run_id, failure.portal, failure.url, failure.reason)
