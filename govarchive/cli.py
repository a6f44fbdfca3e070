"""The `govarchive` command: a thin click layer over crawler/, archive/ and the demo."""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path

import click

from archive.attachments import SUFFIXES, extract_attachment, sniff_kind
from archive.errors import GovarchiveError
from archive.extract import extract_page
from archive.reextract import reextract as run_reextract
from crawler.registry import load_registry, select_portals
from govarchive.cli_common import DB_OPTION, fail, open_archive, open_existing_archive, parse_settings
from govarchive.cli_unattended import COMMANDS as UNATTENDED_COMMANDS
from govarchive.crawl import CrawlResult, run_crawl

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="govarchive")
def main() -> None:
    """Collect government disclosure pages (政府信息公开) into a SQLite archive.

    Typical use: list the disclosure columns in portals.toml, run `govarchive crawl`, then
    `govarchive search 法治政府` or query the database with SQL.
    """


def print_result(result: CrawlResult) -> None:
    click.echo(f"  {result.portal}: {result.status} — {result.list_pages} list pages, "
               f"{result.detail_pages} detail pages, {result.documents_new} new documents "
               f"({result.clustered} near-duplicates), {result.duplicates} duplicates merged, {result.errors} failures "
               f"({result.skipped} not due, {result.not_modified} not modified, {result.withdrawn} withdrawn; "
               f"{result.requests} requests, {result.response_bytes:,} bytes, {result.seconds:.1f}s)", err=True)
    for url, reason in result.failures[:5]:
        click.echo(f"    failed {url}: {reason}", err=True)
    if len(result.failures) > 5:
        click.echo(f"    … and {len(result.failures) - 5} more (table crawl_errors)", err=True)


def crawl_portals(names: tuple[str, ...], config: Path, db_path: Path,
                  settings: dict[str, str], refresh: bool = False) -> list[CrawlResult]:
    """Validate registry and database first (exit 2), then crawl each portal in turn."""
    try:
        portals = select_portals(load_registry(config), names)
    except GovarchiveError as exc:
        fail(str(exc))
    open_archive(db_path).close()
    results = []
    for number, portal in enumerate(portals, start=1):
        click.echo(f"[{number}/{len(portals)}] crawling {portal.name} ({portal.title})", err=True)
        result = run_crawl(portal, config, db_path, settings, refresh=refresh)
        print_result(result)
        results.append(result)
    return results


def summary_line(results: list[CrawlResult]) -> str:
    total = lambda field: sum(getattr(r, field) for r in results)  # noqa: E731
    failed = sum(r.status != "ok" for r in results)
    return (f"portals: {len(results)} ({failed} failed) · list pages: {total('list_pages')} · "
            f"detail pages: {total('detail_pages')} · documents archived: {total('documents_new')} · "
            f"duplicates merged: {total('duplicates')} · near-duplicates clustered: {total('clustered')} · "
            f"failures: {total('errors')}")


@main.command()
@click.argument("names", nargs=-1)
@click.option("--config", default="portals.toml", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="Portal registry (TOML).")
@DB_OPTION
@click.option("-s", "--setting", "settings", multiple=True, metavar="KEY=VALUE",
              help="Extra Scrapy setting for the crawl, e.g. -s DOWNLOAD_DELAY=2.")
@click.option("--refresh", is_flag=True,
              help="Download every detail page again in full, even when it is not due for a revisit.")
@click.option("--json", "as_json", is_flag=True, help="Print the run results as JSON on stdout.")
def crawl(names: tuple[str, ...], config: Path, db_path: Path, settings: tuple[str, ...],
          refresh: bool, as_json: bool) -> None:
    """Crawl the named portals (all when none is named) into the archive.

    Each portal runs as its own `scrapy crawl portal` process. List pages are always read;
    archived detail pages are downloaded again only when older than the portal's
    revisit_days, and then conditionally. Exit code 0 when every run finished ok, 1 when a
    run failed, 2 when the registry or database cannot be used.
    """
    results = crawl_portals(names, config, db_path, parse_settings(settings), refresh=refresh)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        click.echo(summary_line(results))
    sys.exit(0 if all(r.status == "ok" for r in results) else 1)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="The page's URL (dates and links are read from it).")
def extract(file: Path, url: str | None) -> None:
    """Extract one saved page (.html) or document (.docx, .pdf, .doc, .wps, .xlsx) as JSON.

    A page prints title, text, metadata, raw_metadata, derived fields and attachment links;
    a document prints its kind and text. Exit code 1 when nothing can be extracted.
    """
    data = file.read_bytes()
    if file.suffix.lower() in SUFFIXES or sniff_kind(data, file.name) != "unknown":
        result = extract_attachment(data, file.name)
        if result.error:
            fail(result.error, 1)
        click.echo(json.dumps({"file": str(file), "url": url, "kind": result.kind, "text": result.text},
                              ensure_ascii=False, indent=2))
        return
    try:
        record = extract_page(data, url or file.resolve().as_uri())
    except GovarchiveError as exc:
        fail(str(exc), 1)
    click.echo(json.dumps(record.as_dict(), ensure_ascii=False, indent=2))


@main.command()
@click.option("--portal", default=None, help="Only the pages of this portal.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@DB_OPTION
def reextract(portal: str | None, as_json: bool, db_path: Path) -> None:
    """Run extraction again over the raw pages stored in the archive (no network).

    Use after an extraction rule improves: documents are corrected in place and the count of
    changed documents is printed. Exit code 1 when a stored page no longer extracts.
    """
    archive = open_existing_archive(db_path)

    def progress(done: int, total: int) -> None:
        if not as_json and (done % 100 == 0 or done == total):
            click.echo(f"  re-extracted {done}/{total} pages", err=True)

    try:
        report = run_reextract(archive, portal, progress)
    finally:
        archive.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"pages: {report.pages} · documents changed: {report.changed} · "
                   f"unchanged: {report.unchanged} · failed: {len(report.failed)}")
        for url, reason in report.failed[:10]:
            click.echo(f"  failed {url}: {reason}")
    sys.exit(1 if report.failed else 0)


def print_hits(query: str, hits: list) -> None:
    click.echo(f"{len(hits)} hit(s) for {query!r}")
    for hit in hits:
        dates = f"published {hit.published_date}" if hit.published_date else "date unknown"
        if hit.written_date and hit.written_date != hit.published_date:
            dates += f", written {hit.written_date}"
        click.echo(f"- {hit.title}  [{dates}] {hit.publisher or hit.portal}")
        click.echo(f"  {hit.url}")
        click.echo(f"  {hit.snippet}")


@main.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="Print hits as JSON.")
@DB_OPTION
def search(query: str, limit: int, as_json: bool, db_path: Path) -> None:
    """Full-text search: every term must occur (terms of two characters such as 执法 work)."""
    archive = open_existing_archive(db_path)
    hits = archive.search(query, limit)
    archive.close()
    if as_json:
        click.echo(json.dumps([h.__dict__ for h in hits], ensure_ascii=False, indent=2))
    else:
        print_hits(query, hits)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@DB_OPTION
def stats(as_json: bool, db_path: Path) -> None:
    """Counts of documents, pages and runs, per portal and per report year."""
    archive = open_existing_archive(db_path)
    numbers = archive.stats()
    archive.close()
    if as_json:
        click.echo(json.dumps(numbers, ensure_ascii=False, indent=2))
        return
    click.echo(f"documents: {numbers['documents']}  pages: {numbers['pages']}  "
               f"portals: {numbers['portals']}  crawl runs: {numbers['crawl_runs']}  "
               f"recorded failures: {numbers['errors']}")
    click.echo(f"reports (clusters): {numbers['reports']}  versions: {numbers['versions']}  "
               f"withdrawn: {numbers['withdrawn_documents']} documents ({numbers['withdrawn_pages']} pages)")
    click.echo(f"attachments: {numbers['attachments']}  raw bodies: {numbers['raw_bodies']} "
               f"({numbers['raw_bytes']:,} bytes, {numbers['raw_stored_bytes']:,} stored compressed)")
    for row in numbers["by_portal"]:
        click.echo(f"  {row['portal']}: {row['documents']} documents on {row['pages']} pages "
                   f"(last seen {row['last_seen']})")
    for row in numbers["by_year"]:
        click.echo(f"  report year {row['report_year'] or 'unknown'}: {row['documents']} documents")
    for row in numbers["by_method"]:
        click.echo(f"  extracted by {row['extraction_method']}: {row['documents']} documents")


@main.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON.")
@DB_OPTION
def history(url: str, as_json: bool, db_path: Path) -> None:
    """What a page URL held over time: each version with a unified diff to the one before."""
    archive = open_existing_archive(db_path)
    try:
        versions = archive.page_history(url)
    finally:
        archive.close()
    if not versions:
        fail(f"{url}: not an archived page (see `govarchive search` for URLs)", 1)
    if as_json:
        click.echo(json.dumps(versions, ensure_ascii=False, indent=2))
        return
    previous = None
    for number, version in enumerate(versions, start=1):
        click.echo(f"version {number}: seen {version['seen_at']} · document {version['document_id']} "
                   f"(report {version['cluster_id']}) · {version['title']}")
        if previous is not None:
            diff = difflib.unified_diff(previous["text"].splitlines(), version["text"].splitlines(),
                                        f"version {number - 1}", f"version {number}", lineterm="")
            for line in diff:
                click.echo(f"  {line}")
        previous = version


@main.command()
@click.option("--db", "db_path", default="demo.db", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="Demo database (recreated).")
@click.option("--sites", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of sample portals with a portals.toml template "
                   "(default: tests/fixtures/sites of this checkout).")
@click.option("--serve", "serve_config", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Only serve the sample portals until Ctrl-C, writing their registry to this file "
                   "(e.g. demo-portals.toml) for `govarchive schedule`.")
def demo(db_path: Path, sites: Path | None, serve_config: Path | None) -> None:
    """Serve the bundled sample portals on 127.0.0.1, crawl them into demo.db, search it."""
    from govarchive.demo import run_demo, serve_samples

    try:
        code = serve_samples(serve_config, sites) if serve_config else run_demo(db_path, sites)
    except GovarchiveError as exc:
        fail(str(exc))
    sys.exit(code)



for _command in UNATTENDED_COMMANDS:
    main.add_command(_command)
