"""The registry-driven spider: list pages -> pagination -> detail pages -> attachments."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.url import safe_url_string

from archive.attachments import extract_attachment
from archive.capture import AttachmentCapture, PageCapture, RawFetch
from archive.decode import decode_html
from archive.errors import ExtractionError, RegistryError
from archive.documents import document_capture
from archive.extract import extract_page
from archive.store import Archive, utc_now
from crawler.items import PageFailure, PageGone, PageNotModified
from crawler.pages import parse_listing
from crawler.registry import Portal, host_allowed, load_registry, select_portals
from crawler.revisit import revisit_plan

WITHDRAWN_STATUSES = (404, 410)


def raw_fetch(response: Response, encoding: str | None = None) -> RawFetch:
    headers = tuple((key.decode("latin-1"), b", ".join(values).decode("latin-1"))
                    for key, values in response.headers.items())
    return RawFetch(response.url, response.status, headers, response.body, utc_now(), encoding)


def failure_reason(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"


class PortalSpider(scrapy.Spider):
    """Crawl one portal of the registry: `scrapy crawl portal -a portal=NAME [-a config=PATH]`."""

    name = "portal"
    portal: Portal

    def __init__(self, portal: str | None = None, config: str | None = None, refresh: str = "",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not portal:
            raise RegistryError("spider 'portal' needs -a portal=NAME")
        self.portal_name = portal
        self.config_path = config
        self.refresh = refresh.lower() in ("1", "true", "yes")
        self.listed: set[str] = set()      # detail URLs the column lists in this run
        self.listing_complete = True       # False when a list page failed or the cap cut pagination

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = spider.config_path or crawler.settings.get("GOVARCHIVE_REGISTRY")
        spider.portal = select_portals(load_registry(path), [spider.portal_name])[0]
        # Scrapy's offsite middleware reads this attribute; every link is also checked here.
        spider.allowed_domains = list(spider.portal.allowed_domains)
        spider.max_attachments = crawler.settings.getint("GOVARCHIVE_MAX_ATTACHMENTS", 10)
        spider.attachment_maxsize = crawler.settings.getint("GOVARCHIVE_ATTACHMENT_MAXSIZE", 30 * 1024 * 1024)
        archive = Archive.open(crawler.settings.get("GOVARCHIVE_DB"))
        try:
            spider.known = archive.known_pages(spider.portal.name)
        finally:
            archive.close()
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.portal.start_urls:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error,
                                 cb_kwargs={"depth": 1}, dont_filter=True, meta={"kind": "list"})

    def parse_list(self, response: Response, depth: int) -> Iterator[Any]:
        self.crawler.stats.inc_value("govarchive/list_pages")
        try:
            html_text, _ = decode_html(response.body, response.headers.get("Content-Type", b"").decode("latin-1"),
                                       source=response.url)
        except ExtractionError as exc:
            reason = str(exc).removeprefix(f"{response.url}: ")
            yield PageFailure(self.portal.name, response.url, f"list page: {reason}")
            return
        listing = parse_listing(html_text, response.url, self.portal.detail_url, self.portal.next_page)
        now = dt.datetime.now(dt.timezone.utc)
        for url in listing.document_urls:
            if not host_allowed(url, self.portal):
                continue
            url = safe_url_string(url)
            self.listed.add(url)
            plan = revisit_plan(self.known.get(url), now, self.portal.revisit_days, self.refresh)
            if not plan.fetch:
                self.crawler.stats.inc_value("govarchive/skipped")  # archived and not yet due
                continue
            yield scrapy.Request(url, callback=self.parse_detail, errback=self.on_error, headers=plan.headers,
                                 meta={"kind": "detail", "handle_httpstatus_list": [304]})
        next_pages = [url for url in listing.next_pages if host_allowed(url, self.portal)]
        if depth >= self.portal.max_list_pages:
            self.listing_complete = self.listing_complete and not next_pages
            return
        for url in next_pages:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error,
                                 cb_kwargs={"depth": depth + 1}, meta={"kind": "list"})

    def parse_detail(self, response: Response) -> Iterator[Any]:
        self.listed.add(response.url)  # after a redirect the archive knows the final URL
        if response.status == 304:
            self.crawler.stats.inc_value("govarchive/not_modified")
            yield PageNotModified(self.portal.name, response.url)
            return
        self.crawler.stats.inc_value("govarchive/detail_pages")
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        try:
            document = document_capture(self.portal.name, raw_fetch(response))
        except ExtractionError as exc:  # the link leads to a file with no readable text
            yield PageFailure(self.portal.name, response.url, str(exc).removeprefix(f"{response.url}: "))
            return
        if document is not None:  # the link leads to the report file itself
            yield document
            return
        try:
            record = extract_page(response.body, response.url, content_type)
        except ExtractionError as exc:
            yield PageFailure(self.portal.name, response.url, str(exc).removeprefix(f"{response.url}: "))
            return
        links = [link for link in record.attachment_links if host_allowed(link[0], self.portal)]
        capture = PageCapture(self.portal.name, record, raw_fetch(response, record.encoding))
        yield from self._next_attachment(capture, links[: self.max_attachments])

    def _next_attachment(self, capture: PageCapture, pending: list[tuple[str, str]]) -> Iterator[Any]:
        """Fetch a page's attachments one after another; the page item goes out after the last."""
        if not pending:
            yield capture
            return
        (url, filename), rest = pending[0], pending[1:]
        yield scrapy.Request(url, callback=self.parse_attachment, errback=self.attachment_failed,
                             cb_kwargs={"capture": capture, "filename": filename, "pending": rest},
                             meta={"download_maxsize": self.attachment_maxsize}, dont_filter=True)

    def parse_attachment(self, response: Response, capture: PageCapture, filename: str,
                         pending: list[tuple[str, str]]) -> Iterator[Any]:
        self.crawler.stats.inc_value("govarchive/attachments")
        result = extract_attachment(response.body, filename)
        attachment = AttachmentCapture(response.url, filename, raw_fetch(response), result.text, result.error)
        if result.error:
            yield PageFailure(self.portal.name, response.url, f"attachment: {result.error}")
        yield from self._next_attachment(
            dataclasses.replace(capture, attachments=(*capture.attachments, attachment)), pending)

    def attachment_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kwargs = request.cb_kwargs
        reason = failure_reason(failure)
        attachment = AttachmentCapture(request.url, kwargs["filename"], None, None, reason)
        yield PageFailure(self.portal.name, request.url, f"attachment: {reason}")
        capture = kwargs["capture"]
        yield from self._next_attachment(
            dataclasses.replace(capture, attachments=(*capture.attachments, attachment)), kwargs["pending"])

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind")
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt or the offsite rule refused it: policy, not a failure of the site
            self.crawler.stats.inc_value("govarchive/refused")
            return
        if kind == "list":
            self.listing_complete = False
        if kind == "detail" and failure.check(HttpError) and \
                failure.value.response.status in WITHDRAWN_STATUSES:
            yield PageGone(self.portal.name, request.url, failure.value.response.status)
            return
        yield PageFailure(self.portal.name, request.url, failure_reason(failure))
