"""What `govarchive serve` tells Datasette about an archive: titles and descriptions of every
table, view and column (from `archive.store.descriptions`), hidden internals, default facets,
labels, and the canned queries analysts start from."""

from __future__ import annotations

from archive.store.descriptions import TABLES

TITLE = "govarchive — 法治政府建设年度报告"
DESCRIPTION = ("Government information-disclosure pages collected by govarchive. Start from `reports` (one row "
               "per report), `coverage` (who published, late or not at all) or the queries below; the search "
               "box of `reports`, `documents` and `report_sections` finds every term as written, 执法 included.")
FACETS = {
    "reports": ["report_year", "province", "prefecture", "county", "issuer_level", "publisher", "genre",
                "extraction_method"],
    "documents": ["report_year", "province", "prefecture", "county", "issuer_id", "publisher", "genre",
                  "extraction_method"],
    "coverage": ["status", "report_year", "province", "county", "level"],
    "report_sections": ["kind"],
    "issuers": ["level", "province", "county"],
}
SORT_DESC = {"reports": "published_date", "documents": "published_date", "crawl_errors": "at", "crawl_runs": "id"}
LABELS = {"issuers": "full_name", "portals": "title", "regions": "full_name", "documents": "title"}

QUERIES = {
    "coverage_by_region_and_year": {
        "title": "Coverage by region and year",
        "description": "Expected reports per county and report year, and how many were published, late or missing.",
        "sql": """SELECT province, prefecture, county, report_year, COUNT(*) AS expected,
       SUM(status = 'published') AS published, SUM(status = 'late') AS late,
       SUM(status = 'missing') AS missing, SUM(status = 'not yet due') AS not_yet_due
FROM coverage GROUP BY province, prefecture, county, report_year
ORDER BY province, prefecture, county, report_year""",
    },
    "missing_and_late_reports": {
        "title": "Missing and late reports",
        "description": "Every issuer whose report on a year is missing or came after its due date.",
        "sql": """SELECT issuer, level, report_year, due_date, status, published_date, title, url
FROM coverage WHERE status IN ('missing', 'late')
  AND (:year = '' OR report_year = CAST(:year AS INTEGER))
ORDER BY report_year DESC, status, province, county, issuer""",
    },
    "published_in_the_last_7_days": {
        "title": "Reports published in the last 7 days",
        "sql": """SELECT report_id, issuer, title, published_date, portal, url FROM reports
WHERE published_date >= date('now', '-7 days') ORDER BY published_date DESC""",
    },
    "last_nights_failures": {
        "title": "Last night's failures",
        "description": "What went wrong in the crawls of the last 24 hours, page by page.",
        "sql": """SELECT r.portal, r.status AS run_status, e.kind, e.url, e.reason, e.at
FROM crawl_errors e JOIN crawl_runs r ON r.id = e.run_id
WHERE e.at >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-1 day') ORDER BY e.at DESC""",
    },
    "copies_and_versions_of_a_report": {
        "title": "A report's copies and versions",
        "description": "Every document of a report (its report_id): where it was seen, why it belongs, which "
                       "one the reports view shows.",
        "sql": """SELECT d.id, d.portal, d.url, d.published_date, d.first_seen, d.previous_id,
       n.other_id AS resembles, n.similarity, n.reason,
       d.id IN (SELECT id FROM reports WHERE report_id = CAST(:report_id AS INTEGER)) AS shown_in_reports,
       (SELECT COUNT(*) FROM pages p WHERE p.document_id = d.id) AS pages,
       (SELECT COUNT(*) FROM pages p WHERE p.document_id = d.id AND p.gone_at IS NOT NULL) AS withdrawn_pages
FROM documents d LEFT JOIN near_duplicates n ON n.document_id = d.id
WHERE COALESCE(d.cluster_id, d.id) = CAST(:report_id AS INTEGER) ORDER BY d.first_seen, d.id""",
    },
}


def metadata(database: str) -> dict:
    """Datasette metadata for the archive served as `database` (its file name without .db)."""
    tables = {}
    for name, table in TABLES.items():
        entry: dict = {"title": table.title, "description": table.description, "columns": table.all_columns()}
        if table.hidden:
            entry["hidden"] = True
        if name in FACETS:
            entry["facets"] = FACETS[name]
        if name in SORT_DESC:
            entry["sort_desc"] = SORT_DESC[name]
        if name in LABELS:
            entry["label_column"] = LABELS[name]
        tables[name] = entry
    return {"title": TITLE, "description": DESCRIPTION,
            "databases": {database: {"title": TITLE, "tables": tables, "queries": QUERIES}}}
