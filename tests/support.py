"""Helpers the tests share: fixture paths, records without HTML, Scrapy settings, sample sites."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from archive.extract.capture import PageCapture
from archive.extract.document import PageDocument, compose_document
from archive.extract.metadata import DisclosureMetadata
from archive.extract.page import Extracted
from archive.families.registry import DETAIL_URL_PATTERNS
from archive.errors import ArchiveError
from archive.store.archive import Archive
from crawler.process import CrawlResult, crawl_result
from govarchive.demo import SAMPLE_SITES

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"
SITES = SAMPLE_SITES                      # the sample portals shipped with the package
PAGES = TESTS / "archive" / "families"    # golden pages: <family>/<case>/{input.html, expected.json}
SHARED = ROOT.parent / "shared"
NETGUARD = TESTS / "netguard"
def golden_input(case: Path) -> Path:
    """A golden case's page: its input.html, or the sample page its served.txt names (a page
    the sample portals serve is kept once, in govarchive/samples)."""
    served = case / "served.txt"
    return SITES / served.read_text(encoding="utf-8").strip() if served.exists() else case / "input.html"


def golden_page(family: str, case: str) -> bytes:
    return golden_input(PAGES / family / case).read_bytes()


GOLDEN_INPUTS = sorted(golden_input(expected.parent) for expected in PAGES.glob("*/*/expected.json"))
# Scrapy settings for crawling the loopback server quickly.
FAST = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0")
# The sample page planted to fail decoding (its bytes are neither UTF-8 nor GB18030).
UNDECODABLE_SAMPLE = "qh-putai/xxgk/content_4000.html"


def sample_detail_pages() -> list[str]:
    """Paths of the sample portals' detail pages: files whose URL has a family's detail shape."""
    patterns = [re.compile(p) for p in DETAIL_URL_PATTERNS]
    paths = [p.relative_to(SITES).as_posix() for p in SITES.rglob("*") if p.is_file()]
    return sorted(p for p in paths if any(pattern.search("/" + p) for pattern in patterns))


def make_capture(portal: str, url: str, text: str, title: str = "关于2024年度法治政府建设情况的报告",
                 **metadata: str) -> PageDocument:
    """A page as the crawler would hand it to the archive, without HTML."""
    record = Extracted(url=url, title=title, text=text, metadata=DisclosureMetadata(**metadata),
                       region_code=None, report_year=2024, extraction_method="trs", encoding="utf-8",
                       raw_metadata={"索引号": metadata.get("index_no")})
    return compose_document(PageCapture(portal, record))


def project_settings(**overrides: object) -> dict:
    """crawler/settings.py as a dict (what `scrapy crawl` reads), with `overrides`."""
    from crawler import settings

    values = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
    return {**values, **overrides}


class SampleSite:
    """The sample portals served on 127.0.0.1 with their rendered registry."""

    def __init__(self, base_url: str, config: Path, requested: list[str], root: Path = SITES) -> None:
        self.base_url = base_url
        self.config = config
        self.requested = requested
        self.root = root

    def set_revisit_days(self, days: int) -> None:
        """Give every sample portal the same revisit policy."""
        text = self.config.read_text(encoding="utf-8")
        self.config.write_text(text.replace("[[portal]]\n", f"[[portal]]\nrevisit_days = {days}\n"),
                               encoding="utf-8")


async def crawl_in_process(config: Path, db: Path, portal: str, on: dict | None = None,
                           **settings: object) -> CrawlResult:
    """One portal's crawl in this process (on the test session's asyncio reactor), read back
    from the run it recorded: what `govarchive crawl` reports, without a subprocess.
    `on` connects handlers to the crawler's signals ({signal: handler})."""
    from scrapy.crawler import CrawlerRunner

    from crawler.spiders.portal import PortalSpider

    archive = Archive.open(db)
    before = archive.last_run_id()
    archive.close()
    runner = CrawlerRunner(project_settings(GOVARCHIVE_DB=str(db), AUTOTHROTTLE_ENABLED=False, DOWNLOAD_DELAY=0,
                                            LOG_LEVEL="WARNING", **settings))
    started = time.monotonic()
    crawler = runner.create_crawler(PortalSpider)
    for signal, handler in (on or {}).items():
        crawler.signals.connect(handler, signal=signal)
    await runner.crawl(crawler, portal=portal, config=str(config))
    archive = Archive.open_readonly(db)
    try:
        (run,) = [run for run in archive.runs_after(before) if run["portal"] == portal]
        return crawl_result(archive, run, round(time.monotonic() - started, 2))
    finally:
        archive.close()


async def crawl_all(config: Path, db: Path, **settings: object) -> list[dict]:
    """Every portal of a registry crawled in turn, as `govarchive crawl --json` prints them."""
    from crawler.registry import load_registry

    return [(await crawl_in_process(config, db, portal.name, **settings)).as_dict()
            for portal in load_registry(config)]


def slow_crawl(config: Path, db: Path, portal: str = "cq-wanzhou-sample", delay: float = 1.5) -> subprocess.Popen:
    """`govarchive crawl` of a sample portal as its own process, paced so a test can act while it
    runs; counts are written after every page."""
    command = [sys.executable, "-m", "govarchive", "crawl", portal, "--config", str(config), "--db", str(db),
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", f"DOWNLOAD_DELAY={delay}", "-s", "GOVARCHIVE_COUNTS_EVERY=1"]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def running_child(db: Path, progress: str, timeout: float = 60) -> int:
    """The pid of the crawl process whose `running` row in `db` meets `progress` (SQL on
    crawl_runs, e.g. `documents_new >= 1`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if db.exists():
            try:
                archive = Archive.open_readonly(db)
            except ArchiveError:   # still being created by the crawl
                continue
            try:
                row = archive.db.execute(f"SELECT pid FROM crawl_runs WHERE status = 'running' AND {progress}").fetchone()
            finally:
                archive.close()
            if row:
                return row[0]
    raise AssertionError(f"no running crawl with {progress} in {timeout:g} s")
