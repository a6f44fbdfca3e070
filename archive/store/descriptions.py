"""What every table, view and column of the archive means: one source for the README's schema
section (`readme_tables`, checked by a test) and Datasette's metadata (`govarchive serve`)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Described:
    title: str
    description: str
    columns: dict[str, str]
    view: bool = False
    hidden: bool = False   # internal: hidden in Datasette (still documented)
    base: str | None = None   # a view with every column of this table, and `columns` after them

    def all_columns(self) -> dict[str, str]:
        return {**(TABLES[self.base].columns if self.base else {}), **self.columns}


_DOCUMENT_COLUMNS = {
    "id": "primary key",
    "title": "document title (ArticleTitle meta, headline, or `<title>` without the site name)",
    "text": "the document body, one paragraph per line, boilerplate removed",
    "text_hash": "SHA-256 of the NFKC-normalised text with white space removed (unique)",
    "index_no": "索引号",
    "doc_no": "发文字号 / 文号",
    "topic": "主题分类",
    "genre": "体裁分类",
    "publisher": "发布机构 / 发文机关, as printed",
    "validity": "有效性",
    "written_date": "成文日期 / 发文日期, `YYYY-MM-DD`",
    "published_date": "发布日期 / 发布时间 (else the page's PubDate or URL date), `YYYY-MM-DD`",
    "source": "来源 / 信息来源",
    "region_code": "the 6-digit division code in the 索引号's credit code, as given (`500101`), even when "
                   "`regions` does not know it",
    "report_year": "the year the report covers, from the title (`关于2024年度…` → 2024)",
    "portal": "registry name of the portal where the document was first seen → `portals`",
    "url": "the URL where it was first seen",
    "extraction_method": "`trs`, `hanweb:markers`, `hanweb`, `ucap`, `intensive`, `generic:density`, `generic`, "
                         "`attachment` or `file`",
    "first_seen": "UTC timestamp (ISO 8601) of the first crawl that saw it",
    "last_seen": "UTC timestamp of the latest crawl that saw it",
    "metadata_json": "every label/value pair of the disclosure block and info lines, labels without spaces, "
                     "values as printed (empty = `null`)",
    "metadata_fields": "how many of the nine metadata columns are filled (the copy with most wins)",
    "dates_inconsistent": "1 when `written_date` is later than `published_date`",
    "cluster_id": "the report this text belongs to (the id of the cluster's first document); copies and "
                  "versions share it",
    "previous_id": "for a new version of a page: the document the page held before",
    "issuer_id": "the body the document belongs to → `issuers`",
    "division_code": "the most precise division it is placed in (9 digits for a township) → `regions`",
    "province": "省级 name of `division_code`",
    "prefecture": "地级 name (`NULL` in the four municipalities and for counties directly under a province)",
    "county": "县级 name",
    "township": "乡级 name (镇, 乡, 街道), when known",
    "region_status": "the 索引号 code: `current`, `retired` (placed at its successor), `unknown` (not in "
                     "`regions`: kept, not placed), `NULL` (no code)",
}

TABLES: dict[str, Described] = {
    "documents": Described(
        "Documents", "One row per distinct document text: a report reposted on three portals is one row "
        "(see `pages`), a page whose text changed holds a new one (`previous_id`).", _DOCUMENT_COLUMNS),
    "reports": Described(
        "Reports", "One row per report: of each cluster of copies and versions, the copy on the issuer's "
        "own portal, still online, published first.", {
            "report_id": "the cluster (`cluster_id`, or the document's id)",
            "copies": "documents in the cluster",
            "preference": "always 1: the copy standing for the cluster",
            "issuer": "the issuer's full name (`issuers.full_name`)",
            "issuer_level": "the issuer's level (`issuers.level`)",
        }, view=True, base="documents"),
    "issuers": Described(
        "Issuers", "The bodies reports belong to. Publisher names are normalised to one issuer (region "
        "prefixes and 人民政府/办事处 dropped: 重庆市万州区后山镇人民政府 = 万州区后山镇 = 后山镇); a "
        "portal's registry `issuers` adds them before any report is found.", {
            "id": "primary key",
            "name": "the body's own name: 后山镇, 青浦区, 司法局",
            "level": "`province`, `prefecture`, `county`, `township` or `department`",
            "region_code": "where it is: its own division, or the one a department belongs to → `regions` "
                           "(unique with `name`)",
            "full_name": "the name with its region: 重庆市万州区后山镇",
            "province": "省级 name of its region",
            "prefecture": "地级 name of its region",
            "county": "县级 name of its region",
            "portal": "the portal whose registry `issuers` declares it, else `NULL`",
            "first_seen": "UTC timestamp of when it was first added",
        }),
    "coverage": Described(
        "Coverage", "Every issuer × report year from the archive's first report year to the latest due: its "
        "report and whether it was published on time. Reports on year Y are due by `report_due` "
        "(`archive_settings`, 03-31) of Y+1.", {
            "issuer_id": "→ `issuers`",
            "issuer": "the issuer's full name",
            "level": "the issuer's level",
            "region_code": "the issuer's region",
            "province": "省级 name",
            "prefecture": "地级 name",
            "county": "县级 name",
            "report_year": "the year reported on",
            "due_date": "the date the report was due, `YYYY-MM-DD`",
            "report_id": "the report found (`reports.report_id`), else `NULL`",
            "title": "its title",
            "published_date": "its published date",
            "url": "where it was found",
            "status": "`published`, `late` (after the due date), `missing` (none by the due date) or "
                      "`not yet due`",
        }, view=True),
    "report_sections": Described(
        "Report sections", "Each document split on its numbered headings (一、 then （一） then 1.); a text "
        "without them is one `other` section.", {
            "id": "primary key of `document_sections`",
            "document_id": "→ `documents`",
            "ordinal": "1, 2, … in reading order (1: the opening before the first heading, when it has one)",
            "heading": "the heading line to its first stop, `NULL` for the opening",
            "kind": "`measures` (主要举措/成效), `leadership` (第一责任人履职), `shortcomings` (不足/问题), "
                    "`plans` (下一年度/下一步安排) or `other`",
            "text": "the section's text, heading included",
        }, view=True),
    "regions": Described(
        "Regions", "China's administrative divisions (GB/T 2260 and 9-digit township codes, 2023; retired "
        "codes from the 2002–2016 revisions). Sources and licences: `archive/regions/NOTICE.md`.", {
            "code": "division code: 6 digits (province 500000, prefecture 500100, county 500101) or 9 (township)",
            "name": "its name: 万州区",
            "level": "`province`, `prefecture`, `county` or `township`",
            "parent": "the division it is part of → `regions`",
            "full_name": "its name with those above it: 重庆市万州区 (groupings such as 市辖区 left out)",
            "successor": "for a retired code: the current division that took its place, else `NULL`",
        }),
    "pages": Described(
        "Pages", "Every URL a document was seen at.", {
            "url": "primary key",
            "portal": "registry name of the portal → `portals`",
            "document_id": "what it holds now → `documents`",
            "http_status": "status of the last fetch",
            "encoding": "the charset that decoded it",
            "first_seen": "UTC timestamp of the first crawl that saw it",
            "last_seen": "UTC timestamp of the latest crawl that saw it",
            "page_text": "the page's own words when the document text came from its attachments, else `NULL`",
            "gone_at": "when it was found withdrawn, else `NULL`",
            "last_listed": "the last crawl whose column listed it",
        }),
    "page_versions": Described(
        "Page versions", "What each URL held over time.", {
            "url": "→ `pages`",
            "document_id": "→ `documents`",
            "seen_at": "when the URL was first seen holding that text",
        }),
    "near_duplicates": Described(
        "Near-duplicates", "Why documents share a cluster.", {
            "document_id": "→ `documents`",
            "other_id": "the document it resembles → `documents`",
            "similarity": "estimated Jaccard similarity of their bigram sets",
            "reason": "`minhash`, `version` or `index_no`",
        }),
    "attachments": Described(
        "Attachments", "Files linked from a page, and their text.", {
            "id": "primary key",
            "document_id": "→ `documents`",
            "page_url": "the page linking it → `pages`",
            "url": "the file's URL",
            "filename": "the link text when it names the file, else the URL's file name",
            "content_type": "as the server sent it",
            "bytes": "size",
            "sha256": "→ `raw_bodies`",
            "text": "the extracted text",
            "error": "why there is no text: `HTTP 404`, `no text in the pdf (a scan needs OCR)`…",
        }),
    "portals": Described(
        "Portals", "The registry's portals as last crawled.", {
            "name": "registry name",
            "title": "registry title (the `reports` view prefers the copy whose portal names its publisher)",
            "region_code": "the registry's `region`: where documents naming no place are placed",
        }),
    "crawl_runs": Described(
        "Crawl runs", "One row per crawl of one portal; counts are written as the run goes, so a killed run "
        "shows what it did.", {
            "id": "primary key",
            "portal": "→ `portals`",
            "started_at": "UTC timestamp",
            "finished_at": "UTC timestamp, `NULL` while running",
            "status": "`running`, then `ok`, `failed`, `blocked` (the start page is an anti-bot challenge), "
                      "`timeout` or `interrupted`",
            "list_pages": "list pages read",
            "detail_pages": "detail pages downloaded",
            "documents_new": "new document texts",
            "duplicates": "pages whose text was already archived from another URL",
            "errors": "rows in `crawl_errors`",
            "clustered": "new texts that are near-duplicates of an archived report",
            "requests": "HTTP requests sent",
            "response_bytes": "bytes received",
            "not_modified": "304 answers",
            "skipped": "archived pages not yet due for a revisit",
            "withdrawn": "pages found withdrawn",
            "log_path": "the run's log file (runs the scheduler started)",
            "log_tail": "the log's last 40 lines",
            "walk": "`complete`, `incremental…` or `incomplete: why`",
            "family": "the CMS family its list pages were read as",
            "listed": "detail links the walk listed",
            "unchanged": "pages whose archived text was seen again",
            "refused": "pages robots.txt forbids",
            "pid": "process id of the crawl that owns the row",
            "host": "host name of that process",
            "token": "the token its starter finds it by",
        }),
    "crawl_errors": Described(
        "Crawl errors", "What went wrong, page by page.", {
            "id": "primary key",
            "run_id": "→ `crawl_runs`",
            "portal": "→ `portals`",
            "url": "the URL the walk listed, before redirects",
            "reason": "as a person would say it: `HTTP 404`, `blocked: 瑞数 challenge (HTTP 412)`…",
            "at": "UTC timestamp",
            "kind": "`list page`, `detail page`, `attachment` or `run`",
        }),
    "fetches": Described(
        "Fetches", "One row per distinct body a URL returned.", {
            "id": "primary key", "url": "the URL fetched", "portal": "→ `portals`",
            "kind": "`page` or `attachment`", "status": "HTTP status", "headers_json": "response headers",
            "encoding": "the charset that decoded it", "body_sha256": "→ `raw_bodies`",
            "first_fetched": "UTC timestamp", "last_fetched": "UTC timestamp",
        }, hidden=True),
    "raw_bodies": Described(
        "Raw bodies", "Each distinct fetched body once, zlib-compressed.", {
            "sha256": "primary key", "size": "bytes", "compressed": "`zlib.decompress(compressed)` gives the bytes",
        }, hidden=True),
    "minhashes": Described(
        "MinHash signatures", "The near-duplicate index: each document's signature.", {
            "document_id": "→ `documents`", "signature": "128 32-bit minimums",
        }, hidden=True),
    "lsh_bands": Described(
        "LSH bands", "The near-duplicate index: documents by band key.", {
            "band": "band number", "key": "hash of the band's rows", "document_id": "→ `documents`",
        }, hidden=True),
    "document_sections": Described(
        "Document sections", "The sections as offsets into the text (read `report_sections`).", {
            "id": "primary key", "document_id": "→ `documents`", "ordinal": "reading order", "heading": "heading",
            "kind": "what it is about", "start": "offset in the text", "end": "offset after it",
        }, hidden=True),
    "archive_settings": Described(
        "Archive settings", "Settings stored with the archive.", {
            "key": "`report_due`: the month-day reports on year Y are due in Y+1", "value": "its value",
        }, hidden=True),
    "schema_migrations": Described(
        "Schema migrations", "The schema's history; `govarchive migrate` applies pending ones.", {
            "name": "migration name", "applied_at": "UTC timestamp (`NULL` before they were recorded by name)",
        }, hidden=True),
}


def readme_tables() -> str:
    """The README's tables of the schema, as Markdown (a view built on a table lists only the
    columns it adds)."""
    parts = []
    for name, table in TABLES.items():
        kind = " (view)" if table.view else ""
        rows = "\n".join(f"| `{column}` | {meaning} |" for column, meaning in table.columns.items())
        base = f" Every column of `{table.base}`, then:" if table.base else ""
        parts.append(f"### `{name}`{kind} — {table.title}\n\n{table.description}{base}\n\n| column | meaning |\n"
                     f"|---|---|\n{rows}\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(readme_tables(), end="")
