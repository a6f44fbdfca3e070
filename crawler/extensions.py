"""The crawl's archive connection (ArchiveSession) and its portals' crawl_runs rows (CrawlRunRecorder)."""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
from collections import deque
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.internet import task
from twisted.python.failure import Failure

from archive.errors import ArchiveError
from archive.identity.config import NearDupSettings
from archive.store.archive import Archive
from archive.store.runs import FailureKind, RunStatus
from crawler.items import PageFailure
from crawler.portal_crawl import PortalCrawl
from crawler.registry import host_allowed

logger = logging.getLogger(__name__)

# What a write to the archive may raise: locked past the write wait (ArchiveLocked), disk full…
ARCHIVE_WRITE_ERRORS = (sqlite3.Error, ArchiveError)

def run_status(finish_reason: str, list_pages: int, start_blocked: bool = False,
               archive_failures: int = 0, timed_out: bool = False) -> str:
    """ok: finished, read at least one list page and stored every page it could read;
    blocked: the column's start page is a challenge; interrupted: stopped by a signal;
    timeout: the portal ran past GOVARCHIVE_PORTAL_TIMEOUT."""
    if finish_reason == "shutdown":
        return RunStatus.INTERRUPTED
    if timed_out:
        return RunStatus.TIMEOUT
    if start_blocked:
        return RunStatus.BLOCKED
    if finish_reason == "finished" and list_pages > 0 and not archive_failures:
        return RunStatus.OK
    return RunStatus.FAILED


class ArchiveSession:
    """Owns the archive for the whole crawl: opened with the crawler, closed when the engine
    stops. Other components take it with `crawler.get_extension(ArchiveSession).archive`.

    Writes are batched: committed every GOVARCHIVE_BATCH_PAGES items or GOVARCHIVE_BATCH_SECONDS,
    whichever comes first, and when the crawl ends. A killed crawl loses the open batch — pages
    not archived, so the next run fetches them again — and its run rows show the counts of what
    was committed."""

    def __init__(self, archive: Archive, batch_pages: int, batch_seconds: float) -> None:
        self.archive = archive
        self.batch_pages = max(batch_pages, 1)
        self.batch_seconds = batch_seconds
        self.pending = 0
        self.timer = task.LoopingCall(self.commit)
        if self.batch_pages > 1:
            archive.batch_writes()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveSession:
        settings = crawler.settings
        near_dup = NearDupSettings(threshold=settings.getfloat("GOVARCHIVE_NEAR_DUP_THRESHOLD"))
        session = cls(Archive.open(settings["GOVARCHIVE_DB"], near_dup, write_wait=settings.getfloat("GOVARCHIVE_WRITE_WAIT")),
                      settings.getint("GOVARCHIVE_BATCH_PAGES"), settings.getfloat("GOVARCHIVE_BATCH_SECONDS"))
        crawler.signals.connect(session.engine_started, signal=signals.engine_started)
        crawler.signals.connect(session.item_done, signal=signals.item_scraped)
        crawler.signals.connect(session.engine_stopped, signal=signals.engine_stopped)
        return session

    def engine_started(self) -> None:
        if self.batch_pages > 1 and self.batch_seconds > 0:
            self.timer.start(self.batch_seconds, now=False)

    def item_done(self) -> None:
        self.pending += 1
        if self.pending >= self.batch_pages:
            self.commit()

    def commit(self) -> None:
        self.pending = 0
        try:
            self.archive.commit()
        except ARCHIVE_WRITE_ERRORS as exc:
            logger.error("a batch of writes could not be committed: %s", exc)

    def engine_stopped(self) -> None:
        if self.timer.running:
            self.timer.stop()
        self.archive.close()   # commits the last batch


def session_archive(crawler: Crawler) -> Archive:
    """The crawl's archive (ArchiveSession must be enabled)."""
    session = crawler.get_extension(ArchiveSession)
    if session is None:
        raise RuntimeError("crawler.extensions.ArchiveSession is not enabled in EXTENSIONS")
    return session.archive


def run_recorder(crawler: Crawler) -> CrawlRunRecorder:
    """The crawl's run recorder (CrawlRunRecorder must be enabled)."""
    recorder = crawler.get_extension(CrawlRunRecorder)
    if recorder is None:
        raise RuntimeError("crawler.extensions.CrawlRunRecorder is not enabled in EXTENSIONS")
    return recorder


class CrawlRunRecorder:
    """Opens a crawl_runs row for each portal of the crawl when the spider opens, writes their
    counts as the crawl goes and closes them with them; records every failure in crawl_errors."""

    def __init__(self, crawler: Crawler, counts_every: int) -> None:
        self.crawler = crawler
        self.counts_every = max(counts_every, 1)
        self.items = 0
        # failures whose row the archive has not taken yet, with their run
        self.unwritten: deque[tuple[int | None, PageFailure]] = deque()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        recorder = cls(crawler, crawler.settings.getint("GOVARCHIVE_COUNTS_EVERY"))
        for handler, signal in ((recorder.item_scraped, signals.item_scraped),
                                (recorder.spider_opened, signals.spider_opened),
                                (recorder.spider_closed, signals.spider_closed),
                                (recorder.spider_error, signals.spider_error),
                                (recorder.request_scheduled, signals.request_scheduled),
                                (recorder.request_reached_downloader, signals.request_reached_downloader),
                                (recorder.response_received, signals.response_received)):
            crawler.signals.connect(handler, signal=signal)
        return recorder

    def crawl_of(self, message: Request | Response | None) -> PortalCrawl | None:
        """The portal crawl a request or response belongs to (None for robots.txt and the like)."""
        name = message.meta.get("portal") if message is not None else None
        return self.crawler.spider.crawl_of(name) if name else None

    def spider_opened(self, spider: Spider) -> None:
        archive = session_archive(self.crawler)
        crawls = list(spider.crawls.values())
        run_ids = archive.start_runs([crawl.portal.entry for crawl in crawls], pid=os.getpid(),
                                     host=socket.gethostname(), token=self.crawler.settings.get("GOVARCHIVE_RUN_TOKEN"))
        archive.commit()   # the run rows exist from the start, whatever happens to the first batch
        for crawl, run_id in zip(crawls, run_ids, strict=True):
            crawl.run_id = run_id

    def request_reached_downloader(self, request: Request, spider: Spider) -> None:
        if (crawl := self.crawl_of(request)) is not None:
            crawl.count("requests")

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        if (crawl := self.crawl_of(request)) is not None:
            crawl.count("response_bytes", len(response.body))

    def item_scraped(self, item: object) -> None:
        """Write a portal's counts so far every GOVARCHIVE_COUNTS_EVERY items of the crawl: a
        killed run shows them."""
        self.items += 1
        crawl = self.crawler.spider.crawl_of(item.portal)
        if crawl.run_id is not None and self.items % self.counts_every == 0:
            try:
                session_archive(self.crawler).update_run_counts(crawl.run_id, crawl.run_counts())
            except ARCHIVE_WRITE_ERRORS as exc:  # the end of the run writes them again
                logger.warning("counts of run %s not written: %s", crawl.run_id, exc)

    def record_failure(self, failure: PageFailure) -> None:
        """A page (or attachment) the run could not archive: counted, logged, and written to
        crawl_errors with any rows held back while the archive was locked."""
        crawl = self.crawler.spider.crawl_of(failure.portal)
        crawl.count("errors")
        logger.warning("failed %s %s: %s", failure.kind, failure.url, failure.reason)
        self.unwritten.append((crawl.run_id, failure))
        self._write_failures()

    def record_archive_failure(self, failure: PageFailure) -> None:
        """A page the archive would not take: its run fails. Its row is held back (the archive
        has just refused a write) and written with the next failure or at the end."""
        crawl = self.crawler.spider.crawl_of(failure.portal)
        crawl.count("errors")
        crawl.archive_failures += 1
        logger.error("not archived %s: %s", failure.url, failure.reason)
        self.unwritten.append((crawl.run_id, failure))

    def _write_failures(self) -> None:
        archive = session_archive(self.crawler)
        while self.unwritten:
            run_id, failure = self.unwritten[0]
            try:
                archive.record_error(run_id, failure.portal, failure.url, failure.kind, failure.reason)
            except ARCHIVE_WRITE_ERRORS as exc:
                logger.error("%d failure rows wait for the archive: %s", len(self.unwritten), exc)
                return
            self.unwritten.popleft()

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        """A callback raised (a page no parser expected): record it; the crawl goes on."""
        crawl = self.crawl_of(response)
        if crawl is None:
            return
        self.record_failure(PageFailure(crawl.name, response.url, response.meta.get("kind", FailureKind.DETAIL),
                                        f"parser crashed: {failure.type.__name__}: {failure.getErrorMessage()}"))

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        """A redirect or meta refresh to a host outside the portal's domains: Scrapy's offsite
        rule drops it without a word, so the page it stood for is recorded as a failure here."""
        kind = request.meta.get("kind")
        crawl = self.crawl_of(request)
        if crawl is None or kind not in (FailureKind.LIST, FailureKind.DETAIL) or \
                host_allowed(request.url, crawl.portal):
            return
        how = "redirect" if request.meta.get("redirect_urls") else "link"
        reason = f"{how} to another host {urlsplit(request.url).hostname} (not allowed)"
        listed_url = (request.meta.get("redirect_urls") or [request.url])[0]
        if kind == FailureKind.LIST:
            crawl.walk.answered()
            crawl.walk.failed(f"list page {listed_url}: {reason}")
        self.record_failure(PageFailure(crawl.name, listed_url, kind, reason))
        raise IgnoreRequest(reason)  # dropped, as the offsite rule would

    def spider_closed(self, spider: Spider, reason: str) -> None:
        archive = session_archive(self.crawler)
        self._write_failures()
        for crawl in spider.crawls.values():
            if crawl.run_id is None:
                continue
            walk = crawl.walk
            outcome = walk.outcome() if reason == "finished" else f"incomplete: the crawl ended {reason}"
            try:
                if outcome == "complete":
                    # a full walk read the whole column, by evidence: what it no longer lists is withdrawn
                    crawl.count("withdrawn", archive.mark_listing(crawl.name, walk.listed))
                counts = crawl.run_counts()
                status = run_status(reason, counts.list_pages, walk.start_blocked, crawl.archive_failures,
                                    crawl.timed_out)
                archive.finish_run(crawl.run_id, status, counts, walk=outcome, family=crawl.family)
            except ARCHIVE_WRITE_ERRORS as exc:  # left running: `govarchive crawl` or the next crawl settles it
                logger.error("run %s of %s not closed: %s", crawl.run_id, crawl.name, exc)
        if self.unwritten:
            logger.error("%d failure rows could not be written to the archive", len(self.unwritten))
