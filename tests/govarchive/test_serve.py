"""The analysts' archive in Datasette: `govarchive serve` on the demo archive, checked through
Datasette's JSON API and in headless Chromium; the schema's descriptions, one source for the
README and Datasette."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.store.archive import Archive
from archive.store.descriptions import TABLES, readme_tables
from govarchive.datasette_metadata import QUERIES
from tests.support import ROOT

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("serve") / "demo.db"
    subprocess.run([sys.executable, "-m", "govarchive", "demo", "--db", str(db)], check=False,
                   capture_output=True, timeout=180)   # exit 1: the demo's planted failures
    assert db.exists()
    return db


@pytest.fixture(scope="module")
def served(demo_db: Path) -> Iterator[str]:
    log = demo_db.with_name("serve.log")
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "govarchive", "serve", "--db", str(demo_db), "--port", "0"],
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", log.read_text())):
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield found.group(1)
    finally:
        server.terminate()
        server.wait(timeout=30)


def get(base: str, path: str, **params: str) -> dict:
    url = f"{base}{path}" + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def searched(db: Path, query: str) -> set[int]:
    """The documents `govarchive search` finds for `query`."""
    answer = subprocess.run([sys.executable, "-m", "govarchive", "search", *query.split(), "--db", str(db),
                             "--json", "--limit", "1000"], capture_output=True, text=True, check=True)
    return {hit["id"] for hit in json.loads(answer.stdout)["hits"]}


def test_the_archive_is_served_with_its_internals_hidden_and_every_table_described(served: str) -> None:
    database = get(served, "/demo.json")
    shown = {t["name"] for t in database["tables"] if not t["hidden"]} | {v["name"] for v in database["views"]}
    hidden = {t["name"] for t in database["tables"] if t["hidden"]}
    assert {"reports", "documents", "coverage", "report_sections", "issuers", "regions"} <= shown
    assert {"lsh_bands", "minhashes", "raw_bodies", "fetches", "documents_fts"} <= hidden
    assert not {"lsh_bands", "minhashes", "raw_bodies", "fetches"} & shown
    metadata = get(served, "/-/metadata.json")["databases"]["demo"]["tables"]
    assert metadata["documents"]["columns"]["township"].startswith("乡级")


def test_reports_have_the_default_facets_and_one_row_per_report(served: str) -> None:
    reports = get(served, "/demo/reports.json")
    facets = reports["facet_results"]
    assert {"report_year", "province", "county", "issuer_level", "publisher", "genre", "extraction_method"} <= set(facets)
    years = {item["value"]: item["count"] for item in facets["report_year"]["results"]}
    assert years == {2024: 4, 2020: 1}   # the repost of 后山镇's report counted once


@pytest.mark.parametrize("query", ["执法", "法治政府", "法", "执法 OR 复议", "法治 NOT 听证"])
def test_the_search_box_finds_what_govarchive_search_finds(served: str, demo_db: Path, query: str) -> None:
    rows = get(served, "/demo/documents.json", _search=query, _shape="objects", _size="max")["rows"]
    assert {row["id"] for row in rows} == searched(demo_db, query)
    assert rows   # every query here has hits in the demo archive
    reports = get(served, "/demo/reports.json", _search=query, _shape="objects", _size="max")["rows"]
    assert 0 < len(reports) < len(rows) or query == "法治政府" and len(reports) == 5


def test_a_search_with_no_hit_finds_none_and_a_bad_query_says_why(served: str) -> None:
    assert get(served, "/demo/reports.json", _search="冰雹", _shape="objects")["rows"] == []
    with pytest.raises(urllib.error.HTTPError) as refused:
        get(served, "/demo/reports.json", _search='"法治')
    assert refused.value.code == 400 and "quote is not closed" in refused.value.read().decode()


def test_report_sections_are_searchable_by_kind(served: str) -> None:
    rows = get(served, "/demo/report_sections.json", _search="执法", kind="shortcomings", _shape="objects")["rows"]
    assert rows and all("执法" in row["text"] and row["kind"] == "shortcomings" for row in rows)


def test_every_canned_query_runs(served: str, demo_db: Path) -> None:
    reposted = get(served, "/demo/reports.json", _where="copies > 1", _shape="objects")["rows"][0]["report_id"]
    params = {"copies_and_versions_of_a_report": {"report_id": str(reposted)}, "missing_and_late_reports": {"year": ""}}
    answers = {name: get(served, f"/demo/{name}.json", _shape="objects", **params.get(name, {}))["rows"]
               for name in QUERIES}
    assert {row["county"] for row in answers["coverage_by_region_and_year"]} >= {"万州区", "鲁山县"}
    assert {"重庆市万州区余家镇", "重庆市万州区甘宁镇"} <= {row["issuer"] for row in answers["missing_and_late_reports"]}
    assert answers["last_nights_failures"]   # the demo's planted failures, minutes ago
    assert len(answers["copies_and_versions_of_a_report"]) == 2   # 后山镇's report and its repost
    assert answers["published_in_the_last_7_days"] == []          # the demo reports are from 2021 and 2025


def test_the_coverage_page_is_served(served: str) -> None:
    with urllib.request.urlopen(f"{served}/-/coverage", timeout=30) as answer:
        page = answer.read().decode()
    assert 'class="heatmap"' in page and "重庆市万州区" in page and "<svg" in page


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="Debian's chromium and chromium-driver (make test)")
def test_in_a_browser_typing_a_two_character_term_finds_the_reports(served: str, tmp_path: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--disable-background-networking", "--no-first-run", "--window-size=1280,2600",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        browser.get(f"{served}/demo/reports")
        box = WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located((By.ID, "_search")))
        box.send_keys("执法", Keys.ENTER)
        WebDriverWait(browser, 30).until(lambda b: "search matches" in b.page_source)
        hits = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        assert "5 rows" in browser.find_element(By.TAG_NAME, "h3").text and len(hits) == 5
        assert browser.find_element(By.ID, "_search").get_attribute("value") == "执法"
        browser.execute_script("document.querySelector('.search-row').scrollIntoView()")
        browser.save_screenshot(str(tmp_path / "search.png"))
        browser.get(f"{served}/-/coverage")
        heat = browser.find_elements(By.CSS_SELECTOR, "table.heatmap td.cell")
        assert heat and browser.find_element(By.CSS_SELECTOR, "svg.bars").size["height"] > 100
        browser.save_screenshot(str(tmp_path / "coverage.png"))
    finally:
        browser.quit()
    assert (tmp_path / "search.png").stat().st_size > 10_000 and (tmp_path / "coverage.png").stat().st_size > 10_000


def test_every_table_view_and_column_is_described_and_the_readme_says_the_same(tmp_path: Path) -> None:
    Archive.open(tmp_path / "a.db").close()
    db = sqlite3.connect(tmp_path / "a.db")
    schema = {name: [row[1] for row in db.execute(f"PRAGMA table_info({name})")]
              for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                                        "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'documents_fts%'")}
    described = {name: list(table.all_columns()) for name, table in TABLES.items()}
    assert {name: sorted(columns) for name, columns in schema.items()} == \
        {name: sorted(columns) for name, columns in described.items()}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- schema tables: generated by `python -m archive.store.descriptions` -->\n")[1]
    assert block.split("<!-- end of schema tables -->")[0] == readme_tables(), \
        "README's schema tables differ from archive/store/descriptions.py: paste `python -m archive.store.descriptions`"


def test_columns_naming_a_portal_a_report_or_an_issuer_link_to_it(served: str) -> None:
    with urllib.request.urlopen(f"{served}/demo/documents?_col=cluster_id&_col=portal&_col=issuer_id",
                                timeout=30) as answer:
        page = answer.read().decode()
    assert re.search(r'<a href="/demo/portals/cq-wanzhou-sample">cq-wanzhou-sample</a>', page)
    assert re.search(r'<a href="/demo/documents/\d+">\d+</a>', page)               # cluster_id
    assert re.search(r'<a href="/demo/issuers/\d+">重庆市万州区后山镇</a>', page)   # its label
