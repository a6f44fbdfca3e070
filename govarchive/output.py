"""What the commands print for people: crawl runs, their summary, search hits."""

from __future__ import annotations

import difflib
import functools
import operator
import os
import shutil
import sys
from pathlib import Path

import click

from archive.store.search import SearchResult
from crawler.probe import Probe
from archive.store.runs import RunCounts
from crawler.process import CrawlResult

SHOWN_FAILURES = 5


@functools.cache
def runnable_command() -> str:
    """How the user can run govarchive from here: `govarchive` when it is on PATH (the venv is
    active), else the venv's script (`.venv/bin/govarchive`), else `python -m govarchive`."""
    if shutil.which("govarchive"):
        return "govarchive"
    script = Path(sys.executable).parent / "govarchive"
    if script.exists():
        try:
            return str(script.relative_to(Path.cwd()))
        except ValueError:
            return str(script)
    return f"{os.path.basename(sys.executable)} -m govarchive"


def with_runnable_command(message: str) -> str:
    """A message's `govarchive …` hints, in the form the user can run."""
    return message.replace("`govarchive ", f"`{runnable_command()} ")


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
        click.echo(f"    … and {len(result.failures) - SHOWN_FAILURES} more "
                   f"(`{runnable_command()} errors --portal {result.portal}`)", err=True)
    if result.log_path and not result.ok:
        click.echo(f"    log: {result.log_path}", err=True)


def print_progress(counts: RunCounts, seconds: float) -> None:
    """A long crawl's line every few seconds: what its runs have written so far."""
    click.echo(f"  … {seconds:.0f} s: {plural(counts.list_pages, 'list page')}, "
               f"{plural(counts.documents_new, 'document')} archived, {plural(counts.errors, 'failure')} so far",
               err=True)


def summary_line(results: list[CrawlResult]) -> str:
    total = functools.reduce(operator.add, (r.counts for r in results), RunCounts())
    failed = sum(not r.ok for r in results)
    return " · ".join([f"portals: {len(results)} ({failed} failed)",
                       *(f"{label}: {value:,}" for label, value in total.labelled(summary_only=True, headings=True))])


def print_hits(query: str, result: SearchResult) -> None:
    shown = len(result.hits)
    if result.more:
        click.echo(f"{shown:,} of more than {plural(result.total, 'hit')} for {query!r}, newest first "
                   "(too many to rank: add a term or a filter)")
    else:
        click.echo(f"{shown:,} of {plural(result.total, 'hit')} for {query!r}" if shown < result.total
                   else f"{plural(result.total, 'hit')} for {query!r}")
    for hit in result.hits:
        dates = f"published {hit.published_date}" if hit.published_date else "date unknown"
        if hit.written_date and hit.written_date != hit.published_date:
            dates += f", written {hit.written_date}"
        click.echo(f"- {hit.title}  [{dates}] {hit.publisher or '—'} · portal {hit.portal}")
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


def text_changes(old: str, new: str) -> list[str]:
    """What changed between two texts, line by line, and inside a changed line character by
    character (Chinese has no spaces to diff words by): `~ 全年受理矛盾纠纷1[-53-]{+35+}起。`;
    `- line` removed, `+ line` added; unchanged lines are left out."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    changes = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for before, after in zip(old_lines[i1:i1 + paired], new_lines[j1:j1 + paired], strict=True):
            changes.append(f"~ {_changed_characters(before, after)}")
        changes += [f"- {line}" for line in old_lines[i1 + paired:i2]]
        changes += [f"+ {line}" for line in new_lines[j1 + paired:j2]]
    return changes


DIFF_CONTEXT = 20   # unchanged characters shown beside a change inside a line


def _changed_characters(before: str, after: str) -> str:
    """One changed line: the changed characters marked, unchanged stretches trimmed to
    DIFF_CONTEXT characters beside each change; a change split by one or two unchanged
    characters reads as one (1[-53-]{+35+}, not 1{+3+}5[-3-])."""
    spans: list[list] = []   # [equal?, old text, new text]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        spans.append([op == "equal", before[i1:i2], after[j1:j2]])
    merged: list[list] = []
    for index, span in enumerate(spans):
        short_gap = span[0] and len(span[1]) <= 2 and 0 < index < len(spans) - 1
        if merged and not merged[-1][0] and (not span[0] or short_gap):
            merged[-1][1] += span[1]
            merged[-1][2] += span[2]
        else:
            merged.append(list(span))
    parts = []
    for index, (equal, old, new) in enumerate(merged):
        if not equal:
            parts.append((f"[-{old}-]" if old else "") + (f"{{+{new}+}}" if new else ""))
        elif len(old) <= 2 * DIFF_CONTEXT:
            parts.append(old)
        else:
            head = old[:DIFF_CONTEXT] if index > 0 else ""
            tail = old[-DIFF_CONTEXT:] if index < len(merged) - 1 else ""
            parts.append(f"{head}…{tail}")
    return "".join(parts)
