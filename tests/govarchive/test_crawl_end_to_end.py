"""End to end: the CLI crawls the sample portals on 127.0.0.1 into a fresh archive."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest_twisted
from click.testing import CliRunner

from archive.store.archive import Archive
from govarchive.cli import main
from tests.support import FAST, SampleSite, crawl_in_process


def crawl(site: SampleSite, db: Path, *names: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["crawl", *names, "--config", str(site.config), "--db", str(db),
                                       "--json", *FAST])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else []


def test_crawl_archives_every_sample_portal_and_is_idempotent(sample_site: SampleSite, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    # the township's own column first: which copy of a report is "first seen" depends on order,
    # and the portals of one crawl run side by side in one process
    code, first = crawl(sample_site, db, "cq-wanzhou-sample")
    assert code == 0, first
    code, rest = crawl(sample_site, db)
    assert code == 0, rest
    runs = [*first, *(run for run in rest if run["portal"] != "cq-wanzhou-sample")]
    by_portal = {run["portal"]: run for run in runs}
    assert set(by_portal) == {"cq-wanzhou-sample", "ls-liangwa-sample", "sh-qingpu-sample",
                              "qh-putai-sample", "wz-district-sample"}
    assert all(run["status"] == "ok" for run in runs)
    # pagination: TRS createPageHTML, 下一页 anchor and registry selector each reached page 2
    assert by_portal["cq-wanzhou-sample"]["list_pages"] == 2
    assert by_portal["ls-liangwa-sample"]["list_pages"] == 2
    assert by_portal["qh-putai-sample"]["list_pages"] == 2
    assert sum(run["documents_new"] for run in runs) == 6
    # the district's attachment-only copy (.docx) is the township's text: merged; its HTML
    # repost (full-width marks, an editor's note, no date line) is a near-duplicate: clustered;
    # the PDF-only copy of 重固镇's report merges with its HTML page
    assert (by_portal["wz-district-sample"]["duplicates"], by_portal["wz-district-sample"]["clustered"]) == (1, 1)
    assert by_portal["sh-qingpu-sample"]["duplicates"] == 1
    failures = {unquote(url.rsplit("/", 1)[-1]): reason for run in runs for url, reason in run["failures"]}
    assert failures == {
        "t20250120_1003.html": "HTTP 404",
        "content_4000.html": "bytes are not valid utf-8 / gb18030; cannot decode the page",
        "梁洼镇法治政府建设工作台账.docx": "attachment: 工作台账.docx: unsupported or unrecognised file format",
        "missing-scan.pdf": "attachment: HTTP 404",
    }

    archive = Archive.open(db)
    try:
        docs = {row["title"]: row for row in archive.db.query("SELECT * FROM documents")}
        assert len(docs) == 6
        houshan = docs["重庆市万州区后山镇人民政府 关于2024年度法治政府建设情况的报告"]
        repost = docs["重庆市万州区后山镇人民政府关于2024年度法治政府建设情况的报告"]
        assert repost["cluster_id"] == houshan["cluster_id"] == houshan["id"]
        (similarity,) = archive.db.execute("SELECT similarity FROM near_duplicates WHERE document_id = ? "
                                           "AND other_id = ?", [repost["id"], houshan["id"]]).fetchone()
        assert similarity >= 0.9
        reports = list(archive.db.query("SELECT report_id, copies, url FROM reports ORDER BY report_id"))
        assert len(reports) == 5 and archive.stats()["reports"] == 5   # stats counts what the view lists
        assert reports[0] == {"report_id": houshan["id"], "copies": 2, "url": houshan["url"]}
        assert (houshan["index_no"], houshan["publisher"], houshan["published_date"], houshan["region_code"],
                houshan["report_year"]) == ("115001010086458821/2025-00001", "万州区后山镇", "2025-01-16",
                                            "500101", 2024)
        pages = list(archive.db.query("SELECT portal, page_text FROM pages WHERE document_id = ?",
                                      [houshan["id"]]))
        assert sorted(p["portal"] for p in pages) == ["cq-wanzhou-sample", "wz-district-sample"]
        assert sorted(str(p["page_text"]) for p in pages) == ["None", "详见附件。"]
        attachments = {row["filename"]: row for row in archive.db.query("SELECT * FROM attachments")}
        assert set(attachments) == {"后山镇2024年度法治政府建设情况报告.docx", "2024年重固镇法治政府建设报告.pdf",
                                    "工作台账.docx", "扫描件.pdf"}
        fetched = [attachments[name] for name in ("后山镇2024年度法治政府建设情况报告.docx",
                                                  "2024年重固镇法治政府建设报告.pdf")]
        assert all(row["error"] is None and row["bytes"] > 0 and len(row["sha256"]) == 64 for row in fetched)
        assert attachments["2024年重固镇法治政府建设报告.pdf"]["document_id"] == \
            docs["2024年重固镇法治政府建设报告"]["id"]
        gbk = docs["鲁山县梁洼镇人民政府关于2024年法治政府建设情况的报告"]
        assert "冯一烜律师" in gbk["text"]
        # the four failures, the 404 twice: both crawls of cq-wanzhou-sample tried that page
        assert archive.db.execute("SELECT COUNT(*) FROM crawl_errors").fetchone()[0] == 5
        # the page keeps its own text; its broken attachments are recorded with their errors
        broken = dict(archive.db.execute(
            "SELECT filename, error FROM attachments WHERE document_id = ?", [gbk["id"]]).fetchall())
        assert broken == {"工作台账.docx": "工作台账.docx: unsupported or unrecognised file format",
                          "扫描件.pdf": "HTTP 404"}
    finally:
        archive.close()
    # polite: robots.txt read and obeyed; nothing outside the allowed domains was tried
    assert "/robots.txt" in sample_site.requested
    assert not any("/private/" in path for path in sample_site.requested)
    assert not any("example.gov.cn" in str(run["failures"]) for run in runs)

    code, again = crawl(sample_site, db)
    assert code == 0
    assert sum(run["documents_new"] for run in again) == 0
    archive = Archive.open(db)
    try:
        assert archive.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 6
        assert archive.db.execute("SELECT COUNT(*) FROM crawl_runs WHERE status = 'ok'").fetchone()[0] == 11
    finally:
        archive.close()


@pytest_twisted.ensureDeferred
async def test_max_list_pages_caps_pagination(sample_site: SampleSite, tmp_path: Path) -> None:
    config = sample_site.config.read_text(encoding="utf-8").replace(
        'name = "cq-wanzhou-sample"', 'name = "cq-wanzhou-sample"\nmax_list_pages = 1')
    sample_site.config.write_text(config, encoding="utf-8")
    run = await crawl_in_process(sample_site.config, tmp_path / "a.db", "cq-wanzhou-sample")
    assert run.ok
    assert (run.counts.list_pages, run.counts.documents_new) == (1, 1)
    assert not any(path.endswith("index_1.html") for path in sample_site.requested)


def test_unreachable_portal_is_a_failed_run_with_exit_1(tmp_path: Path, sample_site: SampleSite) -> None:
    config = tmp_path / "gone.toml"
    config.write_text(f'[[portal]]\nname = "gone"\nstart_urls = ["{sample_site.base_url}/no-such-column/"]\n',
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["crawl", "--config", str(config), "--db", str(tmp_path / "a.db"), *FAST])
    assert result.exit_code == 1
    assert "gone: failed" in result.stderr
    assert "HTTP 404" in result.stderr


def test_bad_registry_exits_2_and_crawls_nothing(tmp_path: Path, sample_site: SampleSite) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(sample_site.config.read_text(encoding="utf-8") + '\n[[portal]]\nname = "x"\n'
                      f'start_urls = ["{sample_site.base_url}/"]\ndetail_url = "(unclosed"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["crawl", "--config", str(config), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2
    assert "portal 'x': key 'detail_url': bad regex" in result.stderr
    assert sample_site.requested == []
    assert not (tmp_path / "a.db").exists()
