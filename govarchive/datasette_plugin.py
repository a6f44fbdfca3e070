"""govarchive in Datasette (`govarchive serve`, or any `datasette` run with govarchive installed):
the archive's own search behind the search box of `documents`, `reports` and `report_sections`
(every term of any length, as `govarchive search` finds it), links for the columns that name a
portal, a document or an issuer, and the coverage page at `/-/coverage`."""

from __future__ import annotations

import datetime as dt
import itertools

import sqlite_utils
from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import BadRequest, Response
from markupsafe import Markup, escape

from archive.store.coverage import coverage, due_date, reports_per_year
from archive.store.search import QueryError, matching_sections_sql, matching_sql, parse_query
from govarchive.coverage_output import coverage_html

SEARCHABLE = ("documents", "reports", "report_sections")
# column -> the table its value is the key of, in the tables and views whose schema declares no link
LINKS = {"portal": "portals", "cluster_id": "documents", "report_id": "documents", "previous_id": "documents",
         "document_id": "documents", "other_id": "documents", "issuer_id": "issuers", "division_code": "regions"}
COVERAGE_PATH = "/-/coverage"


async def _is_archive(datasette, database: str) -> bool:
    tables = await datasette.get_database(database).table_names()
    return "documents_fts" in tables and "documents" in tables


@hookimpl(trylast=True)   # after Datasette's own search filter, so its `supports_search` is replaced
def filters_from_request(request, database, table, datasette):
    async def inner():
        if table not in SEARCHABLE or not await _is_archive(datasette, database):
            return None
        context = {"supports_search": True}
        text = request.args.get("_search", "").strip()
        if not text:
            return FilterArguments([], extra_context=context)
        try:
            query = parse_query(text)
        except QueryError as exc:
            raise BadRequest(str(exc)) from exc
        sql, args = matching_sections_sql(query) if table == "report_sections" else matching_sql(query)
        names = (f"govarchive_search_{n}" for n in itertools.count())
        params = {}
        for value in args:   # Datasette binds by name: each ? of the SQL becomes a named parameter
            name = next(names)
            sql = sql.replace("?", f":{name}", 1)
            params[name] = value
        return FilterArguments([f"id IN ({sql})"], params, [f'search matches "{text}"'],
                               {**context, "search": text})
    return inner


@hookimpl
def render_cell(value, column, table, database, datasette):
    target = LINKS.get(column)
    if value is None or target is None or table not in _LINKED_TABLES:
        return None

    async def inner():
        declared = await datasette.get_database(database).foreign_keys_for_table(table)
        if any(key["column"] == column for key in declared):
            return None   # Datasette links it itself, with the row's label
        shown = escape(str(value))
        return Markup(f'<a href="{datasette.urls.table(database, target)}/{shown}">{shown}</a>')
    return inner()


# tables and views with columns that name another row without a declared foreign key
_LINKED_TABLES = {"documents", "reports", "coverage", "report_sections", "pages", "crawl_runs", "crawl_errors",
                  "issuers"}


async def coverage_page(datasette, request):
    """The coverage heatmap of the first archive Datasette serves (`?db=NAME` for another)."""
    names = [name for name in datasette.databases if name != "_internal" and await _is_archive(datasette, name)]
    name = request.args.get("db") or (names[0] if names else None)
    if name not in names:
        return Response.html("<p>No govarchive archive is served here.</p>", status=404)
    region = request.args.get("region") or None

    def render(conn) -> str:
        db = sqlite_utils.Database(conn)
        today, due = dt.date.today().isoformat(), due_date(db)
        cells = coverage(db, region=region, due=due, today=today)
        return coverage_html(cells, reports_per_year(db, region), f"Coverage — {name}", due, today)

    return Response.html(await datasette.get_database(name).execute_fn(render))


@hookimpl
def register_routes():
    return [(rf"^{COVERAGE_PATH}$", coverage_page)]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path(COVERAGE_PATH), "label": "Coverage (who published)"}]
