"""`govarchive coverage`, `export` and `serve`: the commands for the people who read the archive."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import re
import sys
from pathlib import Path

import click

from archive.store.coverage import coverage as coverage_cells
from archive.store.coverage import due_date, reports_per_year
from archive.store.exports import EXPORTS, export_rows
from govarchive.cli_common import DB_OPTION, fail, open_existing_archive
from govarchive.output import plural
from govarchive.coverage_output import coverage_html, matrix_csv, matrix_text

XLSX_CELL_LIMIT = 32_767   # characters Excel keeps in a cell
YEAR_OPTION = click.option("--year", type=click.IntRange(1990, 2100), default=None,
                           help="Only reports on this year (report_year).")
REGION_OPTION = click.option("--region", default=None, metavar="CODE",
                             help="Only this region: a division code prefix (50 Chongqing, 500101 万州区).")


def _checked_region(region: str | None) -> str | None:
    if region is not None and not re.fullmatch(r"\d{2,9}", region):
        fail(f"--region {region!r}: give a division code or its prefix, digits only (50, 500101)")
    return region


def _checked_due(due: str | None) -> str | None:
    if due is not None:
        try:
            dt.date.fromisoformat(f"2001-{due}")
        except ValueError:
            fail(f"--due {due!r}: give a month and day, MM-DD (03-31)")
    return due


@click.command()
@YEAR_OPTION
@REGION_OPTION
@click.option("--due", default=None, metavar="MM-DD",
              help="Reports on year Y are due by this day of Y+1 (default: the archive's, 03-31).")
@click.option("--json", "as_json", is_flag=True, help="Print every issuer-year cell as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the matrix as CSV: region, issuer, a column per year.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a page with the region x year heatmap and reports per year to this file.")
@DB_OPTION
def coverage(year: int | None, region: str | None, due: str | None, as_json: bool, as_csv: bool,
             html_file: Path | None, db_path: Path) -> None:
    """Who published their report, late, or not at all: each issuer x report year.

    An issuer is the body a report belongs to (a township, a county, a department), found in
    the reports or declared by a portal's `issuers`. A report on year Y is `late` when published
    after the due date in Y+1, `missing` when none is archived by then. The matrix groups the
    issuers by region with totals per region. Exit code 0; 2 when the archive cannot be read.
    """
    if as_json and as_csv:
        fail("--json and --csv: choose one")
    region, due = _checked_region(region), _checked_due(due)
    archive = open_existing_archive(db_path)
    try:
        today = dt.date.today().isoformat()
        due = due or due_date(archive.db)
        cells = coverage_cells(archive.db, year, region, due, today)
        if html_file is not None:
            page = coverage_html(cells, reports_per_year(archive.db, region), f"Coverage — {db_path.name}", due, today)
            html_file.write_text(page, encoding="utf-8")
            click.echo(f"wrote {html_file}", err=True)
    finally:
        archive.close()
    if as_json:
        click.echo(json.dumps({"due": due, "today": today, "cells": [dataclasses.asdict(c) for c in cells]},
                              ensure_ascii=False, indent=1))
    elif as_csv:
        click.echo(matrix_csv(cells), nl=False)
    else:
        click.echo(matrix_text(cells, due, today))


@click.command()
@click.argument("what", type=click.Choice(EXPORTS))
@click.option("--format", "fmt", type=click.Choice(("csv", "jsonl", "xlsx")), default="csv", show_default=True,
              help="csv (UTF-8 with a BOM, so Excel shows Chinese), jsonl (one JSON object a line) or xlsx.")
@YEAR_OPTION
@REGION_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output; xlsx needs a file).")
@DB_OPTION
def export(what: str, fmt: str, year: int | None, region: str | None, output: Path | None, db_path: Path) -> None:
    """Write reports, documents, coverage or sections as CSV, JSON lines or an Excel sheet.

    `reports` holds one row per report (copies and reposts counted once), `documents` every
    archived text, `coverage` each issuer x year with its status, `sections` each report's
    numbered sections with their kind. Prints how many rows were written to standard error.
    """
    region = _checked_region(region)
    if fmt == "xlsx" and output is None:
        fail("--format xlsx writes a workbook: give a file with -o FILE.xlsx")
    archive = open_existing_archive(db_path)
    try:
        names, rows = export_rows(archive.db, what, year, region)
        count, cut = _write(fmt, names, rows, what, output)
    finally:
        archive.close()
    click.echo(f"wrote {plural(count, 'row')} of {what} to {output or 'standard output'}"
               + (f" ({cut} cells cut to Excel's {XLSX_CELL_LIMIT:,} characters)" if cut else ""), err=True)


def _write(fmt: str, names: list[str], rows, sheet: str, output: Path | None) -> tuple[int, int]:
    """Write the rows; returns how many, and how many cells were cut to fit Excel."""
    count = cut = 0
    if fmt == "xlsx":
        import openpyxl   # only for xlsx: it takes 0.2 s to import

        book = openpyxl.Workbook(write_only=True)
        table = book.create_sheet(sheet)
        table.append(names)
        for row in rows:
            cells = []
            for value in row:
                if isinstance(value, str) and len(value) > XLSX_CELL_LIMIT:
                    value, cut = value[: XLSX_CELL_LIMIT - 1] + "…", cut + 1
                cells.append(value)
            table.append(cells)
            count += 1
        book.save(output)
        return count, cut
    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "csv":
            stream.write("\ufeff")
            writer = csv.writer(stream)
            writer.writerow(names)
        for row in rows:
            if fmt == "csv":
                writer.writerow(row)
            else:
                stream.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n")
            count += 1
    finally:
        if output:
            stream.close()
    return count, cut


TABLE_CELL_CHARACTERS = 60    # a text cell in Datasette's table pages (the row page shows it whole)
SQL_TIME_LIMIT_MS = 3000      # a search of a common term over a million documents takes a second or two


@click.command()
@DB_OPTION
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port to serve on (0: any free port, shown as Uvicorn starts).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface: anyone who reaches it reads the archive).")
def serve(db_path: Path, port: int, host: str) -> None:
    """Browse and query the archive in Datasette, read-only.

    Opens the database read-only (a crawl may write to it meanwhile; its commits show on the
    next request) with titles and descriptions of every table and column, internal tables
    hidden, facets on reports (year, province, county, issuer level, publisher…), a search box
    that finds every term `govarchive search` finds, the coverage page at /-/coverage, and
    canned queries: coverage by region and year, missing and late reports, reports published
    in the last 7 days, last night's failures, a report's copies and versions. Ctrl-C stops.
    """
    import tempfile

    from datasette.cli import cli as datasette_cli   # only here: Datasette takes 0.5 s to import
    from datasette.plugins import pm

    import govarchive.datasette_plugin as plugin
    from govarchive.datasette_metadata import metadata

    open_existing_archive(db_path).close()   # ours, readable, migrated: else exit 2 with why
    if not pm.is_registered(plugin):   # installed without its entry point (a plain checkout)
        pm.register(plugin, name="govarchive")
    with tempfile.TemporaryDirectory() as folder:
        metadata_file = Path(folder) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata(db_path.stem), ensure_ascii=False), encoding="utf-8")
        shown = f"http://{host}:{port}/" if port else f"http://{host}:<the port Uvicorn reports below>/"
        click.echo(f"Serving {db_path} read-only at {shown}{db_path.stem} (coverage: {shown}-/coverage); "
                   "Ctrl-C stops.", err=True)
        datasette_cli.main(["serve", str(db_path), "--metadata", str(metadata_file), "--host", host,
                            "--port", str(port), "--setting", "truncate_cells_html", str(TABLE_CELL_CHARACTERS),
                            "--setting", "sql_time_limit_ms", str(SQL_TIME_LIMIT_MS)],
                           prog_name="govarchive serve", standalone_mode=False)


COMMANDS = (coverage, export, serve)
