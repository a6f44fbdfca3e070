"""Recrawls: nothing archived is downloaded again until due; revisits are conditional;
withdrawn pages are marked, never deleted."""

from __future__ import annotations

from pathlib import Path

import pytest_twisted
from click.testing import CliRunner

from archive.store.archive import Archive
from govarchive.cli import main
from tests.support import UNDECODABLE_SAMPLE, SampleSite, crawl_all, sample_detail_pages

# the sample detail pages that archive (all but the one planted to fail decoding)
ARCHIVED = [path for path in sample_detail_pages() if path != UNDECODABLE_SAMPLE]


async def crawl(site: SampleSite, db: Path, **settings: object) -> list[dict]:
    runs = await crawl_all(site.config, db, **settings)
    assert all(run["status"] == "ok" for run in runs), runs
    return runs


def detail_requests(paths: list[str]) -> list[str]:
    return [p for p in paths if p.split(" ")[0].lstrip("/") in ARCHIVED]


@pytest_twisted.ensureDeferred
async def test_second_crawl_of_an_unchanged_site_downloads_no_detail_page(sample_site: SampleSite,
                                                                          tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    first = await crawl(sample_site, db)
    first_paths = list(sample_site.requested)
    second = await crawl(sample_site, db)
    second_paths = sample_site.requested[len(first_paths):]
    assert len(detail_requests(first_paths)) == len(ARCHIVED)
    assert detail_requests(second_paths) == []
    # only the page that failed to decode last time is tried again
    assert sum(run["detail_pages"] for run in second) == 1
    assert sum(run["skipped"] for run in second) == len(ARCHIVED)
    assert sum(run["documents_new"] for run in second) == 0
    second_bytes = sum(run["response_bytes"] for run in second)
    first_bytes = sum(run["response_bytes"] for run in first)
    assert second_bytes < first_bytes * 0.25  # list pages, robots.txt and 404s only


@pytest_twisted.ensureDeferred
async def test_due_pages_are_revisited_conditionally_and_304_only_touches(sample_site: SampleSite,
                                                                          tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    await crawl(sample_site, db)
    archive = Archive.open(db)
    before = dict(archive.db.execute("SELECT url, last_seen FROM pages").fetchall())
    documents = archive.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    archive.close()
    sample_site.set_revisit_days(0)  # everything is due at once
    start = len(sample_site.requested)
    runs = await crawl(sample_site, db)
    revisits = detail_requests(sample_site.requested[start:])
    assert len(revisits) == len(ARCHIVED) and all(path.endswith("[conditional]") for path in revisits)
    assert sum(run["not_modified"] for run in runs) == len(ARCHIVED)
    assert sum(run["detail_pages"] for run in runs) == 1  # the undecodable page, never archived
    archive = Archive.open(db)
    try:
        after = dict(archive.db.execute("SELECT url, last_seen FROM pages").fetchall())
        assert after.keys() == before.keys() and all(after[url] >= before[url] for url in after)
        assert archive.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == documents
        assert archive.db.execute("SELECT COUNT(*) FROM page_versions").fetchone()[0] == len(ARCHIVED)
    finally:
        archive.close()
    # --refresh downloads in full, unconditionally
    start = len(sample_site.requested)
    await crawl(sample_site, db, GOVARCHIVE_REFRESH=True)
    refreshed = detail_requests(sample_site.requested[start:])
    assert len(refreshed) == len(ARCHIVED) and not any(path.endswith("[conditional]") for path in refreshed)


@pytest_twisted.ensureDeferred
async def test_withdrawn_pages_are_marked_not_deleted(editable_site: SampleSite, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    await crawl(editable_site, db)
    # one report is deleted (404), another disappears from its column
    (editable_site.root / "qh-putai/xxgk/content_3799.html").unlink()
    column = editable_site.root / "cq-wanzhou/zfxxgkml/fzzfjsndbg/index_1.html"
    text = column.read_text(encoding="utf-8")
    column.write_text(text.replace('<li><a href="./202502/t20250210_1002.html"', '<li><a href="#"'),
                      encoding="utf-8")
    runs = {run["portal"]: run for run in await crawl(editable_site, db, GOVARCHIVE_REFRESH=True)}
    assert runs["qh-putai-sample"]["withdrawn"] == 1
    assert runs["cq-wanzhou-sample"]["withdrawn"] == 1
    archive = Archive.open(db)
    try:
        gone = {row[0].rsplit("/", 1)[-1] for row in archive.db.execute(
            "SELECT url FROM pages WHERE gone_at IS NOT NULL")}
        assert gone == {"content_3799.html", "t20250210_1002.html"}
        assert archive.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 6  # nothing deleted
        assert archive.stats()["withdrawn_documents"] == 2
    finally:
        archive.close()
    stats = CliRunner().invoke(main, ["stats", "--db", str(db)])
    assert "withdrawn: 2 documents (2 pages)" in stats.stdout
