"""Archive: the SQLite store of documents, pages, raw fetches, attachments and crawl runs.

Writes live here; read-only queries for analysts' commands live in `store.queries`.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import sqlite_utils

from archive.errors import ArchiveError, SchemaError
from archive.extract.capture import AttachmentCapture, RawFetch, utc_now
from archive.extract.document import PageDocument
from archive.extract.page import Extracted
from archive.identity.config import NearDupSettings
from archive.identity.hashing import text_hash
from archive.identity.minhash import from_blob
from archive.store import fulltext, places
from archive.store.checkpoints import BackgroundCheckpoints
from archive.store.clusters import ClusterIndex
from archive.store.migrations import check_ours, migrate, pending_migrations
from archive.store.document_rows import metadata_row, page_search_terms
from archive.store.queries import ArchiveQueries
from archive.store.reextraction import Reextraction
from archive.store.run_log import RunLog
from archive.store.places import PortalEntry
from archive.store.report_sections import write_sections
from archive.store.opening import checked_path, refuse_read_only, schema_lock, tune
from archive.store.writing import batch_writes, commit_batch, write_transaction

# How long a write waits for another process's write lock before it gives up (ArchiveLocked).
WRITE_WAIT_SECONDS = 60.0
READ_WAIT_SECONDS = 30.0
WAL_CHECKPOINT_PAGES = 10_000


class PageOutcome:
    """What archiving one page did to the archive."""

    NEW = "new"              # a document not seen before
    CLUSTERED = "clustered"  # a new text that is a near-duplicate of an archived report
    CHANGED = "changed"      # a known URL now holds a new text: a new version (a new document)
    DUPLICATE = "duplicate"  # a known text at a new URL: merged into the existing document
    UNCHANGED = "unchanged"  # a known URL with its known text


class Archive(RunLog, ArchiveQueries, Reextraction):
    """An archive database. Open with `Archive.open(path)`; every write is one transaction."""

    def __init__(self, db: sqlite_utils.Database, near_dup: NearDupSettings | None = None,
                 migrated: tuple[str, ...] = ()) -> None:
        self.db = db
        self.clusters = ClusterIndex(db, near_dup)
        self.migrated = migrated  # names of the migrations applied when it was opened
        self._checkpoints: BackgroundCheckpoints | None = None   # while writes are batched

    @classmethod
    def open(cls, path: str | Path, near_dup: NearDupSettings | None = None, existing: bool = False,
             write_wait: float = WRITE_WAIT_SECONDS) -> Archive:
        """Open the archive at `path` to write, creating it (unless `existing`) and applying
        pending migrations; ArchiveError when impossible, before anything in it changes.

        Each write waits up to `write_wait` seconds for another process's write lock."""
        path = checked_path(path, existing)
        refuse_read_only(path)
        db = None
        try:
            with schema_lock(path):  # concurrent first opens create the schema once
                db = sqlite_utils.Database(sqlite3.connect(path))
                db.execute(f"PRAGMA busy_timeout = {int(write_wait * 1000)}")
                check_ours(db, path)  # before anything in the file changes, even its journal mode
                db.enable_wal()
                db.execute("PRAGMA synchronous = NORMAL")
                # checkpoint the WAL into the database every 40 MB, not SQLite's 4 MB: a writer's
                # commits then take 10% less time on bench/ingest.py (fewer, larger checkpoints)
                db.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
                tune(db)
                migrated = migrate(db, utc_now())
        except sqlite3.DatabaseError as exc:
            if db is not None:
                db.close()
            raise ArchiveError(f"{path}: cannot open as a govarchive database: {exc}") from exc
        except ArchiveError:
            if db is not None:
                db.close()
            raise
        return cls(db, near_dup, tuple(migrated))

    @classmethod
    def open_readonly(cls, path: str | Path) -> Archive:
        """Open an existing archive to read: nothing is created, migrated or written.

        ArchiveError when `path` is no archive; SchemaError when it needs migrations."""
        path = checked_path(path, existing=True)
        try:
            # read-write if the file allows (so closing tidies the WAL files like any reader),
            # but SQLite refuses every write on this connection
            db = sqlite_utils.Database(sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True))
            db.execute("PRAGMA query_only = ON")
            db.execute(f"PRAGMA busy_timeout = {int(READ_WAIT_SECONDS * 1000)}")
            tune(db)
            check_ours(db, path)
            pending = [migration.name for migration in pending_migrations(db)]
        except ArchiveError:
            db.close()
            raise
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{path}: cannot open as a govarchive database: {exc}") from exc
        if pending:
            db.close()
            raise SchemaError(f"{path}: the archive needs migrations ({', '.join(pending)}); "
                              "run `govarchive migrate` (or any crawl) first")
        return cls(db)

    def close(self) -> None:
        """Commit an open batch of writes, then close."""
        self.batch_writes(False)
        self.db.close()

    def batch_writes(self, on: bool = True) -> None:
        """Batch the writes that follow into transactions committed by `commit` (and `close`),
        instead of one transaction each: a crash loses the writes since the last commit, never
        part of one. On: a write holds SQLite's write lock until the next commit, and a thread
        copies each commit's WAL pages into the database (`store.checkpoints`)."""
        batch_writes(self.db, on)
        if on and self._checkpoints is None:
            path = self.db.execute("PRAGMA database_list").fetchone()[2]
            self._checkpoints = BackgroundCheckpoints(Path(path)) if path else None
        elif not on and self._checkpoints is not None:
            self._checkpoints.close()
            self._checkpoints = None

    def commit(self) -> None:
        """Commit the open batch of writes (see `batch_writes`)."""
        commit_batch(self.db)
        if self._checkpoints is not None:
            self._checkpoints.after_commit()

    # -- pages and documents -------------------------------------------------------------

    def record_page(self, page: PageDocument, seen_at: str | None = None) -> str:
        """Archive one page (raw bytes, document, attachments) in one transaction.

        The same text (after normalisation) is one document however many URLs hold it; of
        its copies, the one with the most complete disclosure block supplies the metadata.
        Returns a PageOutcome value.
        """
        seen_at = seen_at or utc_now()
        url, capture = page.url, page.capture
        with write_transaction(self.db):
            if capture.raw is not None:
                self._store_raw(capture.portal, "page", capture.raw)
            digest = page.keys.text_hash if page.keys else text_hash(page.text)
            existing = self.db.execute("SELECT id FROM documents WHERE text_hash = ?", [digest]).fetchone()
            known = self.db.execute("SELECT document_id FROM pages WHERE url = ?", [url]).fetchone()
            previous = known[0] if known else None
            if existing is None:
                document_id = self._insert_document(page, digest, seen_at)
                evidence = self._index_new_document(document_id, page, previous)
                outcome = (PageOutcome.CHANGED if known else
                           PageOutcome.CLUSTERED if evidence else PageOutcome.NEW)
            else:
                document_id = existing[0]
                if page.page_text is None and self._shown_by_pointer(document_id):
                    self._show_at(document_id, page)
                else:
                    self._merge_metadata(document_id, page.record, page.portal)
                self.db.execute("UPDATE documents SET last_seen = ? WHERE id = ?", [seen_at, document_id])
                outcome = PageOutcome.UNCHANGED if previous == document_id else PageOutcome.DUPLICATE
            if previous != document_id:
                self.db.execute("INSERT OR IGNORE INTO page_versions (url, document_id, seen_at) VALUES (?, ?, ?)",
                                [url, document_id, seen_at])
            self.db.execute(
                """INSERT INTO pages (url, portal, document_id, http_status, encoding, page_text,
                                      first_seen, last_seen)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET document_id = excluded.document_id,
                       http_status = excluded.http_status, encoding = excluded.encoding,
                       page_text = excluded.page_text, last_seen = excluded.last_seen, gone_at = NULL""",
                [url, capture.portal, document_id, capture.raw.status if capture.raw else 200,
                 capture.record.encoding, page.page_text, seen_at, seen_at])
            self._store_attachments(capture.portal, url, document_id, capture.attachments)
        return outcome

    def _insert_document(self, page: PageDocument, digest: str, seen_at: str) -> int:
        record = page.record
        row = {
            "title": record.title, "text": page.text, "text_hash": digest,
            **metadata_row(self.db, record, page.portal), "report_year": record.report_year,
            "portal": page.portal, "url": record.url, "extraction_method": record.extraction_method,
            "first_seen": seen_at, "last_seen": seen_at,
        }
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self.db.execute(f"INSERT INTO documents ({columns}) VALUES ({marks})", list(row.values()))
        document_id = int(cursor.lastrowid)
        fulltext.add(self.db, document_id, page_search_terms(page))
        write_sections(self.db, document_id, page.text)
        return document_id

    def _index_new_document(self, document_id: int, page: PageDocument,
                            previous: int | None) -> list[tuple[int, float, str]]:
        """Cluster a new text with its near-duplicates, the page's earlier version and any
        document with the same 索引号 and publisher (a portal migration)."""
        hints: list[tuple[int, str]] = []
        if previous is not None:
            self.db.execute("UPDATE documents SET previous_id = ? WHERE id = ?", [previous, document_id])
            hints.append((previous, "version"))
        metadata = page.record.metadata
        if metadata.index_no and metadata.publisher:
            hints += [(row[0], "index_no") for row in self.db.execute(
                "SELECT id FROM documents WHERE index_no = ? AND publisher = ? AND id != ?",
                [metadata.index_no, metadata.publisher, document_id])]
        signature = from_blob(page.keys.signature) if page.keys else None
        return self.clusters.add(document_id, page.text, hints, signature)

    def _merge_metadata(self, document_id: int, record: Extracted, portal: str) -> None:
        """Take this copy's metadata when its disclosure block is more complete."""
        row = metadata_row(self.db, record, portal)
        assignments = ", ".join(f"{column} = ?" for column in row)
        self.db.execute(f"UPDATE documents SET {assignments} WHERE id = ? AND metadata_fields < ?",
                        [*row.values(), document_id, row["metadata_fields"]])

    def _shown_by_pointer(self, document_id: int) -> bool:
        """True when the document's page only points to attachments holding its text."""
        row = self.db.execute("SELECT p.page_text IS NOT NULL FROM documents d JOIN pages p ON p.url = d.url "
                              "WHERE d.id = ?", [document_id]).fetchone()
        return bool(row and row[0])

    def _show_at(self, document_id: int, page: PageDocument) -> None:
        """A page whose body is the text names the document (title, URL, metadata) before a page
        that only points to it as an attachment, whichever the crawl stored first."""
        record = page.record
        self._rewrite_document(document_id, page, {"title": record.title, "url": record.url, "portal": page.portal,
                                                   **metadata_row(self.db, record, page.portal)})

    def _rewrite_document(self, document_id: int, page: PageDocument, row: dict) -> None:
        """Set a document's columns — its title or text among them — from `page`, and its
        full-text row with them."""
        assignments = ", ".join(f"{column} = ?" for column in row)
        fulltext.remove(self.db, document_id)
        self.db.execute(f"UPDATE documents SET {assignments} WHERE id = ?", [*row.values(), document_id])
        fulltext.add(self.db, document_id, page_search_terms(page))
        if "text" in row:
            write_sections(self.db, document_id, page.text)

    def _store_raw(self, portal: str, kind: str, raw: RawFetch) -> str:
        """Keep a fetched body once however often it is fetched; returns its SHA-256."""
        digest = raw.sha256
        if self.db.execute("SELECT 1 FROM raw_bodies WHERE sha256 = ?", [digest]).fetchone() is None:
            self.db.execute("INSERT INTO raw_bodies (sha256, size, compressed) VALUES (?, ?, ?)",
                            [digest, len(raw.body), raw.compressed_body()])
        self.db.execute(
            """INSERT INTO fetches (url, portal, kind, status, headers_json, encoding, body_sha256,
                                    first_fetched, last_fetched)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(url, body_sha256) DO UPDATE SET last_fetched = excluded.last_fetched,
                   status = excluded.status, headers_json = excluded.headers_json""",
            [raw.url, portal, kind, raw.status, json.dumps(dict(raw.headers), ensure_ascii=False),
             raw.encoding, digest, raw.fetched_at, raw.fetched_at])
        return digest

    def _store_attachments(self, portal: str, page_url: str, document_id: int,
                           attachments: tuple[AttachmentCapture, ...]) -> None:
        self.db.execute("DELETE FROM attachments WHERE page_url = ?", [page_url])
        for item in attachments:
            digest = self._store_raw(portal, "attachment", item.raw) if item.raw is not None else None
            self.db.execute(
                """INSERT INTO attachments (document_id, page_url, url, filename, content_type, bytes,
                                            sha256, text, error)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [document_id, page_url, item.url, item.filename,
                 item.raw.content_type if item.raw else None, len(item.raw.body) if item.raw else None,
                 digest, item.text, item.error])

    def rebuild_full_text_index(self) -> None:
        """Rebuild documents_fts from documents (`govarchive check --repair`)."""
        with write_transaction(self.db):
            fulltext.rebuild(self.db)

    def register_portal(self, portal: PortalEntry) -> None:
        """Remember a portal's title (the `reports` view prefers the issuer's own portal), its
        region and the issuers it declares (coverage expects their reports)."""
        with write_transaction(self.db):
            self.db.execute("INSERT INTO portals (name, title) VALUES (?, ?) "
                            "ON CONFLICT(name) DO UPDATE SET title = excluded.title", [portal.name, portal.title])
            places.declare_issuers(self.db, portal.name, portal.region, portal.issuers)

    # -- revisits and withdrawals --------------------------------------------------------

    def touch_page(self, url: str, seen_at: str | None = None) -> bool:
        """A revisit answered 304 Not Modified: the page and its document were seen again."""
        seen_at = seen_at or utc_now()
        with write_transaction(self.db):
            row = self.db.execute("SELECT document_id FROM pages WHERE url = ?", [url]).fetchone()
            if row is None:
                return False
            self.db.execute("UPDATE pages SET last_seen = ?, gone_at = NULL WHERE url = ?", [seen_at, url])
            self.db.execute("UPDATE documents SET last_seen = ? WHERE id = ?", [seen_at, row[0]])
            self.db.execute("UPDATE fetches SET last_fetched = ? WHERE id = (SELECT id FROM fetches "
                            "WHERE url = ? ORDER BY last_fetched DESC, id DESC LIMIT 1)", [seen_at, url])
        return True

    def mark_gone(self, url: str, http_status: int, at: str | None = None) -> bool:
        """An archived page now answers 404/410: marked withdrawn, never deleted.
        Returns False when the URL was never archived (then it is just a broken link)."""
        with write_transaction(self.db):
            cursor = self.db.execute(
                "UPDATE pages SET gone_at = COALESCE(gone_at, ?), http_status = ? WHERE url = ?",
                [at or utc_now(), http_status, url])
        return cursor.rowcount > 0

    def mark_listing(self, portal: str, listed: set[str], at: str | None = None) -> int:
        """After a complete walk of a portal's column: pages no longer listed are withdrawn,
        listed ones are present. Returns how many pages were newly marked withdrawn."""
        at = at or utc_now()
        with write_transaction(self.db):
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS listed_urls (url TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM listed_urls")
            self.db.conn.executemany("INSERT OR IGNORE INTO listed_urls (url) VALUES (?)", [(u,) for u in listed])
            self.db.execute(
                """UPDATE pages SET last_listed = ?,
                       gone_at = CASE WHEN http_status < 400 THEN NULL ELSE gone_at END
                   WHERE portal = ? AND url IN (SELECT url FROM listed_urls)""", [at, portal])
            cursor = self.db.execute(
                """UPDATE pages SET gone_at = ? WHERE portal = ? AND gone_at IS NULL
                   AND url NOT IN (SELECT url FROM listed_urls)""", [at, portal])
            self.db.execute("DELETE FROM listed_urls")
        return cursor.rowcount
