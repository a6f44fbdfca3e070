"""What `govarchive export` writes: the rows of reports, documents, coverage or sections, with
the same year and region filters for each."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import sqlite_utils

from archive.store.coverage import coverage

# each export's rows; {where} narrows documents d by report year and region
_SQL = {
    "reports": "SELECT d.* FROM reports d WHERE {where} ORDER BY d.report_year, d.province, d.county, d.id",
    "documents": "SELECT d.* FROM documents d WHERE {where} ORDER BY d.id",
    "sections": """SELECT s.document_id, d.title, i.full_name AS issuer, d.report_year, d.province,
                          d.prefecture, d.county, s.ordinal, s.heading, s.kind, s.text
                   FROM report_sections s JOIN documents d ON d.id = s.document_id
                   LEFT JOIN issuers i ON i.id = d.issuer_id
                   WHERE {where} ORDER BY s.document_id, s.ordinal""",
}
EXPORTS = (*_SQL, "coverage")


def export_rows(db: sqlite_utils.Database, what: str, year: int | None = None,
                region: str | None = None) -> tuple[list[str], Iterator[tuple]]:
    """The column names and rows of export `what` (one of EXPORTS); `region` a division code
    prefix matched against where each document is placed (or its 索引号 code)."""
    if what == "coverage":
        cells = coverage(db, year, region)
        names = [field.name for field in dataclasses.fields(cells[0])] if cells else ["issuer"]
        return names, (dataclasses.astuple(cell) for cell in cells)
    conditions, args = [], []
    if year is not None:
        conditions.append("d.report_year = ?")
        args.append(year)
    if region:
        conditions.append("COALESCE(d.division_code, d.region_code) LIKE ?")
        args.append(region + "%")
    cursor = db.execute(_SQL[what].format(where=" AND ".join(conditions) or "1"), args)
    return [column[0] for column in cursor.description], iter(cursor)
