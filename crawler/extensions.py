"""The crawl's archive connection (ArchiveSession) and its crawl_runs row (CrawlRunRecorder)."""

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
from twisted.python.failure import Failure

from archive.errors import ArchiveError
from archive.identity.config import NearDupSettings
from archive.store.archive import Archive
from archive.store.runs import FailureKind, RunCounts, RunStatus
from crawler.items import PageFailure
from crawler.registry import host_allowed

logger = logging.getLogger(__name__)

# What a write to the archive may raise: locked past the write wait (ArchiveLocked), disk full…
ARCHIVE_WRITE_ERRORS = (sqlite3.Error, ArchiveError)

# RunCounts fields that Scrapy's own stats count; the rest are `govarchive/<field>`.
SCRAPY_STATS = {"requests": "downloader/request_count", "response_bytes": "downloader/response_bytes"}


def stats_key(field: str) -> str:
    return SCRAPY_STATS.get(field, f"govarchive/{field}")


def run_status(finish_reason: str, list_pages: int, start_blocked: bool = False,
               archive_failures: int = 0) -> str:
    """ok: finished, read at least one list page and stored every page it could read;
    blocked: the column's start page is a challenge; interrupted: stopped by a signal."""
    if finish_reason == "shutdown":
        return RunStatus.INTERRUPTED
    if start_blocked:
        return RunStatus.BLOCKED
    if finish_reason == "finished" and list_pages > 0 and not archive_failures:
        return RunStatus.OK
    return RunStatus.FAILED


class ArchiveSession:
    """Owns the archive for the whole crawl: opened with the crawler, closed when the engine
    stops. Other components take it with `crawler.get_extension(ArchiveSession).archive`."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveSession:
        near_dup = NearDupSettings(threshold=crawler.settings.getfloat("GOVARCHIVE_NEAR_DUP_THRESHOLD"))
        session = cls(Archive.open(crawler.settings["GOVARCHIVE_DB"], near_dup,
                                   write_wait=crawler.settings.getfloat("GOVARCHIVE_WRITE_WAIT")))
        crawler.signals.connect(session.engine_stopped, signal=signals.engine_stopped)
        return session

    def engine_stopped(self) -> None:
        self.archive.close()


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
    """Opens a crawl_runs row when the spider opens, writes its counts as the run goes and
    closes it with them; records every failure of the run in crawl_errors."""

    def __init__(self, crawler: Crawler, counts_every: int) -> None:
        self.crawler = crawler
        self.counts_every = max(counts_every, 1)
        self.items = 0
        self.run_id: int | None = None
        self.unwritten: deque[PageFailure] = deque()  # failures whose row the archive has not taken yet
        self.archive_failures = 0   # pages lost to the archive itself (locked, full): the run fails

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        recorder = cls(crawler, crawler.settings.getint("GOVARCHIVE_COUNTS_EVERY"))
        crawler.signals.connect(recorder.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(recorder.spider_error, signal=signals.spider_error)
        crawler.signals.connect(recorder.request_scheduled, signal=signals.request_scheduled)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        archive = session_archive(self.crawler)
        archive.register_portal(spider.portal.name, spider.portal.title)
        self.run_id = archive.start_run(spider.portal.name, pid=os.getpid(), host=socket.gethostname(),
                                        token=self.crawler.settings.get("GOVARCHIVE_RUN_TOKEN"))
        self.crawler.stats.set_value("govarchive/run_id", self.run_id)

    def item_scraped(self) -> None:
        """Write the counts so far every GOVARCHIVE_COUNTS_EVERY items: a killed run shows them."""
        self.items += 1
        if self.run_id is not None and self.items % self.counts_every == 0:
            try:
                session_archive(self.crawler).update_run_counts(self.run_id, self.counts())
            except ARCHIVE_WRITE_ERRORS as exc:  # the end of the run writes them again
                logger.warning("counts of run %s not written: %s", self.run_id, exc)

    def record_failure(self, failure: PageFailure) -> None:
        """A page (or attachment) the run could not archive: counted, logged, and written to
        crawl_errors with any rows held back while the archive was locked."""
        self.crawler.stats.inc_value("govarchive/errors")
        logger.warning("failed %s %s: %s", failure.kind, failure.url, failure.reason)
        self.unwritten.append(failure)
        self._write_failures()

    def record_archive_failure(self, failure: PageFailure) -> None:
        """A page the archive would not take: the run fails. Its row is held back (the archive
        has just refused a write) and written with the next failure or at the end."""
        self.crawler.stats.inc_value("govarchive/errors")
        self.archive_failures += 1
        logger.error("not archived %s: %s", failure.url, failure.reason)
        self.unwritten.append(failure)

    def _write_failures(self) -> None:
        archive = session_archive(self.crawler)
        while self.unwritten:
            failure = self.unwritten[0]
            try:
                archive.record_error(self.run_id, failure.portal, failure.url, failure.kind, failure.reason)
            except ARCHIVE_WRITE_ERRORS as exc:
                logger.error("%d failure rows wait for the archive: %s", len(self.unwritten), exc)
                return
            self.unwritten.popleft()

    def counts(self) -> RunCounts:
        stats = self.crawler.stats
        return RunCounts(**{name: int(stats.get_value(stats_key(name), 0)) for name in RunCounts.names()})

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        """A callback raised (a page no parser expected): record it; the crawl goes on."""
        self.record_failure(PageFailure(spider.portal.name, response.url, response.meta.get("kind", FailureKind.DETAIL),
                                        f"parser crashed: {failure.type.__name__}: {failure.getErrorMessage()}"))

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        """A redirect or meta refresh to a host outside the portal's domains: Scrapy's offsite
        rule drops it without a word, so the page it stood for is recorded as a failure here."""
        kind = request.meta.get("kind")
        if kind not in (FailureKind.LIST, FailureKind.DETAIL) or host_allowed(request.url, spider.portal):
            return
        how = "redirect" if request.meta.get("redirect_urls") else "link"
        reason = f"{how} to another host {urlsplit(request.url).hostname} (not allowed)"
        listed_url = (request.meta.get("redirect_urls") or [request.url])[0]
        if kind == FailureKind.LIST:
            spider.walk.answered()
            spider.walk.failed(f"list page {listed_url}: {reason}")
        self.record_failure(PageFailure(spider.portal.name, listed_url, kind, reason))
        raise IgnoreRequest(reason)  # dropped, as the offsite rule would

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:
            return
        archive = session_archive(self.crawler)
        walk = spider.walk
        outcome = walk.outcome() if reason == "finished" else f"incomplete: the crawl ended {reason}"
        try:
            if outcome == "complete":
                # a full walk read the whole column, by evidence: what it no longer lists is withdrawn
                self.crawler.stats.inc_value("govarchive/withdrawn",
                                             archive.mark_listing(spider.portal.name, walk.listed))
            self._write_failures()
            counts = self.counts()
            status = run_status(reason, counts.list_pages, walk.start_blocked, self.archive_failures)
            archive.finish_run(self.run_id, status, counts, walk=outcome,
                               family=self.crawler.stats.get_value("govarchive/family"))
        except ARCHIVE_WRITE_ERRORS as exc:  # left running: `govarchive crawl` or the next crawl settles it
            logger.error("run %s not closed (%d failure rows unwritten): %s", self.run_id, len(self.unwritten), exc)
