"""Full-text search: the query language (`parse_query`, pure), filters, and the SQL that runs it.

    法治 政府            both terms occur (in the title or the text)
    "法治政府 建设"       the phrase, spaces included
    执法 OR 监管          either term (OR binds tighter than the implicit AND)
    NOT 征求意见 / -征求意见   the term does not occur

Every term means "occurs as written" whatever its length: terms of three or more characters
use the trigram index, shorter ones (执法) a scan with LIKE. Characters FTS5 would read as
syntax (* : ^ ( ) + -) are searched literally.
"""

from __future__ import annotations

import dataclasses
import re

import sqlite_utils

from archive.errors import GovarchiveError

MIN_TRIGRAM_TERM = 3   # the trigram tokenizer indexes three characters at a time
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
    total: int    # every matching document, not only the hits shown


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


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _term_condition(term: str, args: list) -> str:
    """SQL true when document d contains `term` in its title or text."""
    if len(term) >= MIN_TRIGRAM_TERM:
        args.append(_fts_phrase(term))
        return "d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)"
    args += [_like(term), _like(term)]
    return "(d.title LIKE ? ESCAPE '\\' OR d.text LIKE ? ESCAPE '\\')"


def _where(query: SearchQuery, filters: SearchFilters, args: list) -> str:
    conditions = ["(" + " OR ".join(_term_condition(term, args) for term in group) + ")" for group in query.groups]
    conditions += [f"NOT {_term_condition(term, args)}" for term in query.excluded]
    if filters.year is not None:
        conditions.append("d.report_year = ?")
        args.append(filters.year)
    if filters.region:
        conditions.append("d.region_code LIKE ?")
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
    return " AND ".join(conditions)


def _ranking(query: SearchQuery) -> str | None:
    """An FTS5 expression of the groups the trigram index can rank (all terms long enough)."""
    ranked = [group for group in query.groups if all(len(term) >= MIN_TRIGRAM_TERM for term in group)]
    if not ranked:
        return None
    return " AND ".join("(" + " OR ".join(_fts_phrase(term) for term in group) + ")" for group in ranked)


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


def run_search(db: sqlite_utils.Database, query: SearchQuery, filters: SearchFilters = NO_FILTERS,
               limit: int = 20) -> SearchResult:
    """The documents matching `query` and `filters`: the best `limit` (by the trigram index's
    rank when the query has terms it can rank, else newest first) and how many match in all."""
    args: list = []
    where = _where(query, filters, args)
    total = db.execute(f"SELECT COUNT(*) FROM documents d WHERE {where}", args).fetchone()[0]
    ranking = _ranking(query)
    if ranking:
        joined = "LEFT JOIN (SELECT rowid, rank FROM documents_fts WHERE documents_fts MATCH ?) r ON r.rowid = d.id"
        order = "r.rank, d.published_date DESC, d.id"
        args = [ranking, *args]
    else:
        joined, order = "", "d.published_date DESC, d.id"
    rows = db.query(
        f"""SELECT d.id, d.title, d.published_date, d.written_date, d.publisher, d.portal, d.url, d.text
            FROM documents d {joined} WHERE {where} ORDER BY {order} LIMIT ?""", [*args, limit])
    hits = [SearchHit(snippet=snippet(row.pop("text") or "", query.terms), **row) for row in rows]
    return SearchResult(hits, total)
