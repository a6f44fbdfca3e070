"""Search as a user types it: totals, snippets, phrases, OR, NOT, filters, terms of 2 to 4 characters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.extract.capture import PageCapture
from archive.extract.document import compose_document
from archive.extract.metadata import DisclosureMetadata
from archive.extract.page import Extracted
from archive.store.places import PortalEntry
from archive.store.archive import Archive
from archive.store.search import QueryError, SearchFilters, parse_query, snippet
from govarchive.cli import main

FILLER = "本年度各项工作有序推进。" * 8
REPORTS = [  # portal, url, title, text, publisher, region, year, published
    ("cq", "http://a.example.gov.cn/1.html", "后山镇2024年法治政府建设年度报告",
     FILLER + "坚持严格规范公正文明执法，推进行政执法三项制度。" + FILLER, "后山镇人民政府", "500101", 2024, "2025-01-16"),
    ("cq", "http://a.example.gov.cn/2.html", "区司法局2023年法治政府建设年度报告",
     "全面推进依法行政，加强行政复议工作。" + FILLER, "区司法局", "500102", 2023, "2024-02-01"),
    ("sh", "http://b.example.gov.cn/3.html", "街道2024年法治政府建设情况报告",
     "深化政务公开，强化监管执法。价格(2024)第3号文件：C++ 与 a*b 的写法。" + FILLER, None, "310101", 2024,
     "2025-03-01"),
    ("sh", "http://b.example.gov.cn/4.html", "关于征求意见的通知",
     "法治政府建设征求意见稿，欢迎提出意见。", "街道办事处", "310101", 2024, "2025-03-05"),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("search") / "a.db"
    archive = Archive.open(path)
    for portal, url, title, text, publisher, region, year, published in REPORTS:
        archive.register_portal(PortalEntry(portal, portal))
        archive.record_page(compose_document(PageCapture(portal, Extracted(
            url=url, title=title, text=text, metadata=DisclosureMetadata(publisher=publisher, published_date=published),
            region_code=region, report_year=year, extraction_method="trs", encoding="utf-8"))))
    archive.close()
    return path


def found(db: Path, query: str, **filters: object) -> list[str]:
    archive = Archive.open_readonly(db)
    try:
        result = archive.search(query, SearchFilters(**filters))
    finally:
        archive.close()
    assert result.total == len(result.hits)
    return sorted(hit.url.rsplit("/", 1)[-1] for hit in result.hits)


@pytest.mark.parametrize("query, urls", [
    ("执法", ["1.html", "3.html"]),                  # 2 characters: one pair
    ("司法局", ["2.html"]),                          # 3: the phrase of two pairs
    ("依法行政", ["2.html"]),                        # 4
    ("法治 执法", ["1.html", "3.html"]),              # both terms
    ('"公正文明执法"', ["1.html"]),
    ('"2024年 法治"', []),                           # a phrase keeps its space: no text has it
    ("执法 OR 复议", ["1.html", "2.html", "3.html"]),
    ("执法 OR 复议 公开", ["3.html"]),                # OR binds tighter than AND
    ("法治 NOT 执法", ["2.html", "4.html"]),
    ("法治 -征求意见", ["1.html", "2.html", "3.html"]),
    ("法治 NOT 意见 NOT 执法", ["2.html"]),
    ("(2024)第3号", ["3.html"]),                      # FTS syntax characters are searched as written
    ("C++", ["3.html"]),
    ("a*b", ["3.html"]),
    ("意见稿:", []),
])
def test_the_query_language_on_every_term_length(db: Path, query: str, urls: list[str]) -> None:
    assert found(db, query) == urls


@pytest.mark.parametrize("filters, urls", [
    ({"year": 2024}, ["1.html", "3.html", "4.html"]),
    ({"region": "50"}, ["1.html", "2.html"]),
    ({"region": "310101"}, ["3.html", "4.html"]),
    ({"publisher": "司法"}, ["2.html"]),
    ({"portal": "sh"}, ["3.html", "4.html"]),
    ({"since": "2025-02-01T00:00:00+00:00"}, ["3.html", "4.html"]),
    ({"year": 2024, "portal": "cq"}, ["1.html"]),
])
@pytest.mark.parametrize("query", ["法治", "法治政府", "法治政府建设"])
def test_filters_narrow_any_query(db: Path, query: str, filters: dict, urls: list[str]) -> None:
    assert found(db, query, **filters) == urls


@pytest.mark.parametrize("query, message", [
    ("", "the query is empty"),
    ("   ", "the query is empty"),
    ('"法治政府', "a quote is not closed"),
    ("NOT 执法", "the query only excludes"),
    ("执法 OR", "OR needs a term on each side"),
    ("OR 执法", "OR needs a term on each side"),
    ("执法 NOT", "NOT needs a term after it"),
])
def test_a_query_that_cannot_run_says_why(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(query)


def test_snippets_centre_on_the_hit_and_never_cut_a_highlighted_term() -> None:
    text = "甲" * 100 + "行政执法" + "乙" * 100 + "执法"
    shown = snippet(text, ("执法",), context=10)
    assert shown == "…" + "甲" * 8 + "行政[执法]" + "乙" * 10 + "…"   # 10 characters each side of the hit
    assert snippet("执法" + "丙" * 9 + "执法检查", ("执法", "执法检查"), context=10) == \
        "[执法]" + "丙" * 9 + "[执法检查]"   # the window widens over the second hit
    assert snippet("前言" + "丁" * 50, ("找不到",), context=10) == "前言" + "丁" * 18 + "…"


def test_cli_shows_the_total_and_explains_a_bad_query(db: Path) -> None:
    result = CliRunner().invoke(main, ["search", "法治", "--limit", "2", "--db", str(db)])
    assert result.exit_code == 0 and result.stdout.startswith("2 of 4 hits for '法治'")
    unquoted = CliRunner().invoke(main, ["search", "执法", "OR", "复议", "--db", str(db)])   # no shell quotes needed
    assert unquoted.stdout.startswith("3 hits for '执法 OR 复议'")
    everything = json.loads(CliRunner().invoke(main, ["search", "监管执法", "--json", "--db", str(db)]).stdout)
    assert everything["total"] == 1 and "[监管执法]" in everything["hits"][0]["snippet"]
    text = CliRunner().invoke(main, ["search", "监管执法", "--db", str(db)]).stdout
    assert text.splitlines()[1].endswith("] — · portal sh")   # no publisher: a dash, not the portal
    for args, message in [(["search", ""], "the query is empty"),
                          (["search", '"法治'], "a quote is not closed"),
                          (["search", "法治", "--region", "重庆"], "--region '重庆': expected"),
                          (["search", "法治", "--portal", "typo"], "no portal named 'typo'")]:
        bad = CliRunner().invoke(main, [*args, "--db", str(db)])
        assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and message in bad.stderr, bad.output
