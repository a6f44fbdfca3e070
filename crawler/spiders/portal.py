"""The registry-driven spider: list pages -> pagination -> detail pages. It only navigates:
the families parse, the middlewares and pipelines decide what to fetch and what to keep."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.url import safe_url_string

from archive.errors import ExtractionError, RegistryError
from archive.extract.capture import PageCapture
from archive.extract.decode import decode_html
from archive.extract.document import file_capture
from archive.extract.listing import parse_listing
from archive.extract.page import extract_page
from archive.store.runs import FailureKind
from crawler.items import PageFailure, PageGone, PageNotModified
from crawler.registry import Portal, host_allowed, load_registry, select_portals
from crawler.responses import failure_reason, raw_fetch

WITHDRAWN_STATUSES = (404, 410)


def _content_type(response: Response) -> str:
    return response.headers.get("Content-Type", b"").decode("latin-1")


class PortalSpider(scrapy.Spider):
    """Crawl one portal of the registry: `scrapy crawl portal -a portal=NAME [-a config=PATH]`."""

    name = "portal"
    portal: Portal

    def __init__(self, portal: str | None = None, config: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not portal:
            raise RegistryError("spider 'portal' needs -a portal=NAME")
        self.portal_name = portal
        self.config_path = config
        self.listed: set[str] = set()      # detail URLs the column lists in this run
        self.listing_complete = True       # False when a list page failed or the cap cut pagination

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = spider.config_path or crawler.settings["GOVARCHIVE_REGISTRY"]
        spider.portal = select_portals(load_registry(path), [spider.portal_name])[0]
        # Scrapy's offsite middleware reads this attribute; every link is also checked here.
        spider.allowed_domains = list(spider.portal.allowed_domains)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.portal.start_urls:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error,
                                 cb_kwargs={"depth": 1}, dont_filter=True, meta={"kind": FailureKind.LIST})

    def parse_list(self, response: Response, depth: int) -> Iterator[Any]:
        self.crawler.stats.inc_value("govarchive/list_pages")
        try:
            html_text, _ = decode_html(response.body, _content_type(response), source=response.url)
        except ExtractionError as exc:
            yield PageFailure(self.portal.name, response.url, FailureKind.LIST, exc.reason)
            return
        listing = parse_listing(html_text, response.url, self.portal.detail_url, self.portal.next_page)
        for url in listing.document_urls:
            if host_allowed(url, self.portal):
                url = safe_url_string(url)
                self.listed.add(url)
                yield scrapy.Request(url, callback=self.parse_detail, errback=self.on_error,
                                     meta={"kind": FailureKind.DETAIL})
        next_pages = [url for url in listing.next_pages if host_allowed(url, self.portal)]
        if depth >= self.portal.max_list_pages:
            self.listing_complete = self.listing_complete and not next_pages
            return
        for url in next_pages:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error,
                                 cb_kwargs={"depth": depth + 1}, meta={"kind": FailureKind.LIST})

    def parse_detail(self, response: Response) -> Iterator[Any]:
        self.listed.add(response.url)  # after a redirect the archive knows the final URL
        if response.status == 304:
            self.crawler.stats.inc_value("govarchive/not_modified")
            yield PageNotModified(self.portal.name, response.url)
            return
        self.crawler.stats.inc_value("govarchive/detail_pages")
        try:
            document = file_capture(self.portal.name, raw_fetch(response))
            if document is None:  # a web page, not the report file itself
                record = extract_page(response.body, response.url, _content_type(response))
                document = PageCapture(self.portal.name, record, raw_fetch(response, record.encoding))
        except ExtractionError as exc:
            yield PageFailure(self.portal.name, response.url, FailureKind.DETAIL, exc.reason)
            return
        yield document

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind", FailureKind.DETAIL)
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt or the offsite rule refused it: policy, not a failure of the site
            self.crawler.stats.inc_value("govarchive/refused")
            return
        if kind == FailureKind.LIST:
            self.listing_complete = False
        if kind == FailureKind.DETAIL and failure.check(HttpError) and \
                failure.value.response.status in WITHDRAWN_STATUSES:
            yield PageGone(self.portal.name, request.url, failure.value.response.status)
            return
        yield PageFailure(self.portal.name, request.url, kind, failure_reason(failure.value))
