"""Full-text search: the query language (`parse_query`, pure), filters, and the SQL that runs it.

    法治 政府            both terms occur (in the title or the text)
    "法治政府 建设"       the phrase, spaces included
    执法 OR 监管          either term (OR binds tighter than the implicit AND)
    NOT 征求意见 / -征求意见   the term does not occur

Every term means "occurs as written" (ASCII letters in any case) whatever its length: terms of
two or more characters use the character-pair index (`store.fulltext`), a single character a
scan with LIKE. Characters FTS5 would read as syntax (* : ^ ( ) + -) are searched literally.
"""

from __future__ import annotations

import dataclasses
import re

import sqlite_utils

from archive.errors import GovarchiveError
from archive.store import fulltext

# A query whose index expression matches more documents than this is answered most recently
# archived first and counted up to here: ranking costs 7-9 us a match, 35-45 ms at the cap
# (`make bench-search`), so every query stays under 50 ms however large the archive
MATCH_CAP = 5_000
SNIPPET_CONTEXT = 40   # characters shown on each side of the first hit
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


class QueryError(GovarchiveError):
    """A search query that cannot be run as written; the message says why and what to type."""


@dataclasses.dataclass(frozen=True)
class SearchQuery:
    """`groups`: every group must match, a group by any of its terms; `excluded`: none may."""

    groups: tuple[tuple[str, ...], ...]
    excluded: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        """The terms a hit contains (for highlighting), longest first."""
        return tuple(sorted({term for group in self.groups for term in group}, key=len, reverse=True))


@dataclasses.dataclass(frozen=True)
class SearchFilters:
    """Narrow a search: report year, region code prefix (50 = Chongqing), publisher substring,
    portal, published on or after a date (YYYY-MM-DD)."""

    year: int | None = None
    region: str | None = None
    publisher: str | None = None
    portal: str | None = None
    since: str | None = None


NO_FILTERS = SearchFilters()


@dataclasses.dataclass(frozen=True)
class SearchHit:
    id: int
    title: str | None
    published_date: str | None
    written_date: str | None
    publisher: str | None
    portal: str
    url: str
    snippet: str


@dataclasses.dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    total: int           # every matching document, not only the hits shown (at most MATCH_CAP)
    more: bool = False   # more than MATCH_CAP match: `total` is the cap, the hits are the most recently archived


def parse_query(text: str) -> SearchQuery:
    """The query language above; QueryError for an empty query, an unclosed quote, an OR or
    NOT with nothing on one side, or a query that only excludes."""
    if text.count('"') % 2:
        raise QueryError(f"{text!r}: a quote is not closed; write a phrase as \"法治政府 建设\"")
    tokens = []
    for match in _TOKEN.finditer(text):
        phrase, word = match.groups()
        if phrase is not None:
            if phrase.strip():
                tokens.append(("term", phrase.strip()))
        elif word in ("OR", "NOT"):
            tokens.append((word, word))
        elif word.startswith("-") and len(word) > 1:
            tokens += [("NOT", "NOT"), ("term", word[1:])]
        else:
            tokens.append(("term", word))
    if not tokens:
        raise QueryError("the query is empty: give at least one term, e.g. 法治政府")
    groups: list[list[str]] = []
    excluded: list[str] = []
    position = 0
    while position < len(tokens):
        kind, value = tokens[position]
        if kind == "NOT":
            if position + 1 >= len(tokens) or tokens[position + 1][0] != "term":
                raise QueryError(f"{text!r}: NOT needs a term after it (NOT 征求意见)")
            excluded.append(tokens[position + 1][1])
            position += 2
        elif kind == "OR":
            if not groups or position + 1 >= len(tokens) or tokens[position + 1][0] != "term" \
                    or tokens[position - 1][0] != "term":
                raise QueryError(f"{text!r}: OR needs a term on each side (执法 OR 监管)")
            groups[-1].append(tokens[position + 1][1])
            position += 2
        else:
            groups.append([value])
            position += 1
    if not groups:
        raise QueryError(f"{text!r}: the query only excludes; give a term to find as well")
    return SearchQuery(tuple(tuple(group) for group in groups), tuple(excluded))


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _scan(term: str, args: list) -> str:
    """SQL true when document d's title or text contains `term` (ASCII letters in any case)."""
    args += [_like(term), _like(term)]
    return "(d.title LIKE ? ESCAPE '\\' OR d.text LIKE ? ESCAPE '\\')"


def _contains(term: str, args: list) -> str:
    """SQL true when document d contains `term`: by the index when its expression is exact, else
    by the index narrowed by a scan of the text, or by the scan alone (a 1-character term)."""
    expression = fulltext.expression(term)
    if expression is None:
        return _scan(term, args)
    args.append(expression)
    indexed = "EXISTS (SELECT 1 FROM documents_fts WHERE documents_fts MATCH ? AND rowid = d.id)"
    return indexed if fulltext.exact(term) else f"({indexed} AND {_scan(term, args)})"


def _index_expression(query: SearchQuery) -> str | None:
    """The FTS5 expression of the groups the index can answer (each term has one): every
    document the query finds matches it, and FTS5 ranks by it. None when no group can."""
    indexed = [group for group in query.groups if all(fulltext.expression(term) for term in group)]
    if not indexed:
        return None
    return " AND ".join("(" + " OR ".join(f"({fulltext.expression(term)})" for term in group) + ")"
                        for group in indexed)


def _where(query: SearchQuery, filters: SearchFilters, args: list, matched: str | None) -> str:
    """Every condition of the query and filters on document d, but those `matched` (the index
    expression a join already holds d to) implies: single exact terms of its groups."""
    conditions = []
    for group in query.groups:
        implied = matched is not None and len(group) == 1 and fulltext.exact(group[0])
        if not implied:
            conditions.append("(" + " OR ".join(_contains(term, args) for term in group) + ")")
    conditions += [f"NOT {_contains(term, args)}" for term in query.excluded]
    if filters.year is not None:
        conditions.append("d.report_year = ?")
        args.append(filters.year)
    if filters.region:
        conditions.append("COALESCE(d.division_code, d.region_code) LIKE ?")
        args.append(filters.region + "%")
    if filters.publisher:
        conditions.append("d.publisher LIKE ? ESCAPE '\\'")
        args.append(_like(filters.publisher))
    if filters.portal:
        conditions.append("EXISTS (SELECT 1 FROM pages p WHERE p.document_id = d.id AND p.portal = ?)")
        args.append(filters.portal)
    if filters.since:
        conditions.append("d.published_date >= ?")
        args.append(filters.since[:10])
    return " AND ".join(conditions) or "1"


def snippet(text: str, terms: tuple[str, ...], context: int = SNIPPET_CONTEXT) -> str:
    """The text around the first occurrence of any term, every occurrence in it in [brackets];
    the window widens so no highlighted term is cut. The opening when no term is in the text."""
    if not terms:
        return text[: 2 * context].replace("\n", " ")
    longest_first = sorted(terms, key=len, reverse=True)   # 执法检查 is highlighted whole, not as 执法
    pattern = re.compile("|".join(re.escape(term) for term in longest_first), re.IGNORECASE)
    first = pattern.search(text)
    if first is None:
        return text[: 2 * context].replace("\n", " ") + ("…" if len(text) > 2 * context else "")
    start, end = max(0, first.start() - context), min(len(text), first.end() + context)
    for hit in pattern.finditer(text, start):   # widen the window over a hit it would cut
        if hit.start() >= end:
            break
        end = max(end, hit.end())
    window = pattern.sub(lambda hit: f"[{hit.group(0)}]", text[start:end])
    return (("…" if start else "") + window + ("…" if end < len(text) else "")).replace("\n", " ")


_HIT_COLUMNS = "d.id, d.title, d.published_date, d.written_date, d.publisher, d.portal, d.url, d.text"
_NEWEST = "d.published_date DESC, d.id DESC"   # the date index read backwards


def run_search(db: sqlite_utils.Database, query: SearchQuery, filters: SearchFilters = NO_FILTERS,
               limit: int = 20) -> SearchResult:
    """The documents matching `query` and `filters`: the best `limit` and how many match.

    When the index expression matches at most MATCH_CAP documents, they are ranked by bm25
    and counted exactly. A query matching more (a term in most reports: 法治) is answered
    newest archived first (the index read backwards), and counted up to MATCH_CAP (`more`):
    ranking or counting every match costs a few microseconds each (seconds at a million
    documents, see `make bench-search`)."""
    expression = _index_expression(query)
    if expression is None:   # only terms the index cannot answer: a scan, newest first
        args: list = []
        where = _where(query, filters, args, None)
        total = db.execute(f"SELECT COUNT(*) FROM documents d WHERE {where}", args).fetchone()[0]
        ids = db.execute(f"SELECT d.id FROM documents d WHERE {where} ORDER BY {_NEWEST} LIMIT ?", [*args, limit])
        return _result(db, [row[0] for row in ids], query, total, False)
    matches = db.execute("SELECT COUNT(*) FROM (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? "
                         "LIMIT ?)", [expression, MATCH_CAP + 1]).fetchone()[0]
    args = [expression]
    where = _where(query, filters, args, expression)
    if matches <= MATCH_CAP:
        ranked = ("FROM (SELECT rowid, rank FROM documents_fts WHERE documents_fts MATCH ?) r "
                  f"JOIN documents d ON d.id = r.rowid WHERE {where}")
        # no condition beyond the index expression: its matches are the total
        total = matches if where == "1" else db.execute(f"SELECT COUNT(*) {ranked}", args).fetchone()[0]
        ids = db.execute(f"SELECT d.id {ranked} ORDER BY r.rank, {_NEWEST} LIMIT ?", [*args, limit])
        return _result(db, [row[0] for row in ids], query, total, False)
    # the index read backwards, newest document first, each match checked against the rest of
    # the query and the filters as it comes: the first `limit` that pass end the read
    newest = f"FROM documents_fts f JOIN documents d ON d.id = f.rowid WHERE documents_fts MATCH ? AND {where}"
    total = matches if where == "1" else db.execute(f"SELECT COUNT(*) FROM (SELECT 1 {newest} LIMIT ?)",
                                                    [*args, MATCH_CAP + 1]).fetchone()[0]
    ids = db.execute(f"SELECT d.id {newest} ORDER BY f.rowid DESC LIMIT ?", [*args, limit])
    return _result(db, [row[0] for row in ids], query, min(total, MATCH_CAP), total > MATCH_CAP)


def matching_sql(query: SearchQuery, filters: SearchFilters = NO_FILTERS) -> tuple[str, list]:
    """A SELECT of the id of every document matching `query` and `filters` (no cap, no rank),
    and its arguments: the index's matches checked against the rest, or a scan when the index
    cannot answer any group (1-character terms)."""
    expression = _index_expression(query)
    args: list = [] if expression is None else [expression]
    where = _where(query, filters, args, expression)
    if expression is None:
        return f"SELECT d.id FROM documents d WHERE {where}", args
    return (f"SELECT d.id FROM documents_fts f JOIN documents d ON d.id = f.rowid "
            f"WHERE documents_fts MATCH ? AND {where}"), args


def matching_sections_sql(query: SearchQuery) -> tuple[str, list]:
    """A SELECT of the id of every `report_sections` row matching `query`: in a matching
    document, holding a term of every group (its text includes its heading) and no excluded one."""
    documents, args = matching_sql(query)
    conditions = ["(" + " OR ".join("s.text LIKE ? ESCAPE '\\'" for _ in group) + ")" for group in query.groups]
    conditions += ["s.text NOT LIKE ? ESCAPE '\\'" for _ in query.excluded]
    args += [_like(term) for group in query.groups for term in group] + [_like(term) for term in query.excluded]
    return (f"SELECT s.id FROM report_sections s WHERE s.document_id IN ({documents}) AND "
            + " AND ".join(conditions)), args


def matching_ids(db: sqlite_utils.Database, query: SearchQuery, filters: SearchFilters = NO_FILTERS) -> list[int]:
    """The id of every document matching `query` and `filters`, in no order: no cap, no rank."""
    sql, args = matching_sql(query, filters)
    return [row[0] for row in db.execute(sql, args)]


def _result(db: sqlite_utils.Database, ids: list[int], query: SearchQuery, total: int, more: bool) -> SearchResult:
    """The hits of `ids`, in their order: their columns read after the ordering, so sorting
    the matches never carries their texts."""
    marks = ", ".join("?" for _ in ids)
    rows = {row["id"]: row for row in db.query(f"SELECT {_HIT_COLUMNS} FROM documents d WHERE d.id IN ({marks})", ids)}
    hits = [SearchHit(snippet=snippet(rows[i].pop("text") or "", query.terms), **rows[i]) for i in ids]
    return SearchResult(hits, total, more)
