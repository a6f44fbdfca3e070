"""RevisitMiddleware: archived detail pages are requested again only when due, then conditionally,
and a walk that is not a full one stops at the first list page with nothing to fetch.
PortalDeadlineMiddleware: a portal past its time in a crawl of many gets no more requests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from archive.store.queries import KnownPage
from archive.store.runs import FailureKind
from crawler.extensions import session_archive


@dataclasses.dataclass(frozen=True)
class RevisitPlan:
    fetch: bool
    headers: dict[str, str]


def revisit_plan(known: KnownPage | None, now: dt.datetime, revisit_days: int, refresh: bool) -> RevisitPlan:
    """New pages are fetched; archived ones only when due (older than `revisit_days`), and
    then conditionally (If-None-Match / If-Modified-Since) so an unchanged page costs a 304.
    `refresh` downloads everything in full. A page marked withdrawn is checked again."""
    if known is None or refresh or known.last_fetched is None:
        return RevisitPlan(True, {})
    headers = {}
    if known.etag:
        headers["If-None-Match"] = known.etag
    if known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    if known.gone:
        return RevisitPlan(True, headers)
    age = now - dt.datetime.fromisoformat(known.last_fetched)
    return RevisitPlan(age >= dt.timedelta(days=revisit_days), headers)


def is_full_walk(known_pages: int, last_full_walk: str | None, now: dt.datetime, full_walk_days: int,
                 refresh: bool) -> bool:
    """A portal's first crawl, `--refresh`, and a walk every `full_walk_days` go to the column's end."""
    if refresh or not known_pages or last_full_walk is None:
        return True
    return now - dt.datetime.fromisoformat(last_full_walk) >= dt.timedelta(days=full_walk_days)


class RevisitMiddleware:
    """Drops the spider's detail requests for archived pages that are not due (count
    `skipped`) and makes the due ones conditional, letting their 304 through.

    Unless a portal's run is a full walk, a list page whose document links are all archived and
    not due ends its walk there: its next list requests are dropped."""

    def __init__(self, crawler: Crawler, refresh: bool) -> None:
        self.crawler = crawler
        self.refresh = refresh

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RevisitMiddleware:
        middleware = cls(crawler, crawler.settings.getbool("GOVARCHIVE_REFRESH"))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        for crawl in spider.crawls.values():
            crawl.known, last_full_walk = self.portal_history(crawl.name)
            crawl.walk.full = is_full_walk(len(crawl.known), last_full_walk, now,
                                           crawl.portal.full_walk_days, self.refresh)

    def portal_history(self, portal: str) -> tuple[dict[str, KnownPage], str | None]:
        """The portal's archived pages and when its column was last walked to its end."""
        archive = session_archive(self.crawler)
        return archive.known_pages(portal), archive.last_full_walk(portal)

    def _planned(self, item: Any, now: dt.datetime) -> Any | None:
        if not isinstance(item, Request) or item.meta.get("kind") != FailureKind.DETAIL:
            return item
        crawl = self.crawler.spider.crawl_of(item.meta["portal"])
        plan = revisit_plan(crawl.known.get(item.url), now, crawl.portal.revisit_days, self.refresh)
        if not plan.fetch:
            crawl.count("skipped")  # archived and not yet due
            return None
        if not plan.headers:
            return item
        meta = {**item.meta, "handle_httpstatus_list": [*item.meta.get("handle_httpstatus_list", ()), 304]}
        return item.replace(headers={**item.headers.to_unicode_dict(), **plan.headers}, meta=meta)

    def _filter(self, response: Response) -> Callable[[Any], Any | None]:
        """The decision for each item of one response's output, in order (the spider yields a
        list page's documents before its next list requests)."""
        now = dt.datetime.now(dt.timezone.utc)
        seen = {"documents": 0, "fetched": 0}

        def decide(item: Any) -> Any | None:
            if isinstance(item, Request) and item.meta.get("kind") == FailureKind.LIST and seen["documents"] \
                    and not seen["fetched"]:
                walk = self.crawler.spider.crawl_of(item.meta["portal"]).walk
                if not walk.full:
                    walk.stop_early(f"stopped at {response.url}, whose {seen['documents']} documents "
                                    "are all archived and not due")
                    return None
            planned = self._planned(item, now)
            if isinstance(item, Request) and item.meta.get("kind") == FailureKind.DETAIL:
                seen["documents"] += 1
                seen["fetched"] += planned is not None
            return planned

        return decide

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        decide = self._filter(response)
        for item in result:
            if (planned := decide(item)) is not None:
                yield planned

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        decide = self._filter(response)
        async for item in result:
            if (planned := decide(item)) is not None:
                yield planned


class PortalTimedOut(IgnoreRequest):
    """A request of a portal whose crawl has run past GOVARCHIVE_PORTAL_TIMEOUT: not sent."""


class PortalDeadlineMiddleware:
    """Downloader middleware: once a portal has been crawled for GOVARCHIVE_PORTAL_TIMEOUT
    seconds (0: no limit), its requests are dropped as PortalTimedOut — each recorded with that
    reason — its walk is incomplete and its run ends `timeout`, while the other portals of the
    process go on."""

    def __init__(self, crawler: Crawler, timeout: float) -> None:
        self.crawler = crawler
        self.timeout = timeout

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalDeadlineMiddleware:
        return cls(crawler, crawler.settings.getfloat("GOVARCHIVE_PORTAL_TIMEOUT"))

    def process_request(self, request: Request) -> None:
        name = request.meta.get("portal")
        if not self.timeout or name is None:
            return
        crawl = self.crawler.spider.crawl_of(name)
        if crawl.timed_out or time.monotonic() - crawl.started > self.timeout:
            if not crawl.timed_out:
                crawl.timed_out = True
                crawl.walk.failed(f"the portal's crawl timed out after {self.timeout:g} s")
            raise PortalTimedOut(f"not fetched: the portal's crawl timed out after {self.timeout:g} s")
