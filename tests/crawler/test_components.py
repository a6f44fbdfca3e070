"""Scrapy components in memory: the spider's callbacks, the pipeline and the run recorder."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_twisted
from scrapy.http import HtmlResponse, Request
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from archive.extract.capture import PageCapture
from archive.store.archive import Archive
from archive.store.runs import FailureKind
from crawler.extensions import ArchiveSession, run_recorder, run_status
from crawler.items import FetchedDetail, PageFailure
from crawler.pipelines import ArchivePipeline, ExtractPipeline
from crawler.spiders.portal import PortalSpider
from tests.support import SITES, golden_page, project_settings

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def spider(tmp_path: Path) -> PortalSpider:
    config = tmp_path / "portals.toml"
    config.write_text(f'[[portal]]\nname = "cq"\nstart_urls = ["{BASE}/cq-wanzhou/zfxxgkml/fzzfjsndbg/"]\n'
                      f'max_list_pages = 2\n', encoding="utf-8")
    crawler = get_crawler(PortalSpider, project_settings(GOVARCHIVE_DB=str(tmp_path / "a.db")))
    return PortalSpider.from_crawler(crawler, portal="cq", config=str(config))


def response(relative: str, body: bytes | None = None) -> HtmlResponse:
    url = f"{BASE}/{relative}"
    return HtmlResponse(url=url, body=body if body is not None else (SITES / relative).read_bytes(),
                        request=Request(url, meta={"portal": "cq"}))


def test_list_callback_yields_in_domain_documents_and_next_page(spider: PortalSpider) -> None:
    requests = list(spider.parse_list(response("cq-wanzhou/zfxxgkml/fzzfjsndbg/index.html"), depth=1))
    urls = [r.url for r in requests]
    assert f"{BASE}/cq-wanzhou/zfxxgkml/fzzfjsndbg/202501/t20250116_1001.html" in urls
    assert f"{BASE}/cq-wanzhou/zfxxgkml/fzzfjsndbg/index_1.html" in urls
    assert not any("example.gov.cn" in url for url in urls)
    at_cap = list(spider.parse_list(response("cq-wanzhou/zfxxgkml/fzzfjsndbg/index.html"), depth=2))
    assert not any(url.url.endswith("index_1.html") for url in at_cap)


async def extracted(item: object, workers: int = 0) -> object:
    """What ExtractPipeline makes of a spider's item (in `workers` worker processes), run as
    Scrapy runs a pipeline's coroutine (an asyncio task on the asyncio reactor)."""
    return await deferred_from_coro(ExtractPipeline(workers).process_item(item))


@pytest.mark.parametrize("workers", [0, 1])
@pytest_twisted.ensureDeferred
async def test_detail_pages_are_read_into_a_record_or_a_failure(spider: PortalSpider, workers: int) -> None:
    page = golden_page("trs", "cq-houshan-2024")
    (fetched,) = spider.parse_detail(response("cq-wanzhou/a/202501/t20250116_1001.html", page))
    assert isinstance(fetched, FetchedDetail)   # the spider only navigates
    item = await extracted(fetched, workers)
    assert isinstance(item, PageCapture) and item.record.metadata.publisher == "万州区后山镇"
    assert item.raw is not None and item.raw.body == page and item.raw.status == 200
    assert item.raw.encoding == item.record.encoding == "utf-8"
    (empty,) = spider.parse_detail(response("cq-wanzhou/a/202501/t20250116_1002.html", b"<html><body></body></html>"))
    bad = await extracted(empty, workers)   # the worker's ExtractionError comes back whole
    assert isinstance(bad, PageFailure) and bad.reason.startswith("no body text found")


@pytest_twisted.ensureDeferred
async def test_pipeline_and_recorder_write_runs_documents_and_errors(spider: PortalSpider, tmp_path: Path) -> None:
    crawler = spider.crawler
    crawler.spider = spider
    recorder = run_recorder(crawler)  # the crawler's own, which the pipeline reports to
    pipeline = ArchivePipeline.from_crawler(crawler)
    recorder.spider_opened(spider)
    page = golden_page("trs", "cq-houshan-2024")
    for item in spider.parse_detail(response("cq-wanzhou/a/202501/t20250116_1001.html", page)):
        pipeline.process_item(await extracted(item))
    pipeline.process_item(PageFailure("cq", f"{BASE}/gone.html", FailureKind.DETAIL, "HTTP 404"))
    try:
        raise ValueError("unexpected markup")
    except ValueError:
        recorder.spider_error(Failure(), response("cq-wanzhou/zfxxgkml/fzzfjsndbg/index.html"), spider)
    spider.crawl_of("cq").count("list_pages")
    recorder.spider_closed(spider, "finished")
    crawler.get_extension(ArchiveSession).engine_stopped()

    archive = Archive.open(tmp_path / "a.db")
    try:
        (run,) = archive.runs_after(0)
        assert (run["status"], run["documents_new"], run["errors"]) == ("ok", 1, 2)
        reasons = [e["reason"] for e in archive.run_errors(run["id"])]
        assert reasons == ["HTTP 404", "parser crashed: ValueError: unexpected markup"]
    finally:
        archive.close()


@pytest.mark.parametrize("reason, list_pages, status", [
    ("finished", 3, "ok"), ("finished", 0, "failed"), ("shutdown", 3, "interrupted"),
    ("closespider_timeout", 1, "failed"),
])
def test_run_status(reason: str, list_pages: int, status: str) -> None:
    assert run_status(reason, list_pages) == status


def test_a_soft_404_or_a_challenge_detail_page_is_a_failure_not_a_document(spider: PortalSpider) -> None:
    soft = "<html><body><div class='TRS_Editor'>您访问的页面不存在</div></body></html>".encode()
    (item,) = spider.parse_detail(response("cq-wanzhou/a/202501/t20250116_1003.html", soft))
    assert isinstance(item, PageFailure) and item.reason.startswith("missing: soft 404 (HTTP 200")
    challenge = b"<html><script>document.cookie='a=1';location.reload()</script></html>"
    (item,) = spider.parse_detail(response("cq-wanzhou/a/202501/t20250116_1004.html", challenge))
    assert isinstance(item, PageFailure) and item.reason == "blocked: script-only challenge page (HTTP 200)"
    assert spider.crawl_of("cq").walk.blocked
