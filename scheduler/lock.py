"""One scheduler per database: an advisory file lock the kernel releases when the process dies."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from archive.errors import SchedulerBusy


class SchedulerLock:
    """`with SchedulerLock(db_path):` — held for the scheduler's lifetime.

    flock() locks belong to the open file: a crashed scheduler leaves no stuck lock.
    """

    def __init__(self, db_path: Path) -> None:
        self.path = Path(f"{db_path}.scheduler.lock")
        self._handle = None

    def __enter__(self) -> SchedulerLock:
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise SchedulerBusy(f"{self.path.name}: a scheduler ({holder}) already runs on this database; "
                                "stop it first, or use another --db") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
