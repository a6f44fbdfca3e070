"""Portal health from the run log: failing, stale, never run."""

from __future__ import annotations

import dataclasses
import datetime as dt

from archive.store.archive import Archive
from archive.store.runs import RunStatus
from crawler.process import HOST, process_alive
from crawler.registry import Portal

FAILING_AFTER = 3
RECENT_DAYS = 30


@dataclasses.dataclass(frozen=True)
class PortalHealth:
    portal: str
    last_success: str | None
    consecutive_failures: int
    new_documents_30d: int
    last_new_document: str | None
    flags: tuple[str, ...]      # failing, blocked, interrupted, stuck, stale, never-run

    @property
    def healthy(self) -> bool:
        return not self.flags

    def as_dict(self) -> dict:
        return {**dataclasses.asdict(self), "healthy": self.healthy}


def portal_health(archive: Archive, portal: Portal, now: dt.datetime) -> PortalHealth:
    since = (now - dt.timedelta(days=RECENT_DAYS)).isoformat()
    activity = archive.portal_activity(portal.name, since)
    flags = []
    if not activity["runs"]:
        flags.append("never-run")
    if activity["consecutive_failures"] >= FAILING_AFTER:
        flags.append("failing")
    if activity["last_run_status"] == RunStatus.BLOCKED:
        flags.append("blocked")
    if activity["last_run_status"] == RunStatus.INTERRUPTED:
        flags.append("interrupted")
    if activity["last_run_status"] == RunStatus.RUNNING and activity["last_run_process"]:
        host, _, pid = activity["last_run_process"].rpartition(" ")
        if host == HOST and pid.isdigit() and not process_alive(int(pid)):
            flags.append("stuck")   # running, but its process is gone (the next crawl closes it)
    newest = activity["last_new_document"] or activity["first_run"]
    if newest and now - dt.datetime.fromisoformat(newest) > dt.timedelta(days=portal.stale_days):
        flags.append("stale")
    return PortalHealth(portal.name, activity["last_success"], activity["consecutive_failures"],
                        activity["new_documents"], activity["last_new_document"], tuple(flags))
