"""ColumnWalk: what one run saw of a column, and whether it saw all of it by evidence.

A page is withdrawn by absence only after a complete walk: every list request answered and
read, none blocked, pagination ended on the family's own terms (its last page or window, or
no next link where the family states no total), and no fewer links than the column says it
holds. Anything else is recorded as the reason the walk was incomplete.
"""

from __future__ import annotations

import dataclasses

from archive.extract.listing import Listing


@dataclasses.dataclass
class ColumnWalk:
    listed: set[str] = dataclasses.field(default_factory=set)   # detail URLs the column lists
    problems: list[str] = dataclasses.field(default_factory=list)
    blocked: bool = False            # a challenge page answered a list or detail request
    start_blocked: bool = False      # … the column's start page itself
    stopped_early: str | None = None  # an incremental walk stopped here (not a full walk)
    stated_total: int | None = None
    pending: int = 0                 # list requests sent and not yet answered
    full: bool = True                # a full walk (else it may stop early, and withdraws nothing)
    sent: set[tuple] = dataclasses.field(default_factory=set)   # list requests already sent

    def first_time(self, method: str, url: str, form: tuple) -> bool:
        """True (and counted as pending) the first time a list request is made: list pages that
        link each other (year archives) are read once, and the walk waits for no duplicate."""
        key = (method, url, form)
        if key in self.sent:
            return False
        self.sent.add(key)
        self.pending += 1
        return True

    def answered(self) -> None:
        self.pending -= 1

    def failed(self, why: str) -> None:
        self.problems.append(why)

    def stop_early(self, why: str) -> None:
        """An incremental walk ends before the column does: a list request is not sent."""
        self.pending -= 1
        self.stopped_early = self.stopped_early or why

    def read(self, listing: Listing, follows: bool) -> None:
        """A list page was read; `follows` says whether the walk goes on from it."""
        if listing.total_records is not None:
            self.stated_total = max(self.stated_total or 0, listing.total_records)
        stated = listing.total_records is not None or listing.total_pages is not None
        if not follows and stated and not listing.last_page:
            self.failed(f"pagination stopped before the end the column states ({listing.family} pager)")

    def outcome(self) -> str:
        """crawl_runs.walk: `complete` (a full walk that proved the column's extent),
        `incremental` (a shorter nightly walk) or `incomplete: why`."""
        reason = self.incomplete_reason()
        if reason is None:
            return "complete" if self.full else "incremental"
        return f"incremental: {reason}" if reason == self.stopped_early else f"incomplete: {reason}"

    def incomplete_reason(self) -> str | None:
        """Why this walk does not prove the column's extent, or None when it does."""
        if self.problems:
            more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
            return self.problems[0] + more
        if self.stopped_early:
            return self.stopped_early
        if self.pending > 0:
            return f"{self.pending} list request(s) never answered"
        if self.stated_total is not None and len(self.listed) < self.stated_total:
            return f"the column states {self.stated_total} documents, the walk listed {len(self.listed)}"
        if not self.listed:
            return "no document link found"
        return None
