"""Full-text indexes for Chinese report texts, side by side: size, ingest rate, latency, recall.

    python bench/search.py [--documents 10000 30000]

Each variant indexes the same synthetic reports (sentences drawn from the golden report texts,
~6,000 characters each) in a fresh SQLite file, 50 documents a transaction:

- trigram:  FTS5 `tokenize=trigram` over the text (what the archive uses today); terms under 3
            characters cannot use it and fall back to LIKE on the table.
- bigram:   a contentless FTS5 table (unicode61) of the text as overlapping character pairs
            ("法治 治政 政府 …", computed in Python); a term is the phrase of its pairs, so any
            term of 2 or more characters uses the index.

For 2-, 3- and 4-character terms drawn from the texts, a 2-character term that occurs nowhere
(冰雹) and two-term queries, it prints the median latency of the top 20 by rank and the recall
of the whole result against substring matching (instr). Index size is the file's growth over
the same documents without an index, divided by the text's UTF-8 size.
"""

from __future__ import annotations

import argparse
import operator
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.crawl import distinct_reports  # noqa: E402

BATCH = 50
QUERIES_PER_KIND = 15


_RUN = re.compile(r"[^\W_]+")   # a run of letters and digits


def bigrams(text: str) -> str:
    """Overlapping character pairs of each run of letters and digits, lowercased (a run of
    one character is itself)."""
    tokens = []
    for run in _RUN.findall(text.lower()):
        tokens.append(run if len(run) == 1 else " ".join(map(operator.add, run, run[1:])))
    return " ".join(tokens)


def bigram_match(term: str) -> str:
    return '"' + bigrams(term) + '"'


class Variant:
    def __init__(self, name: str, schema: str, insert: Callable[[sqlite3.Connection, int, str], None],
                 query: Callable[[sqlite3.Connection, list[str], int | None], list[int]]) -> None:
        self.name, self.schema, self.insert, self.query = name, schema, insert, query


def _trigram_insert(db: sqlite3.Connection, rowid: int, text: str) -> None:
    db.execute("INSERT INTO fts (rowid, text) VALUES (?, ?)", [rowid, text])


def _trigram_query(db: sqlite3.Connection, terms: list[str], limit: int | None) -> list[int]:
    short = [t for t in terms if len(t) < 3]
    long = [t for t in terms if len(t) >= 3]
    like = " AND ".join("instr(d.text, ?) > 0" for _ in short) or "1"
    cap = "" if limit is None else f" LIMIT {limit}"
    if long:
        match = " ".join('"' + t + '"' for t in long)
        sql = (f"SELECT d.id FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ? AND {like} "
               f"ORDER BY fts.rank{cap}")
        return [row[0] for row in db.execute(sql, [match, *short])]
    return [row[0] for row in db.execute(f"SELECT d.id FROM docs d WHERE {like}{cap}", short)]


def _bigram_insert(db: sqlite3.Connection, rowid: int, text: str) -> None:
    db.execute("INSERT INTO fts (rowid, body) VALUES (?, ?)", [rowid, bigrams(text)])


def _bigram_query(db: sqlite3.Connection, terms: list[str], limit: int | None) -> list[int]:
    cap = "" if limit is None else f" LIMIT {limit}"
    match = " AND ".join(bigram_match(t) for t in terms)
    return [row[0] for row in db.execute(f"SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank{cap}", [match])]


VARIANTS = [
    Variant("trigram", "CREATE VIRTUAL TABLE fts USING fts5(text, content='docs', content_rowid='id', "
                       "tokenize='trigram')", _trigram_insert, _trigram_query),
    Variant("bigram", "CREATE VIRTUAL TABLE fts USING fts5(body, content='')", _bigram_insert, _bigram_query),
]


def corpus(count: int) -> list[str]:
    body = distinct_reports()
    return ["\n".join(body(n) + body(n + 1_000_000)) for n in range(count)]


def queries(texts: list[str]) -> dict[str, list[list[str]]]:
    rng = random.Random(7)

    def term(length: int) -> str:
        while True:
            text = rng.choice(texts)
            at = rng.randrange(len(text) - length)
            candidate = text[at:at + length]
            if all(char.isalnum() for char in candidate):
                return candidate

    return {"2 characters": [[term(2)] for _ in range(QUERIES_PER_KIND)],
            "3 characters": [[term(3)] for _ in range(QUERIES_PER_KIND)],
            "4 characters": [[term(4)] for _ in range(QUERIES_PER_KIND)],
            "absent 冰雹": [["冰雹"]],
            "two terms": [[term(3), term(2)] for _ in range(QUERIES_PER_KIND)]}


def build(path: Path, texts: list[str], variant: Variant | None) -> float:
    """Store the documents (and index them with `variant`); returns documents per second."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, text TEXT)")
    if variant is not None:
        db.execute(variant.schema)
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        db.execute("BEGIN")
        for rowid, text in enumerate(texts[start:start + BATCH], start=start + 1):
            db.execute("INSERT INTO docs (id, text) VALUES (?, ?)", [rowid, text])
            if variant is not None:
                variant.insert(db, rowid, text)
        db.execute("COMMIT")
    rate = len(texts) / (time.perf_counter() - started)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[10_000])
    args = parser.parse_args()
    for count in args.documents:
        texts = corpus(count)
        text_bytes = sum(len(t.encode()) for t in texts)
        asked = queries(texts)
        with tempfile.TemporaryDirectory(prefix="govarchive-search-") as tmp:
            plain = Path(tmp) / "plain.db"
            build(plain, texts, None)
            base = plain.stat().st_size
            truth_db = sqlite3.connect(plain)
            print(f"\n{count:,} documents, {text_bytes / 1e6:.0f} MB of text")
            print(f"{'index':9}{'docs/s':>8}{'size/text':>10}" + "".join(f"{kind:>22}" for kind in asked))
            for variant in VARIANTS:
                path = Path(tmp) / f"{variant.name}.db"
                rate = build(path, texts, variant)
                db = sqlite3.connect(path)
                cells = []
                for terms_list in asked.values():
                    times, recalls = [], []
                    for terms in terms_list:
                        started = time.perf_counter()
                        variant.query(db, terms, 20)
                        times.append(time.perf_counter() - started)
                        found = set(variant.query(db, terms, None))
                        where = " AND ".join("instr(text, ?) > 0" for _ in terms)
                        truth = {row[0] for row in truth_db.execute(f"SELECT id FROM docs WHERE {where}", terms)}
                        recalls.append(len(found & truth) / len(truth) if truth else float(not found))
                    cells.append(f"{1000 * statistics.median(times):7.1f} ms r={min(recalls):.2f}")
                db.close()
                size = (path.stat().st_size - base) / text_bytes
                print(f"{variant.name:9}{rate:8.0f}{size:10.2f}" + "".join(f"{cell:>22}" for cell in cells))
            truth_db.close()


if __name__ == "__main__":
    main()
