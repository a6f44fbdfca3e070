"""Near-duplicate and recrawl benchmark (`make bench-dedup`).

1. Recall on planted near-duplicates (reposts, scattered edits) and the closest pair of
   different reports, for bigram (ours), 3-gram and 5-gram shingles at threshold 0.9.
2. A recrawl of an unchanged 500-report fixture portal: requests and bytes of the second crawl
   against the first.
3. Cost of the near-duplicate check and insert per document (signature, LSH probes,
   verification, band keys written, cluster assignment) when the index already holds 10k, 100k
   and 1M documents, with peak memory. Background documents get random signatures (the index's
   cost depends on its size, not on what the texts say); the measured documents are distinct
   5,000-character texts made from lines of the golden reports.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.identity.config import NearDupSettings
from archive.identity.minhash import MinHasher, similarity, to_blob  # noqa: E402
from archive.store.archive import Archive  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000)
MEASURED = 300
FILL_CHUNK = 50_000


def report_texts() -> list[str]:
    """One text per distinct report among the golden pages (several wrap the same report)."""
    pages = sorted((ROOT / "tests" / "archive" / "families").glob("*/*/expected.json"))
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in pages]
    hasher, kept, signatures = MinHasher(), [], []
    for text in texts:
        if len(text) < 1000:
            continue
        signature = hasher.signature(text)
        if all(similarity(signature, other) < 0.5 for other in signatures):
            kept.append(text)
            signatures.append(signature)
    return kept


def fill(archive: Archive, start: int, stop: int, rng: np.random.Generator) -> None:
    """Add documents start..stop-1 to the index with random signatures (bulk, unmeasured)."""
    hasher = archive.clusters.hasher
    conn = archive.db.conn
    for low in range(start, stop, FILL_CHUNK):
        high = min(stop, low + FILL_CHUNK)
        signatures = rng.integers(0, 2**32, size=(high - low, hasher.settings.num_perm), dtype=np.uint32)
        bands = []
        for offset, signature in enumerate(signatures):
            bands += [(band, key, low + offset) for band, key in enumerate(hasher.band_keys(signature))]
        bands.sort()
        with archive.db.atomic():
            conn.executemany("INSERT INTO minhashes (document_id, signature) VALUES (?, ?)",
                             [(low + i, to_blob(s)) for i, s in enumerate(signatures)])
            conn.executemany("INSERT INTO lsh_bands (band, key, document_id) VALUES (?, ?, ?)", bands)


def distinct_report(lines: list[str], rng: random.Random, size: int = 5000) -> str:
    """A 5,000-character report no other measured text resembles: lines drawn from the golden
    reports, one character in twenty replaced."""
    drawn: list[str] = []
    while sum(map(len, drawn)) < size:
        drawn.append(rng.choice(lines))
    chars = list("\n".join(drawn)[:size])
    for index in rng.sample(range(len(chars)), len(chars) // 20):
        chars[index] = chr(0x4E00 + rng.randrange(20000))
    return "".join(chars)


def measure(archive: Archive, texts: list[str], first_id: int, rng: random.Random) -> tuple[float, float]:
    """Median ms per document of signature alone and of the whole check-and-insert."""
    conn = archive.db.conn
    lines = [line for text in texts for line in text.split("\n") if len(line) > 20]
    signature_ms, total_ms = [], []
    for n in range(MEASURED):
        text = distinct_report(lines, rng)
        doc_id = first_id + n
        start = time.perf_counter()
        archive.clusters.hasher.signature(text)
        signature_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        with archive.db.atomic():
            conn.execute("INSERT INTO documents (id, text, text_hash, portal, url, first_seen, last_seen) "
                         "VALUES (?, '', ?, 'bench', '', '', '')", [doc_id, f"bench-{doc_id}"])
            archive.clusters.add(doc_id, text)
        total_ms.append((time.perf_counter() - start) * 1000)
    return statistics.median(signature_ms), statistics.median(total_ms)


def index_table() -> None:
    settings = NearDupSettings()
    print(f"\n3. Near-duplicate check + insert per document ({settings.shingle}-gram MinHash, "
          f"{settings.num_perm} permutations, {settings.bands} LSH bands in SQLite)")
    print(f"{'index size':>11} {'signature ms':>13} {'check+insert ms':>16} {'db MB':>8} {'peak RSS MB':>12}")
    texts = report_texts()
    rng, text_rng = np.random.default_rng(7), random.Random(7)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        archive = Archive.open(path)
        archive.db.execute("PRAGMA foreign_keys = OFF")  # background rows have no documents row
        filled, next_id = 0, 2_000_000
        for size in SIZES:
            fill(archive, filled, size, rng)
            filled = size
            archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            signature_ms, total_ms = measure(archive, texts, next_id, text_rng)
            next_id += MEASURED
            size_mb = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 1e6
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            results[size] = total_ms
            print(f"{size:>11,} {signature_ms:>13.3f} {total_ms:>16.3f} {size_mb:>8.0f} {peak:>12.0f}")
        archive.close()
    print(f"1M / 10k cost ratio: {results[SIZES[-1]] / results[SIZES[0]]:.2f} (target <= 2)")


def scatter_edits(text: str, share: float, rng: random.Random) -> str:
    chars = list(text)
    for index in rng.sample(range(len(chars)), max(1, int(len(chars) * share))):
        chars[index] = chr(0x4E00 + rng.randrange(20000))
    return "".join(chars)


def repost(text: str) -> str:
    lines = text.translate(str.maketrans({",": "，", ":": "：", "(": "（", ")": "）"})).split("\n")
    return "\n".join(lines[:3] + ["（本文由区司法局转载，编辑：李明）"] + lines[3:-1])


def recall_table() -> None:
    texts = report_texts()
    rng = random.Random(11)
    trials = 10
    originals = [t for t in texts for _ in range(trials)]
    variants = {
        "repost: marks, editor line, no last line": [repost(t) for t in originals],
        "1% scattered edits": [scatter_edits(t, 0.01, rng) for t in originals],
        "2% scattered edits": [scatter_edits(t, 0.02, rng) for t in originals],
        "3% scattered edits": [scatter_edits(t, 0.03, rng) for t in originals],
        "5% scattered edits": [scatter_edits(t, 0.05, rng) for t in originals],
    }
    print(f"\n1. Recall on planted near-duplicates ({len(texts)} reports x {trials} random variants) "
          "and the closest pair of different reports")
    ours = NearDupSettings().shingle
    hashers = {k: MinHasher(NearDupSettings(shingle=k)) for k in (2, 3, 5)}
    header = "".join(f"{f'{k}-gram @0.9' + (' (ours)' if k == ours else ''):>20}" for k in hashers)
    print(f"{'variant':42}{header}")
    for name, edited in variants.items():
        cells = []
        for hasher in hashers.values():
            hits = sum(similarity(hasher.signature(a), hasher.signature(b)) >= 0.9
                       for a, b in zip(originals, edited, strict=True))
            cells.append(f"{hits}/{len(originals)}")
        print(f"{name:42}" + "".join(f"{cell:>20}" for cell in cells))
    pairs = [(a, b) for i, a in enumerate(texts) for b in texts[i + 1:]]
    for k, hasher in hashers.items():
        worst = max(similarity(hasher.signature(a), hasher.signature(b)) for a, b in pairs)
        print(f"different reports, {k}-gram: highest similarity {worst:.3f} over {len(pairs)} pairs")


def recrawl_table() -> None:
    from bench.recrawl import recrawl

    first, second = recrawl(reports=500)
    print("\n2. Recrawl of an unchanged 500-report portal (25 list pages)")
    print(f"{'crawl':8} {'requests':>9} {'detail downloads':>17} {'bytes':>12}")
    for name, run in (("first", first), ("second", second)):
        print(f"{name:8} {run['requests']:>9} {run['detail_pages']:>17} {run['response_bytes']:>12,}")
    print(f"second/first: requests {second['requests'] / first['requests']:.1%}, "
          f"bytes {second['response_bytes'] / first['response_bytes']:.2%} (target <= 5%, zero detail downloads)")


if __name__ == "__main__":
    recall_table()
    recrawl_table()
    index_table()
