"""Read-only queries over the archive: search, statistics, runs and stored raw bodies."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import zlib

import sqlite_utils

from archive.extract.capture import RawFetch
from archive.store.runs import RunCounts
from archive.store.search import NO_FILTERS, SearchFilters, SearchResult, parse_query, run_search


@dataclasses.dataclass(frozen=True)
class KnownPage:
    """What the archive knows of a page: for deciding whether to download it again."""

    url: str
    last_fetched: str | None
    etag: str | None
    last_modified: str | None
    gone: bool


class ArchiveQueries:
    """Mixed into Archive: everything that reads without writing."""

    db: sqlite_utils.Database

    def search(self, query: str, filters: SearchFilters = NO_FILTERS, limit: int = 20) -> SearchResult:
        """Documents matching `query` (the language of `store.search`) and `filters`, best first;
        QueryError when the query cannot be run as written."""
        return run_search(self.db, parse_query(query), filters, limit)

    def stats(self) -> dict:
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "documents": one("SELECT COUNT(*) FROM documents"),
            "pages": one("SELECT COUNT(*) FROM pages"),
            "portals": one("SELECT COUNT(DISTINCT portal) FROM pages"),
            "attachments": one("SELECT COUNT(*) FROM attachments"),
            "raw_bodies": one("SELECT COUNT(*) FROM raw_bodies"),
            "raw_bytes": one("SELECT COALESCE(SUM(size), 0) FROM raw_bodies"),
            "raw_stored_bytes": one("SELECT COALESCE(SUM(length(compressed)), 0) FROM raw_bodies"),
            "crawl_runs": one("SELECT COUNT(*) FROM crawl_runs"),
            "errors": one("SELECT COUNT(*) FROM crawl_errors"),
            "reports": one("SELECT COUNT(DISTINCT COALESCE(cluster_id, id)) FROM documents"),  # = the view's rows
            "versions": one("SELECT COUNT(*) FROM documents WHERE previous_id IS NOT NULL"),
            "withdrawn_pages": one("SELECT COUNT(*) FROM pages WHERE gone_at IS NOT NULL"),
            "withdrawn_documents": one(   # every page of the document is gone
                """SELECT COUNT(*) FROM (SELECT 1 FROM pages WHERE document_id IS NOT NULL GROUP BY document_id
                                         HAVING COUNT(*) = COUNT(gone_at))"""),
            "by_portal": list(self.db.query(
                """SELECT p.portal, COUNT(DISTINCT p.document_id) AS documents, COUNT(*) AS pages,
                          MAX(p.last_seen) AS last_seen,
                          (SELECT r.family FROM crawl_runs r WHERE r.portal = p.portal AND r.family IS NOT NULL
                           ORDER BY r.id DESC LIMIT 1) AS family
                   FROM pages p GROUP BY p.portal ORDER BY p.portal""")),
            "by_year": list(self.db.query(
                """SELECT report_year, COUNT(*) AS documents FROM documents
                   GROUP BY report_year ORDER BY report_year""")),
            "by_method": list(self.db.query(
                """SELECT extraction_method, COUNT(*) AS documents FROM documents
                   GROUP BY extraction_method ORDER BY documents DESC""")),
        }

    def runs_after(self, run_id: int) -> list[dict]:
        return list(self.db.query("SELECT * FROM crawl_runs WHERE id > ? ORDER BY id", [run_id]))

    def run_by_token(self, token: str, portal: str) -> dict | None:
        """The run of `portal` a crawl process started with `token` (one token, many portals)."""
        return next(iter(self.db.query("SELECT * FROM crawl_runs WHERE token = ? AND portal = ? "
                                       "ORDER BY id DESC LIMIT 1", [token, portal])), None)

    def counts_by_token(self, token: str) -> RunCounts:
        """The counts so far of every run a crawl process started with `token`, added up."""
        sums = ", ".join(f"COALESCE(SUM({name}), 0)" for name in RunCounts.names())
        row = self.db.execute(f"SELECT {sums} FROM crawl_runs WHERE token = ?", [token]).fetchone()
        return RunCounts(*row)

    def last_run_id(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(id), 0) FROM crawl_runs").fetchone()[0])

    def run_errors(self, run_id: int, limit: int = -1) -> list[dict]:
        """A run's failures in the order they happened (the first `limit`; all when -1)."""
        return list(self.db.query(
            "SELECT url, kind, reason FROM crawl_errors WHERE run_id = ? ORDER BY id LIMIT ?", [run_id, limit]))

    def failure_groups(self, since: str, portal: str | None = None, examples: int = 3) -> list[dict]:
        """Failures recorded since `since`, grouped by portal, kind and reason: how many, in how
        many runs, when first and last, a few URLs; the portal failing most recently first."""
        groups = list(self.db.query(
            """SELECT portal, kind, reason, COUNT(*) AS count, COUNT(DISTINCT run_id) AS runs,
                      MIN(at) AS first_at, MAX(at) AS last_at,
                      MAX(MAX(at)) OVER (PARTITION BY portal) AS portal_last_at
               FROM crawl_errors WHERE at >= :since AND (:portal IS NULL OR portal = :portal)
               GROUP BY portal, kind, reason
               ORDER BY portal_last_at DESC, portal, count DESC, last_at DESC""",
            {"since": since, "portal": portal}))
        for group in groups:
            del group["portal_last_at"]
            group["urls"] = [row[0] for row in self.db.execute(
                """SELECT url FROM crawl_errors WHERE at >= ? AND portal = ? AND kind = ? AND reason = ?
                   GROUP BY url ORDER BY MAX(id) DESC LIMIT ?""",
                [since, group["portal"], group["kind"], group["reason"], examples])]
        return groups

    def archived_pages(self, portal: str | None = None) -> list[dict]:
        """Pages with a stored raw body, for re-extraction (all portals when `portal` is None)."""
        return list(self.db.query(
            """SELECT p.url, p.portal FROM pages p
               WHERE (:portal IS NULL OR p.portal = :portal)
                 AND EXISTS (SELECT 1 FROM fetches f WHERE f.url = p.url)
               ORDER BY p.url""", {"portal": portal}))

    def latest_fetch(self, url: str) -> RawFetch | None:
        """The latest stored body of a URL, as it was fetched."""
        row = self.db.execute(
            """SELECT f.status, f.headers_json, r.compressed, f.last_fetched, f.encoding FROM fetches f
               JOIN raw_bodies r ON r.sha256 = f.body_sha256
               WHERE f.url = ? ORDER BY f.last_fetched DESC, f.id DESC LIMIT 1""", [url]).fetchone()
        if row is None:
            return None
        headers = tuple(json.loads(row[1] or "{}").items())
        return RawFetch(url, row[0], headers, zlib.decompress(row[2]), row[3], row[4], compressed=row[2])

    def known_pages(self, portal: str) -> dict[str, KnownPage]:
        """Every archived page of a portal with its latest fetch time and validators."""
        rows = self.db.execute(
            """SELECT p.url, p.gone_at, f.last_fetched, f.headers_json FROM pages p
               LEFT JOIN fetches f ON f.id = (SELECT id FROM fetches WHERE url = p.url
                                              ORDER BY last_fetched DESC, id DESC LIMIT 1)
               WHERE p.portal = ?""", [portal])
        known = {}
        for url, gone_at, last_fetched, headers_json in rows:
            headers = {k.lower(): v for k, v in json.loads(headers_json or "{}").items()}
            known[url] = KnownPage(url, last_fetched, headers.get("etag"), headers.get("last-modified"),
                                   gone_at is not None)
        return known

    def last_full_walk(self, portal: str) -> str | None:
        """When the portal's column was last walked to its proven end (a run with walk `complete`)."""
        row = self.db.execute("SELECT MAX(started_at) FROM crawl_runs WHERE portal = ? AND walk = 'complete'",
                              [portal]).fetchone()
        return row[0] if row else None

    def page_history(self, url: str) -> list[dict]:
        """What a URL held over time, oldest first, with each version's text."""
        return list(self.db.query(
            """SELECT v.seen_at, v.document_id, d.title, d.text, d.text_hash, d.cluster_id
               FROM page_versions v JOIN documents d ON d.id = v.document_id
               WHERE v.url = ? ORDER BY v.seen_at, v.rowid""", [url]))

    def portal_names(self) -> list[str]:
        """Every portal the archive knows: crawled, or holding pages."""
        return [row[0] for row in self.db.execute(
            "SELECT name FROM portals UNION SELECT portal FROM crawl_runs UNION SELECT portal FROM pages")]

    def recent_runs(self, portal: str | None = None, limit: int = 20) -> list[dict]:
        return list(self.db.query(
            f"""SELECT id, portal, started_at, finished_at, status, {', '.join(RunCounts.names())}, walk, family,
                       log_path
               FROM crawl_runs WHERE (:portal IS NULL OR portal = :portal)
               ORDER BY id DESC LIMIT :limit""", {"portal": portal, "limit": limit}))

    def portal_activity(self, portal: str, since: str) -> dict:
        """What health needs to know of a portal: its runs and its newest documents."""
        def one(sql: str, *args: object) -> object:
            row = self.db.execute(sql, args).fetchone()
            return row[0] if row else None

        return {
            "runs": one("SELECT COUNT(*) FROM crawl_runs WHERE portal = ?", portal),
            "last_success": one("SELECT MAX(finished_at) FROM crawl_runs WHERE portal = ? AND status = 'ok'", portal),
            "last_run_process": one("SELECT host || ' ' || pid FROM crawl_runs WHERE portal = ? "
                                    "ORDER BY id DESC LIMIT 1", portal),
            "consecutive_failures": one(
                """SELECT COUNT(*) FROM crawl_runs WHERE portal = ? AND status NOT IN ('ok', 'running')
                   AND id > COALESCE((SELECT MAX(id) FROM crawl_runs WHERE portal = ? AND status = 'ok'), 0)""",
                portal, portal),
            "new_documents": one("SELECT COUNT(*) FROM documents WHERE portal = ? AND first_seen >= ?", portal, since),
            "last_new_document": one("SELECT MAX(first_seen) FROM documents WHERE portal = ?", portal),
            "first_run": one("SELECT MIN(started_at) FROM crawl_runs WHERE portal = ?", portal),
        }

    def urls_failing_in_every(self, run_ids: list[int]) -> list[dict]:
        """Detail pages and attachments that failed in each of these runs, with the last reason."""
        marks = ", ".join("?" * len(run_ids))
        return list(self.db.query(
            f"""SELECT url, kind, (SELECT reason FROM crawl_errors e WHERE e.url = c.url AND e.run_id IN ({marks})
                                   ORDER BY e.id DESC LIMIT 1) AS reason
                FROM crawl_errors c WHERE run_id IN ({marks}) AND kind IN ('detail page', 'attachment')
                GROUP BY url, kind HAVING COUNT(DISTINCT run_id) = ? ORDER BY url""",
            [*run_ids, *run_ids, len(run_ids)]))

    def integrity_findings(self) -> list[dict]:
        """What `govarchive check` reports: SQLite's integrity and foreign-key checks, the
        full-text index against its table, rows that point at nothing, runs still `running`."""
        findings = [{"check": "integrity", "detail": row[0]}
                    for row in self.db.execute("PRAGMA integrity_check") if row[0] != "ok"]
        findings += [{"check": "foreign keys", "detail": f"{row[0]} row {row[1]} -> {row[2]}"}
                     for row in self.db.execute("PRAGMA foreign_key_check")]
        if not self.full_text_index_ok():
            findings.append({"check": "full-text index", "detail": "documents_fts does not match documents"})
        orphans = {
            "pages without their document": "SELECT COUNT(*) FROM pages WHERE document_id IS NOT NULL "
                                            "AND document_id NOT IN (SELECT id FROM documents)",
            "attachments without their document": "SELECT COUNT(*) FROM attachments WHERE document_id "
                                                  "NOT IN (SELECT id FROM documents)",
            "fetches without their body": "SELECT COUNT(*) FROM fetches WHERE body_sha256 "
                                          "NOT IN (SELECT sha256 FROM raw_bodies)",
            "documents without a page": "SELECT COUNT(*) FROM documents WHERE id NOT IN "
                                        "(SELECT document_id FROM pages WHERE document_id IS NOT NULL) "
                                        "AND id NOT IN (SELECT document_id FROM page_versions)",
        }
        for name, sql in orphans.items():
            count = self.db.execute(sql).fetchone()[0]
            if count:
                findings.append({"check": "orphan rows", "detail": f"{count} {name}"})
        findings += [{"check": "runs", "detail": f"run {row[0]} of {row[1]} still running (pid {row[2]} on {row[3]})"}
                     for row in self.db.execute("SELECT id, portal, pid, host FROM crawl_runs WHERE status = 'running'")]
        return findings

    def full_text_index_ok(self) -> bool:
        """FTS5's own integrity check of documents_fts against documents (it reads only)."""
        query_only = self.db.execute("PRAGMA query_only").fetchone()[0]
        self.db.execute("PRAGMA query_only = OFF")
        try:
            self.db.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)")
            return True
        except sqlite3.DatabaseError:
            return False
        finally:
            self.db.execute(f"PRAGMA query_only = {int(query_only)}")

    def page_attachments(self, page_url: str) -> list[dict]:
        return list(self.db.query(
            "SELECT url, filename, text, error FROM attachments WHERE page_url = ? ORDER BY id", [page_url]))
