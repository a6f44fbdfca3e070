"""CrawlRunRecorder: one crawl_runs row per crawl, opened and closed with the spider."""

from __future__ import annotations

import dataclasses

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archive.store import Archive, RunCounts


# RunCounts fields that Scrapy's own stats count; the rest are `govarchive/<field>`.
SCRAPY_STATS = {"requests": "downloader/request_count", "response_bytes": "downloader/response_bytes"}


def run_status(finish_reason: str, list_pages: int) -> str:
    """ok: finished and read at least one list page; interrupted: stopped by a signal."""
    if finish_reason == "shutdown":
        return "interrupted"
    if finish_reason == "finished" and list_pages > 0:
        return "ok"
    return "failed"


class CrawlRunRecorder:
    """Opens a crawl_runs row when the spider opens, closes it with the crawl's counts."""

    def __init__(self, crawler: Crawler, db_path: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        db_path = crawler.settings.get("GOVARCHIVE_DB")
        if not db_path:
            raise NotConfigured("GOVARCHIVE_DB is not set")
        recorder = cls(crawler, db_path)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(recorder.spider_error, signal=signals.spider_error)
        return recorder

    def spider_opened(self, spider) -> None:
        archive = Archive.open(self.db_path)
        try:
            archive.register_portal(spider.portal.name, spider.portal.title)
            self.run_id = archive.start_run(spider.portal.name)
        finally:
            archive.close()
        self.crawler.stats.set_value("govarchive/run_id", self.run_id)

    def spider_error(self, failure, response, spider) -> None:
        """A callback raised (a page no parser expected): record it; the crawl goes on."""
        self.crawler.stats.inc_value("govarchive/errors")
        archive = Archive.open(self.db_path)
        try:
            archive.record_error(self.run_id, spider.portal.name, response.url,
                                 f"parser crashed: {failure.type.__name__}: {failure.getErrorMessage()}")
        finally:
            archive.close()

    def spider_closed(self, spider, reason: str) -> None:
        if self.run_id is None:
            return
        archive = Archive.open(self.db_path)
        try:
            if reason == "finished" and spider.listing_complete and spider.listed:
                # the whole column was read: what it no longer lists is withdrawn
                self.crawler.stats.inc_value("govarchive/withdrawn",
                                             archive.mark_listing(spider.portal.name, spider.listed))
            counts = RunCounts(**{
                field.name: int(self.crawler.stats.get_value(
                    SCRAPY_STATS.get(field.name, f"govarchive/{field.name}"), 0))
                for field in dataclasses.fields(RunCounts)})
            archive.finish_run(self.run_id, run_status(reason, counts.list_pages), counts)
        finally:
            archive.close()
