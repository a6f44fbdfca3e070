"""Before an archive is opened: the path checks, the read-only refusal, the schema lock and the
connection's tuning (used by Archive.open and Archive.open_readonly)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from archive.errors import ArchiveError


def checked_path(path: str | Path, existing: bool) -> Path:
    path = Path(path)
    if path.is_dir():
        raise ArchiveError(f"{path}: is a directory, not an archive database file")
    if not path.parent.exists():
        raise ArchiveError(f"{path}: folder {path.parent} does not exist")
    if existing and not path.exists():
        raise ArchiveError(f"{path}: no archive here yet (run `govarchive crawl` first, or set --db)")
    return path


def writable(path: Path) -> bool:
    """Writable by this process, and not marked read-only: a file or folder without any write
    permission bit is read-only even for root, who could otherwise write it."""
    access = os.W_OK | os.X_OK if path.is_dir() else os.W_OK
    return os.access(path, access) and bool(path.stat().st_mode & 0o222)


def refuse_read_only(path: Path) -> None:
    """ArchiveError before the first write when the database, its WAL files or its folder
    (where SQLite creates them) cannot be written."""
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists() and not writable(file):
            raise ArchiveError(f"{path} is read-only" + ("" if file == path else f" (its {file.name})"))
    if not writable(path.parent.resolve()):
        raise ArchiveError(f"{path} is read-only: its folder {path.parent} cannot be written "
                           "(SQLite keeps its journal there)")


@contextlib.contextmanager
def schema_lock(path: Path) -> Iterator[None]:
    """An exclusive flock on the database's folder while its schema is checked and migrated.

    Not on the file itself: closing any descriptor of the database file would drop the POSIX
    locks SQLite holds on it in this process; a folder lock creates no file either."""
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        yield
    finally:
        os.close(folder)  # releases the flock


def tune(db: sqlite_utils.Database) -> None:
    # a large archive's indexes (FTS, LSH bands) want more than SQLite's 2 MB page cache
    db.execute("PRAGMA cache_size = -65536")
    db.execute("PRAGMA mmap_size = 268435456")
    db.execute("PRAGMA foreign_keys = ON")
