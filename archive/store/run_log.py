"""The run log's writes: crawl_runs rows from start to finish, and crawl_errors (mixed into Archive)."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from archive.extract.capture import utc_now
from archive.store.places import PortalEntry
from archive.store.runs import RunCounts
from archive.store.writing import write_transaction


class RunLog:
    """Mixed into Archive: every write of crawl_runs and crawl_errors."""

    db: sqlite_utils.Database
    register_portal: Callable[[PortalEntry], None]   # Archive's

    def start_run(self, portal: str, started_at: str | None = None, pid: int | None = None,
                  host: str | None = None, token: str | None = None) -> int:
        """A `running` row owned by process `pid` on `host`; `token` lets its starter find it."""
        with write_transaction(self.db):
            cursor = self.db.execute(
                "INSERT INTO crawl_runs (portal, started_at, status, pid, host, token) "
                "VALUES (?, ?, 'running', ?, ?, ?)", [portal, started_at or utc_now(), pid, host, token])
        return int(cursor.lastrowid)

    def start_runs(self, portals: list[PortalEntry], pid: int | None = None, host: str | None = None,
                   token: str | None = None) -> list[int]:
        """Register each portal and start its `running` row, all in one
        transaction: a crawl of thousands of portals opens them at once."""
        started = utc_now()
        with write_transaction(self.db):
            for portal in portals:
                self.register_portal(portal)
            return [self.start_run(portal.name, started, pid, host, token) for portal in portals]

    def update_run_counts(self, run_id: int, counts: RunCounts) -> None:
        """The counts so far of a run under way, so a killed run shows what it did."""
        values = counts.as_dict()
        with write_transaction(self.db):
            self.db.execute(f"UPDATE crawl_runs SET {', '.join(f'{c} = ?' for c in values)} "
                            "WHERE id = ? AND status = 'running'", [*values.values(), run_id])

    def close_abandoned_runs(self, host: str, alive: Callable[[int], bool]) -> list[dict]:
        """Close as `interrupted` the `running` rows of this host whose process is gone, each
        with a crawl_errors row saying so; returns them."""
        rows = list(self.db.query("SELECT id, portal, pid FROM crawl_runs WHERE status = 'running' AND host = ?",
                                  [host]))
        abandoned = [row for row in rows if row["pid"] is not None and not alive(row["pid"])]
        for row in abandoned:
            self.close_run(row["id"], "interrupted")
            self.record_error(row["id"], row["portal"], "", "run",
                              f"the crawl process (pid {row['pid']}) ended without closing its run")
        return abandoned

    def finish_run(self, run_id: int, status: str, counts: RunCounts, walk: str | None = None,
                   family: str | None = None) -> None:
        """Close a run: its status, counts, whether its walk of the column was complete (and if
        not, why) and the CMS family its list pages were read as."""
        values = {**counts.as_dict(), "walk": walk, "family": family}
        assignments = ", ".join(f"{column} = ?" for column in values)
        with write_transaction(self.db):
            self.db.execute(f"UPDATE crawl_runs SET finished_at = ?, status = ?, {assignments} WHERE id = ?",
                            [utc_now(), status, *values.values(), run_id])

    def set_run_log(self, run_id: int, log_path: str, log_tail: str) -> None:
        with write_transaction(self.db):
            self.db.execute("UPDATE crawl_runs SET log_path = ?, log_tail = ? WHERE id = ?",
                            [log_path, log_tail, run_id])

    def close_run(self, run_id: int, status: str) -> None:
        """Settle a run whose crawler could not close it (killed, timed out)."""
        with write_transaction(self.db):
            self.db.execute("UPDATE crawl_runs SET status = ?, finished_at = COALESCE(finished_at, ?) "
                            "WHERE id = ?", [status, utc_now(), run_id])

    def record_error(self, run_id: int | None, portal: str, url: str, kind: str, reason: str) -> None:
        """A page the run meant to fetch and could not archive; `kind` is a FailureKind."""
        with write_transaction(self.db):
            self.db.execute(
                "INSERT INTO crawl_errors (run_id, portal, url, kind, reason, at) VALUES (?, ?, ?, ?, ?, ?)",
                [run_id, portal, url, kind, reason, utc_now()])
