"""Whole crawls in this process against the behaviour mock server: what a run archives and
records when pages answer with errors, delays, dropped connections and partial bodies."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_twisted
from scrapy import Request

from archive.store.archive import Archive
from tests.mockserver import mock_server
from tests.support import SITES, crawl_in_process


class MockSite:
    def __init__(self, root: Path, base_url: str, requested: list[str], tmp_path: Path) -> None:
        self.root, self.base_url, self.requested, self.tmp_path = root, base_url, requested, tmp_path

    def column(self, name: str, links: list[str], **keys: str) -> Path:
        """A one-page column at /<name>/ linking `links` (paths on the server); its registry."""
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        items = "".join(f'<li><a href="{link}">报告{n}</a></li>' for n, link in enumerate(links))
        (folder / "index.html").write_text(f"<html><body><ul>{items}</ul></body></html>", encoding="utf-8")
        extra = "".join(f"{key} = {value!r}\n" for key, value in keys.items())
        config = self.tmp_path / f"{name}.toml"
        config.write_text(f'[[portal]]\nname = "{name}"\nstart_urls = ["{self.base_url}/{name}/"]\n{extra}',
                          encoding="utf-8")
        return config


@pytest.fixture
def mock_site(tmp_path: Path) -> Iterator[MockSite]:
    root = tmp_path / "site"
    root.mkdir()
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    report = (SITES / "cq-wanzhou/zfxxgkml/fzzfjsndbg/202501/t20250116_1001.html").read_bytes()
    (root / "202501").mkdir()
    for number in range(1, 5):
        (root / "202501" / f"t20250116_{number}.html").write_bytes(report.replace(b"2024", str(number).encode()))
    requested: list[str] = []
    with mock_server(root, requested) as base_url:
        yield MockSite(root, base_url, requested, tmp_path)


def errors(db: Path) -> dict[str, tuple[str, str]]:
    archive = Archive.open_readonly(db)
    try:
        return {row[0].rsplit("/", 1)[-1]: (row[1], row[2])
                for row in archive.db.execute("SELECT url, kind, reason FROM crawl_errors")}
    finally:
        archive.close()


@pytest_twisted.ensureDeferred
async def test_sample_column_is_walked_to_its_end_in_process(tmp_path: Path) -> None:
    from govarchive.sample_server import render_registry

    with mock_server(SITES) as base_url:
        config = tmp_path / "portals.toml"
        config.write_text(render_registry(SITES, base_url), encoding="utf-8")
        result = await crawl_in_process(config, tmp_path / "a.db", "cq-wanzhou-sample")
    assert result.ok
    assert (result.counts.list_pages, result.counts.detail_pages, result.counts.documents_new) == (2, 2, 2)
    assert result.failures == ((f"{base_url}/cq-wanzhou/zfxxgkml/fzzfjsndbg/202501/t20250120_1003.html",
                                "HTTP 404"),)


@pytest_twisted.ensureDeferred
async def test_misbehaving_detail_pages_are_recorded_and_the_crawl_goes_on(mock_site: MockSite) -> None:
    config = mock_site.column("col", [
        "/202501/t20250116_1.html",
        "/status/500/202501/t20250116_2.html",
        "/drop/202501/t20250116_3.html",
        "/partial/202501/t20250116_1.html",
        "/delay/3000/202501/t20250116_4.html",
    ])
    db = mock_site.tmp_path / "a.db"
    result = await crawl_in_process(config, db, "col", RETRY_TIMES=1, DOWNLOAD_TIMEOUT=1)
    assert result.ok and result.counts.documents_new == 1
    recorded = errors(db)
    assert recorded["t20250116_2.html"] == ("detail page", "HTTP 500")
    assert recorded["t20250116_3.html"] == ("detail page", "connection closed before an answer")
    assert re.fullmatch(r"connection closed after [\d,]+ of [\d,]+ bytes", recorded["t20250116_1.html"][1])
    assert recorded["t20250116_4.html"] == ("detail page", "no answer within 1 s")
    assert result.counts.errors == len(recorded) == 4
    # one retry each for the 500, the dropped connection and the timeout
    assert mock_site.requested.count("/status/500/202501/t20250116_2.html") == 2


@pytest_twisted.ensureDeferred
async def test_a_failing_column_is_a_failed_run(mock_site: MockSite) -> None:
    config = mock_site.tmp_path / "gone.toml"
    config.write_text(f'[[portal]]\nname = "gone"\nstart_urls = ["{mock_site.base_url}/status/503/col/"]\n',
                      encoding="utf-8")
    result = await crawl_in_process(config, mock_site.tmp_path / "a.db", "gone", RETRY_TIMES=0)
    assert result.status == "failed"
    assert result.failures == ((f"{mock_site.base_url}/status/503/col/", "list page: HTTP 503"),)


@pytest_twisted.ensureDeferred
async def test_attachments_are_fetched_politely_and_failures_keep_their_kind(mock_site: MockSite) -> None:
    pointer = ('<html><head><title>2024年度法治政府建设情况报告</title></head><body><div class="TRS_Editor">'
               '<p>详见附件。</p><p><a href="/upload/report.docx">报告.docx</a></p>'
               '<p><a href="/private/secret.pdf">内部.pdf</a></p><p><a href="/status/404/x.pdf">扫描件.pdf</a></p>'
               '</div></body></html>')
    (mock_site.root / "202501" / "t20250116_9.html").write_text(pointer, encoding="utf-8")
    (mock_site.root / "upload").mkdir()
    from tests.fixtures.documents import docx_bytes
    (mock_site.root / "upload" / "report.docx").write_bytes(docx_bytes(["2024年，我镇坚持依法行政。"]))
    config = mock_site.column("col", ["/202501/t20250116_9.html"])
    db = mock_site.tmp_path / "a.db"
    result = await crawl_in_process(config, db, "col")
    assert result.ok and result.counts.documents_new == 1
    assert errors(db) == {"secret.pdf": ("attachment", "refused by robots.txt"),
                          "x.pdf": ("attachment", "HTTP 404")}
    assert not any(path.startswith("/private/") for path in mock_site.requested)
    archive = Archive.open_readonly(db)
    try:
        assert archive.db.execute("SELECT text FROM documents").fetchone()[0] == "2024年，我镇坚持依法行政。"
    finally:
        archive.close()


@pytest_twisted.ensureDeferred
async def test_a_pointer_page_is_pending_until_its_attachment_reads(mock_site: MockSite) -> None:
    from tests.fixtures.documents import docx_bytes

    for number in (1, 2):   # two reports whose pages read the same placeholder
        (mock_site.root / "202501" / f"t2025012{number}_{number}.html").write_text(
            f'<html><head><title>第{number}份报告</title></head><body><div class="TRS_Editor"><p>详见附件。</p>'
            f'<p><a href="/upload/report{number}.docx">附件：年度报告全文.docx</a></p></div></body></html>',
            encoding="utf-8")
    (mock_site.root / "upload").mkdir()
    (mock_site.root / "upload" / "report1.docx").write_bytes(docx_bytes(["第一份报告的全文，依法行政。"]))
    config = mock_site.column("col", ["/202501/t20250121_1.html", "/202501/t20250122_2.html"])
    db = mock_site.tmp_path / "a.db"
    first = await crawl_in_process(config, db, "col")
    assert first.counts.documents_new == 1
    recorded = errors(db)
    assert recorded["report2.docx"] == ("attachment", "HTTP 404")
    assert recorded["t20250122_2.html"][1].startswith("pending: the page only points to its attachments")
    # the attachment appears: the next crawl retries the page (whatever revisit_days) and stores it
    (mock_site.root / "upload" / "report2.docx").write_bytes(docx_bytes(["第二份报告的全文，规范执法。"]))
    second = await crawl_in_process(config, db, "col")
    assert (second.counts.documents_new, second.counts.skipped) == (1, 1)
    archive = Archive.open_readonly(db)
    try:
        texts = sorted(row[0] for row in archive.db.execute("SELECT text FROM documents"))
        assert texts == ["第一份报告的全文，依法行政。", "第二份报告的全文，规范执法。"]
        assert "详见附件。" not in texts
    finally:
        archive.close()


FAULTS = {  # listed link -> the reason recorded for it (None: archived)
    "/redirect/3/202501/t20250201_1.html": None,
    "/redirect/12/202501/t20250202_2.html": "more than 5 redirects",
    "/loop/a/202501/t20250203_3.html": "redirect loop (/loop/a/202501/t20250203_3.html -> "
                                       "/loop/b/202501/t20250203_3.html -> /loop/a/202501/t20250203_3.html",
    "/offsite/202501/t20250204_4.html": "redirect to another host offsite.example.gov.cn (not allowed)",
    "/meta-offsite/202501/t20250205_5.html": "redirect to another host offsite.example.gov.cn (not allowed)",
    "/big/300/202501/t20250206_6.html": "body larger than 200 KB",
    "/big-unsized/300/202501/t20250207_7.html": "body larger than 200 KB",
    "/gzip-bomb/64/202501/t20250208_8.html": "gzip body inflates past the limit (200 KB)",
    "/partial/202501/t20250209_9.html": "connection closed after",
    "/202501/t20250210_10.html": "bytes open with a UTF-16 byte-order mark but do not read as UTF-16 text",
    "/status/404/202501/t20250211_11.html": "HTTP 404",
    "/private/202501/t20250212_12.html": None,   # refused by robots.txt: skipped by policy
    "/202501/t20250116_2.html": None,
}


@pytest_twisted.ensureDeferred
async def test_every_listed_page_is_archived_skipped_or_recorded_with_a_reason(mock_site: MockSite) -> None:
    import random

    report = (mock_site.root / "202501" / "t20250116_1.html").read_bytes()
    for number in (1, 9):
        (mock_site.root / "202501" / f"t2025020{number}_{number}.html").write_bytes(
            report.replace(b"2024", f"20{number:02d}".encode()))
    (mock_site.root / "202501" / "t20250210_10.html").write_bytes(b"\xff\xfe" + random.Random(3).randbytes(6000))
    config = mock_site.column("col", list(FAULTS))
    db = mock_site.tmp_path / "a.db"
    run = await crawl_in_process(config, db, "col", DOWNLOAD_MAXSIZE=200 * 1024, RETRY_TIMES=0)
    archive = Archive.open_readonly(db)
    try:
        failures = {url.removeprefix(mock_site.base_url): reason for url, kind, reason in archive.db.execute(
            "SELECT url, kind, reason FROM crawl_errors WHERE kind = 'detail page'")}
        documents = archive.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    finally:
        archive.close()
    for link, reason in FAULTS.items():
        if reason is None:
            assert link not in failures, (link, failures.get(link))
        else:
            assert failures[link].startswith(reason), (link, failures[link])
    counts = run.counts
    assert documents == 2 and counts.refused == 1
    assert counts.listed == len(FAULTS) == (counts.documents_new + counts.duplicates + counts.unchanged
                                            + counts.not_modified + counts.skipped + counts.refused
                                            + counts.withdrawn + len(failures))
    assert not any("offsite.example.gov.cn" in line for line in mock_site.requested)


@pytest_twisted.ensureDeferred
async def test_a_page_write_that_meets_a_locked_archive_fails_the_run_and_is_retried_next_time(
        mock_site: MockSite) -> None:
    from scrapy import signals

    config = mock_site.column("locked", ["/202501/t20250116_1.html", "/202501/t20250116_2.html"])
    db = mock_site.tmp_path / "a.db"
    Archive.open(db).close()
    holder = sqlite3.connect(db, isolation_level=None)  # another process's long write transaction

    def hold_the_lock_once_the_run_started(response: object, request: Request, spider: object) -> None:
        if request.meta.get("kind") == "list page" and not holder.in_transaction:
            holder.execute("BEGIN IMMEDIATE")

    def release_the_lock(spider: object) -> None:   # every page has been tried by now
        if holder.in_transaction:
            holder.execute("ROLLBACK")

    try:
        run = await crawl_in_process(config, db, "locked", GOVARCHIVE_WRITE_WAIT=0.3,
                                     on={signals.response_received: hold_the_lock_once_the_run_started,
                                         signals.spider_idle: release_the_lock})
    finally:
        holder.close()
    assert run.status == "failed" and run.counts.documents_new == 0 and run.counts.errors == 2
    reasons = {url.rsplit("/", 1)[-1]: reason for url, reason in run.failures}
    assert reasons == dict.fromkeys(["t20250116_1.html", "t20250116_2.html"],
                                    "archive write failed: the archive is locked by another "
                                    "process (gave up after waiting 0.3 s)")
    again = await crawl_in_process(config, db, "locked")
    assert again.status == "ok" and again.counts.documents_new == 2   # nothing lost: the pages come next time
