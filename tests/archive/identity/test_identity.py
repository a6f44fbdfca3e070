"""Document identity: near-duplicate clusters, versions, identity hints, the reports view."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from archive.extract.capture import PageCapture
from archive.extract.document import compose_document
from archive.extract.page import extract_page
from archive.identity.config import NearDupSettings
from archive.identity.minhash import MinHasher, similarity
from archive.store.places import PortalEntry
from archive.store.queries import KnownPage
from archive.store.archive import Archive, PageOutcome
from crawler.middlewares import revisit_plan
from govarchive.cli import main
from tests.support import PAGES, golden_page, make_capture

REPORT = json.loads((PAGES / "trs" / "cq-houshan-2024" / "expected.json").read_text(encoding="utf-8"))["text"]
OTHER = json.loads((PAGES / "trs" / "cq-yongxi-2024-gbk" / "expected.json").read_text(encoding="utf-8"))["text"]


capture = make_capture


def full_width(text: str) -> str:
    return text.translate(str.maketrans({",": "，", ":": "：", "(": "（", ")": "）", ";": "；"}))


def repost_of(text: str) -> str:
    lines = full_width(text).split("\n")
    return "\n".join(lines[:3] + ["（编辑：万州区司法局）"] + lines[3:-1])  # editor's note, no date line


def test_signature_is_datasketch_minhash() -> None:
    datasketch = pytest.importorskip("datasketch")
    hasher = MinHasher()
    reference = datasketch.MinHash(num_perm=128, seed=1, hashfunc=int, scheme="affine32")
    reference.update_batch(hasher.shingle_hashes(REPORT))
    assert (reference.hashvalues == hasher.signature(REPORT)).all()
    other = datasketch.MinHash(num_perm=128, seed=1, hashfunc=int, scheme="affine32")
    other.update_batch(hasher.shingle_hashes(repost_of(REPORT)))
    assert similarity(hasher.signature(REPORT), hasher.signature(repost_of(REPORT))) == reference.jaccard(other)


def test_reposts_cluster_and_unrelated_reports_do_not(archive: Archive) -> None:
    archive.register_portal(PortalEntry("houshan", "重庆市万州区后山镇人民政府"))
    assert archive.record_page(capture("district", "http://qu.example.gov.cn/1.shtml", repost_of(REPORT),
                                       publisher="万州区后山镇")) == PageOutcome.NEW
    assert archive.record_page(capture("houshan", "http://zhen.example.gov.cn/t1.html", REPORT,
                                       publisher="万州区后山镇")) == PageOutcome.CLUSTERED
    assert archive.record_page(capture("other", "http://dz.example.gov.cn/t2.html", OTHER)) == PageOutcome.NEW
    clusters = dict(archive.db.execute("SELECT url, cluster_id FROM documents").fetchall())
    assert clusters["http://qu.example.gov.cn/1.shtml"] == clusters["http://zhen.example.gov.cn/t1.html"]
    assert clusters["http://dz.example.gov.cn/t2.html"] != clusters["http://zhen.example.gov.cn/t1.html"]
    (score, reason) = archive.db.execute("SELECT similarity, reason FROM near_duplicates").fetchone()
    assert score >= 0.9 and reason == "minhash"
    # one row per report; the copy on the issuer's own portal stands for the cluster
    reports = {row["url"]: row["copies"] for row in archive.db.query("SELECT url, copies FROM reports")}
    assert reports == {"http://zhen.example.gov.cn/t1.html": 2, "http://dz.example.gov.cn/t2.html": 1}


def test_threshold_is_a_setting(tmp_path) -> None:
    shortened = REPORT[: len(REPORT) * 3 // 4]  # a copy missing its last quarter
    hasher = MinHasher()
    score = similarity(hasher.signature(REPORT), hasher.signature(shortened))
    assert 0.6 < score < 0.9
    for threshold, expected in ((0.9, PageOutcome.NEW), (0.6, PageOutcome.CLUSTERED)):
        archive = Archive.open(tmp_path / f"{threshold}.db", NearDupSettings(threshold=threshold))
        try:
            archive.record_page(capture("a", "http://a.example.gov.cn/1.html", REPORT))
            assert archive.record_page(capture("b", "http://b.example.gov.cn/1.html", shortened)) == expected
        finally:
            archive.close()
    with pytest.raises(ValueError, match="threshold"):
        NearDupSettings(threshold=1.5)


def test_one_sentence_correction_is_a_version_not_a_new_report(archive: Archive) -> None:
    url = "http://zhen.example.gov.cn/202501/t20250116_1001.html"
    archive.record_page(capture("houshan", url, REPORT), seen_at="2025-01-16T08:00:00+00:00")
    corrected = REPORT.replace("全年全镇共受理矛盾纠纷153起", "全年全镇共受理矛盾纠纷135起")
    assert corrected != REPORT
    outcome = archive.record_page(capture("houshan", url, corrected), seen_at="2025-02-01T08:00:00+00:00")
    assert outcome == PageOutcome.CHANGED
    old, new = archive.db.execute("SELECT id, cluster_id, previous_id FROM documents ORDER BY id").fetchall()
    assert new[2] == old[0] and new[1] == old[1]
    assert archive.db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 1
    (current,) = archive.db.execute("SELECT id FROM reports").fetchone()
    assert current == new[0]  # the page's current text stands for the report
    assert [v["seen_at"] for v in archive.page_history(url)] == ["2025-01-16T08:00:00+00:00",
                                                                  "2025-02-01T08:00:00+00:00"]


def test_history_command_prints_the_diff(tmp_path) -> None:
    db = tmp_path / "a.db"
    archive = Archive.open(db)
    url = "http://zhen.example.gov.cn/t1.html"
    first = "第一段。\n全年受理矛盾纠纷153起，调解成功率98%，" + "持续推进基层治理。" * 20 + "\n旧的一段。"
    second = first.replace("153起", "135起").replace("\n旧的一段。", "\n新的一段。\n又一段。")
    archive.record_page(capture("houshan", url, first), seen_at="2025-01-16T08:00:00+00:00")
    archive.record_page(capture("houshan", url, second), seen_at="2025-02-01T08:00:00+00:00")
    archive.close()
    result = CliRunner().invoke(main, ["history", url, "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("version 1: seen 2025-01-16T08:00:00+00:00")
    assert lines[2] == "  ~ 全年受理矛盾纠纷1[-53-]{+35+}起，调解成功率98%，持续推进基层治理。…"  # the characters, not the paragraph
    assert lines[3:] == ["  ~ [-旧-]{+新+}的一段。", "  + 又一段。"]
    missing = CliRunner().invoke(main, ["history", "http://nowhere.example.gov.cn/", "--db", str(db)])
    assert missing.exit_code == 1 and "not an archived page" in missing.stderr


def test_changing_view_counter_makes_no_new_version(archive: Archive) -> None:
    page = golden_page("trs", "cq-houshan-2024")
    url = "http://zhen.example.gov.cn/202501/t20250116_1001.html"
    first = extract_page(page.replace(b"<div class=\"zwxl-bar\">", "<div class=\"zwxl-bar\"><span>浏览次数：101</span>"
                                      "<span>当前时间：2025-01-20 10:00:01</span>".encode() + b""), url)
    second = extract_page(page.replace(b"<div class=\"zwxl-bar\">", "<div class=\"zwxl-bar\"><span>浏览次数：102</span>"
                                       "<span>当前时间：2025-01-21 09:13:44</span>".encode()), url)
    archive.record_page(compose_document(PageCapture("houshan", first)))
    assert archive.record_page(compose_document(PageCapture("houshan", second))) == PageOutcome.UNCHANGED
    assert archive.db.execute("SELECT COUNT(*) FROM page_versions").fetchone()[0] == 1


def test_exact_repost_with_an_editor_line_is_the_same_document(archive: Archive) -> None:
    page = golden_page("trs", "cq-houshan-2024")
    repost = page.replace("</div>".encode(), "<p>（责任编辑：李明）</p></div>".encode(), 1)
    own = extract_page(page, "http://zhen.example.gov.cn/202501/t20250116_1001.html")
    other = extract_page(repost, "http://qu.example.gov.cn/202501/t20250116_77.html")
    assert archive.record_page(compose_document(PageCapture("houshan", own))) == PageOutcome.NEW
    assert archive.record_page(compose_document(PageCapture("district", other))) == PageOutcome.DUPLICATE


def test_same_index_number_and_publisher_is_the_same_document(archive: Archive) -> None:
    meta = {"index_no": "115001010086458821/2025-00001", "publisher": "万州区后山镇"}
    archive.record_page(capture("old-site", "http://old.example.gov.cn/a.html", REPORT, **meta))
    archive.record_page(capture("new-site", "http://new.example.gov.cn/b.html", OTHER, **meta))
    assert archive.db.execute("SELECT COUNT(DISTINCT cluster_id) FROM documents").fetchone()[0] == 1
    assert archive.db.execute("SELECT reason FROM near_duplicates").fetchone()[0] == "index_no"


def test_revisit_plan() -> None:
    now = dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc)
    fresh = KnownPage("u", "2025-02-20T00:00:00+00:00", '"abc"', "Thu, 16 Jan 2025 08:00:00 GMT", False)
    due = KnownPage("u", "2025-01-01T00:00:00+00:00", '"abc"', "Thu, 16 Jan 2025 08:00:00 GMT", False)
    assert revisit_plan(None, now, 30, False).fetch
    assert not revisit_plan(fresh, now, 30, False).fetch
    plan = revisit_plan(due, now, 30, False)
    assert plan.fetch and plan.headers == {"If-None-Match": '"abc"',
                                           "If-Modified-Since": "Thu, 16 Jan 2025 08:00:00 GMT"}
    assert revisit_plan(fresh, now, 30, True) == revisit_plan(None, now, 30, False)
    assert revisit_plan(fresh, now, 0, False).fetch
    gone = KnownPage("u", "2025-02-28T00:00:00+00:00", None, None, True)
    assert revisit_plan(gone, now, 30, False).fetch


def test_touch_gone_and_listing(archive: Archive) -> None:
    archive.record_page(capture("p", "http://p.example.gov.cn/1.html", REPORT))
    archive.record_page(capture("p", "http://p.example.gov.cn/2.html", OTHER))
    assert archive.mark_gone("http://p.example.gov.cn/1.html", 404)
    assert not archive.mark_gone("http://p.example.gov.cn/never.html", 404)
    assert archive.mark_listing("p", {"http://p.example.gov.cn/1.html"}) == 1  # 2.html left the column
    gone = dict(archive.db.execute("SELECT url, gone_at IS NOT NULL FROM pages").fetchall())
    assert gone == {"http://p.example.gov.cn/1.html": 1, "http://p.example.gov.cn/2.html": 1}
    assert archive.touch_page("http://p.example.gov.cn/1.html")
    assert archive.db.execute("SELECT gone_at FROM pages WHERE url LIKE '%/1.html'").fetchone()[0] is None
