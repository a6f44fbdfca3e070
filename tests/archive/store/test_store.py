"""The archive: exact de-duplication, pages, runs, search and failure safety."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.store.archive import Archive, PageOutcome
from archive.store.runs import FailureKind, RunCounts
from tests.support import make_capture


capture = make_capture


REPORT = "2024年,我镇坚持依法行政,严格规范公正文明执法。\n重庆市万州区后山镇人民政府"


def count(archive: Archive, table: str) -> int:
    return archive.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_same_text_on_two_portals_is_one_document_two_pages(archive: Archive) -> None:
    assert archive.record_page(capture("a", "http://a.example.gov.cn/1.html", REPORT)) == PageOutcome.NEW
    repost = REPORT.replace(",", "，").replace("\n", "\n\n  ")  # full-width marks, other spacing
    assert archive.record_page(capture("b", "http://b.example.gov.cn/9.html", repost)) == PageOutcome.DUPLICATE
    assert count(archive, "documents") == 1
    assert count(archive, "pages") == 2


def test_recrawl_adds_nothing(archive: Archive) -> None:
    archive.record_page(capture("a", "http://a.example.gov.cn/1.html", REPORT), seen_at="2025-01-01T00:00:00+00:00")
    outcome = archive.record_page(capture("a", "http://a.example.gov.cn/1.html", REPORT), seen_at="2025-02-01T00:00:00+00:00")
    assert outcome == PageOutcome.UNCHANGED
    row = archive.db.execute("SELECT first_seen, last_seen FROM documents").fetchone()
    assert row == ("2025-01-01T00:00:00+00:00", "2025-02-01T00:00:00+00:00")
    assert count(archive, "documents") == 1


def test_changed_text_at_known_url_is_a_new_document(archive: Archive) -> None:
    archive.record_page(capture("a", "http://a.example.gov.cn/1.html", REPORT))
    assert archive.record_page(capture("a", "http://a.example.gov.cn/1.html", REPORT + "\n2025年1月16日")) == PageOutcome.CHANGED
    assert count(archive, "documents") == 2 and count(archive, "pages") == 1


def test_most_complete_disclosure_block_supplies_the_metadata(archive: Archive) -> None:
    archive.record_page(capture("b", "http://b.example.gov.cn/1.html", REPORT, publisher="万州区人民政府"))
    archive.record_page(capture("a", "http://a.example.gov.cn/1.html", REPORT, publisher="万州区后山镇",
                                index_no="115001010086458821/2025-00001", topic="其他"))
    archive.record_page(capture("c", "http://c.example.gov.cn/1.html", REPORT, publisher="重庆市人民政府"))
    row = archive.db.execute("SELECT publisher, index_no, topic, metadata_fields FROM documents").fetchone()
    assert row == ("万州区后山镇", "115001010086458821/2025-00001", "其他", 3)


def test_failed_write_leaves_no_partial_rows(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    archive.record_page(capture("a", "http://a.example.gov.cn/1.html", REPORT))
    archive.db.execute("CREATE TRIGGER refuse BEFORE INSERT ON pages BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    with pytest.raises(sqlite3.IntegrityError):
        archive.record_page(capture("a", "http://a.example.gov.cn/2.html", "另一份报告的正文，内容完全不同。"))
    assert count(archive, "documents") == 1 and count(archive, "pages") == 1


def test_search_trigram_and_two_character_terms(archive: Archive) -> None:
    archive.record_page(capture("a", "http://a.example.gov.cn/1.html", REPORT, published_date="2025-01-16", publisher="后山镇"))
    archive.record_page(capture("a", "http://a.example.gov.cn/2.html", "全面推进政务公开。", title="政务公开工作年度报告"))
    hits = archive.search("公正文明执法").hits
    assert [h.url for h in hits] == ["http://a.example.gov.cn/1.html"]
    assert "[公正文明执法]" in hits[0].snippet
    two = archive.search("执法").hits
    assert [h.url for h in two] == ["http://a.example.gov.cn/1.html"]
    assert "[执法]" in two[0].snippet
    assert {h.url for h in archive.search("年度报告").hits} == {"http://a.example.gov.cn/2.html"}
    assert archive.search("执法 政务").total == 0


def fts_blocks(archive: Archive) -> tuple[int, int]:
    """The full-text index's stored segments: they change whenever a row is (re)indexed."""
    return archive.db.execute("SELECT COUNT(*), COALESCE(SUM(length(block)), 0) FROM documents_fts_data").fetchone()


def test_fts_follows_text_changes_but_not_last_seen_updates(archive: Archive) -> None:
    url = "http://a.example.gov.cn/1.html"
    archive.record_page(capture("a", url, REPORT), seen_at="2025-01-01T00:00:00+00:00")
    indexed = fts_blocks(archive)
    archive.record_page(capture("a", url, REPORT), seen_at="2025-02-01T00:00:00+00:00")  # last_seen only
    assert fts_blocks(archive) == indexed
    assert archive.db.execute("SELECT last_seen FROM documents").fetchone()[0] == "2025-02-01T00:00:00+00:00"
    assert archive.search("依法行政").total == 1
    # the text changes in place (a better extraction rule): the index follows
    assert archive.replace_page_record(capture("a", url, REPORT.replace("依法行政", "依规办事")))
    assert fts_blocks(archive) != indexed
    assert archive.search("依法行政").total == 0 and archive.search("依规办事").total == 1


def test_runs_and_errors(archive: Archive) -> None:
    run_id = archive.start_run("a")
    archive.record_error(run_id, "a", "http://a.example.gov.cn/404.html", FailureKind.DETAIL, "HTTP 404")
    archive.finish_run(run_id, "ok", RunCounts(list_pages=2, detail_pages=3, documents_new=1, duplicates=1, errors=1))
    (run,) = archive.runs_after(0)
    assert (run["status"], run["list_pages"], run["detail_pages"], run["errors"]) == ("ok", 2, 3, 1)
    assert archive.run_errors(run_id) == [{"url": "http://a.example.gov.cn/404.html", "kind": "detail page",
                                           "reason": "HTTP 404"}]


def test_open_refuses_unusable_paths(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="does not exist"):
        Archive.open(tmp_path / "missing" / "archive.db")
    with pytest.raises(ArchiveError, match="is a directory"):
        Archive.open(tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ArchiveError, match="cannot open"):
        Archive.open(junk)


def test_schema_has_the_analyst_columns(archive: Archive) -> None:
    columns = set(archive.db["documents"].columns_dict)
    assert {"id", "title", "text", "text_hash", "index_no", "doc_no", "topic", "genre", "publisher",
            "validity", "written_date", "published_date", "source", "region_code", "report_year",
            "portal", "url", "first_seen", "last_seen"} <= columns
    assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert "documents_fts" in archive.db.table_names()


def test_every_run_count_is_a_column_and_round_trips(archive: Archive) -> None:
    counts = RunCounts(**{name: number for number, name in enumerate(RunCounts.names(), start=1)})
    run_id = archive.start_run("a")
    archive.finish_run(run_id, "ok", counts)
    (row,) = archive.recent_runs("a")
    assert RunCounts.from_row(row) == counts
    assert set(RunCounts.names()) <= set(archive.db["crawl_runs"].columns_dict)


def test_batched_commits_reach_the_database_file_while_the_writer_runs(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "a.db")
    archive.batch_writes()
    for n in range(30):
        archive.record_page(capture("a", f"http://a.example.gov.cn/{n}.html", f"{REPORT}第{n}号"))
    archive.commit()
    copy = tmp_path / "copy.db"

    def documents_in_the_file_alone() -> int:
        copy.write_bytes((tmp_path / "a.db").read_bytes())   # without its WAL
        db = sqlite3.connect(copy)
        try:
            return db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        except sqlite3.OperationalError:   # not even the schema is in the file yet
            return 0
        finally:
            db.close()

    deadline = time.monotonic() + 5   # the checkpoint thread copies the commit's WAL pages into the file
    while documents_in_the_file_alone() != 30:
        assert time.monotonic() < deadline, "the committed batch never reached the database file"
        time.sleep(0.05)
    archive.close()
    assert not (tmp_path / "a.db-wal").exists()
    assert count(Archive.open(tmp_path / "a.db"), "documents") == 30
