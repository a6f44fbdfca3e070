"""CrawlBatcher: portals due together are crawled together; none runs twice; hosts are shared politely."""

from __future__ import annotations

import threading
import time

from crawler.registry import parse_registry
from scheduler.batcher import CrawlBatcher

PORTALS = {portal.name: portal for portal in parse_registry("""
[[portal]]
name = "a"
start_urls = ["http://a.example.gov.cn/col/"]

[[portal]]
name = "b"
start_urls = ["http://b.example.gov.cn/col/"]

[[portal]]
name = "a2"
start_urls = ["http://a.example.gov.cn/other/"]
""")}


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = threading.Event()
        self.started = threading.Event()

    def crawl(self, portals: list) -> None:
        self.batches.append([portal.name for portal in portals])
        self.started.set()
        self.release.wait(5)


def wait_for(condition, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert condition()


def test_portals_due_together_are_one_batch_and_none_runs_twice() -> None:
    recorder = Recorder()
    batcher = CrawlBatcher(recorder.crawl, workers=2, gather=0.2)
    try:
        assert batcher.submit(PORTALS["a"]) and batcher.submit(PORTALS["b"])
        assert not batcher.submit(PORTALS["a"])   # already waiting: this slot is skipped
        assert recorder.started.wait(5)
        assert recorder.batches == [["a", "b"]]
        assert not batcher.submit(PORTALS["b"])   # being crawled
        assert batcher.submit(PORTALS["a2"])      # its host is being crawled: it waits
        time.sleep(0.5)
        assert recorder.batches == [["a", "b"]]
        recorder.release.set()
        wait_for(lambda: recorder.batches == [["a", "b"], ["a2"]])
    finally:
        recorder.release.set()
        batcher.shutdown()
    assert not batcher.submit(PORTALS["b"])   # shut down: nothing new starts
