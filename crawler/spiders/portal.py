"""The registry-driven spider: list pages -> pagination -> detail pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.decode import decode_html
from archive.errors import ExtractionError, RegistryError
from archive.extract import extract_page
from crawler.items import ArchivedPage, PageFailure
from crawler.pages import parse_listing
from crawler.registry import Portal, host_allowed, load_registry, select_portals


class PortalSpider(scrapy.Spider):
    """Crawl one portal of the registry: `scrapy crawl portal -a portal=NAME [-a config=PATH]`."""

    name = "portal"

    def __init__(self, portal: str | None = None, config: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not portal:
            raise RegistryError("spider 'portal' needs -a portal=NAME")
        self.portal_name = portal
        self.config_path = config

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = spider.config_path or crawler.settings.get("GOVARCHIVE_REGISTRY")
        spider.portal = select_portals(load_registry(path), [spider.portal_name])[0]
        # Scrapy's offsite middleware reads this attribute; parse_list also checks each link.
        spider.allowed_domains = list(spider.portal.allowed_domains)
        return spider

    portal: Portal

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.portal.start_urls:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error,
                                 cb_kwargs={"depth": 1}, dont_filter=True)

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
        for url in listing.document_urls:
            if host_allowed(url, self.portal):
                yield scrapy.Request(url, callback=self.parse_detail, errback=self.on_error)
        if depth < self.portal.max_list_pages:
            for url in listing.next_pages:
                if host_allowed(url, self.portal):
                    yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error,
                                         cb_kwargs={"depth": depth + 1})

    def parse_detail(self, response: Response) -> Iterator[ArchivedPage | PageFailure]:
        self.crawler.stats.inc_value("govarchive/detail_pages")
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        try:
            record = extract_page(response.body, response.url, content_type)
        except ExtractionError as exc:
            yield PageFailure(self.portal.name, response.url, str(exc).removeprefix(f"{response.url}: "))
            return
        yield ArchivedPage(self.portal.name, response.url, response.status, record)

    def on_error(self, failure: Failure) -> Iterator[PageFailure]:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt or the offsite rule refused it: policy, not a failure of the site
            self.crawler.stats.inc_value("govarchive/skipped")
            return
        if failure.check(HttpError):
            reason = f"HTTP {failure.value.response.status}"
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        yield PageFailure(self.portal.name, request.url, reason)
