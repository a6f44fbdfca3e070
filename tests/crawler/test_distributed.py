"""Crawling through Redis (scrapy-redis) with a real redis-server on 127.0.0.1: two workers and
one ingest over the sample portals, on two hosts, make the archive one local crawl makes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from archive.store.archive import Archive
from crawler.distributed import shard_of_host
from govarchive.sample_server import serve_directory, serve_redis
from tests.support import SITES

FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0"]
pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server is not installed (make test installs Debian's redis-server)")


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with serve_redis(tmp_path) as url:
        yield url


@pytest.fixture
def two_hosts(tmp_path: Path) -> Iterator[Path]:
    """The sample portals, alternately on 127.0.0.1 and a loopback address of the other shard."""
    other = next(f"127.0.0.{n}" for n in range(2, 50) if shard_of_host(f"127.0.0.{n}", 2) != shard_of_host("127.0.0.1", 2))
    with serve_directory(SITES) as first, serve_directory(SITES, host=other) as second:
        head, *blocks = (SITES / "portals.toml").read_text(encoding="utf-8").split("[[portal]]")
        text = head + "".join("[[portal]]" + block.replace("{base}", (first, second)[n % 2])
                              for n, block in enumerate(blocks))
        config = tmp_path / "portals.toml"
        config.write_text(text, encoding="utf-8")
        yield config


def govarchive(*args: str) -> list[str]:
    return [sys.executable, "-m", "govarchive", *args]


def archive_contents(db: Path) -> dict:
    """What an analyst sees, without ids and times."""
    archive = Archive.open_readonly(db)
    try:
        query = archive.db.execute
        return {
            "documents": sorted(query("SELECT url, portal, title, text_hash, publisher, published_date FROM documents")),
            # which copy of a report was stored first names its cluster: compare the members
            "clusters": sorted(sorted(row[0].split("\n")) for row in query(
                "SELECT group_concat(url, char(10)) FROM documents GROUP BY cluster_id")),
            "pages": sorted(query("SELECT p.url, p.portal, d.url, p.http_status, p.page_text "
                                  "FROM pages p LEFT JOIN documents d ON d.id = p.document_id")),
            "attachments": sorted(query("SELECT page_url, filename, sha256, error FROM attachments")),
            "errors": sorted(query("SELECT portal, url, kind, reason FROM crawl_errors")),
            "runs": sorted(query("SELECT portal, status, walk, family, list_pages, listed, detail_pages, "
                                 "errors, unchanged, skipped, not_modified, withdrawn, requests FROM crawl_runs")),
            # which of two portals holding one text stored it first (new) and second (duplicate,
            # clustered) depends on timing, in one process as in two: compare the sums
            "outcomes": query("SELECT SUM(documents_new), SUM(duplicates), SUM(clustered) FROM crawl_runs").fetchone(),
            "search": [hit.url for hit in archive.search("法治政府", limit=50).hits],
        }
    finally:
        archive.close()


@pytest.fixture
def one_crawl(tmp_path: Path, two_hosts: Path) -> dict:
    """What one local crawl of the two hosts' portals archives."""
    local = tmp_path / "local.db"
    subprocess.run(govarchive("crawl", "--config", str(two_hosts), "--db", str(local), *FAST),
                   capture_output=True, timeout=180)
    return archive_contents(local)


def plan_round(redis_url: str, config: Path, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(govarchive("crawl", "--redis", redis_url, "--shards", "2", "--config", str(config),
                                     "--db", str(db), *FAST), capture_output=True, text=True, timeout=60)


def test_two_workers_and_one_ingest_make_the_archive_one_crawl_makes(tmp_path: Path, redis_url: str,
                                                                      two_hosts: Path, one_crawl: dict) -> None:
    shared = tmp_path / "shared.db"
    planned = plan_round(redis_url, two_hosts, shared)
    assert planned.returncode == 0, planned.stderr
    assert "over 2 shards (0: " in planned.stdout and "govarchive worker --redis" in planned.stdout
    again = subprocess.run(govarchive("crawl", "--redis", redis_url, "--config", str(two_hosts), "--db", str(shared)),
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "is under way" in again.stderr and again.stderr.count("\n") == 1
    logs = tmp_path / "logs"
    workers = [subprocess.Popen(govarchive("worker", "--redis", redis_url, "--shard", str(shard), "--logs", str(logs)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for shard in (0, 1)]
    ingest = subprocess.Popen(govarchive("ingest", "--redis", redis_url, "--db", str(shared)),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outputs = [process.communicate(timeout=180) for process in (*workers, ingest)]
    worker_output = [out for out, _ in outputs[:2]]
    assert all(" crawled (log " in out for out in worker_output), outputs
    assert sum(int(out.split(": ")[1].split(" ")[0]) for out in worker_output) == 5   # every portal, once
    assert all(out.split(": ")[1].split(" ")[0] != "0" for out in worker_output)        # both had portals
    assert ingest.returncode == 0 and outputs[2][0].count(": ok — ") == 5, outputs[2]
    assert archive_contents(shared) == one_crawl
    assert redis.Redis.from_url(redis_url).keys("govarchive:*") == []   # the round is gone from Redis
    nothing = subprocess.run(govarchive("ingest", "--redis", redis_url, "--db", str(shared)),
                             capture_output=True, text=True, timeout=60)
    assert nothing.returncode == 2 and "no round is planned" in nothing.stderr


def test_an_ingest_killed_midway_loses_nothing_when_started_again(tmp_path: Path, redis_url: str,
                                                                   two_hosts: Path, one_crawl: dict) -> None:
    shared = tmp_path / "shared.db"
    assert plan_round(redis_url, two_hosts, shared).returncode == 0
    for shard in (0, 1):   # the workers first: every page waits in Redis
        subprocess.run(govarchive("worker", "--redis", redis_url, "--shard", str(shard), "--logs", str(tmp_path)),
                       check=True, capture_output=True, timeout=180)
    client = redis.Redis.from_url(redis_url)
    (items_key,) = client.keys("govarchive:*:items")
    waiting = client.llen(items_key)
    first = subprocess.Popen(govarchive("ingest", "--redis", redis_url, "--db", str(shared)),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while client.llen(items_key) == waiting:   # killed once it has taken something
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.01)
    first.kill()
    first.wait()
    again = subprocess.run(govarchive("ingest", "--redis", redis_url, "--db", str(shared)),
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert archive_contents(shared) == one_crawl
    archive = Archive.open_readonly(shared)
    try:   # the second ingest went on with the first one's runs
        assert archive.db.execute("SELECT COUNT(*), COUNT(DISTINCT token) FROM crawl_runs").fetchone() == (5, 1)
    finally:
        archive.close()
