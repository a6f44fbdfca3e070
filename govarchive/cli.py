"""The `govarchive` command: a thin click layer over crawler/, archive/ and the demo."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import click

from archive.errors import GovarchiveError
from archive.extract.attachments import SUFFIXES, extract_attachment, sniff_kind
from archive.extract.page import extract_page
from archive.reextract import reextract as run_reextract
from archive.store.migrations import applied_migrations
from archive.store.search import MATCH_CAP, QueryError, SearchFilters
from govarchive.cli_common import (CONFIG_OPTION, DB_OPTION, EXIT_FAILED, LOGS_OPTION, SETTING_OPTION,
                                   OneLineErrors, Since, crawl_portals, fail, known_name, open_archive,
                                   open_existing_archive, parse_settings)
from govarchive.cli_analysts import COMMANDS as ANALYST_COMMANDS
from govarchive.cli_distributed import COMMANDS as DISTRIBUTED_COMMANDS
from govarchive.cli_distributed import plan_redis_round
from govarchive.cli_unattended import COMMANDS as UNATTENDED_COMMANDS
from govarchive.demo import SERVE_PORT
from govarchive.output import print_hits, print_probe, summary_line, text_changes

@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="govarchive")
def main() -> None:
    """Collect government disclosure pages (政府信息公开) into a SQLite archive.

    Typical use: list the disclosure columns in portals.toml, run `govarchive crawl`, then
    `govarchive search 法治政府` or query the database with SQL.
    """


@main.command()
@click.argument("names", nargs=-1)
@CONFIG_OPTION
@DB_OPTION
@SETTING_OPTION
@click.option("--refresh", is_flag=True,
              help="Download every detail page again in full, even when it is not due for a revisit.")
@click.option("--json", "as_json", is_flag=True, help="Print the run results as JSON on stdout.")
@LOGS_OPTION
@click.option("--redis", "redis_url", default=None, metavar="URL",
              help="Do not crawl here: plan a round in this Redis for `govarchive worker` and `ingest` "
                   "(README, Scaling out).")
@click.option("--shards", default=1, show_default=True, type=click.IntRange(1, 1024),
              help="With --redis: how many workers share the round (portals of one host share a shard).")
def crawl(names: tuple[str, ...], config: Path, db_path: Path, settings: tuple[str, ...],
          refresh: bool, as_json: bool, logs_dir: Path | None, redis_url: str | None, shards: int) -> None:
    """Crawl the named portals (all when none is named) into the archive.

    All of them crawl in this one process, each with its own run row and timeout, politely per
    host however many portals share one; the log goes to logs/<portal>/<start>.log (logs/crawl/
    for several portals) and the terminal gets one line per portal with what failed. List
    pages are always read; archived detail pages are downloaded again only when older than
    the portal's revisit_days, and then conditionally. Exit code 0 when every run finished
    ok, 1 when a run failed, 2 when the registry, database or a setting cannot be used.
    """
    if redis_url is not None:
        if refresh:
            settings = (*settings, "GOVARCHIVE_REFRESH=True")
        plan_redis_round(redis_url, names, config, db_path, parse_settings(settings), shards)
        return
    results = crawl_portals(names, config, db_path, parse_settings(settings), refresh=refresh,
                            logs_dir=logs_dir)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        click.echo(summary_line(results))
    sys.exit(0 if all(r.ok for r in results) else EXIT_FAILED)


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
            fail(result.error, EXIT_FAILED)
        click.echo(json.dumps({"file": str(file), "url": url, "kind": result.kind, "text": result.text},
                              ensure_ascii=False, indent=2))
        return
    try:
        record = extract_page(data, url or file.resolve().as_uri())
    except GovarchiveError as exc:
        fail(str(exc), EXIT_FAILED)
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
    archive = open_existing_archive(db_path, write=True)
    known_name(portal, archive.portal_names(), str(db_path))

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
    sys.exit(EXIT_FAILED if report.failed else 0)


@main.command()
@click.argument("words", nargs=-1, required=True, metavar="QUERY...")
@click.option("--year", type=click.IntRange(1990, 2100), default=None, help="Only reports on this year (report_year).")
@click.option("--region", default=None, help="Only this administrative division code or its prefix (50 = Chongqing).")
@click.option("--publisher", default=None, help="Only documents whose publisher contains this (e.g. 司法局).")
@click.option("--portal", default=None, help="Only documents found on this portal.")
@click.option("--since", default=None, type=Since(), help="Only documents published on or after this date "
                                                          "(2024-01-01) or this long ago (30d).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="Print {query, total, more, hits} as JSON "
                                                     f"(more: over {MATCH_CAP:,} match, total is that cap).")
@DB_OPTION
def search(words: tuple[str, ...], year: int | None, region: str | None, publisher: str | None, portal: str | None,
           since: str | None, limit: int, as_json: bool, db_path: Path) -> None:
    """Full-text search of titles and texts, best first: the hits shown of how many match
    (a query matching over 5,000 documents shows the most recently archived: add a term or a
    filter).

    \b
    法治 政府               both terms (any length: 执法 works)
    "法治政府 建设"          the phrase as written, spaces included
    执法 OR 监管             either (OR binds tighter than the implicit AND)
    NOT 征求意见, -征求意见   without the term
    Other characters (* : ^ ( ) +) are searched as written. The words need no shell quotes,
    except around a phrase: govarchive search '"法治政府 建设"' 执法.
    """
    query = " ".join(words)
    if region is not None and not region.isdigit():
        fail(f"--region {region!r}: expected an administrative division code or its prefix, digits only (50, 500101)")
    archive = open_existing_archive(db_path)
    try:
        known_name(portal, archive.portal_names(), str(db_path))
        result = archive.search(query, SearchFilters(year, region, publisher, portal, since), limit)
    except QueryError as exc:
        fail(str(exc))
    except sqlite3.DatabaseError as exc:
        fail(f"{db_path}: the full-text index cannot be read ({exc}); run `govarchive check --repair`",
             EXIT_FAILED)
    finally:
        archive.close()
    if as_json:
        click.echo(json.dumps({"query": query, "total": result.total, "more": result.more,
                               "hits": [h.__dict__ for h in result.hits]},
                              ensure_ascii=False, indent=2))
    else:
        print_hits(query, result)


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
                   f"(family {row['family'] or 'unknown'}, last seen {row['last_seen']})")
    for row in numbers["by_year"]:
        click.echo(f"  report year {row['report_year'] or 'unknown'}: {row['documents']} documents")
    for row in numbers["by_method"]:
        click.echo(f"  extracted by {row['extraction_method']}: {row['documents']} documents")


@main.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON.")
@DB_OPTION
def history(url: str, as_json: bool, db_path: Path) -> None:
    """What a page URL held over time: each version with what changed from the one before.

    Changed lines show the characters that changed: `~ 受理纠纷1[-53-]{+35+}起`; `-`/`+` lines
    were removed/added."""
    archive = open_existing_archive(db_path)
    try:
        versions = archive.page_history(url)
    finally:
        archive.close()
    if not versions:
        fail(f"{url}: not an archived page (see `govarchive search` for URLs)", EXIT_FAILED)
    if as_json:
        click.echo(json.dumps(versions, ensure_ascii=False, indent=2))
        return
    previous = None
    for number, version in enumerate(versions, start=1):
        click.echo(f"version {number}: seen {version['seen_at']} · document {version['document_id']} "
                   f"(report {version['cluster_id']}) · {version['title']}")
        if previous is not None:
            for line in text_changes(previous["text"], version["text"]):
                click.echo(f"  {line}")
        previous = version


@main.command()
@click.option("--db", "db_path", default="demo.db", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="Demo database (recreated).")
@click.option("--sites", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of sample portals with a portals.toml template "
                   "(default: the sample portals installed with govarchive).")
@click.option("--serve", "serve_config", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Only serve the sample portals until Ctrl-C, writing their registry to this file "
                   "(e.g. demo-portals.toml) for `govarchive schedule`.")
@click.option("--port", default=SERVE_PORT, show_default=True, type=click.IntRange(1, 65535),
              help="With --serve: the port on 127.0.0.1, the same each time so a database crawled "
                   "from it keeps its URLs.")
def demo(db_path: Path, sites: Path | None, serve_config: Path | None, port: int) -> None:
    """Serve the bundled sample portals on 127.0.0.1, crawl them into demo.db, search it.

    Four failures are planted in the sample portals, to show how failures are recorded."""
    from govarchive.demo import run_demo, serve_samples

    try:
        code = serve_samples(serve_config, sites, port) if serve_config else run_demo(db_path, sites)
    except GovarchiveError as exc:
        fail(str(exc))
    sys.exit(code)


@main.command()
@click.argument("target")
@click.option("--url", default=None, help="With a FILE: the URL it was fetched from (links resolve against it).")
@click.option("--format", "answer_format", type=click.Choice(["html", "xml", "json"]), default=None,
              help="What the file or answer is (default: sniffed from its first bytes).")
@click.option("--family", default=None, help="Read it as this CMS family (default: detected).")
@click.option("--json", "as_json", is_flag=True, help="Print the reading as JSON.")
def probe(target: str, url: str | None, answer_format: str | None, family: str | None, as_json: bool) -> None:
    """Show what the crawler would do with a list page: URL (fetched once, politely) or FILE.

    Prints the CMS family detected, the document links with the titles and dates the list
    shows, the next list requests (method, URL, form body), the total the column states, a
    challenge or soft-404 verdict, and a [[portal]] entry to start from. Exit code 0 when the
    page lists documents or further pages, 1 when it is blocked, missing or lists nothing.
    """
    from crawler.probe import ProbeError, fetch, probe_bytes

    try:
        if target.startswith(("http://", "https://")):
            status, headers, body = fetch(target)
            url = target
        elif Path(target).is_file():
            status, headers, body = 200, {}, Path(target).read_bytes()
            url = url or Path(target).resolve().as_uri()
        else:
            fail(f"{target}: neither an http(s) URL nor a readable file")
        result = probe_bytes(body, url, status, headers, answer_format, family)
    except ProbeError as exc:
        fail(str(exc), EXIT_FAILED)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print_probe(result)
    listing = result.listing
    sys.exit(0 if result.verdict is None and (listing.documents or listing.next_requests) else EXIT_FAILED)


@main.command()
@DB_OPTION
@click.option("--repair", is_flag=True, help="Rebuild the full-text index and close runs whose process is gone.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def check(db_path: Path, repair: bool, as_json: bool) -> None:
    """Check the archive: SQLite integrity, foreign keys, the full-text index, orphan rows, runs
    still running. Exit code 1 when anything is found (after --repair: anything left).

    --repair rebuilds the full-text index from the documents and closes, as interrupted, the
    runs whose crawl process is gone; it changes nothing else.
    """
    from crawler.process import close_abandoned_runs

    repaired: list[str] = []
    if repair:
        archive = open_existing_archive(db_path, write=True)
        try:
            if not archive.full_text_index_ok():
                archive.rebuild_full_text_index()
                repaired.append("rebuilt the full-text index")
            repaired += [f"closed run {run['id']} of {run['portal']} (pid {run['pid']} is gone)"
                         for run in close_abandoned_runs(archive)]
        finally:
            archive.close()
    archive = open_existing_archive(db_path)
    try:
        findings = archive.integrity_findings()
    finally:
        archive.close()
    if as_json:
        click.echo(json.dumps({"db": str(db_path), "repaired": repaired, "findings": findings},
                              ensure_ascii=False, indent=2))
    else:
        for line in repaired:
            click.echo(f"repaired: {line}")
        for finding in findings:
            click.echo(f"{finding['check']}: {finding['detail']}")
        if not findings:
            click.echo(f"{db_path}: no problem found")
    sys.exit(EXIT_FAILED if findings else 0)


@main.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the applied migrations as JSON.")
def migrate(db_path: Path, as_json: bool) -> None:
    """Bring the archive's schema up to this version of govarchive (creating it if missing).

    Writers (crawl, reextract, schedule) apply pending migrations themselves; read commands
    (search, stats, runs, health, history) never change the schema and ask for this instead.
    """
    archive = open_archive(db_path)
    try:
        names = applied_migrations(archive.db)
    finally:
        archive.close()
    if as_json:
        click.echo(json.dumps({"db": str(db_path), "applied_now": list(archive.migrated), "migrations": names},
                              ensure_ascii=False, indent=2))
        return
    if archive.migrated:
        click.echo(f"{db_path}: applied {len(archive.migrated)} migration(s): {', '.join(archive.migrated)}")
    click.echo(f"{db_path}: schema up to date ({len(names)} migrations: {', '.join(names)})")


for _command in (*UNATTENDED_COMMANDS, *DISTRIBUTED_COMMANDS, *ANALYST_COMMANDS):
    main.add_command(_command)
