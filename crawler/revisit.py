"""Whether to download an already archived detail page again, and with which validators."""

from __future__ import annotations

import dataclasses
import datetime as dt

from archive.queries import KnownPage


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
