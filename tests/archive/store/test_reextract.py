"""Raw capture and re-extraction: rules change, the archive follows, nothing is fetched."""

from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path

import pytest
import pytest_twisted
from click.testing import CliRunner

import archive.extract.page as page_module
from archive.extract.capture import PageCapture, RawFetch
from archive.extract.document import compose_document
from archive.extract.page import extract_page
from archive.store.archive import Archive
from govarchive.cli import main
from tests.support import PAGES, UNDECODABLE_SAMPLE, golden_input, SampleSite, crawl_all, sample_detail_pages


def count(archive: Archive, sql: str) -> int:
    return archive.db.execute(sql).fetchone()[0]


@pytest_twisted.ensureDeferred
async def test_rule_change_reaches_the_archive_without_a_request(
        sample_site: SampleSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "archive.db"
    runs = await crawl_all(sample_site.config, db)
    assert all(run["status"] == "ok" for run in runs), runs
    archive = Archive.open(db)
    raw_bodies = count(archive, "SELECT COUNT(*) FROM raw_bodies")
    assert raw_bodies == count(archive, "SELECT COUNT(DISTINCT body_sha256) FROM fetches")
    assert count(archive, "SELECT SUM(length(compressed)) FROM raw_bodies") < \
        count(archive, "SELECT SUM(size) FROM raw_bodies")
    # compressed in the extraction worker, each body comes back as it was fetched
    for digest, size, compressed in archive.db.execute("SELECT sha256, size, compressed FROM raw_bodies"):
        body = zlib.decompress(compressed)
        assert (hashlib.sha256(body).hexdigest(), len(body)) == (digest, size)
    archive.close()

    # crawling again stores no body twice
    await crawl_all(sample_site.config, db)
    archive = Archive.open(db)
    assert count(archive, "SELECT COUNT(*) FROM raw_bodies") == raw_bodies
    archive.close()
    requests_before = len(sample_site.requested)

    unchanged = CliRunner().invoke(main, ["reextract", "--db", str(db), "--json"])
    assert unchanged.exit_code == 0, unchanged.output
    report = json.loads(unchanged.stdout)
    archived = [path for path in sample_detail_pages() if path != UNDECODABLE_SAMPLE]
    assert (report["pages"], report["changed"], report["failed"]) == (len(archived), 0, [])

    # a new rule: signature lines (the issuer's name closing the report) are no longer body text
    original = page_module.clean_body

    def without_signature(lines: list[str]) -> str:
        body = original(lines).split("\n")
        return "\n".join(body[:-2] if body[-2:-1] == ["重庆市万州区后山镇人民政府"] else body)

    monkeypatch.setattr(page_module, "clean_body", without_signature)
    changed = CliRunner().invoke(main, ["reextract", "--db", str(db), "--portal", "cq-wanzhou-sample"])
    assert changed.exit_code == 0, changed.output
    assert "pages: 2 · documents changed: 1 · unchanged: 1 · failed: 0" in changed.stdout
    assert len(sample_site.requested) == requests_before  # no request went out

    archive = Archive.open(db)
    try:
        text = archive.db.execute("""SELECT d.text FROM documents d JOIN pages p ON p.document_id = d.id
                                     WHERE p.url LIKE '%/t20250116_1001.html'""").fetchone()[0]
        assert text.endswith("有序发展。")
        # the district's attachment-only copy was not re-extracted (other portal): it keeps the
        # old text, now a document of its own, in the same report cluster; the full-text index
        # follows both
        hits = archive.search("2025112").hits
        assert [hit.portal for hit in hits] == ["wz-district-sample"]
        assert count(archive, "SELECT COUNT(*) FROM documents") == 7
        assert count(archive, """SELECT COUNT(*) FROM pages p JOIN documents d ON d.id = p.document_id
                                 WHERE d.text LIKE '%2025112'""") == 1
        assert count(archive, "SELECT COUNT(*) FROM reports") == 5
    finally:
        archive.close()


def capture_of(case: str, url: str, portal: str = "p", text_rule=None) -> PageCapture:
    body = golden_input(next(PAGES.glob(f"*/{case}"))).read_bytes()
    record = extract_page(body, url)
    raw = RawFetch(url, 200, (("Content-Type", "text/html"),), body, "2025-01-01T00:00:00+00:00", record.encoding)
    return PageCapture(portal, record, raw)


def test_replace_page_record_joins_the_document_that_has_the_new_text(archive: Archive) -> None:
    township = capture_of("cq-houshan-2024", "http://a.example.gov.cn/t1.html")
    archive.record_page(compose_document(township))
    other = capture_of("cq-yongxi-2024-gbk", "http://b.example.gov.cn/t2.html")
    archive.record_page(compose_document(other))
    # b's page turns out (with a better rule) to hold a's text: it joins a's document
    corrected = compose_document(PageCapture("p", township.record.__class__(**{
        **township.record.__dict__, "url": "http://b.example.gov.cn/t2.html"})))
    assert archive.replace_page_record(corrected) is True
    assert count(archive, "SELECT COUNT(*) FROM documents") == 1
    assert count(archive, "SELECT COUNT(DISTINCT document_id) FROM pages") == 1
    assert archive.replace_page_record(corrected) is False
