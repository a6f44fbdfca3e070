"""PortalCrawl: one portal's share of a crawl process — its walk of the column, its counts, the
pages it has archived, its run row. A process crawls many portals; each keeps its own."""

from __future__ import annotations

import collections
import dataclasses
import time

from archive.store.queries import KnownPage
from archive.store.runs import RunCounts
from crawler.registry import Portal
from crawler.walk import ColumnWalk


@dataclasses.dataclass
class PortalCrawl:
    portal: Portal
    walk: ColumnWalk = dataclasses.field(default_factory=ColumnWalk)
    counts: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    family: str | None = None                      # the CMS family its list pages read as
    known: dict[str, KnownPage] = dataclasses.field(default_factory=dict)   # its archived pages
    run_id: int | None = None
    archive_failures: int = 0   # pages lost to the archive itself (locked, full): the run fails
    started: float = dataclasses.field(default_factory=time.monotonic)
    timed_out: bool = False     # past GOVARCHIVE_PORTAL_TIMEOUT: its remaining requests are dropped

    @property
    def name(self) -> str:
        return self.portal.name

    def count(self, field: str, by: int = 1) -> None:
        """Add to one of the run's counts (a RunCounts field)."""
        self.counts[field] += by

    def run_counts(self) -> RunCounts:
        return RunCounts(**{name: self.counts[name] for name in RunCounts.names()})

    def saw_family(self, family: str | None) -> None:
        """The first specific family a list page reads as names the run's family."""
        if family and self.family in (None, "generic"):
            self.family = family
