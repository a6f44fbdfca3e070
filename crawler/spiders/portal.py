"""The registry-driven spider: list requests -> detail pages. It only navigates: the families
read the pages, the middlewares and pipelines decide what to fetch and what to keep."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.url import safe_url_string

from archive.errors import ExtractionError, RegistryError
from archive.extract.challenge import Verdict, page_verdict
from archive.extract.decode import decode_html
from archive.extract.listing import Listing, parse_listing
from archive.families.base import ListRequest
from archive.store.runs import FailureKind
from crawler.items import FetchedDetail, PageFailure, PageGone, PageNotModified
from crawler.registry import host_allowed, load_registry, select_portals
from crawler.responses import failure_reason, raw_fetch, truncation
from crawler.portal_crawl import PortalCrawl

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
    """Crawl portals of the registry, all in this one process so that politeness per host holds
    across them: `scrapy crawl portal -a portal=NAME`, `-a portals=A,B,…` or `-a portals_file=PATH`
    (a name per line), with `-a config=PATH` for the registry. Each portal keeps its own walk,
    counts and run row (`PortalCrawl`); every request carries its portal in `meta["portal"]`."""

    name = "portal"

    def __init__(self, portal: str | None = None, portals: str | None = None, portals_file: str | None = None,
                 config: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        names = [portal] if portal else []
        names += [name for name in (portals or "").split(",") if name.strip()]
        if portals_file:
            names += [line.strip() for line in Path(portals_file).read_text(encoding="utf-8").splitlines() if line.strip()]
        if not names:
            raise RegistryError("spider 'portal' needs -a portal=NAME, -a portals=A,B or -a portals_file=PATH")
        self.portal_names = list(dict.fromkeys(name.strip() for name in names))
        self.config_path = config
        self.crawls: dict[str, PortalCrawl] = {}

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = spider.config_path or crawler.settings["GOVARCHIVE_REGISTRY"]
        spider.crawls = {portal.name: PortalCrawl(portal)
                         for portal in select_portals(load_registry(path), spider.portal_names)}
        # Scrapy's offsite middleware reads this attribute; every link is also checked per portal.
        spider.allowed_domains = sorted({domain for crawl in spider.crawls.values()
                                         for domain in crawl.portal.allowed_domains})
        return spider

    def crawl_of(self, name: str) -> PortalCrawl:
        return self.crawls[name]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for crawl in self.crawls.values():
            api = crawl.portal.list_api
            starts = [api.request(api.first_page)] if api is not None else \
                [ListRequest(url, family=crawl.portal.family) for url in crawl.portal.start_urls]
            for wanted in starts:  # a list API, when the registry names one, serves the column
                if (request := self.list_request(crawl, wanted, depth=1)) is not None:
                    yield request

    def list_request(self, crawl: PortalCrawl, wanted: ListRequest, depth: int) -> scrapy.Request | None:
        """A Scrapy request for a list request value (method, form body, headers as given), or
        None when the portal's walk has sent it already."""
        if not crawl.walk.first_time(wanted.method, wanted.url, wanted.form):
            return None
        headers = dict(wanted.headers)
        body = None
        if wanted.form:
            body = urlencode(wanted.form)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return scrapy.Request(wanted.url, method=wanted.method, body=body, headers=headers or None,
                              callback=self.parse_list, errback=self.on_error,
                              cb_kwargs={"depth": depth, "wanted": wanted},
                              meta={"kind": FailureKind.LIST, "portal": crawl.name,
                                    "handle_httpstatus_list": CHALLENGE_STATUSES})

    def parse_list(self, response: Response, depth: int, wanted: ListRequest | None = None) -> Iterator[Any]:
        crawl = self.crawl_of(response.meta["portal"])
        portal, walk = crawl.portal, crawl.walk
        crawl.count("list_pages")
        walk.answered()
        wanted = wanted or ListRequest(response.url)
        verdict = verdict_of(response)
        if verdict is not None:
            yield from self._refused_list(crawl, response.url, depth, verdict)
            return
        if response.status >= 400 or truncation(response):
            reason = truncation(response) or f"HTTP {response.status}"
            walk.failed(f"list page {response.url}: {reason}")
            yield PageFailure(portal.name, response.url, FailureKind.LIST, reason)
            return
        try:
            text, _ = decode_html(response.body, _content_type(response), source=response.url)
            listing = parse_listing(text, response.url, portal.detail_url, portal.next_page,
                                    request=dataclasses.replace(wanted, url=response.url),
                                    list_api=portal.list_api)
        except ExtractionError as exc:
            walk.failed(f"list page {response.url}: {exc.reason}")
            yield PageFailure(portal.name, response.url, FailureKind.LIST, exc.reason)
            return
        crawl.saw_family(listing.family)
        yield from self._documents(crawl, listing)
        following = [r for r in listing.next_requests if host_allowed(r.url, portal)]
        walk.read(listing, bool(following))
        if following and depth >= portal.max_list_pages:
            walk.failed(f"max_list_pages ({portal.max_list_pages}) reached before the end of the column")
            return
        for wanted_next in following:
            if portal.family and wanted_next.family is None:  # the registry pins the family
                wanted_next = dataclasses.replace(wanted_next, family=portal.family)
            if (request := self.list_request(crawl, wanted_next, depth + 1)) is not None:
                yield request

    def _documents(self, crawl: PortalCrawl, listing: Listing) -> Iterator[scrapy.Request]:
        for document in listing.documents:
            url = safe_url_string(document.url)
            if host_allowed(url, crawl.portal) and url not in crawl.walk.listed:  # each link once a walk
                crawl.walk.listed.add(url)
                crawl.count("listed")
                yield scrapy.Request(url, callback=self.parse_detail, errback=self.on_error,
                                     meta={"kind": FailureKind.DETAIL, "portal": crawl.name,
                                           "handle_httpstatus_list": CHALLENGE_STATUSES,
                                           "listed_title": document.title, "listed_date": document.date})

    def _refused_list(self, crawl: PortalCrawl, url: str, depth: int, verdict: Verdict) -> Iterator[Any]:
        crawl.walk.failed(f"list page {url}: {verdict.reason}")
        if verdict.kind == "blocked":
            crawl.walk.blocked = True
            if depth == 1:
                crawl.walk.start_blocked = True
        yield PageFailure(crawl.name, url, FailureKind.LIST, f"{verdict.kind}: {verdict.reason}")

    def parse_detail(self, response: Response) -> Iterator[Any]:
        crawl = self.crawl_of(response.meta["portal"])
        crawl.walk.listed.add(response.url)  # after a redirect the archive knows the final URL
        if response.status == 304:
            crawl.count("not_modified")
            yield PageNotModified(crawl.name, response.url)
            return
        verdict = verdict_of(response)
        if verdict is not None:
            if verdict.kind == "blocked":
                crawl.walk.blocked = True
            yield PageFailure(crawl.name, response.url, FailureKind.DETAIL, f"{verdict.kind}: {verdict.reason}")
            return
        if response.status >= 400 or truncation(response):
            reason = truncation(response) or f"HTTP {response.status}"
            yield PageFailure(crawl.name, response.url, FailureKind.DETAIL, reason)
            return
        crawl.count("detail_pages")
        yield FetchedDetail(crawl.name, raw_fetch(response), _content_type(response))  # ExtractPipeline reads it

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        crawl = self.crawl_of(request.meta["portal"])
        kind = request.meta.get("kind", FailureKind.DETAIL)
        reason = failure_reason(failure.value, request, self.crawler.settings)
        listed_url = (request.meta.get("redirect_urls") or [request.url])[0]  # what the walk asked for
        if kind == FailureKind.LIST:
            crawl.walk.answered()
            crawl.walk.failed(f"list page {request.url}: {reason}")
        if failure.check(IgnoreRequest) and str(failure.value) == ROBOTS_REFUSAL:
            crawl.count("refused")  # skipped by policy, not a failure
            return
        if kind == FailureKind.DETAIL and failure.check(HttpError) and \
                failure.value.response.status in WITHDRAWN_STATUSES:
            yield PageGone(crawl.name, request.url, failure.value.response.status)
            return
        yield PageFailure(crawl.name, listed_url, kind, reason)
