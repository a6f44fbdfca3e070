"""The registry-driven spider: list requests -> detail pages. It only navigates: the families
read the pages, the middlewares and pipelines decide what to fetch and what to keep."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.url import safe_url_string

from archive.errors import ExtractionError, RegistryError
from archive.extract.capture import PageCapture
from archive.extract.challenge import Verdict, page_verdict
from archive.extract.decode import decode_html
from archive.extract.document import file_capture
from archive.extract.listing import Listing, parse_listing
from archive.extract.page import extract_page
from archive.families.base import ListRequest
from archive.store.runs import FailureKind
from crawler.items import PageFailure, PageGone, PageNotModified
from crawler.registry import Portal, host_allowed, load_registry, select_portals
from crawler.responses import failure_reason, raw_fetch, truncation
from crawler.walk import ColumnWalk

WITHDRAWN_STATUSES = (404, 410)
CHALLENGE_STATUSES = [412, 521]   # let challenges reach the callbacks, to be named
ROBOTS_REFUSAL = "Forbidden by robots.txt"   # scrapy's RobotsTxtMiddleware


def _content_type(response: Response) -> str:
    return response.headers.get("Content-Type", b"").decode("latin-1")


def _headers(response: Response) -> dict[str, str]:
    return {key.decode("latin-1").lower(): "\n".join(v.decode("latin-1") for v in values)
            for key, values in response.headers.items()}


def verdict_of(response: Response) -> Verdict | None:
    return page_verdict(response.status, _headers(response), response.body)


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
        self.walk = ColumnWalk()           # what the run saw of the column, and whether it all

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = spider.config_path or crawler.settings["GOVARCHIVE_REGISTRY"]
        spider.portal = select_portals(load_registry(path), [spider.portal_name])[0]
        # Scrapy's offsite middleware reads this attribute; every link is also checked here.
        spider.allowed_domains = list(spider.portal.allowed_domains)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        api = self.portal.list_api
        starts = [api.request(api.first_page)] if api is not None else \
            [ListRequest(url, family=self.portal.family) for url in self.portal.start_urls]
        for wanted in starts:  # a list API, when the registry names one, serves the column
            if (request := self.list_request(wanted, depth=1)) is not None:
                yield request

    def list_request(self, wanted: ListRequest, depth: int) -> scrapy.Request | None:
        """A Scrapy request for a list request value (method, form body, headers as given), or
        None when the walk has sent it already."""
        if not self.walk.first_time(wanted.method, wanted.url, wanted.form):
            return None
        headers = dict(wanted.headers)
        body = None
        if wanted.form:
            body = urlencode(wanted.form)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return scrapy.Request(wanted.url, method=wanted.method, body=body, headers=headers or None,
                              callback=self.parse_list, errback=self.on_error,
                              cb_kwargs={"depth": depth, "wanted": wanted},
                              meta={"kind": FailureKind.LIST, "handle_httpstatus_list": CHALLENGE_STATUSES})

    def parse_list(self, response: Response, depth: int, wanted: ListRequest | None = None) -> Iterator[Any]:
        self.crawler.stats.inc_value("govarchive/list_pages")
        self.walk.answered()
        wanted = wanted or ListRequest(response.url)
        verdict = verdict_of(response)
        if verdict is not None:
            yield from self._refused_list(response.url, depth, verdict)
            return
        if response.status >= 400 or truncation(response):
            reason = truncation(response) or f"HTTP {response.status}"
            self.walk.failed(f"list page {response.url}: {reason}")
            yield PageFailure(self.portal.name, response.url, FailureKind.LIST, reason)
            return
        try:
            text, _ = decode_html(response.body, _content_type(response), source=response.url)
            listing = parse_listing(text, response.url, self.portal.detail_url, self.portal.next_page,
                                    request=dataclasses.replace(wanted, url=response.url),
                                    list_api=self.portal.list_api)
        except ExtractionError as exc:
            self.walk.failed(f"list page {response.url}: {exc.reason}")
            yield PageFailure(self.portal.name, response.url, FailureKind.LIST, exc.reason)
            return
        if listing.family and self.crawler.stats.get_value("govarchive/family") in (None, "generic"):
            self.crawler.stats.set_value("govarchive/family", listing.family)
        yield from self._documents(listing)
        following = [r for r in listing.next_requests if host_allowed(r.url, self.portal)]
        self.walk.read(listing, bool(following))
        if following and depth >= self.portal.max_list_pages:
            self.walk.failed(f"max_list_pages ({self.portal.max_list_pages}) reached before the end of the column")
            return
        for wanted_next in following:
            if self.portal.family and wanted_next.family is None:  # the registry pins the family
                wanted_next = dataclasses.replace(wanted_next, family=self.portal.family)
            if (request := self.list_request(wanted_next, depth + 1)) is not None:
                yield request

    def _documents(self, listing: Listing) -> Iterator[scrapy.Request]:
        for document in listing.documents:
            url = safe_url_string(document.url)
            if host_allowed(url, self.portal) and url not in self.walk.listed:  # each link once a walk
                self.walk.listed.add(url)
                self.crawler.stats.inc_value("govarchive/listed")
                yield scrapy.Request(url, callback=self.parse_detail, errback=self.on_error,
                                     meta={"kind": FailureKind.DETAIL, "handle_httpstatus_list": CHALLENGE_STATUSES,
                                           "listed_title": document.title, "listed_date": document.date})

    def _refused_list(self, url: str, depth: int, verdict: Verdict) -> Iterator[Any]:
        self.walk.failed(f"list page {url}: {verdict.reason}")
        if verdict.kind == "blocked":
            self.walk.blocked = True
            if depth == 1:
                self.walk.start_blocked = True
        yield PageFailure(self.portal.name, url, FailureKind.LIST, f"{verdict.kind}: {verdict.reason}")

    def parse_detail(self, response: Response) -> Iterator[Any]:
        self.walk.listed.add(response.url)  # after a redirect the archive knows the final URL
        if response.status == 304:
            self.crawler.stats.inc_value("govarchive/not_modified")
            yield PageNotModified(self.portal.name, response.url)
            return
        verdict = verdict_of(response)
        if verdict is not None:
            if verdict.kind == "blocked":
                self.walk.blocked = True
            yield PageFailure(self.portal.name, response.url, FailureKind.DETAIL, f"{verdict.kind}: {verdict.reason}")
            return
        if response.status >= 400 or truncation(response):
            reason = truncation(response) or f"HTTP {response.status}"
            yield PageFailure(self.portal.name, response.url, FailureKind.DETAIL, reason)
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
        reason = failure_reason(failure.value, request, self.crawler.settings)
        listed_url = (request.meta.get("redirect_urls") or [request.url])[0]  # what the walk asked for
        if kind == FailureKind.LIST:
            self.walk.answered()
            self.walk.failed(f"list page {request.url}: {reason}")
        if failure.check(IgnoreRequest) and str(failure.value) == ROBOTS_REFUSAL:
            self.crawler.stats.inc_value("govarchive/refused")  # skipped by policy, not a failure
            return
        if kind == FailureKind.DETAIL and failure.check(HttpError) and \
                failure.value.response.status in WITHDRAWN_STATUSES:
            yield PageGone(self.portal.name, request.url, failure.value.response.status)
            return
        yield PageFailure(self.portal.name, listed_url, kind, reason)
