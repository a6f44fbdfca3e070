"""How a write takes the archive: one transaction that claims SQLite's write lock up front, or,
while a connection batches its writes, one savepoint of a transaction committed every so often.
Before a transaction commits, the full-text rows it staged are written (`fulltext.flush`)."""

from __future__ import annotations

import contextlib
import sqlite3
import weakref
from collections.abc import Iterator

import sqlite_utils

from archive.errors import ArchiveLocked
from archive.store import fulltext


# Connections whose writes are batched: their transaction stays open across writes until
# `commit_batch`; each write is a savepoint of it, so a failing one undoes only itself.
_batching: weakref.WeakSet[sqlite_utils.Database] = weakref.WeakSet()


def batch_writes(db: sqlite_utils.Database, on: bool) -> None:
    """Start (or end, committing) batching the writes of `db`'s connection."""
    if on:
        _batching.add(db)
    else:
        commit_batch(db)
        _batching.discard(db)


def commit_batch(db: sqlite_utils.Database) -> None:
    """Commit the writes of the open batch, if any (the next write opens another)."""
    if db in _batching and db.conn.in_transaction:
        fulltext.flush(db)
        db.conn.commit()


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
    if db in _batching:   # the batch stays open: this write is a savepoint of it
        with db.atomic():
            yield
        return
    try:
        yield
        fulltext.flush(db)
        db.conn.commit()
    except BaseException:
        db.conn.rollback()
        raise
