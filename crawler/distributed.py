"""Crawling on many machines: a round's plan, frontier, duplicate filter and items in Redis.

    govarchive crawl --redis URL --shards N   plans a round: the portals, the registry, what the
                                              archive knows of each (read-only), one shard each
    govarchive worker --redis URL --shard I   crawls shard I's portals with scrapy-redis's
                                              scheduler: requests in Redis, items sent to Redis
    govarchive ingest --redis URL --db FILE   the only writer of the archive: opens the round's
                                              runs, stores every item, closes each run
                                              (crawler/ingest.py)

A portal's shard is its start URL's host, hashed: every portal on one host is crawled by one
worker, whose download slot holds the host's politeness across those portals. A worker keeps a
portal's walk and counts (the spider's PortalCrawl) and sends them when the portal is done
(`PortalFinished`); ingest adds what storing the items counted (documents, duplicates,
failures) and closes the run as a local crawl does. Keys live under `govarchive:<token>:`;
ingest deletes them when every portal of the round is done.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import pickle
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.utils.request import fingerprint
from scrapy_redis.dupefilter import RFPDupeFilter

from archive.store.places import PortalEntry
from archive.errors import GovarchiveError
from archive.store.archive import Archive
from archive.store.queries import KnownPage
from crawler.extensions import CrawlRunRecorder
from crawler import settings as project_settings
from crawler.items import PageFailure, PortalFinished
from crawler.middlewares import RevisitMiddleware
from crawler.registry import Portal

logger = logging.getLogger(__name__)

PLAN_KEY = "govarchive:round"   # the plan of the round under way (one at a time)


class RoundError(GovarchiveError):
    """No round to work on, or one that cannot be planned; the message says what to do."""


class RoundKeys:
    """The Redis keys of one round."""

    def __init__(self, token: str) -> None:
        self.prefix = f"govarchive:{token}"

    def requests(self, shard: int) -> str:
        return f"{self.prefix}:requests:{shard}"

    @property
    def dupefilter(self) -> str:
        return f"{self.prefix}:dupefilter"

    @property
    def items(self) -> str:
        return f"{self.prefix}:items"

    @property
    def taken(self) -> str:   # items ingest popped and has not committed yet
        return f"{self.prefix}:items:taken"

    def all(self, shards: int) -> list[str]:
        return [*(self.requests(shard) for shard in range(shards)), self.dupefilter, self.items, self.taken]


def shard_of_host(host: str, shards: int) -> int:
    """A host's shard, the same on every machine."""
    return zlib.crc32(host.encode()) % shards


def shard_of(portal: Portal, shards: int) -> int:
    """The shard of a portal: its first start URL's host's."""
    return shard_of_host((urlsplit(portal.start_urls[0]).hostname or "") if portal.start_urls else portal.name, shards)


@dataclasses.dataclass(frozen=True)
class PortalPlan:
    entry: PortalEntry   # what the archive keeps of the portal (title, region, issuers)
    shard: int
    known: dict[str, KnownPage]
    last_full_walk: str | None


@dataclasses.dataclass(frozen=True)
class RoundPlan:
    token: str
    shards: int
    registry: str                    # the registry's TOML text, so workers need no copy of it
    portals: dict[str, PortalPlan]
    settings: dict[str, str]         # -s overrides every worker applies

    @property
    def keys(self) -> RoundKeys:
        return RoundKeys(self.token)

    def portals_of(self, shard: int) -> list[str]:
        return [name for name, plan in self.portals.items() if plan.shard == shard]

    def dumps(self) -> bytes:
        return pickle.dumps(self)


def connect(url: str) -> redis.Redis:
    """A Redis client for `url`, checked: RoundError naming the URL when it does not answer."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise RoundError(f"{url}: no Redis server answers ({exc})") from exc
    return client


def plan_round(client: redis.Redis, archive: Archive, portals: list[Portal], registry_text: str,
               shards: int, settings: dict[str, str]) -> RoundPlan:
    """Publish a round of `portals` over `shards` workers; RoundError while one is under way."""
    if shards < 1:
        raise RoundError(f"--shards {shards}: give at least one worker")
    token = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{os.getpid()}"
    plan = RoundPlan(token, shards, registry_text,
                     {portal.name: PortalPlan(portal.entry, shard_of(portal, shards), archive.known_pages(portal.name),
                                              archive.last_full_walk(portal.name)) for portal in portals},
                     settings)
    if not client.set(PLAN_KEY, plan.dumps(), nx=True):
        current = current_plan(client)
        raise RoundError(f"round {current.token} is under way ({len(current.portals)} portals); "
                         "let `govarchive ingest` finish it first")
    return plan


def current_plan(client: redis.Redis) -> RoundPlan:
    blob = client.get(PLAN_KEY)
    if blob is None:
        raise RoundError("no round is planned: run `govarchive crawl --redis URL` first")
    return pickle.loads(blob)


# -- the worker's Scrapy components (wired by worker_settings) --------------------------------


def worker_settings(plan: RoundPlan, url: str, shard: int) -> dict[str, Any]:
    """What turns the crawl into a worker of the round: scrapy-redis's scheduler on the shard's
    queue, the round's duplicate filter, and components that send items to Redis."""
    return {
        **plan.settings,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "SCHEDULER_PERSIST": True,             # a worker that dies leaves its queue to its successor
        "SCHEDULER_QUEUE_KEY": plan.keys.requests(shard),
        "SCHEDULER_DUPEFILTER_KEY": plan.keys.dupefilter,
        "DUPEFILTER_CLASS": "crawler.distributed.PortalDupeFilter",
        "REDIS_URL": url,
        # the project's components, with the round's in place of those that touch the archive
        "EXTENSIONS": _swapped(project_settings.EXTENSIONS, {
            "crawler.extensions.ArchiveSession": "crawler.distributed.RoundSession",
            "crawler.extensions.CrawlRunRecorder": "crawler.distributed.RoundRecorder"}),
        "SPIDER_MIDDLEWARES": _swapped(project_settings.SPIDER_MIDDLEWARES, {
            "crawler.middlewares.RevisitMiddleware": "crawler.distributed.RoundRevisitMiddleware"}),
        "ITEM_PIPELINES": _swapped(project_settings.ITEM_PIPELINES, {
            "crawler.pipelines.ArchivePipeline": "crawler.distributed.RoundItemPipeline"}),
    }


def _swapped(components: dict[str, int], swaps: dict[str, str]) -> dict[str, int]:
    return {swaps.get(name, name): order for name, order in components.items()}


class PortalDupeFilter(RFPDupeFilter):
    """scrapy-redis's duplicate filter in Redis, per portal: a page two portals list is fetched
    for each, as in one local crawl."""

    def request_fingerprint(self, request: Request) -> str:
        return request.meta.get("portal", "") + ":" + fingerprint(request).hex()


class RoundSession:
    """The worker's round: the Redis client and the plan (ArchiveSession's place)."""

    def __init__(self, client: redis.Redis, plan: RoundPlan) -> None:
        self.client, self.plan = client, plan

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RoundSession:
        client = connect(crawler.settings["REDIS_URL"])
        return cls(client, current_plan(client))

    def send(self, item: Any) -> None:
        self.client.rpush(self.plan.keys.items, pickle.dumps(item))


def round_session(crawler: Crawler) -> RoundSession:
    session = crawler.get_extension(RoundSession)
    if session is None:
        raise RuntimeError("crawler.distributed.RoundSession is not enabled in EXTENSIONS")
    return session


class RoundRecorder(CrawlRunRecorder):
    """CrawlRunRecorder for a worker: failures and each portal's end go to Redis; the runs
    themselves are ingest's. Errors are counted where they are written, by ingest."""

    def spider_opened(self, spider: Spider) -> None:
        pass

    def item_scraped(self, item: object) -> None:
        pass

    def record_failure(self, failure: PageFailure) -> None:
        logger.warning("failed %s %s: %s", failure.kind, failure.url, failure.reason)
        round_session(self.crawler).send(failure)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        session = round_session(self.crawler)
        for crawl in spider.crawls.values():
            walk = crawl.walk
            session.send(PortalFinished(
                crawl.name, reason, dict(crawl.counts),
                walk.outcome() if reason == "finished" else f"incomplete: the crawl ended {reason}",
                frozenset(walk.listed), crawl.family, walk.start_blocked, crawl.timed_out))


class RoundRevisitMiddleware(RevisitMiddleware):
    """RevisitMiddleware with each portal's archived pages from the round's plan."""

    def portal_history(self, portal: str) -> tuple[dict[str, KnownPage], str | None]:
        plan = round_session(self.crawler).plan.portals[portal]
        return plan.known, plan.last_full_walk


class RoundItemPipeline:
    """Sends each item to the round's queue, for `govarchive ingest` (ArchivePipeline's place)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RoundItemPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        round_session(self.crawler).send(item)
        return item


# -- the worker process --------------------------------------------------------------------


def worker_command(plan: RoundPlan, url: str, shard: int, registry: Path, portals_file: Path) -> list[str]:
    """`scrapy crawl portal` as a worker of the round for `shard` (dict settings as JSON)."""
    command = [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"portals_file={portals_file}",
               "-a", f"config={registry}"]
    for key, value in worker_settings(plan, url, shard).items():
        command += ["-s", f"{key}={json.dumps(value) if isinstance(value, dict) else value}"]
    return command


def run_worker(url: str, shard: int, log_path: Path) -> tuple[RoundPlan, int]:
    """Crawl shard `shard` of the current round in a `scrapy crawl` child logging to
    `log_path`; returns the plan and the child's exit code. RoundError when there is no round
    or the shard is not one of it."""
    plan = current_plan(connect(url))
    if not 0 <= shard < plan.shards:
        raise RoundError(f"--shard {shard}: round {plan.token} has shards 0 to {plan.shards - 1}")
    names = plan.portals_of(shard)
    if not names:
        return plan, 0
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="govarchive-worker-") as folder:
        registry = Path(folder) / "portals.toml"
        registry.write_text(plan.registry, encoding="utf-8")
        portals_file = Path(folder) / "portals.txt"
        portals_file.write_text("\n".join(names) + "\n", encoding="utf-8")
        with log_path.open("ab") as log:
            code = subprocess.call(worker_command(plan, url, shard, registry, portals_file),
                                   stdout=log, stderr=subprocess.STDOUT)
    return plan, code
