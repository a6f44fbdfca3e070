"""Many portals in one crawl process: one run row each, a failing one does not stop the others,
and portals on one host share its politeness — their requests to it never overlap."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.store.archive import Archive
from govarchive.cli import main
from govarchive.sample_server import SampleRequestHandler, render_registry, serve_directory
from tests.support import SITES

SERVICE_SECONDS = 0.05   # each answer takes this long, so overlapping requests would show


class TimedHandler(SampleRequestHandler):
    """Records when each request was being answered: (path, start, end)."""

    timeline: list[tuple[str, float, float]] = []
    lock = threading.Lock()

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        started = time.monotonic()   # the request has been read: from here it is being answered
        time.sleep(SERVICE_SECONDS)
        super().do_GET()
        with self.lock:
            self.timeline.append((self.path, started, time.monotonic()))


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Path]:
    TimedHandler.timeline = []
    with serve_directory(SITES, handler_class=TimedHandler) as base_url:
        text = render_registry(SITES, base_url) + (f'\n[[portal]]\nname = "gone"\n'
                                                   f'start_urls = ["{base_url}/no-such-column/"]\n')
        config = tmp_path / "portals.toml"
        config.write_text(text, encoding="utf-8")
        yield config


def overlaps(timeline: list[tuple[str, float, float]]) -> int:
    spans = sorted((start, end) for _, start, end in timeline)
    return sum(later_start < end for (_, end), (later_start, _) in zip(spans, spans[1:], strict=False))


@pytest.mark.parametrize("per_host, overlapping", [(1, False), (4, True)])
def test_portals_on_one_host_share_its_politeness(registry: Path, tmp_path: Path, per_host: int,
                                                  overlapping: bool) -> None:
    result = CliRunner().invoke(main, ["crawl", "cq-wanzhou-sample", "qh-putai-sample", "gone",
                                       "--config", str(registry), "--db", str(tmp_path / "a.db"), "--json",
                                       # a delay above 0: at 0, Scrapy 2.19 hands a slot's whole queue
                                       # to the downloader at once, whatever its concurrency
                                       "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0.02",
                                       "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={per_host}"])
    runs = {run["portal"]: run for run in json.loads(result.stdout)}
    assert result.exit_code == 1   # one portal failed; the others were crawled all the same
    assert {name: run["status"] for name, run in runs.items()} == {
        "cq-wanzhou-sample": "ok", "qh-putai-sample": "ok", "gone": "failed"}
    assert runs["cq-wanzhou-sample"]["documents_new"] == 2 and runs["qh-putai-sample"]["documents_new"] == 1
    assert runs["gone"]["failures"] == [[runs["gone"]["failures"][0][0], "list page: HTTP 404"]]
    assert len({run["run_id"] for run in runs.values()}) == 3
    served = TimedHandler.timeline
    assert any("/cq-wanzhou/" in path for path, _, _ in served) and any("/qh-putai/" in path for path, _, _ in served)
    assert (overlaps(served) > 0) == overlapping, sorted(served, key=lambda row: row[1])
    archive = Archive.open_readonly(tmp_path / "a.db")
    try:
        rows = archive.db.execute("SELECT portal, pid, token FROM crawl_runs ORDER BY portal").fetchall()
    finally:
        archive.close()
    assert len({(pid, token) for _, pid, token in rows}) == 1   # one process, one token, three runs


def test_a_portal_past_its_time_ends_timeout_and_every_page_it_dropped_is_recorded(registry: Path,
                                                                                 tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["crawl", "cq-wanzhou-sample", "gone", "--config", str(registry),
                                       "--db", str(tmp_path / "a.db"), "--json", "-s", "AUTOTHROTTLE_ENABLED=False",
                                       "-s", "DOWNLOAD_DELAY=0.4", "-s", "GOVARCHIVE_PORTAL_TIMEOUT=1"])
    runs = {run["portal"]: run for run in json.loads(result.stdout)}
    assert result.exit_code == 1 and runs["gone"]["status"] == "failed"
    slow = runs["cq-wanzhou-sample"]
    assert slow["status"] == "timeout"
    dropped = [url for url, reason in slow["failures"] if reason.endswith("not fetched: the portal's crawl timed out "
                                                                         "after 1 s")]
    assert dropped   # recorded page by page, not lost
    detail_failures = sum(not reason.startswith(("list page", "attachment")) for _, reason in slow["failures"])
    assert slow["listed"] == slow["documents_new"] + slow["duplicates"] + slow["unchanged"] + slow["not_modified"] \
        + slow["skipped"] + slow["refused"] + slow["withdrawn"] + detail_failures
