"""Named migrations: recorded, applied by writers and `govarchive migrate`, never by readers."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from archive.errors import SchemaError
from archive.store.archive import Archive
from archive.store.migrations import MIGRATIONS, applied_migrations
from govarchive.cli import main
from tests.support import ROOT, SampleSite

# the migrations after the four an archive numbered in user_version has
LATER = [migration.name for migration in MIGRATIONS[4:]]
READ_COMMANDS = ["stats", "search 执法", "runs", "history http://a.example.gov.cn/1.html"]


def legacy_archive(path: Path) -> None:
    """An archive written before named migrations: the first four steps, counted in user_version."""
    db = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:4]:
        with db.atomic():
            migration.apply(db)
    db.execute("PRAGMA user_version = 4")
    db.execute("INSERT INTO crawl_runs (portal, started_at, status) VALUES ('a', '2025-01-01', 'ok')")
    db.execute("INSERT INTO crawl_errors (run_id, portal, url, reason, at) VALUES "
               "(1, 'a', 'http://a.example.gov.cn/x.pdf', 'attachment: HTTP 404', '2025-01-01')")
    db.conn.commit()
    db.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_archive_records_every_migration_by_name(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "a.db")
    try:
        assert applied_migrations(archive.db) == [m.name for m in MIGRATIONS]
        assert archive.migrated == tuple(m.name for m in MIGRATIONS)
    finally:
        archive.close()
    again = Archive.open(tmp_path / "a.db")
    assert again.migrated == ()
    again.close()


def test_a_reader_cannot_write_and_leaves_no_files_behind(tmp_path: Path) -> None:
    Archive.open(tmp_path / "a.db").close()
    reader = Archive.open_readonly(tmp_path / "a.db")
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.db.execute("DELETE FROM documents")
    finally:
        reader.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.db"]


@pytest.mark.parametrize("command", READ_COMMANDS)
def test_read_commands_never_change_the_schema(tmp_path: Path, command: str) -> None:
    db = tmp_path / "old.db"
    legacy_archive(db)
    before = digest(db)
    result = CliRunner().invoke(main, [*command.split(), "--db", str(db)])
    assert result.exit_code == 2
    assert f"needs migrations ({', '.join(LATER)})" in result.stderr and "govarchive migrate" in result.stderr
    assert digest(db) == before
    with pytest.raises(SchemaError):
        Archive.open_readonly(db)


def test_migrate_upgrades_a_legacy_archive_and_keeps_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    legacy_archive(db)
    result = CliRunner().invoke(main, ["migrate", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"applied {len(LATER)} migration(s): {', '.join(LATER)}" in result.stdout
    archive = Archive.open_readonly(db)
    try:
        assert archive.run_errors(1) == [{"url": "http://a.example.gov.cn/x.pdf", "kind": "attachment",
                                          "reason": "HTTP 404"}]
    finally:
        archive.close()
    assert "schema up to date" in CliRunner().invoke(main, ["migrate", "--db", str(db)]).stdout
    assert CliRunner().invoke(main, ["stats", "--db", str(db)]).exit_code == 0


@pytest.mark.parametrize("command", ["health", "stats", "runs"])
def test_read_commands_do_not_create_a_missing_database(tmp_path: Path, command: str) -> None:
    (tmp_path / "portals.toml").write_text('[[portal]]\nname = "a"\nstart_urls = ["http://127.0.0.1:9/"]\n',
                                           encoding="utf-8")
    args = [command, "--db", str(tmp_path / "none.db")]
    if command == "health":
        args += ["--config", str(tmp_path / "portals.toml")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "no archive here yet" in result.stderr
    assert not (tmp_path / "none.db").exists()


def foreign_database(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    db.execute("INSERT INTO notes (body) VALUES ('not yours')")
    db.commit()
    db.close()


def newer_archive(path: Path) -> None:
    Archive.open(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_migrations (name, applied_at) VALUES ('from-the-future', '2030-01-01')")
    db.commit()
    db.close()


@pytest.mark.parametrize("make, message", [
    (foreign_database, "a SQLite database of another application (tables: notes, application_id 0)"),
    (newer_archive, f"made by a newer govarchive (schema {len(MIGRATIONS) + 1} > {len(MIGRATIONS)}; "
                    "unknown migrations: from-the-future)"),
])
@pytest.mark.parametrize("command", ["crawl", "migrate", "stats"])
def test_a_database_that_is_not_ours_is_refused_and_left_byte_identical(
        tmp_path: Path, make, message: str, command: str) -> None:
    db = tmp_path / "x.db"
    make(db)
    before = digest(db)
    config = tmp_path / "portals.toml"
    config.write_text('[[portal]]\nname = "a"\nstart_urls = ["http://127.0.0.1:9/"]\n', encoding="utf-8")
    args = [command, "--db", str(db)] + (["--config", str(config)] if command == "crawl" else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["portals.toml", "x.db"]


def test_an_archive_marks_itself(tmp_path: Path) -> None:
    Archive.open(tmp_path / "a.db").close()
    db = sqlite3.connect(tmp_path / "a.db")
    assert db.execute("PRAGMA application_id").fetchone()[0] == 0x476F7641
    db.close()


def test_concurrent_first_opens_create_the_schema_once(tmp_path: Path) -> None:
    script = ("import sys; from archive.store.archive import Archive; "
              "a = Archive.open(sys.argv[1]); print(len(a.migrated)); a.close()")
    children = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "new.db")], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [child.communicate(timeout=120) + (child.returncode,) for child in children]
    assert [code for _, _, code in results] == [0, 0, 0, 0], results
    assert sorted(int(out) for out, _, _ in results) == [0, 0, 0, len(MIGRATIONS)]


WRITE_COMMANDS = ["crawl", "reextract", "schedule --once", "migrate", "check --repair"]


@pytest.mark.parametrize("what", ["file", "folder"])
@pytest.mark.parametrize("command", WRITE_COMMANDS)
def test_a_read_only_archive_is_refused_before_any_request_and_left_byte_identical(
        sample_site: SampleSite, tmp_path: Path, command: str, what: str) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "archive.db"
    Archive.open(db).close()
    before = digest(db)
    (db if what == "file" else folder).chmod(0o444 if what == "file" else 0o555)
    try:
        args = [*command.split(), "--db", str(db)]
        if command in ("crawl", "schedule --once"):
            args += ["--config", str(sample_site.config)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"govarchive: error: {db} is read-only")
        assert sample_site.requested == []
        assert digest(db) == before and sorted(p.name for p in folder.iterdir()) == ["archive.db"]
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)
