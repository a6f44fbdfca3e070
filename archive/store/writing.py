"""How a write takes the archive: one transaction that claims SQLite's write lock up front."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

import sqlite_utils

from archive.errors import ArchiveLocked


def is_lock_error(exc: sqlite3.Error) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED (and their extended codes): another connection holds a lock."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One write transaction; nested inside another it is a savepoint of that one.

    BEGIN IMMEDIATE takes the write lock before the first read, so a writer never holds a
    stale snapshot it cannot upgrade; while another process holds the lock, SQLite's busy
    handler retries with growing sleeps up to the connection's busy_timeout (the archive's
    write wait), then ArchiveLocked. Nothing of the transaction is written unless all is."""
    if db.conn.in_transaction:
        with db.atomic():
            yield
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if not is_lock_error(exc):
            raise
        waited = db.conn.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
        raise ArchiveLocked(f"the archive is locked by another process (gave up after waiting {waited:g} s)") from exc
    try:
        yield
        db.conn.commit()
    except BaseException:
        db.conn.rollback()
        raise
