"""Coverage: for every issuer and report year, its report — published, late or missing.

Reports on year Y are due by `report_due` (month-day) of Y+1: the first quarter, 03-31, by
default (`archive_settings`). The years are those from the earliest report year in the archive
to the latest that has one or whose due date has passed; a report found after its due date is
`late`, none found by then `missing`, none yet before it `not yet due`. One SQL text: the
`coverage` view reads the due date from `archive_settings` and today from SQLite's clock, a
reader (`govarchive coverage --due`) binds its own."""

from __future__ import annotations

import dataclasses

import sqlite_utils

DEFAULT_DUE = "03-31"
STATUSES = ("published", "late", "missing", "not yet due")

_SQL = """
WITH RECURSIVE
  rules(due, today) AS (SELECT :due, :today),
  bounds(first, last) AS (
    SELECT MIN(report_year),
           MAX(MAX(report_year), CAST(strftime('%Y', rules.today) AS INTEGER)
               - CASE WHEN rules.today > strftime('%Y', rules.today) || '-' || rules.due THEN 1 ELSE 2 END)
    FROM documents, rules WHERE report_year IS NOT NULL),
  years(year) AS (SELECT first FROM bounds WHERE first IS NOT NULL
                  UNION ALL SELECT year + 1 FROM years, bounds WHERE year < bounds.last),
  found AS (
    SELECT issuer_id, report_year, report_id, title, published_date, url,
           ROW_NUMBER() OVER (PARTITION BY issuer_id, report_year
                              ORDER BY published_date IS NULL, published_date, id) AS n
    FROM reports WHERE issuer_id IS NOT NULL AND report_year IS NOT NULL)
SELECT i.id AS issuer_id, i.full_name AS issuer, i.level, i.region_code,
       i.province, i.prefecture, i.county,
       y.year AS report_year, (y.year + 1) || '-' || rules.due AS due_date,
       f.report_id, f.title, f.published_date, f.url,
       CASE WHEN f.report_id IS NOT NULL
            THEN CASE WHEN f.published_date > (y.year + 1) || '-' || rules.due THEN 'late' ELSE 'published' END
            WHEN rules.today > (y.year + 1) || '-' || rules.due THEN 'missing'
            ELSE 'not yet due' END AS status
FROM issuers i CROSS JOIN years y CROSS JOIN rules
LEFT JOIN found f ON f.issuer_id = i.id AND f.report_year = y.year AND f.n = 1
"""


def view_sql() -> str:
    """The `coverage` view's SELECT: the archive's due date, today by SQLite's clock."""
    return _SQL.replace(":due", "(SELECT value FROM archive_settings WHERE key = 'report_due')") \
               .replace(":today", "date('now')")


@dataclasses.dataclass(frozen=True)
class CoverageCell:
    issuer_id: int
    issuer: str
    level: str
    region_code: str | None
    province: str | None
    prefecture: str | None
    county: str | None
    report_year: int
    due_date: str
    report_id: int | None
    title: str | None
    published_date: str | None
    url: str | None
    status: str

    @property
    def region(self) -> str:
        """The county (or the most precise place above the issuer) it is counted under."""
        return "".join(part for part in (self.province, self.prefecture, self.county) if part) or "(no region)"


def coverage(db: sqlite_utils.Database, year: int | None = None, region: str | None = None,
             due: str | None = None, today: str | None = None) -> list[CoverageCell]:
    """The coverage cells, by region, issuer and year; `region` a division code prefix (50:
    Chongqing), `due` a month-day (04-30) instead of the archive's, `today` YYYY-MM-DD."""
    conditions, args = [], {"due": due or due_date(db), "today": today or db.execute("SELECT date('now')").fetchone()[0]}
    if year is not None:
        conditions.append("report_year = :year")
        args["year"] = year
    if region:
        conditions.append("region_code LIKE :region")
        args["region"] = region + "%"
    where = " AND ".join(conditions) or "1"
    rows = db.execute(f"SELECT * FROM ({_SQL}) WHERE {where} "
                      "ORDER BY province, prefecture, county, issuer, report_year", args)
    names = [column[0] for column in rows.description]
    return [CoverageCell(**dict(zip(names, row, strict=True))) for row in rows]


def reports_per_year(db: sqlite_utils.Database, region: str | None = None) -> dict[int, int]:
    """How many reports (copies counted once) the archive holds on each report year."""
    rows = db.execute("SELECT report_year, COUNT(*) FROM reports WHERE report_year IS NOT NULL "
                      "AND COALESCE(division_code, region_code, '') LIKE ? GROUP BY report_year",
                      [(region or "") + "%"])
    return dict(rows.fetchall())


def due_date(db: sqlite_utils.Database) -> str:
    row = db.execute("SELECT value FROM archive_settings WHERE key = 'report_due'").fetchone()
    return row[0] if row else DEFAULT_DUE
