"""`govarchive ingest`: the round's items, sent by its workers through Redis, into the archive
(see crawler/distributed.py) — the only process that writes it."""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import socket
from collections import Counter
from collections.abc import Callable
from typing import Any

import redis

from archive.store.archive import Archive
from archive.store.runs import FailureKind, RunCounts
from crawler.distributed import PLAN_KEY, RoundPlan
from crawler.extensions import ARCHIVE_WRITE_ERRORS, run_status
from crawler.items import PageFailure, PortalFinished
from crawler.pipelines import archive_item

logger = logging.getLogger(__name__)

INGEST_BATCH = 50   # items stored per archive transaction

# Move up to ARGV[1] items from the head of the round's queue to its taken list, atomically
# (one round trip a batch: BLMOVE moves one item a call); returns them, or nil when it is empty.
TAKE_SCRIPT = """
local items = redis.call('LPOP', KEYS[1], ARGV[1])
if items then redis.call('RPUSH', KEYS[2], unpack(items)) end
return items
"""


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
        self._take = client.register_script(TAKE_SCRIPT)

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
            ids = self.archive.start_runs([self.plan.portals[name].entry for name in missing], pid=os.getpid(),
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
            blobs = self._take(keys=[self.keys.items, self.keys.taken], args=[INGEST_BATCH])
            if not blobs:   # nothing queued: wait for the next item
                blob = self.client.blmove(self.keys.items, self.keys.taken, idle_timeout, "LEFT", "RIGHT")
                blobs = [] if blob is None else [blob]
            for blob in blobs:
                self._store(pickle.loads(blob))
            state.items += len(blobs)
            self._commit()
            state.finished = len(self.finished)
            if progress is not None:
                progress(state)
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
