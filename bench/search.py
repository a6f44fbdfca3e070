"""Full-text search for Chinese report texts, side by side: size, ingest rate, latency, recall.

    python bench/search.py [--documents 10000 100000]

The same synthetic reports (sentences drawn from the golden report texts, ~6,000 characters
each) go into a fresh SQLite file per variant, 50 documents a transaction:

- trigram:  FTS5 `tokenize=trigram` over the text, synced by a trigger (what the archive used
            before the pair index); terms under 3 characters cannot use it and scan with LIKE.
- pairs:    the archive itself (`Archive.record_page`, batched as a crawl batches): its
            contentless FTS5 index of overlapping character pairs (`archive.store.fulltext`),
            the text keys computed ahead as the crawl's extraction workers do (their CPU
            is printed apart). Queries go through `Archive.search`, as `govarchive search`.

For 2-, 3- and 4-character terms drawn from the texts (common: each sentence is in a third of
them), 3- and 4-character terms drawn from the line only one text holds (rare), a 2-character
term that occurs nowhere (冰雹) and two-term queries it prints the median latency of the top 20
(by rank; for pairs, most recently archived first when more than MATCH_CAP documents match,
such queries counted as "c") and the recall against substring matching of the texts (Python's
`in`, one pass): for trigram of the whole result, for pairs of every document the index
matches (the search checks exact terms no further). Index size: the file's growth over the
same documents stored without an index, divided by the text's UTF-8 size (for pairs: over the
archive with its index emptied and vacuumed).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.extract.capture import PageCapture  # noqa: E402
from archive.extract.document import compose_document  # noqa: E402
from archive.extract.metadata import DisclosureMetadata  # noqa: E402
from archive.extract.page import Extracted  # noqa: E402
from archive.identity.keys import text_keys  # noqa: E402
from archive.store import search  # noqa: E402
from archive.store.search import _index_expression, matching_ids, parse_query  # noqa: E402
from archive.store.archive import Archive  # noqa: E402
from bench.crawl import distinct_reports  # noqa: E402

BATCH = 50
QUERIES_PER_KIND = 15


LOCAL_LINE = 15   # the line of a text that only it holds (see corpus)


def corpus(count: int) -> list[str]:
    """Report n: 60 sentences drawn from the golden reports, a line of 24 characters only it
    holds (what real reports say of their own places, projects and people: rare terms made of
    common characters), and 60 more sentences."""
    body = distinct_reports()
    alphabet = sorted({char for n in range(50) for line in body(n) for char in line if char.isalnum()})

    def local(n: int) -> str:
        rng = random.Random(-n)
        return "".join(rng.choice(alphabet) for _ in range(24))

    return ["\n".join([*body(n), local(n), *body(n + 1_000_000)]) for n in range(count)]


def queries(texts: list[str]) -> dict[str, list[list[str]]]:
    """Terms drawn from the texts (common: each sentence is in a third of them) and from their
    own lines (rare), a term that occurs nowhere, and two common terms together."""
    rng = random.Random(7)

    def term(length: int, rare: bool = False) -> str:
        while True:
            text = rng.choice(texts)
            if rare:
                text = text.split("\n")[LOCAL_LINE]
            at = rng.randrange(len(text) - length)
            candidate = text[at:at + length]
            if all(char.isalnum() for char in candidate):
                return candidate

    return {"2 characters": [[term(2)] for _ in range(QUERIES_PER_KIND)],
            "3 characters": [[term(3)] for _ in range(QUERIES_PER_KIND)],
            "4 characters": [[term(4)] for _ in range(QUERIES_PER_KIND)],
            "rare 3 characters": [[term(3, rare=True)] for _ in range(QUERIES_PER_KIND)],
            "rare 4 characters": [[term(4, rare=True)] for _ in range(QUERIES_PER_KIND)],
            "absent 冰雹": [["冰雹"]],
            "two terms": [[term(3), term(2)] for _ in range(QUERIES_PER_KIND)]}


def plain_db(path: Path, texts: list[str], trigram: bool) -> float:
    """The texts in a table (and a trigram index synced by a trigger); returns documents/s."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, text TEXT)")
    if trigram:
        db.execute("CREATE VIRTUAL TABLE fts USING fts5(text, content='docs', content_rowid='id', tokenize='trigram')")
        db.execute("CREATE TRIGGER docs_ai AFTER INSERT ON docs BEGIN "
                   "INSERT INTO fts (rowid, text) VALUES (new.id, new.text); END")
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        db.execute("BEGIN")
        db.executemany("INSERT INTO docs (id, text) VALUES (?, ?)",
                       [(rowid, text) for rowid, text in enumerate(texts[start:start + BATCH], start=start + 1)])
        db.execute("COMMIT")
    rate = len(texts) / (time.perf_counter() - started)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return rate


def trigram_query(db: sqlite3.Connection, terms: list[str], limit: int | None) -> tuple[list[int], bool]:
    short = [t for t in terms if len(t) < 3]
    long = [t for t in terms if len(t) >= 3]
    like = " AND ".join("instr(d.text, ?) > 0" for _ in short) or "1"
    cap = "" if limit is None else f" LIMIT {limit}"
    if long:
        match = " ".join('"' + t + '"' for t in long)
        sql = (f"SELECT d.id FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ? AND {like} "
               f"ORDER BY fts.rank{cap}")
        return [row[0] for row in db.execute(sql, [match, *short])], False
    return [row[0] for row in db.execute(f"SELECT d.id FROM docs d WHERE {like}{cap}", short)], False


def archive_db(path: Path, texts: list[str]) -> tuple[float, float]:
    """The texts archived as a crawl archives them; returns (documents/s stored, CPU ms a
    document for its keys, computed apart as the extraction workers do)."""
    archive = Archive.open(path)
    archive.batch_writes()
    storing = keys_cpu = stored_before = 0.0
    for start in range(0, len(texts), 1000):   # keys of a thousand at a time, then store them
        started = time.process_time()
        pages = []
        for n, text in enumerate(texts[start:start + 1000], start=start + 1):
            title = f"第{n}号法治政府建设年度报告"
            record = Extracted(url=f"http://bench.example/{n}.html", title=title, text=text,
                               metadata=DisclosureMetadata(), region_code=None, report_year=None,
                               extraction_method="trs", encoding="utf-8")
            pages.append(compose_document(PageCapture("bench", record, keys=text_keys(title, text))))
        keys_cpu += time.process_time() - started
        started = time.perf_counter()
        for n, page in enumerate(pages, start=start + 1):
            archive.record_page(page)
            if n % BATCH == 0:
                archive.commit()
        archive.commit()
        storing += time.perf_counter() - started
        if (start + 1000) % 10_000 == 0:   # the rate as the archive grows
            print(f"  pairs: {start + 1000:,} documents stored, the last 10,000 at "
                  f"{10_000 / (storing - stored_before):.0f} documents/s", file=sys.stderr, flush=True)
            stored_before = storing
    archive.close()
    return len(texts) / storing, 1000 * keys_cpu / len(texts)


def archive_query(archive: Archive, terms: list[str], limit: int | None) -> tuple[list[int], bool]:
    if limit is None:   # recall: every document the index finds (the search checks no further: exact terms)
        query = parse_query(" ".join(terms))
        expression = _index_expression(query)
        if expression is None:
            return matching_ids(archive.db, query), False
        rows = archive.db.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?", [expression])
        return [row[0] for row in rows], False
    result = archive.search(" ".join(terms), limit=limit)
    return [hit.id for hit in result.hits], result.more


def index_size(path: Path) -> int:
    """Bytes of the archive's full-text index (what VACUUM frees when it is emptied)."""
    copy = path.with_suffix(".empty.db")
    copy.write_bytes(path.read_bytes())
    db = sqlite3.connect(copy, isolation_level=None)
    db.execute("INSERT INTO documents_fts (documents_fts) VALUES ('delete-all')")
    db.execute("VACUUM")
    db.close()
    size = path.stat().st_size - copy.stat().st_size
    copy.unlink()
    return size


def substring_truth(texts: list[str], asked: dict[str, list[list[str]]]) -> dict[tuple[str, ...], set[int]]:
    """For every query, the ids (1-based positions) of the texts containing all its terms:
    substring matching, one pass over the texts in memory."""
    every = {tuple(terms) for terms_list in asked.values() for terms in terms_list}
    truth: dict[tuple[str, ...], set[int]] = {terms: set() for terms in every}
    for rowid, text in enumerate(texts, start=1):
        for terms, ids in truth.items():
            if all(term in text for term in terms):
                ids.add(rowid)
    return truth


def measure(query, asked: dict[str, list[list[str]]], truth: dict[tuple[str, ...], set[int]], db) -> list[str]:
    cells = []
    for kind, terms_list in asked.items():
        times, recalls, common = [], [], 0
        for terms in terms_list:
            started = time.perf_counter()
            _, more = query(db, terms, 20)
            times.append(time.perf_counter() - started)
            common += more
            found = set(query(db, terms, None)[0])
            expected = truth[tuple(terms)]
            recalls.append(len(found & expected) / len(expected) if expected else float(not found))
        print(f"  {kind}: done", file=sys.stderr, flush=True)
        shown = f"{1000 * statistics.median(times):.1f} ms r={min(recalls):.2f}"
        cells.append(shown + (f" c={common}/{len(terms_list)}" if common else ""))
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[10_000])
    parser.add_argument("--variants", nargs="+", choices=["trigram", "pairs"], default=["trigram", "pairs"])
    args = parser.parse_args()
    for count in args.documents:
        texts = corpus(count)
        text_bytes = sum(len(t.encode()) for t in texts)
        asked = queries(texts)
        with tempfile.TemporaryDirectory(prefix="govarchive-search-") as tmp:
            plain = Path(tmp) / "plain.db"
            plain_db(plain, texts, False)
            truth = substring_truth(texts, asked)
            print(f"\n{count:,} documents, {text_bytes / 1e6:.0f} MB of text; top 20 median latency, "
                  f"r = recall, c = queries over MATCH_CAP ({search.MATCH_CAP:,}) answered most recently archived first")
            print(f"{'index':9}{'docs/s':>8}{'size/text':>10}" + "".join(f"{kind:>26}" for kind in asked))
            if "trigram" in args.variants:
                path = Path(tmp) / "trigram.db"
                rate = plain_db(path, texts, True)
                size = (path.stat().st_size - plain.stat().st_size) / text_bytes
                db = sqlite3.connect(path)
                cells = measure(trigram_query, asked, truth, db)
                db.close()
                print(f"{'trigram':9}{rate:8.0f}{size:10.2f}" + "".join(f"{cell:>26}" for cell in cells))
            if "pairs" not in args.variants:
                continue
            path = Path(tmp) / "archive.db"
            rate, keys_ms = archive_db(path, texts)
            size = index_size(path) / text_bytes
            archive = Archive.open_readonly(path)
            misplaced = archive.db.execute("SELECT COUNT(*) FROM documents "
                                           "WHERE url != 'http://bench.example/' || id || '.html'").fetchone()[0]
            assert not misplaced, "document ids must be the texts' positions for the recall check"
            cells = measure(archive_query, asked, truth, archive)
            archive.close()
            print(f"{'pairs':9}{rate:8.0f}{size:10.2f}" + "".join(f"{cell:>26}" for cell in cells))
            print(f"pairs: docs/s is the archive's whole store path (document, clusters, index, pages); "
                  f"the text keys cost {keys_ms:.1f} CPU ms a document in the extraction workers")


if __name__ == "__main__":
    main()
