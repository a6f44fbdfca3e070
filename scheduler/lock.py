"""One scheduler per database: an advisory file lock the kernel releases when the process dies."""

from __future__ import annotations

from pathlib import Path

from archive.errors import SchedulerBusy
from crawler.lock import FileLock


class SchedulerLock(FileLock):
    """`with SchedulerLock(db_path):` — held for the scheduler's lifetime."""

    def __init__(self, db_path: Path) -> None:
        path = Path(f"{db_path}.scheduler.lock")
        super().__init__(path, SchedulerBusy, f"{path.name}: a scheduler ({{holder}}) already runs on this database; "
                                              "stop it first, or use another --db")
