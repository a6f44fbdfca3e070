"""The full-text index: every document's title and text as overlapping character pairs.

`documents_fts` is a contentless FTS5 table (columns `text`, `title`) holding, per
document, each run of letters and digits as its overlapping pairs, lowercased: 法治政府建设 is
indexed as 法治 治政 政府 府建 建设 (a run of one character as itself). A term of two or more
letters and digits is the phrase of its pairs and matches exactly the texts containing it, so
every term from two characters on uses the index, ranked by FTS5's bm25; a term with other
characters uses the pairs of its runs, and the texts they match are checked (`expression`). Chosen on `make bench-search` (README, "Search"): recall 1.0 for 2-, 3- and
4-character terms, like trigram, which cannot match 2 characters at all, at a fraction of its
size.

No trigger keeps it current: the archive writes a document's index row with the document
(`add`, `remove`), its pairs computed by `archive.identity.keys` (in the crawl, by the
extraction workers).
"""

from __future__ import annotations

import weakref

import sqlite_utils

from archive.identity.keys import RUN, SearchTerms, pairs, search_terms

# A column each, so a phrase never runs from the title's end into the text; the text first,
# as FTS5 marks every position list of a later column with its number: 0.80x the text's size
# instead of 1.06x. The pairs are lowercased letters and digits between ASCII spaces, so FTS5's
# `ascii` tokenizer splits them as `unicode61` would, faster (1.3 vs 2.8 ms a report). Measured
# on bench/search.py's texts.
SCHEMA = "CREATE VIRTUAL TABLE documents_fts USING fts5(text, title, content='', tokenize='ascii')"


def expression(term: str) -> str | None:
    """The FTS5 expression every document containing `term` matches: the phrase of its pairs
    for one run of letters and digits (exact), else the phrases of its runs of two or more
    characters, ANDed (a run at the term's edge may be part of a longer run in the text, so
    only its inner pairs are certain). None when the index cannot help (法, 《》): a scan."""
    runs = [run for run in RUN.findall(term) if len(run) >= 2]
    if not runs:
        return None
    return " AND ".join(f'"{pairs(run)}"' for run in runs)


def exact(term: str) -> bool:
    """True when `expression(term)` matches exactly the texts containing it: the term is one run
    of letters and digits. Otherwise (法治政府 建设, 国发〔2024〕) a match is checked against
    the text."""
    return RUN.fullmatch(term) is not None


# Connections with a staging table. FTS5 (SQLite 3.40) writes its pending terms out as a new
# index segment at every savepoint, and a batch of writes is a savepoint per page: inserted
# directly, each document cost a segment and its merges (4.5 ms of 6.6 ms a document stored,
# bench/search.py). So rows are staged in a TEMP table, which savepoints roll back with the
# rest of a failed write, and `flush` writes them to the index in one statement just before
# the transaction commits (`store.writing`): one segment a batch.
_staging: weakref.WeakSet[sqlite_utils.Database] = weakref.WeakSet()


def add(db: sqlite_utils.Database, document_id: int, terms: SearchTerms) -> None:
    """Index a document (staged until its transaction commits)."""
    if db not in _staging:
        db.execute("CREATE TEMP TABLE IF NOT EXISTS fts_staged (rowid INTEGER PRIMARY KEY, title TEXT, text TEXT)")
        _staging.add(db)
    db.execute("INSERT INTO temp.fts_staged (rowid, title, text) VALUES (?, ?, ?)", [document_id, *terms])


def flush(db: sqlite_utils.Database) -> None:
    """Write the staged rows to the index; called inside the transaction, before it commits."""
    if db in _staging and db.execute("SELECT 1 FROM temp.fts_staged LIMIT 1").fetchone():
        db.execute("INSERT INTO documents_fts (rowid, title, text) SELECT rowid, title, text FROM temp.fts_staged")
        db.execute("DELETE FROM temp.fts_staged")


def remove(db: sqlite_utils.Database, document_id: int) -> None:
    """Delete a document's index row, before its title or text change (a contentless table
    needs the values it was given, computed again from the stored ones)."""
    if db in _staging and db.execute("DELETE FROM temp.fts_staged WHERE rowid = ?", [document_id]).rowcount:
        return
    row = db.execute("SELECT title, text FROM documents WHERE id = ?", [document_id]).fetchone()
    if row is not None:
        db.execute("INSERT INTO documents_fts (documents_fts, rowid, title, text) VALUES ('delete', ?, ?, ?)",
                   [document_id, *search_terms(*row)])


def rebuild(db: sqlite_utils.Database, chunk: int = 500) -> int:
    """Index every document again from its title and text; returns how many."""
    db.execute("INSERT INTO documents_fts (documents_fts) VALUES ('delete-all')")
    count, last = 0, 0
    while True:
        rows = db.execute("SELECT id, title, text FROM documents WHERE id > ? ORDER BY id LIMIT ?",
                          [last, chunk]).fetchall()
        if not rows:
            return count
        db.conn.executemany("INSERT INTO documents_fts (rowid, title, text) VALUES (?, ?, ?)",
                            [(row[0], *search_terms(row[1], row[2])) for row in rows])
        count, last = count + len(rows), rows[-1][0]


def indexed_count(db: sqlite_utils.Database) -> int:
    """How many documents the index holds (one size row each)."""
    return db.execute("SELECT COUNT(*) FROM documents_fts_docsize").fetchone()[0]
