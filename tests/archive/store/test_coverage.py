"""Coverage: every issuer (found in reports or declared by a portal) x report year, with its
status by the due date; each document placed, its sections stored; exports of each."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from archive.extract.capture import PageCapture
from archive.extract.document import compose_document
from archive.extract.metadata import DisclosureMetadata
from archive.extract.page import Extracted
from archive.store.archive import Archive
from archive.store.coverage import coverage
from archive.store.places import PortalEntry
from govarchive.cli import main

BODY = ("一、2023年度推进法治政府建设的主要举措和成效\n全年开展普法宣传12次，行政执法全面规范。\n"
        "二、存在的不足\n执法队伍力量薄弱。\n三、2024年工作安排\n强化法治宣传。")
OWN_WORDS = ("后山镇调解矛盾纠纷四十件，办理复议案件两件。", "余家镇开展送法下乡活动，培训村居法律明白人。",
             "余家镇推行柔性执法清单，修订合法性审查目录。")
REPORTS = [  # url, title, publisher, 索引号 code, year, published
    ("http://a.example.gov.cn/1.html", "万州区后山镇2023年法治政府建设年度报告", "重庆市万州区后山镇人民政府", "500101",
     2023, "2024-01-16"),
    ("http://a.example.gov.cn/2.html", "余家镇2022年法治政府建设年度报告", "万州区余家镇", "500101", 2022, "2023-05-02"),
    ("http://a.example.gov.cn/3.html", "余家镇2023年法治政府建设年度报告", "余家镇人民政府", None, 2023, "2024-03-30"),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("coverage") / "a.db"
    archive = Archive.open(path)
    archive.register_portal(PortalEntry("wz", "万州区", "500101", ("后山镇", "余家镇", "甘宁镇")))
    for number, (url, title, publisher, code, year, published) in enumerate(REPORTS):
        archive.record_page(compose_document(PageCapture("wz", Extracted(
            url=url, title=title, text=f"{title}\n{BODY}\n" + OWN_WORDS[number] * 6,
            metadata=DisclosureMetadata(publisher=publisher, published_date=published),
            region_code=code, report_year=year, extraction_method="trs", encoding="utf-8"))))
    archive.close()
    return path


def statuses(db: Path, today: str, due: str | None = None) -> dict[tuple[str, int], str]:
    archive = Archive.open_readonly(db)
    try:
        return {(cell.issuer, cell.report_year): cell.status for cell in coverage(archive.db, due=due, today=today)}
    finally:
        archive.close()


def test_every_form_of_a_publisher_s_name_counts_for_one_issuer_and_declared_ones_are_expected(db: Path) -> None:
    cells = statuses(db, "2024-12-01")
    assert sorted({issuer for issuer, _ in cells}) == ["重庆市万州区余家镇", "重庆市万州区后山镇", "重庆市万州区甘宁镇"]
    assert sorted({year for _, year in cells}) == [2022, 2023]


def test_a_report_is_published_late_or_missing_by_the_due_date(db: Path) -> None:
    cells = statuses(db, "2024-12-01")
    assert cells[("重庆市万州区后山镇", 2023)] == "published"
    assert cells[("重庆市万州区余家镇", 2022)] == "late"        # 2023-05-02, due 2023-03-31
    assert cells[("重庆市万州区余家镇", 2023)] == "published"   # 2024-03-30
    assert cells[("重庆市万州区甘宁镇", 2023)] == "missing"
    assert cells[("重庆市万州区后山镇", 2022)] == "missing"


def test_before_the_due_date_a_report_not_found_is_not_yet_due(db: Path) -> None:
    cells = statuses(db, "2024-03-01")
    assert cells[("重庆市万州区甘宁镇", 2023)] == "not yet due"
    assert cells[("重庆市万州区甘宁镇", 2022)] == "missing"
    later_due = statuses(db, "2024-12-01", due="06-30")
    assert later_due[("重庆市万州区余家镇", 2022)] == "published"   # 2023-05-02 is before 2023-06-30


def test_a_year_whose_due_date_has_passed_is_expected_even_when_no_report_of_it_is_archived(db: Path) -> None:
    assert ("重庆市万州区后山镇", 2024) in statuses(db, "2025-04-01")
    assert ("重庆市万州区后山镇", 2024) not in statuses(db, "2025-03-01")


def test_each_document_is_placed_and_split_into_sections(db: Path) -> None:
    archive = Archive.open_readonly(db)
    try:
        placed = archive.db.execute("SELECT division_code, province, county, township, region_status FROM documents "
                                    "ORDER BY id").fetchall()
        kinds = [row[0] for row in archive.db.execute("SELECT kind FROM report_sections WHERE document_id = 1 "
                                                      "ORDER BY ordinal")]
    finally:
        archive.close()
    assert placed[0] == ("500101146", "重庆市", "万州区", "后山镇", "current")
    assert placed[2][:4] == ("500101145", "重庆市", "万州区", "余家镇") and placed[2][4] is None   # no 索引号 code
    assert kinds == ["other", "measures", "shortcomings", "plans"]


def test_coverage_command_prints_the_matrix_with_totals_per_region(db: Path) -> None:
    result = CliRunner().invoke(main, ["coverage", "--db", str(db), "--due", "03-31"])
    assert result.exit_code == 0, result.output
    assert "重庆市万州区: 3 issuers" in result.output and "甘宁镇" in result.output
    as_json = json.loads(CliRunner().invoke(main, ["coverage", "--db", str(db), "--json", "--year", "2022"]).stdout)
    assert {cell["issuer"]: cell["status"] for cell in as_json["cells"]}["重庆市万州区余家镇"] == "late"
    bad = CliRunner().invoke(main, ["coverage", "--db", str(db), "--due", "3/31"])
    assert bad.exit_code == 2 and "MM-DD" in bad.output


def test_coverage_page_shows_the_heatmap_and_the_bars(db: Path, tmp_path: Path) -> None:
    page = tmp_path / "coverage.html"
    assert CliRunner().invoke(main, ["coverage", "--db", str(db), "--html", str(page)]).exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert 'class="heatmap"' in text and "重庆市万州区" in text and "<svg" in text and "2023: 2 reports" in text


def test_exports_open_in_excel_and_scripts(db: Path, tmp_path: Path) -> None:
    run = CliRunner().invoke(main, ["export", "reports", "--db", str(db), "--year", "2023"])
    assert run.stdout.startswith("\ufeff") and run.stderr == "wrote 2 rows of reports to standard output\n"
    rows = list(csv.DictReader(io.StringIO(run.stdout.lstrip("\ufeff"))))
    assert sorted(row["township"] for row in rows) == ["余家镇", "后山镇"]
    lines = CliRunner().invoke(main, ["export", "sections", "--db", str(db), "--format", "jsonl"]).stdout
    assert {json.loads(line)["kind"] for line in lines.splitlines() if line.startswith("{")} >= {"measures", "plans"}
    book = tmp_path / "coverage.xlsx"
    assert CliRunner().invoke(main, ["export", "coverage", "--db", str(db), "--format", "xlsx", "-o", str(book)]).exit_code == 0
    sheet = openpyxl.load_workbook(book).active
    today = dt.date.today()
    last_due = today.year - (1 if today.isoformat()[5:] > "03-31" else 2)
    assert sheet.cell(1, 2).value == "issuer" and sheet.max_row == 1 + 3 * len(range(2022, last_due + 1))
    refused = CliRunner().invoke(main, ["export", "coverage", "--db", str(db), "--format", "xlsx"])
    assert refused.exit_code == 2 and "-o FILE" in refused.output
