"""The only place the archive schema changes: named migrations, each applied in one transaction
and recorded by name in `schema_migrations`. Writers apply pending ones when they open an
archive (`govarchive migrate` does it explicitly); readers never change the schema."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import sqlite_utils

from archive.errors import ArchiveError, SchemaError
from archive.store import coverage, fulltext, places, report_sections
from archive.store.writing import write_transaction


def _foundation(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            title TEXT,
            text TEXT NOT NULL,
            text_hash TEXT NOT NULL UNIQUE,
            index_no TEXT, doc_no TEXT, topic TEXT, genre TEXT, publisher TEXT, validity TEXT,
            written_date TEXT, published_date TEXT, source TEXT,
            region_code TEXT, report_year INTEGER,
            portal TEXT NOT NULL, url TEXT NOT NULL,
            extraction_method TEXT,
            first_seen TEXT NOT NULL, last_seen TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX documents_published_date ON documents(published_date)")
    db.execute("CREATE INDEX documents_portal ON documents(portal)")
    db.execute("CREATE INDEX documents_region_year ON documents(region_code, report_year)")
    db.execute("""
        CREATE TABLE pages (
            url TEXT PRIMARY KEY,
            portal TEXT NOT NULL,
            document_id INTEGER REFERENCES documents(id),
            http_status INTEGER,
            encoding TEXT,
            first_seen TEXT NOT NULL, last_seen TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX pages_document_id ON pages(document_id)")
    db.execute("""
        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY,
            portal TEXT NOT NULL,
            started_at TEXT NOT NULL, finished_at TEXT,
            status TEXT NOT NULL,
            list_pages INTEGER NOT NULL DEFAULT 0, detail_pages INTEGER NOT NULL DEFAULT 0,
            documents_new INTEGER NOT NULL DEFAULT 0, duplicates INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0
        )""")
    db.execute("""
        CREATE TABLE crawl_errors (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES crawl_runs(id),
            portal TEXT NOT NULL, url TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL
        )""")
    db["documents"].enable_fts(["title", "text"], tokenize="trigram")
    # Own triggers rather than sqlite-utils': re-index only when title or text change, so
    # touching last_seen on every crawl costs no full-text work.
    for trigger in (
        """CREATE TRIGGER documents_ai AFTER INSERT ON documents BEGIN
             INSERT INTO documents_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
           END""",
        """CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN
             INSERT INTO documents_fts (documents_fts, rowid, title, text)
               VALUES ('delete', old.id, old.title, old.text);
           END""",
        """CREATE TRIGGER documents_au AFTER UPDATE OF title, text ON documents BEGIN
             INSERT INTO documents_fts (documents_fts, rowid, title, text)
               VALUES ('delete', old.id, old.title, old.text);
             INSERT INTO documents_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
           END""",
    ):
        db.execute(trigger)  # executescript would commit the migration's transaction


def _fidelity(db: sqlite_utils.Database) -> None:
    """Raw capture, attachments, whole metadata blocks and date flags."""
    for column in ("metadata_json TEXT", "metadata_fields INTEGER NOT NULL DEFAULT 0",
                   "dates_inconsistent INTEGER NOT NULL DEFAULT 0"):
        db.execute(f"ALTER TABLE documents ADD COLUMN {column}")
    # the page's own words when the document text came from its attachments
    db.execute("ALTER TABLE pages ADD COLUMN page_text TEXT")
    db.execute("""UPDATE documents SET metadata_fields =
        (index_no IS NOT NULL) + (doc_no IS NOT NULL) + (topic IS NOT NULL) + (genre IS NOT NULL)
        + (publisher IS NOT NULL) + (validity IS NOT NULL) + (written_date IS NOT NULL)
        + (published_date IS NOT NULL) + (source IS NOT NULL),
        dates_inconsistent = COALESCE(written_date > published_date, 0)""")
    db.execute("""
        CREATE TABLE raw_bodies (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            compressed BLOB NOT NULL
        )""")
    db.execute("""
        CREATE TABLE fetches (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL, portal TEXT NOT NULL, kind TEXT NOT NULL,
            status INTEGER, headers_json TEXT, encoding TEXT,
            body_sha256 TEXT NOT NULL REFERENCES raw_bodies(sha256),
            first_fetched TEXT NOT NULL, last_fetched TEXT NOT NULL,
            UNIQUE (url, body_sha256)
        )""")
    db.execute("CREATE INDEX fetches_url_last ON fetches(url, last_fetched)")
    db.execute("""
        CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            document_id INTEGER REFERENCES documents(id),
            page_url TEXT NOT NULL, url TEXT NOT NULL, filename TEXT, content_type TEXT,
            bytes INTEGER, sha256 TEXT, text TEXT, error TEXT,
            UNIQUE (page_url, url)
        )""")
    db.execute("CREATE INDEX attachments_document_id ON attachments(document_id)")


def _identity(db: sqlite_utils.Database) -> None:
    """Near-duplicate clusters, versions, withdrawals, incremental crawling."""
    db.execute("ALTER TABLE documents ADD COLUMN cluster_id INTEGER")
    db.execute("ALTER TABLE documents ADD COLUMN previous_id INTEGER REFERENCES documents(id)")
    db.execute("UPDATE documents SET cluster_id = id")
    db.execute("CREATE INDEX documents_cluster ON documents(cluster_id)")
    db.execute("CREATE INDEX documents_index_no ON documents(index_no, publisher)")
    db.execute("ALTER TABLE pages ADD COLUMN gone_at TEXT")
    db.execute("ALTER TABLE pages ADD COLUMN last_listed TEXT")
    for column in ("clustered", "requests", "response_bytes", "not_modified", "skipped", "withdrawn"):
        db.execute(f"ALTER TABLE crawl_runs ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0")
    db.execute("""
        CREATE TABLE minhashes (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id),
            signature BLOB NOT NULL
        )""")
    db.execute("""
        CREATE TABLE lsh_bands (
            band INTEGER NOT NULL, key INTEGER NOT NULL, document_id INTEGER NOT NULL,
            PRIMARY KEY (band, key, document_id)
        ) WITHOUT ROWID""")
    db.execute("""
        CREATE TABLE near_duplicates (
            document_id INTEGER NOT NULL REFERENCES documents(id),
            other_id INTEGER NOT NULL REFERENCES documents(id),
            similarity REAL NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (document_id, other_id)
        )""")
    db.execute("CREATE INDEX near_duplicates_other ON near_duplicates(other_id)")
    db.execute("""
        CREATE TABLE page_versions (
            url TEXT NOT NULL, document_id INTEGER NOT NULL REFERENCES documents(id),
            seen_at TEXT NOT NULL,
            PRIMARY KEY (url, seen_at, document_id)
        )""")
    db.execute("""
        INSERT INTO page_versions (url, document_id, seen_at)
        SELECT url, document_id, first_seen FROM pages WHERE document_id IS NOT NULL""")
    db.execute("CREATE TABLE portals (name TEXT PRIMARY KEY, title TEXT)")
    db.execute("""
        CREATE VIEW reports AS
        SELECT * FROM (
            SELECT d.*, COALESCE(d.cluster_id, d.id) AS report_id,
                   COUNT(*) OVER cluster AS copies,
                   ROW_NUMBER() OVER (
                       PARTITION BY COALESCE(d.cluster_id, d.id)
                       ORDER BY (d.publisher IS NOT NULL AND p.title LIKE '%' || d.publisher || '%') DESC,
                                EXISTS (SELECT 1 FROM pages g WHERE g.document_id = d.id
                                        AND g.gone_at IS NULL) DESC,
                                d.published_date IS NULL, d.published_date, d.id
                   ) AS preference
            FROM documents d LEFT JOIN portals p ON p.name = d.portal
            WINDOW cluster AS (PARTITION BY COALESCE(d.cluster_id, d.id))
        ) WHERE preference = 1""")


def _unattended(db: sqlite_utils.Database) -> None:
    """Run logs for the scheduler and health checks."""
    db.execute("ALTER TABLE crawl_runs ADD COLUMN log_path TEXT")
    db.execute("ALTER TABLE crawl_runs ADD COLUMN log_tail TEXT")
    db.execute("CREATE INDEX crawl_runs_portal ON crawl_runs(portal, id)")
    db.execute("CREATE INDEX documents_portal_first_seen ON documents(portal, first_seen)")


def _failure_kinds(db: sqlite_utils.Database) -> None:
    """A failure's kind (list page, detail page, attachment) in its own column, not its reason."""
    db.execute("ALTER TABLE crawl_errors ADD COLUMN kind TEXT NOT NULL DEFAULT 'detail page'")
    for kind in ("list page", "attachment"):
        prefix = f"{kind}: "
        db.execute("UPDATE crawl_errors SET kind = ?, reason = substr(reason, ?) WHERE reason LIKE ?",
                   [kind, len(prefix) + 1, prefix + "%"])


def _walks(db: sqlite_utils.Database) -> None:
    """Whether a run walked its whole column (`complete`, or `incomplete: why`), and the CMS
    family its list pages were read as."""
    db.execute("ALTER TABLE crawl_runs ADD COLUMN walk TEXT")
    db.execute("ALTER TABLE crawl_runs ADD COLUMN family TEXT")


def _outcome_counts(db: sqlite_utils.Database) -> None:
    """Counts for every outcome of a listed page, so a run adds up: detail links listed,
    unchanged pages, pages robots.txt refused."""
    for column in ("listed", "unchanged", "refused"):
        db.execute(f"ALTER TABLE crawl_runs ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0")


def _run_process(db: sqlite_utils.Database) -> None:
    """Which process owns a run (host, pid) and the token its starter gave it."""
    for column in ("pid INTEGER", "host TEXT", "token TEXT"):
        db.execute(f"ALTER TABLE crawl_runs ADD COLUMN {column}")
    db.execute("CREATE INDEX crawl_runs_token ON crawl_runs(token)")
    db.execute("CREATE INDEX crawl_runs_status ON crawl_runs(status)")


def _failure_lookups(db: sqlite_utils.Database) -> None:
    """Failures by run (`runs`, health) and by time (`govarchive errors --since`)."""
    db.execute("CREATE INDEX crawl_errors_run ON crawl_errors(run_id)")
    db.execute("CREATE INDEX crawl_errors_at ON crawl_errors(at)")


def _portal_lookups(db: sqlite_utils.Database) -> None:
    """One crawl process runs many portals under one token; per-portal reads of pages."""
    db.execute("CREATE INDEX crawl_runs_token_portal ON crawl_runs(token, portal)")
    db.execute("CREATE INDEX pages_portal ON pages(portal)")


# Each cluster's copies ranked: the one the issuer's own portal shows, still online, published
# first; its ids and ranking columns only, so the window functions never sort whole rows.
_REPORT_CHOICE = """
            SELECT d.id, COALESCE(d.cluster_id, d.id) AS report_id,
                   COUNT(*) OVER cluster AS copies,
                   ROW_NUMBER() OVER (
                       PARTITION BY COALESCE(d.cluster_id, d.id)
                       ORDER BY (d.publisher IS NOT NULL AND p.title LIKE '%' || d.publisher || '%') DESC,
                                EXISTS (SELECT 1 FROM pages g WHERE g.document_id = d.id
                                        AND g.gone_at IS NULL) DESC,
                                d.published_date IS NULL, d.published_date, d.id
                   ) AS preference
            FROM documents d LEFT JOIN portals p ON p.name = d.portal
            WINDOW cluster AS (PARTITION BY COALESCE(d.cluster_id, d.id))"""


def _narrow_reports_view(db: sqlite_utils.Database) -> None:
    """The `reports` view ranks each cluster's copies over their ids and ranking columns only,
    then joins the chosen rows back: its window functions no longer sort whole rows, texts
    included (6x faster to count at 30,000 documents). Same rows, same columns."""
    db.execute("DROP VIEW reports")
    db.execute(f"""
        CREATE VIEW reports AS
        SELECT d.*, r.report_id, r.copies, r.preference FROM ({_REPORT_CHOICE}) r
        JOIN documents d ON d.id = r.id WHERE r.preference = 1""")


def _pairs_index(db: sqlite_utils.Database) -> None:
    """The trigram index and its triggers give way to the character-pair index the archive
    writes itself (`store.fulltext`): any term of two or more characters uses the index, at
    about a third of the size, with no trigger run per row. Indexes every document again."""
    for trigger in ("documents_ai", "documents_ad", "documents_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TABLE documents_fts")
    db.execute(fulltext.SCHEMA)
    fulltext.rebuild(db)


def _stats_lookups(db: sqlite_utils.Database) -> None:
    """`stats` from indexes alone: at 100,000 documents it scanned the documents table (texts
    and all) five times, 1.5 s. Per portal, per method, versions and withdrawn documents read
    covering indexes; the page indexes gain the columns those counts need."""
    db.execute("DROP INDEX pages_portal")
    db.execute("CREATE INDEX pages_portal ON pages(portal, document_id, last_seen)")
    db.execute("DROP INDEX pages_document_id")
    db.execute("CREATE INDEX pages_document_id ON pages(document_id, gone_at)")
    db.execute("CREATE INDEX documents_method ON documents(extraction_method)")
    db.execute("CREATE INDEX documents_versions ON documents(previous_id) WHERE previous_id IS NOT NULL")


def _places(db: sqlite_utils.Database) -> None:
    """Where each document belongs: the `regions` table (GB/T 2260 divisions, `archive.regions`),
    `issuers` (the body a report belongs to), a portal's region, and on each document its issuer,
    its most precise division and that division's names by level. Places every document. The
    `coverage` view: each issuer's report of each year, published, late or missing. Each
    document's sections (`report_sections`)."""
    db.execute("""
        CREATE TABLE regions (
            code TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL,
            parent TEXT, full_name TEXT NOT NULL, successor TEXT
        ) WITHOUT ROWID""")
    db.execute("CREATE INDEX regions_parent ON regions(parent)")
    places.fill_regions(db)
    db.execute("""
        CREATE TABLE issuers (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL,
            region_code TEXT, full_name TEXT NOT NULL,
            province TEXT, prefecture TEXT, county TEXT,
            portal TEXT, first_seen TEXT
        )""")
    db.execute("CREATE UNIQUE INDEX issuers_identity ON issuers(COALESCE(region_code, ''), name)")
    db.execute("ALTER TABLE portals ADD COLUMN region_code TEXT")
    db.execute("ALTER TABLE documents ADD COLUMN issuer_id INTEGER REFERENCES issuers(id)")
    for column in places.PLACE_COLUMNS[1:]:
        db.execute(f"ALTER TABLE documents ADD COLUMN {column} TEXT")
    db.execute("CREATE INDEX documents_issuer_year ON documents(issuer_id, report_year)")
    db.execute("CREATE INDEX documents_division ON documents(division_code)")
    places.place_documents(db)
    db.execute("CREATE TABLE archive_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO archive_settings (key, value) VALUES ('report_due', ?)", [coverage.DEFAULT_DUE])
    db.execute("DROP VIEW reports")   # the same rows, with their issuer's name and level
    db.execute(f"""
        CREATE VIEW reports AS
        SELECT d.*, r.report_id, r.copies, r.preference, i.full_name AS issuer, i.level AS issuer_level
        FROM ({_REPORT_CHOICE}) r JOIN documents d ON d.id = r.id LEFT JOIN issuers i ON i.id = d.issuer_id
        WHERE r.preference = 1""")
    db.execute(f"CREATE VIEW coverage AS {coverage.view_sql()}")
    db.execute("""
        CREATE TABLE document_sections (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            ordinal INTEGER NOT NULL, heading TEXT, kind TEXT NOT NULL,
            start INTEGER NOT NULL, end INTEGER NOT NULL,
            UNIQUE (document_id, ordinal)
        )""")
    db.execute(report_sections.VIEW)
    report_sections.split_every_document(db)


@dataclasses.dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[sqlite_utils.Database], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration("foundation", _foundation),
    Migration("fidelity", _fidelity),
    Migration("identity", _identity),
    Migration("unattended", _unattended),
    Migration("failure-kinds", _failure_kinds),
    Migration("walks", _walks),
    Migration("outcome-counts", _outcome_counts),
    Migration("run-process", _run_process),
    Migration("failure-lookups", _failure_lookups),
    Migration("portal-lookups", _portal_lookups),
    Migration("narrow-reports-view", _narrow_reports_view),
    Migration("pairs-index", _pairs_index),
    Migration("stats-lookups", _stats_lookups),
    Migration("places", _places),   # and coverage, report sections
)
_TABLE = "schema_migrations"
# `PRAGMA application_id` of a govarchive archive ("GovA"): how a file says it is one of ours.
APPLICATION_ID = 0x476F7641
_OUR_TABLES = {"documents", "pages", "crawl_runs"}


def check_ours(db: sqlite_utils.Database, path: object) -> None:
    """Refuse a SQLite file that is not a govarchive archive, or one made by a newer govarchive;
    reads only. An empty file, or an archive from before the application id, is ours."""
    application_id = int(db.execute("PRAGMA application_id").fetchone()[0])
    tables = {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    legacy = int(db.execute("PRAGMA user_version").fetchone()[0])
    ours = application_id == APPLICATION_ID or (application_id == 0 and (
        not tables or (_OUR_TABLES <= tables and (_TABLE in tables or 1 <= legacy <= 4))))
    if not ours:
        shown = ", ".join(sorted(tables)[:5]) + (" …" if len(tables) > 5 else "")
        raise ArchiveError(f"{path}: a SQLite database of another application (tables: {shown or 'none'}, "
                           f"application_id {application_id}); govarchive will not write into it")
    known = {migration.name for migration in MIGRATIONS}
    unknown = [name for name in applied_migrations(db) if name not in known]
    if unknown:
        raise SchemaError(f"{path}: made by a newer govarchive (schema {len(applied_migrations(db))} > "
                          f"{len(MIGRATIONS)}; unknown migrations: {', '.join(unknown)}); upgrade govarchive")


def applied_migrations(db: sqlite_utils.Database) -> list[str]:
    """Names of the migrations this archive has. Archives from before named migrations
    counted them in `PRAGMA user_version`: the first that many are applied."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [_TABLE]).fetchone():
        return [row[0] for row in db.execute(f"SELECT name FROM {_TABLE} ORDER BY rowid")]
    legacy = int(db.execute("PRAGMA user_version").fetchone()[0])
    return [migration.name for migration in MIGRATIONS[:legacy]]


def pending_migrations(db: sqlite_utils.Database) -> list[Migration]:
    done = set(applied_migrations(db))
    return [migration for migration in MIGRATIONS if migration.name not in done]


def migrate(db: sqlite_utils.Database, now: str) -> list[str]:
    """Apply every pending migration, each with its record in one transaction; returns their names."""
    pending = pending_migrations(db)
    if not pending:
        return []
    with write_transaction(db):
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [_TABLE]).fetchone():
            legacy = applied_migrations(db)
            db.execute(f"CREATE TABLE {_TABLE} (name TEXT PRIMARY KEY, applied_at TEXT)")
            db.conn.executemany(f"INSERT INTO {_TABLE} (name, applied_at) VALUES (?, NULL)",
                                [(name,) for name in legacy])
    for migration in pending:
        with write_transaction(db):
            migration.apply(db)
            db.execute(f"INSERT INTO {_TABLE} (name, applied_at) VALUES (?, ?)", [migration.name, now])
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    return [migration.name for migration in pending]
