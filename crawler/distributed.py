"""Crawling on many machines: a round's plan, frontier, duplicate filter and items in Redis.

    govarchive crawl --redis URL --shards N   plans a round: the portals, the registry, what the
                                              archive knows of each (read-only), one shard each
    govarchive worker --redis URL --shard I   crawls shard I's portals with scrapy-redis's
                                              scheduler: requests in Redis, items sent to Redis
    govarchive ingest --redis URL --db FILE   the only writer of the archive: opens the round's
                                              runs, stores every item, closes each run

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
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.utils.request import fingerprint
from scrapy_redis.dupefilter import RFPDupeFilter

from archive.errors import GovarchiveError
from archive.store.archive import Archive
from archive.store.queries import KnownPage
from archive.store.runs import FailureKind, RunCounts
from crawler.extensions import ARCHIVE_WRITE_ERRORS, CrawlRunRecorder, run_status
from crawler.items import PageFailure
from crawler.middlewares import RevisitMiddleware
from crawler.pipelines import archive_item
from crawler.registry import Portal

logger = logging.getLogger(__name__)

PLAN_KEY = "govarchive:round"   # the plan of the round under way (one at a time)
INGEST_BATCH = 50               # items stored per archive transaction by `govarchive ingest`


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
    title: str
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
                     {portal.name: PortalPlan(portal.title, shard_of(portal, shards), archive.known_pages(portal.name),
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
        "EXTENSIONS": {"crawler.distributed.RoundSession": 100, "crawler.distributed.RoundRecorder": 500},
        "SPIDER_MIDDLEWARES": {"crawler.distributed.RoundRevisitMiddleware": 600},
        "ITEM_PIPELINES": {"crawler.pipelines.ExtractPipeline": 100, "crawler.pipelines.AttachmentPipeline": 200,
                           "crawler.distributed.RoundItemPipeline": 300},
    }


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


@dataclasses.dataclass(frozen=True)
class PortalFinished:
    """A worker is done with a portal: what the walk found and what the worker counted."""

    portal: str
    reason: str                       # the spider's finish reason
    counts: dict[str, int]
    walk: str                         # complete, or incomplete: why
    listed: frozenset[str]            # the detail URLs its column lists (for withdrawals)
    family: str | None
    start_blocked: bool
    timed_out: bool


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


# -- ingest --------------------------------------------------------------------------------


@dataclasses.dataclass
class IngestProgress:
    token: str
    portals: int
    finished: int = 0
    items: int = 0


class RoundIngest:
    """Consumes a round's items into the archive, the only writer: opens the runs, stores the
    items (INGEST_BATCH a transaction), closes each portal's run when its worker is done."""

    def __init__(self, client: redis.Redis, archive: Archive, plan: RoundPlan) -> None:
        self.client, self.archive, self.plan = client, archive, plan
        self.keys = plan.keys
        self.counted: dict[str, Counter] = {name: Counter() for name in plan.portals}
        self.archive_failures: Counter = Counter()
        self.finished: set[str] = set()
        self.changed: set[str] = set()   # portals whose counts moved since the last commit
        self.run_ids = self._open_runs()

    def _open_runs(self) -> dict[str, int]:
        """The round's runs: started by this ingest, or by one before it that stopped."""
        run_ids, missing = {}, []
        for name in self.plan.portals:
            row = self.archive.run_by_token(self.plan.token, name)
            if row is None:
                missing.append(name)
            elif row["status"] == "running":
                run_ids[name] = row["id"]
                self.counted[name].update(RunCounts.from_row(row).as_dict())
            else:
                self.finished.add(name)
        if missing:
            ids = self.archive.start_runs([(name, self.plan.portals[name].title) for name in missing], pid=os.getpid(),
                                          host=socket.gethostname(), token=self.plan.token)
            run_ids.update(zip(missing, ids, strict=True))
        self.archive.commit()
        return run_ids

    def run(self, idle_timeout: float = 1.0, progress: Callable[[IngestProgress], None] | None = None) -> IngestProgress:
        """Store items until every portal of the round is finished; then delete its keys."""
        state = IngestProgress(self.plan.token, len(self.plan.portals), len(self.finished))
        self.archive.batch_writes()
        self._store_taken()   # what an ingest before this one popped and did not commit
        while len(self.finished) < len(self.plan.portals):
            blob = self.client.blmove(self.keys.items, self.keys.taken, idle_timeout, "LEFT", "RIGHT")
            if blob is not None:
                self._store(pickle.loads(blob))
                state.items += 1
            if blob is None or state.items % INGEST_BATCH == 0:
                self._commit()
                state.finished = len(self.finished)
                if progress is not None:
                    progress(state)
        self._commit()
        state.finished = len(self.finished)
        self.client.delete(*self.keys.all(self.plan.shards), PLAN_KEY)
        return state

    def _store_taken(self) -> None:
        for blob in self.client.lrange(self.keys.taken, 0, -1):
            self._store(pickle.loads(blob))
        self._commit()

    def _commit(self) -> None:
        """Commit the items taken since the last commit with the counts they added (so an
        ingest started again goes on from both), then drop them from Redis. A crash between
        the two stores those items again: the archive stays as it is, their counts count twice."""
        for name in self.changed - self.finished:
            self.archive.update_run_counts(self.run_ids[name], RunCounts(
                **{field: self.counted[name][field] for field in RunCounts.names()}))
        self.changed.clear()
        self.archive.commit()
        self.client.delete(self.keys.taken)

    def _store(self, item: Any) -> None:
        if isinstance(item, PortalFinished):
            self._finish(item)
            return
        counted = self.counted[item.portal]
        self.changed.add(item.portal)
        try:
            archived = archive_item(self.archive, item)
        except ARCHIVE_WRITE_ERRORS as exc:
            self.archive_failures[item.portal] += 1
            counted["errors"] += 1
            self._record_failures((PageFailure(item.portal, item.url, FailureKind.DETAIL,
                                               f"archive write failed: {exc}"),))
            return
        counted.update(archived.counts)
        counted["errors"] += len(archived.failures)
        self._record_failures(archived.failures)

    def _record_failures(self, failures: tuple[PageFailure, ...]) -> None:
        for failure in failures:
            try:
                self.archive.record_error(self.run_ids.get(failure.portal), failure.portal, failure.url,
                                          failure.kind, failure.reason)
            except ARCHIVE_WRITE_ERRORS as exc:
                logger.error("failure row of %s not written: %s", failure.url, exc)

    def _finish(self, end: PortalFinished) -> None:
        if end.portal in self.finished:
            return
        counts = self.counted[end.portal] + Counter(end.counts)
        if end.walk == "complete":
            counts["withdrawn"] += self.archive.mark_listing(end.portal, set(end.listed))
        run_counts = RunCounts(**{name: counts[name] for name in RunCounts.names()})
        status = run_status(end.reason, run_counts.list_pages, end.start_blocked,
                            self.archive_failures[end.portal], end.timed_out)
        self.archive.finish_run(self.run_ids[end.portal], status, run_counts, walk=end.walk, family=end.family)
        self.finished.add(end.portal)


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
