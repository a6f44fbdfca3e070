"""Archive: the SQLite store of documents, pages and crawl runs. All SQL lives here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import sqlite_utils

from archive.dedup import text_hash
from archive.errors import ArchiveError
from archive.extract import Extracted
from archive.migrations import migrate

METADATA_COLUMNS = ("index_no", "doc_no", "topic", "genre", "publisher", "validity",
                    "written_date", "published_date", "source")
_MIN_TRIGRAM_TERM = 3
_SNIPPET_CHARS = 40


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


@dataclasses.dataclass(frozen=True)
class RunCounts:
    """What one crawl did."""

    list_pages: int = 0
    detail_pages: int = 0
    documents_new: int = 0
    duplicates: int = 0
    errors: int = 0


@dataclasses.dataclass(frozen=True)
class SearchHit:
    id: int
    title: str | None
    published_date: str | None
    written_date: str | None
    publisher: str | None
    portal: str
    url: str
    snippet: str


class PageOutcome:
    """What archiving one page did to the archive."""

    NEW = "new"              # a document not seen before
    CHANGED = "changed"      # a known URL now holds a new text (a new document)
    DUPLICATE = "duplicate"  # a known text at a new URL: merged into the existing document
    UNCHANGED = "unchanged"  # a known URL with its known text


class Archive:
    """An archive database. Open with `Archive.open(path)`; every write is one transaction."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    @classmethod
    def open(cls, path: str | Path) -> Archive:
        """Open (creating and migrating) the archive at `path`; ArchiveError when impossible."""
        path = Path(path)
        if path.is_dir():
            raise ArchiveError(f"{path}: is a directory, not an archive database file")
        if not path.parent.exists():
            raise ArchiveError(f"{path}: folder {path.parent} does not exist")
        try:
            db = sqlite_utils.Database(path)
            db.execute("PRAGMA busy_timeout = 30000")
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            migrate(db)
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{path}: cannot open as a govarchive database: {exc}") from exc
        return cls(db)

    def close(self) -> None:
        self.db.close()

    # -- writing -------------------------------------------------------------------------

    def record_page(self, portal: str, url: str, http_status: int, record: Extracted,
                    seen_at: str | None = None) -> str:
        """Archive one extracted page; returns a PageOutcome value.

        The same text (after normalisation) is one document however many URLs hold it.
        """
        seen_at = seen_at or utc_now()
        digest = text_hash(record.text)
        with self.db.atomic():
            existing = self.db.execute(
                "SELECT id FROM documents WHERE text_hash = ?", [digest]).fetchone()
            page = self.db.execute(
                "SELECT document_id FROM pages WHERE url = ?", [url]).fetchone()
            if existing is None:
                document_id = self._insert_document(portal, url, record, digest, seen_at)
                outcome = PageOutcome.CHANGED if page else PageOutcome.NEW
            else:
                document_id = existing[0]
                self._merge_document(document_id, record, seen_at)
                same = page is not None and page[0] == document_id
                outcome = PageOutcome.UNCHANGED if same else PageOutcome.DUPLICATE
            self.db.execute(
                """INSERT INTO pages (url, portal, document_id, http_status, encoding,
                                      first_seen, last_seen)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET document_id = excluded.document_id,
                       http_status = excluded.http_status, encoding = excluded.encoding,
                       last_seen = excluded.last_seen""",
                [url, portal, document_id, http_status, record.encoding, seen_at, seen_at])
        return outcome

    def _insert_document(self, portal: str, url: str, record: Extracted, digest: str,
                         seen_at: str) -> int:
        row = {
            "title": record.title, "text": record.text, "text_hash": digest,
            **record.metadata.as_dict(),
            "region_code": record.region_code, "report_year": record.report_year,
            "portal": portal, "url": url, "extraction_method": record.extraction_method,
            "first_seen": seen_at, "last_seen": seen_at,
        }
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self.db.execute(f"INSERT INTO documents ({columns}) VALUES ({marks})", list(row.values()))
        return int(cursor.lastrowid)

    def _merge_document(self, document_id: int, record: Extracted, seen_at: str) -> None:
        """Touch last_seen and fill metadata the stored copy lacks from this copy."""
        values = record.metadata.as_dict() | {"region_code": record.region_code,
                                              "report_year": record.report_year}
        fills = ", ".join(f"{col} = COALESCE({col}, ?)" for col in values)
        self.db.execute(f"UPDATE documents SET last_seen = ?, {fills} WHERE id = ?",
                        [seen_at, *values.values(), document_id])

    def start_run(self, portal: str, started_at: str | None = None) -> int:
        with self.db.atomic():
            cursor = self.db.execute(
                "INSERT INTO crawl_runs (portal, started_at, status) VALUES (?, ?, 'running')",
                [portal, started_at or utc_now()])
        return int(cursor.lastrowid)

    def finish_run(self, run_id: int, status: str, counts: RunCounts) -> None:
        with self.db.atomic():
            self.db.execute(
                """UPDATE crawl_runs SET finished_at = ?, status = ?, list_pages = ?,
                       detail_pages = ?, documents_new = ?, duplicates = ?, errors = ?
                   WHERE id = ?""",
                [utc_now(), status, *dataclasses.astuple(counts), run_id])

    def record_error(self, run_id: int | None, portal: str, url: str, reason: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO crawl_errors (run_id, portal, url, reason, at) VALUES (?, ?, ?, ?, ?)",
                [run_id, portal, url, reason, utc_now()])

    # -- reading -------------------------------------------------------------------------

    def runs_after(self, run_id: int) -> list[dict]:
        return list(self.db.query("SELECT * FROM crawl_runs WHERE id > ? ORDER BY id", [run_id]))

    def last_run_id(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(id), 0) FROM crawl_runs").fetchone()[0])

    def run_errors(self, run_id: int) -> list[dict]:
        return list(self.db.query(
            "SELECT url, reason FROM crawl_errors WHERE run_id = ? ORDER BY id", [run_id]))

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Documents matching every term of `query`, best first.

        Terms of three or more characters use the trigram index; a shorter term (执法) cannot,
        so such queries scan the documents table with LIKE instead.
        """
        terms = query.split()
        if not terms:
            return []
        if all(len(t) >= _MIN_TRIGRAM_TERM for t in terms):
            match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
            rows = self.db.query(
                """SELECT d.id, d.title, d.published_date, d.written_date, d.publisher, d.portal,
                          d.url, replace(snippet(documents_fts, 1, '[', ']', '…', 24), char(10), ' ')
                              AS snippet
                   FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid
                   WHERE documents_fts MATCH ? ORDER BY rank LIMIT ?""", [match, limit])
            return [SearchHit(**row) for row in rows]
        where = " AND ".join("(d.title LIKE ? ESCAPE '\\' OR d.text LIKE ? ESCAPE '\\')" for _ in terms)
        args: list = []
        for term in terms:
            pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            args += [pattern, pattern]
        rows = self.db.query(
            f"""SELECT d.id, d.title, d.published_date, d.written_date, d.publisher, d.portal,
                       d.url, d.text FROM documents d WHERE {where}
                ORDER BY d.published_date DESC, d.id LIMIT ?""", [*args, limit])
        return [SearchHit(snippet=_snippet(row.pop("text"), terms[0]), **row) for row in rows]

    def stats(self) -> dict:
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "documents": one("SELECT COUNT(*) FROM documents"),
            "pages": one("SELECT COUNT(*) FROM pages"),
            "portals": one("SELECT COUNT(DISTINCT portal) FROM pages"),
            "crawl_runs": one("SELECT COUNT(*) FROM crawl_runs"),
            "errors": one("SELECT COUNT(*) FROM crawl_errors"),
            "by_portal": list(self.db.query(
                """SELECT p.portal, COUNT(DISTINCT p.document_id) AS documents, COUNT(*) AS pages,
                          MAX(p.last_seen) AS last_seen
                   FROM pages p GROUP BY p.portal ORDER BY p.portal""")),
            "by_year": list(self.db.query(
                """SELECT report_year, COUNT(*) AS documents FROM documents
                   GROUP BY report_year ORDER BY report_year""")),
        }


def _snippet(text: str, term: str) -> str:
    at = text.find(term)
    if at < 0:
        return text[: 2 * _SNIPPET_CHARS].replace("\n", " ")
    start = max(0, at - _SNIPPET_CHARS)
    end = min(len(text), at + len(term) + _SNIPPET_CHARS)
    body = text[start:at] + "[" + term + "]" + text[at + len(term):end]
    return (("…" if start else "") + body + ("…" if end < len(text) else "")).replace("\n", " ")
