"""Advisory file locks the kernel releases when their process dies (flock): one scheduler per
database, one crawl per portal."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from archive.errors import GovarchiveError


class FileLock:
    """`with FileLock(path, busy):` — raises `busy(holder)` when another process holds it.

    flock() locks belong to the open file: a crashed holder leaves no stuck lock, and a child
    given the descriptor (`pass_fds=(lock.fileno(),)`) holds it as long as it lives."""

    def __init__(self, path: Path, busy: type[GovarchiveError], what: str) -> None:
        self.path = path
        self.busy = busy
        self.what = what
        self._handle = None

    def __enter__(self) -> FileLock:
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise self.busy(self.what.format(holder=holder)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._handle = handle
        return self

    def fileno(self) -> int:
        assert self._handle is not None
        return self._handle.fileno()

    def note_holder(self, pid: int) -> None:
        """Name the process that does the work (a child) as the holder."""
        assert self._handle is not None
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.write(f"pid {pid}")
        self._handle.flush()

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
