"""`govarchive probe`: what the crawler would do with a list page, offline or fetched politely."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govarchive.cli import main
from tests.archive.families.test_list_pages import CASES
from tests.mockserver import mock_server

# list pages a user would probe on their own (answers need the request that fetched them)
PAGES = [case for case in CASES if "request" not in json.loads(case.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("case", PAGES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_probe_of_each_list_fixture_prints_its_links_and_next_requests(case: Path) -> None:
    expected = json.loads(case.read_text(encoding="utf-8"))
    page = next(p for p in case.parent.glob(f"{case.stem}.*") if p.suffix != ".json")
    result = CliRunner().invoke(main, ["probe", str(page), "--url", expected["url"], "--json"])
    assert result.exit_code == 0, result.output
    probe = json.loads(result.stdout)
    assert probe["document_urls"] == [document[0] for document in expected["documents"]]
    assert probe["next_requests"] == expected["next_requests"]
    assert (probe["family"], probe["total_records"], probe["total_pages"], probe["blocked"]) == \
        (expected["family"], expected["total_records"], expected["total_pages"], None)
    assert f'start_urls = ["{expected["url"]}"]' in probe["suggested_portal"]
    text = CliRunner().invoke(main, ["probe", str(page), "--url", expected["url"]])
    assert f"family: {expected['family']}" in text.stdout
    assert all(document[0] in text.stdout for document in expected["documents"])


def test_probe_fetches_politely_and_names_a_challenge(tmp_path: Path) -> None:
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    (tmp_path / "col").mkdir()
    (tmp_path / "col" / "index.html").write_text(
        '<html><head><title>法治政府建设年度报告</title></head><body><ul><li><a href="./202501/t20250116_1.html">报告'
        '</a></li></ul><script>createPageHTML(2, 0, "index", "html");</script></body></html>', encoding="utf-8")
    (tmp_path / "col" / "blocked.html").write_text("<html><script>$_ts={}</script></html>", encoding="utf-8")
    (tmp_path / "col" / "blocked.html.status").write_text("412", encoding="utf-8")
    requested: list[str] = []
    with mock_server(tmp_path, requested) as base:
        ok = CliRunner().invoke(main, ["probe", f"{base}/col/index.html"])
        blocked = CliRunner().invoke(main, ["probe", f"{base}/col/blocked.html", "--json"])
        refused = CliRunner().invoke(main, ["probe", f"{base}/private/list.html"])
    assert ok.exit_code == 0 and "family: trs" in ok.stdout and f"GET {base}/col/index_1.html" in ok.stdout
    assert 'title = "法治政府建设年度报告"' in ok.stdout
    assert blocked.exit_code == 1 and json.loads(blocked.stdout)["blocked"] == "瑞数 challenge (HTTP 412)"
    assert refused.exit_code == 1 and "robots.txt" in refused.stderr and refused.stderr.count("\n") == 1
    assert "/private/list.html" not in requested


def test_probe_of_a_missing_target_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["probe", str(tmp_path / "none.html")])
    assert result.exit_code == 2 and "neither an http(s) URL nor a readable file" in result.stderr
