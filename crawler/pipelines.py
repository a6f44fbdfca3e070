"""ExtractPipeline reads a fetched detail page (in worker processes); AttachmentPipeline fetches
its attachments; ArchivePipeline composes and stores the document."""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import multiprocessing
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler

from archive.errors import ExtractionError
from archive.extract.capture import AttachmentCapture, PageCapture
from archive.extract.document import capture_detail, compose_document, read_attachment
from archive.store.archive import Archive, PageOutcome
from archive.store.runs import FailureKind
from crawler.extensions import ARCHIVE_WRITE_ERRORS, CrawlRunRecorder, run_recorder, session_archive
from crawler.items import FetchedDetail, PageFailure, PageGone, PageNotModified
from crawler.registry import host_allowed
from crawler.responses import failure_reason, raw_fetch, truncation

OUTCOME_COUNTS = {  # the RunCounts each outcome adds to
    PageOutcome.NEW: ("documents_new",),
    PageOutcome.CLUSTERED: ("clustered", "documents_new"),  # a new text all the same
    PageOutcome.CHANGED: ("documents_new",),
    PageOutcome.DUPLICATE: ("duplicates",),
    PageOutcome.UNCHANGED: ("unchanged",),
}


_POOLS: dict[int, concurrent.futures.ProcessPoolExecutor] = {}


def extraction_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """The process's pool of extraction workers (started once, on first use, and shared by every
    crawl in the process)."""
    if workers not in _POOLS:
        _POOLS[workers] = concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"))  # no fork of a running reactor
    return _POOLS[workers]


class ExtractPipeline:
    """Turns each FetchedDetail into a PageCapture (or a PageFailure with the reason) with
    `capture_detail`, in GOVARCHIVE_EXTRACT_WORKERS worker processes (0: in this one), so the
    parsing of one page runs on another core while the crawl goes on."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler.settings.getint("GOVARCHIVE_EXTRACT_WORKERS"))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedDetail):
            return item
        try:
            if self.workers <= 0:
                return capture_detail(item.portal, item.raw, item.content_type)
            future = extraction_pool(self.workers).submit(capture_detail, item.portal, item.raw, item.content_type)
            return await asyncio.wrap_future(future)
        except ExtractionError as exc:
            return PageFailure(item.portal, item.url, FailureKind.DETAIL, exc.reason)


class AttachmentPipeline:
    """Fetches the attachment links of each captured page (on the portal's allowed domains, at
    most GOVARCHIVE_MAX_ATTACHMENTS, each at most GOVARCHIVE_ATTACHMENT_MAXSIZE bytes) one
    after another through the downloader, so politeness limits hold; a failed one is kept
    with its reason."""

    def __init__(self, crawler: Crawler, max_attachments: int, maxsize: int) -> None:
        self.crawler = crawler
        self.max_attachments = max_attachments
        self.maxsize = maxsize

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AttachmentPipeline:
        return cls(crawler, crawler.settings.getint("GOVARCHIVE_MAX_ATTACHMENTS"),
                   crawler.settings.getint("GOVARCHIVE_ATTACHMENT_MAXSIZE"))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageCapture) or not item.record.attachment_links:
            return item
        portal = self.crawler.spider.crawl_of(item.portal).portal
        links = [link for link in item.record.attachment_links if host_allowed(link[0], portal)]
        fetched = [await self._fetch(portal.name, url, filename) for url, filename in links[: self.max_attachments]]
        return dataclasses.replace(item, attachments=(*item.attachments, *fetched))

    async def _fetch(self, portal: str, url: str, filename: str) -> AttachmentCapture:
        self.crawler.stats.inc_value("govarchive/attachments")
        request = Request(url, meta={"download_maxsize": self.maxsize, "kind": FailureKind.ATTACHMENT,
                                     "portal": portal}, dont_filter=True)
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # noqa: BLE001 - the downloader fails in many ways; each is a reason
            return AttachmentCapture(url, filename, None, None, failure_reason(exc, request, self.crawler.settings))
        if response.status >= 400 or truncation(response):
            return AttachmentCapture(url, filename, None, None, truncation(response) or f"HTTP {response.status}")
        return read_attachment(raw_fetch(response), filename)


@dataclasses.dataclass(frozen=True)
class Archived:
    """What storing one pipeline item did: the run counts it adds to and the failures to record
    (a broken link, unreadable attachments, a page with no text)."""

    counts: tuple[str, ...] = ()
    failures: tuple[PageFailure, ...] = ()


def archive_item(archive: Archive, item: Any) -> Archived:
    """Store one item of the pipelines in the archive (the crawl's ArchivePipeline, and
    `govarchive ingest` for the items workers send through Redis)."""
    if isinstance(item, PageFailure):
        return Archived(failures=(item,))
    if isinstance(item, PageNotModified):
        archive.touch_page(item.url)
        return Archived()
    if isinstance(item, PageGone):
        if archive.mark_gone(item.url, item.http_status):
            return Archived(("withdrawn",))
        # never archived: a broken link in the column
        return Archived(failures=(PageFailure(item.portal, item.url, FailureKind.DETAIL, f"HTTP {item.http_status}"),))
    if not isinstance(item, PageCapture):
        return Archived()
    failures = tuple(PageFailure(item.portal, attachment.url, FailureKind.ATTACHMENT, attachment.error)
                     for attachment in item.attachments if attachment.error)
    try:
        document = compose_document(item)
    except ExtractionError as exc:
        return Archived(failures=(*failures, PageFailure(item.portal, item.url, FailureKind.DETAIL, exc.reason)))
    return Archived(OUTCOME_COUNTS[archive.record_page(document)], failures)


class ArchivePipeline:
    """Stores each page's document (its body, or its attachments' text when it only points
    to them) and hands every failure to the run's recorder; counts outcomes per portal."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    @property
    def recorder(self) -> CrawlRunRecorder:
        return run_recorder(self.crawler)

    def process_item(self, item: Any) -> Any:
        try:
            archived = archive_item(session_archive(self.crawler), item)
        except ARCHIVE_WRITE_ERRORS as exc:
            self.recorder.record_archive_failure(PageFailure(item.portal, item.url, FailureKind.DETAIL,
                                                             f"archive write failed: {exc}"))
            return item
        for failure in archived.failures:
            self.recorder.record_failure(failure)
        crawl = self.crawler.spider.crawl_of(item.portal)
        for field in archived.counts:
            crawl.count(field)
        return item
