"""`govarchive check [--repair]`: findings, a damaged full-text index, runs left running."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from archive.store.archive import Archive
from crawler.process import HOST
from govarchive.cli import main
from tests.support import make_capture

REPORT = "2024年,我镇坚持依法行政,严格规范公正文明执法。全面推进政务公开,依法化解矛盾纠纷。"


def test_check_finds_and_repairs_a_damaged_index_and_a_stuck_run(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    archive = Archive.open(db)
    archive.record_page(make_capture("a", "http://a.example.gov.cn/1.html", REPORT))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    archive.start_run("a", pid=dead.pid, host=HOST)
    archive.db.execute("UPDATE documents_fts_data SET block = zeroblob(length(block)) "
                       "WHERE id = (SELECT MAX(id) FROM documents_fts_data)")
    archive.db.conn.commit()
    archive.close()
    assert CliRunner().invoke(main, ["check", "--db", str(db)]).exit_code == 1
    found = json.loads(CliRunner().invoke(main, ["check", "--db", str(db), "--json"]).stdout)["findings"]
    assert {finding["check"] for finding in found} == {"full-text index", "runs"}
    broken = CliRunner().invoke(main, ["search", "依法行政", "--db", str(db)])
    if broken.exit_code != 0:   # a damaged index says so in one line
        assert broken.stderr.count("\n") == 1 and "check --repair" in broken.stderr
    repaired = CliRunner().invoke(main, ["check", "--repair", "--db", str(db)])
    assert repaired.exit_code == 0, repaired.output
    assert "repaired: rebuilt the full-text index" in repaired.stdout and "no problem found" in repaired.stdout
    hits = CliRunner().invoke(main, ["search", "依法行政", "--db", str(db), "--json"])
    assert [hit["url"] for hit in json.loads(hits.stdout)["hits"]] == ["http://a.example.gov.cn/1.html"]


def test_a_healthy_archive_has_no_finding(archive: Archive, tmp_path: Path) -> None:
    archive.record_page(make_capture("a", "http://a.example.gov.cn/1.html", REPORT))
    assert archive.integrity_findings() == [] and archive.full_text_index_ok()
