"""RevisitMiddleware: archived detail pages are requested again only when due, then conditionally."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
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


class RevisitMiddleware:
    """Drops the spider's detail requests for archived pages that are not due (stat
    `govarchive/skipped`) and makes the due ones conditional, letting their 304 through."""

    def __init__(self, crawler: Crawler, refresh: bool) -> None:
        self.crawler = crawler
        self.refresh = refresh
        self.known: dict[str, KnownPage] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RevisitMiddleware:
        middleware = cls(crawler, crawler.settings.getbool("GOVARCHIVE_REFRESH"))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        self.known = session_archive(self.crawler).known_pages(spider.portal.name)

    def _planned(self, item: Any, now: dt.datetime) -> Any | None:
        if not isinstance(item, Request) or item.meta.get("kind") != FailureKind.DETAIL:
            return item
        plan = revisit_plan(self.known.get(item.url), now, self.crawler.spider.portal.revisit_days, self.refresh)
        if not plan.fetch:
            self.crawler.stats.inc_value("govarchive/skipped")  # archived and not yet due
            return None
        if not plan.headers:
            return item
        meta = {**item.meta, "handle_httpstatus_list": [*item.meta.get("handle_httpstatus_list", ()), 304]}
        return item.replace(headers={**item.headers.to_unicode_dict(), **plan.headers}, meta=meta)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        now = dt.datetime.now(dt.timezone.utc)
        for item in result:
            planned = self._planned(item, now)
            if planned is not None:
                yield planned

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        now = dt.datetime.now(dt.timezone.utc)
        async for item in result:
            planned = self._planned(item, now)
            if planned is not None:
                yield planned
