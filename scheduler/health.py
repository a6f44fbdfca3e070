"""Portal health from the run log: each flag with its rule and the evidence it rests on."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics

from archive.store.archive import Archive
from archive.store.runs import RunStatus
from crawler.process import HOST, process_alive
from crawler.registry import Portal

RECENT_DAYS = 30
FAILING_AFTER = 3    # failed runs in a row
EMPTY_AFTER = 3      # runs in a row that read list pages and found no document link
DROPPING_BELOW = 0.5  # links per list page, against the median of the runs before
DROPPING_BASELINE = 10  # runs the median is taken over
BROKEN_AFTER = 3     # runs in a row in which the same URLs failed
FLAG_RULES = {
    "failing": f"{FAILING_AFTER} or more failed runs in a row",
    "blocked": "the last run met an anti-bot challenge on the column's start page",
    "interrupted": "the last run was stopped or killed",
    "stuck": "the last run is running but its process is gone",
    "empty": f"the last {EMPTY_AFTER} runs read the column and found no document link; earlier runs found some"
             " (the layout changed?)",
    "dropping": f"the last run found fewer than {DROPPING_BELOW:.0%} of the usual document links per list page"
                f" (median of the {DROPPING_BASELINE} runs before)",
    "broken-links": f"the same pages or attachments failed in each of the last {BROKEN_AFTER} runs",
    "stale": "no new document for longer than the portal's stale_days",
    "never-run": "no run yet",
}


@dataclasses.dataclass(frozen=True)
class Flag:
    """Something about a portal that needs a person: its name (a key of FLAG_RULES), what was
    seen, as data and as a sentence."""

    name: str
    evidence: dict
    seen: str


@dataclasses.dataclass(frozen=True)
class PortalHealth:
    portal: str
    last_success: str | None
    consecutive_failures: int
    new_documents_30d: int
    last_new_document: str | None
    findings: tuple[Flag, ...]

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(flag.name for flag in self.findings)

    @property
    def healthy(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict:
        row = {field.name: getattr(self, field.name) for field in dataclasses.fields(self) if field.name != "findings"}
        return {**row, "flags": list(self.flags), "healthy": self.healthy,
                "evidence": {flag.name: {**flag.evidence, "seen": flag.seen} for flag in self.findings}}


def _links_per_page(run: dict) -> float:
    return run["listed"] / run["list_pages"]


def _drift_flags(archive: Archive, runs: list[dict]) -> list[Flag]:
    """empty, dropping and broken-links, from the finished runs newest first."""
    flags = []
    reading = [run for run in runs if run["list_pages"]]   # runs that read the column at all
    last = reading[:EMPTY_AFTER]
    earlier = [run for run in reading[EMPTY_AFTER:] if run["listed"]]
    if len(last) == EMPTY_AFTER and not any(run["listed"] for run in last) and earlier:
        flags.append(Flag("empty", {"runs": [run["id"] for run in last], "last_run_with_links": earlier[0]["id"],
                                    "links_then": earlier[0]["listed"]},
                          f"runs {', '.join(str(run['id']) for run in last)} found no document link; "
                          f"run {earlier[0]['id']} found {earlier[0]['listed']}"))
    elif reading:
        baseline = [_links_per_page(run) for run in reading[1:DROPPING_BASELINE + 1] if run["listed"]]
        if len(baseline) >= 2:
            usual, now = statistics.median(baseline), _links_per_page(reading[0])
            if now < DROPPING_BELOW * usual:
                flags.append(Flag("dropping", {"run": reading[0]["id"], "links_per_list_page": round(now, 1),
                                               "usual": round(usual, 1)},
                                  f"run {reading[0]['id']} found {now:.1f} document links per list page, "
                                  f"usually {usual:.1f}"))
    if len(runs) >= BROKEN_AFTER:
        broken = archive.urls_failing_in_every([run["id"] for run in runs[:BROKEN_AFTER]])
        if broken:
            flags.append(Flag("broken-links", {"urls": broken[:20], "count": len(broken)},
                              f"{len(broken)} URL{'s' if len(broken) != 1 else ''} failed in each of the last "
                              f"{BROKEN_AFTER} runs, e.g. {broken[0]['url']}: {broken[0]['reason']}"))
    return flags


def portal_health(archive: Archive, portal: Portal, now: dt.datetime) -> PortalHealth:
    since = (now - dt.timedelta(days=RECENT_DAYS)).isoformat()
    activity = archive.portal_activity(portal.name, since)
    runs = archive.recent_runs(portal.name, max(DROPPING_BASELINE + 1, EMPTY_AFTER * 2))
    last = runs[0] if runs else None
    flags = []
    if last is None:
        flags.append(Flag("never-run", {}, "no run yet"))
    if activity["consecutive_failures"] >= FAILING_AFTER:
        flags.append(Flag("failing", {"consecutive_failures": activity["consecutive_failures"]},
                          f"the last {activity['consecutive_failures']} runs failed"))
    if last and last["status"] in (RunStatus.BLOCKED, RunStatus.INTERRUPTED):
        name = "blocked" if last["status"] == RunStatus.BLOCKED else "interrupted"
        flags.append(Flag(name, {"run": last["id"], "started_at": last["started_at"]},
                          f"run {last['id']} of {last['started_at']} ended {last['status']}"))
    if last and last["status"] == RunStatus.RUNNING and activity["last_run_process"]:
        host, _, pid = activity["last_run_process"].rpartition(" ")
        if host == HOST and pid.isdigit() and not process_alive(int(pid)):
            flags.append(Flag("stuck", {"run": last["id"], "pid": int(pid)},
                              f"run {last['id']} is running, but its process {pid} is gone"))
    flags += _drift_flags(archive, [run for run in runs if run["status"] != RunStatus.RUNNING])
    newest = activity["last_new_document"] or activity["first_run"]
    if newest and now - dt.datetime.fromisoformat(newest) > dt.timedelta(days=portal.stale_days):
        flags.append(Flag("stale", {"last_new_document": activity["last_new_document"],
                                    "stale_days": portal.stale_days},
                          f"no new document since {newest[:10]} (stale_days {portal.stale_days})"))
    return PortalHealth(portal.name, activity["last_success"], activity["consecutive_failures"],
                        activity["new_documents"], activity["last_new_document"], tuple(flags))
