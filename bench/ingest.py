"""Archive ingest on its own: how many documents a second the archive's single writer stores.

    python bench/ingest.py [--reports 3000] [--repeat 2]

The loopback site of bench/crawl.py (N distinct ~5,000-character reports in the TRS template,
40 KB pages) is captured as the crawl captures it — `capture_detail` in worker processes:
extraction, text keys, raw body packed — and pickled as workers send items through Redis.
Then, side by side, each `--repeat` times into a fresh archive:

- store:  the items unpickled and archived (`pipelines.archive_item`), committed every
          INGEST_BATCH items, as the crawl's pipeline and `govarchive ingest` do;
- ingest: `govarchive ingest`'s loop (`RoundIngest.run`) taking the same items from a real
          redis-server's round queue (skipped, saying so, without redis-server).

Printed: documents/s and writer CPU ms a document (target: ingest ≥ 500 documents/s), and
the capture's CPU ms a page in the workers, which the writer does not pay.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import pickle
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.extract.capture import RawFetch, utc_now  # noqa: E402
from archive.extract.document import capture_detail  # noqa: E402
from archive.store.archive import Archive  # noqa: E402
from archive.store.places import PortalEntry  # noqa: E402
from bench.crawl import distinct_reports  # noqa: E402
from bench.recrawl import build_portal  # noqa: E402
from crawler.distributed import PLAN_KEY, PortalPlan, RoundPlan  # noqa: E402
from crawler.ingest import INGEST_BATCH, RoundIngest  # noqa: E402
from crawler.items import PortalFinished  # noqa: E402
from crawler.pipelines import archive_item  # noqa: E402
from govarchive.sample_server import serve_redis  # noqa: E402

PORTAL = "bench"


def captured(path: Path, url: str) -> tuple[bytes, float]:
    """A report page captured as the crawl's extraction workers capture it, pickled; and the
    CPU seconds it took."""
    started = time.process_time()
    raw = RawFetch(url, 200, (("Content-Type", "text/html; charset=utf-8"),), path.read_bytes(), utc_now())
    blob = pickle.dumps(capture_detail(PORTAL, raw))
    return blob, time.process_time() - started


def capture_site(site: Path) -> tuple[list[bytes], float]:
    pages = sorted((site / "column").glob("*/t*.html"))
    urls = [f"http://bench.example/{page.relative_to(site)}" for page in pages]
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        results = list(pool.map(captured, pages, urls, chunksize=50))
    return [blob for blob, _ in results], sum(cpu for _, cpu in results) / len(results)


def store(db: Path, items: list[bytes]) -> tuple[float, float, int]:
    """(wall s, CPU s, documents) of archiving the items in batches."""
    archive = Archive.open(db)
    archive.batch_writes()
    started, cpu = time.perf_counter(), time.process_time()
    for n, blob in enumerate(items, start=1):
        archive_item(archive, pickle.loads(blob))
        if n % INGEST_BATCH == 0:
            archive.commit()
    archive.commit()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    documents = archive.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    archive.close()
    return wall, cpu, documents


def ingest(db: Path, items: list[bytes], redis_url: str) -> tuple[float, float, int]:
    """(wall s, CPU s, documents) of `govarchive ingest` taking the items from Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    plan = RoundPlan(f"bench-{time.time_ns()}", 1, "", {PORTAL: PortalPlan(PortalEntry(PORTAL, PORTAL), 0, {}, None)}, {})
    client.set(PLAN_KEY, plan.dumps())
    for start in range(0, len(items), 500):
        client.rpush(plan.keys.items, *items[start:start + 500])
    client.rpush(plan.keys.items, pickle.dumps(PortalFinished(PORTAL, "finished", {}, "incomplete: a benchmark",
                                                              frozenset(), "trs", False, False)))
    archive = Archive.open(db)
    started, cpu = time.perf_counter(), time.process_time()
    RoundIngest(client, archive, plan).run()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    documents = archive.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    archive.close()
    return wall, cpu, documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="govarchive-ingest-") as tmp:
        scratch = Path(tmp)
        build_portal(scratch / "site", args.reports, distinct_reports())
        items, capture_cpu = capture_site(scratch / "site")
        print(f"{len(items)} report pages captured ({sum(map(len, items)) / len(items) / 1000:.0f} KB an item, "
              f"{1000 * capture_cpu:.1f} CPU ms a page in the extraction workers)")
        redis_server = shutil.which("redis-server") is not None
        runs: dict[str, list[tuple[float, float, int]]] = {"store": [], "ingest": []}
        with serve_redis(scratch) if redis_server else contextlib.nullcontext() as redis_url:
            for round_ in range(args.repeat):
                runs["store"].append(store(scratch / f"store-{round_}.db", items))
                if redis_url:
                    runs["ingest"].append(ingest(scratch / f"ingest-{round_}.db", items, redis_url))
    print(f"{'':8}{'docs/s':>10}{'writer CPU ms/doc':>19}   runs (docs/s)")
    for name, measured in runs.items():
        if not measured:
            print(f"{name:8}  skipped: redis-server is not installed (make install-dev installs it)")
            continue
        rates = [documents / wall for wall, _, documents in measured]
        cpu = statistics.median(1000 * cpu / documents for _, cpu, documents in measured)
        print(f"{name:8}{statistics.median(rates):10.0f}{cpu:19.2f}   " + " ".join(f"{r:.0f}" for r in rates))
    print("target: archive ingest ≥ 500 documents/s")


if __name__ == "__main__":
    main()
