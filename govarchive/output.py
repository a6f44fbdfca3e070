"""What the commands print for people: crawl runs, their summary, search hits."""

from __future__ import annotations

import functools
import operator

import click

from archive.store.queries import SearchHit
from crawler.probe import Probe
from archive.store.runs import RunCounts
from crawler.process import CrawlResult

SHOWN_FAILURES = 5


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 failure`, `2 failures` (`many` when adding an s is wrong)."""
    return f"{count:,} {one if count == 1 else many or one + 's'}"


def counts_text(counts: RunCounts, summary_only: bool = False) -> str:
    """`2 list pages, 3 detail pages, …` in RunCounts order."""
    return ", ".join(f"{value:,} {label}" for label, value in counts.labelled(summary_only))


def print_result(result: CrawlResult) -> None:
    click.echo(f"  {result.portal}: {result.status} — {counts_text(result.counts)} ({result.seconds:.1f}s)",
               err=True)
    for url, reason in result.failures[:SHOWN_FAILURES]:
        click.echo(f"    failed {url}: {reason}", err=True)
    if len(result.failures) > SHOWN_FAILURES:
        click.echo(f"    … and {len(result.failures) - SHOWN_FAILURES} more (govarchive errors --portal {result.portal})",
                   err=True)
    if result.log_path and not result.ok:
        click.echo(f"    log: {result.log_path}", err=True)


def summary_line(results: list[CrawlResult]) -> str:
    total = functools.reduce(operator.add, (r.counts for r in results), RunCounts())
    failed = sum(not r.ok for r in results)
    return " · ".join([f"portals: {len(results)} ({failed} failed)",
                       *(f"{label}: {value:,}" for label, value in total.labelled(summary_only=True, headings=True))])


def print_hits(query: str, hits: list[SearchHit]) -> None:
    click.echo(f"{len(hits)} hit(s) for {query!r}")
    for hit in hits:
        dates = f"published {hit.published_date}" if hit.published_date else "date unknown"
        if hit.written_date and hit.written_date != hit.published_date:
            dates += f", written {hit.written_date}"
        click.echo(f"- {hit.title}  [{dates}] {hit.publisher or hit.portal}")
        click.echo(f"  {hit.url}")
        click.echo(f"  {hit.snippet}")


def print_probe(probe: Probe) -> None:
    listing = probe.listing
    click.echo(f"{probe.url}")
    if probe.verdict is not None:
        click.echo(f"  {probe.verdict.kind}: {probe.verdict.reason} — the crawler records this and reads nothing")
    click.echo(f"  family: {listing.family or 'none recognised (generic anchors only)'}")
    stated = [f"{listing.total_records} records" if listing.total_records is not None else "",
              f"{listing.total_pages} pages" if listing.total_pages is not None else ""]
    click.echo(f"  the column states: {', '.join(s for s in stated if s) or 'no total'}"
               + ("; this is its last page" if listing.last_page else ""))
    click.echo(f"  document links: {len(listing.documents)}")
    for document in listing.documents:
        shown = " — ".join(part for part in (document.title, document.date) if part)
        click.echo(f"    {document.url}" + (f"  ({shown})" if shown else ""))
    click.echo(f"  next list requests: {len(listing.next_requests)}")
    for request in listing.next_requests:
        body = f"  body {dict(request.form)}" if request.form else ""
        click.echo(f"    {request.method} {request.url} [{request.format}]{body}")
    click.echo("  suggested registry entry:")
    for line in probe.suggested_portal().splitlines():
        click.echo(f"    {line}")
