"""The govarchive command line: output, JSON, exit codes and help."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from archive.extract.capture import PageCapture
from archive.extract.document import compose_document
from archive.extract.metadata import DisclosureMetadata
from archive.extract.page import Extracted
from archive.store.archive import Archive
from govarchive.cli import main
from tests.support import PAGES, golden_input, sample_detail_pages

REPORT = "2024年,我镇坚持依法行政,严格规范公正文明执法。"


@pytest.fixture
def filled_db(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    archive = Archive.open(path)
    archive.record_page(compose_document(PageCapture("cq-a", Extracted(
        url="http://127.0.0.1/1.html", title="关于2024年度法治政府建设情况的报告", text=REPORT,
        metadata=DisclosureMetadata(publisher="万州区后山镇", published_date="2025-01-16"),
        region_code="500101", report_year=2024, extraction_method="trs", encoding="utf-8"))))
    archive.close()
    return path


def test_extract_prints_the_record_as_json() -> None:
    page = golden_input(PAGES / "trs" / "cq-houshan-2024")
    result = CliRunner().invoke(main, ["extract", str(page), "--url",
                                       "http://www.example.gov.cn/fzzfjsndbg/202501/t20250116_1001.html"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert {"title", "text", "metadata", "region_code", "report_year"} <= set(record)
    assert record["metadata"]["index_no"] == "115001010086458821/2025-00001"
    assert record["region_code"] == "500101" and record["report_year"] == 2024


def test_extract_of_an_undecodable_file_fails_with_one_line(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_bytes(b"<p>\x81\x20\xff</p>")
    result = CliRunner().invoke(main, ["extract", str(page)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "broken.html" in result.stderr


def test_search_text_and_json(filled_db: Path) -> None:
    result = CliRunner().invoke(main, ["search", "执法", "--db", str(filled_db)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        "1 hit for '执法'",
        "- 关于2024年度法治政府建设情况的报告  [published 2025-01-16] 万州区后山镇 · portal cq-a",
        "  http://127.0.0.1/1.html",
    ]
    as_json = CliRunner().invoke(main, ["search", "法治政府", "--json", "--limit", "5"],
                                 env={"GOVARCHIVE_DB": str(filled_db)})
    found = json.loads(as_json.stdout)
    assert found["total"] == 1 and [h["title"] for h in found["hits"]] == ["关于2024年度法治政府建设情况的报告"]


def test_stats(filled_db: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--db", str(filled_db), "--json"])
    numbers = json.loads(result.stdout)
    assert (numbers["documents"], numbers["pages"], numbers["portals"]) == (1, 1, 1)
    text = CliRunner().invoke(main, ["stats", "--db", str(filled_db)]).stdout
    assert text.splitlines()[0] == "documents: 1  pages: 1  portals: 1  crawl runs: 0  recorded failures: 0"


@pytest.mark.parametrize("command", ["search 执法", "stats"])
def test_missing_database_exits_2(tmp_path: Path, command: str) -> None:
    result = CliRunner().invoke(main, [*command.split(), "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "no archive here yet" in result.stderr


def test_unusable_database_path_exits_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    result = CliRunner().invoke(main, ["search", "执法", "--db", str(junk)])
    assert result.exit_code == 2
    assert "cannot open as a govarchive database" in result.stderr


def test_every_command_is_documented() -> None:
    assert isinstance(main, click.Group)
    for name, command in main.commands.items():
        assert command.help and len(command.help) > 20, f"{name} has no help"
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.stdout


def test_demo_crawls_samples_and_searches(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = CliRunner().invoke(main, ["demo", "--db", str(db)])
    assert result.exit_code == 0, result.output
    summary = next(line for line in result.stdout.splitlines() if line.startswith("Summary"))
    detail_pages = len(sample_detail_pages())
    assert ("portals: 5 (0 failed) · list pages: 8 · "
            f"detail pages: {detail_pages} · documents archived: 6 · "
            "duplicates merged: 2 · near-duplicates clustered: 1 · failures: 4") in summary
    assert "5 of 6 hits for '法治政府建设'" in result.stdout
    assert "(4 failures — planted in the sample portals to show how failures are recorded: `" in result.stdout
    assert re.search(r"^\d+ (of \d+ )?hits? for '执法'$", result.stdout, re.MULTILINE)


def test_serving_the_samples_on_a_taken_port_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["demo", "--serve", str(tmp_path / "p.toml"), "--port", str(port)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"govarchive: error: --port {port}: cannot serve on it (Address already in use)")
