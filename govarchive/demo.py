"""`govarchive demo`: crawl the sample portals from a local server and show what was archived."""

from __future__ import annotations

import contextlib
import tempfile
import threading
from pathlib import Path

import click

from archive.errors import ArchiveError
from crawler.process import LOOPBACK_SETTINGS
from govarchive.cli_common import crawl_portals, fail, open_existing_archive
from govarchive.output import plural, print_hits, runnable_command, summary_line
from govarchive.sample_server import render_registry, serve_directory

DEMO_QUERIES = ("法治政府建设", "执法")
# `demo --serve` always serves on the same port, so a database crawled from it keeps its URLs.
SERVE_PORT = 8808
# The sample portals ship with the package, so an installed `govarchive demo` works anywhere.
SAMPLE_SITES = Path(__file__).resolve().parent / "samples"


def checked_sites(sites: Path | None) -> Path:
    sites = sites or SAMPLE_SITES
    if not (sites / "portals.toml").is_file():
        raise ArchiveError(f"{sites}: no sample portals here (expected {sites / 'portals.toml'})")
    return sites


def serve_samples(config: Path, sites: Path | None, port: int = SERVE_PORT) -> int:
    """Serve the sample portals on `port` until interrupted; their registry goes to `config`."""
    sites = checked_sites(sites)
    command = runnable_command()
    with contextlib.ExitStack() as serving:
        try:
            base_url = serving.enter_context(serve_directory(sites, port=port))
        except OSError as exc:
            fail(f"--port {port}: cannot serve on it ({exc.strerror}); stop what uses it, or pass another --port")
        config.write_text(render_registry(sites, base_url), encoding="utf-8")
        click.echo(f"Serving sample portals at {base_url}; registry written to {config}.")
        click.echo(f"Next, in another terminal: {command} schedule --config {config} --db watch.db "
                   "-s AUTOTHROTTLE_ENABLED=False -s DOWNLOAD_DELAY=0")
        click.echo(f"Then watch: {command} runs --db watch.db   and   "
                   f"{command} health --config {config} --db watch.db   (Ctrl-C here stops serving)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("stopped serving")
    return 0


def run_demo(db_path: Path, sites: Path | None) -> int:
    sites = checked_sites(sites)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    with serve_directory(sites) as base_url, tempfile.TemporaryDirectory() as tmp:
        click.echo(f"Serving sample portals from {sites} at {base_url}", err=True)
        config = Path(tmp) / "portals.toml"
        config.write_text(render_registry(sites, base_url), encoding="utf-8")
        results = crawl_portals((), config, db_path, dict(LOOPBACK_SETTINGS))
    click.echo("")
    click.echo(f"Summary ({db_path}): " + summary_line(results))
    failures = sum(result.counts.errors for result in results)
    if failures:
        click.echo(f"({plural(failures, 'failure')} — planted in the sample portals to show how failures are "
                   f"recorded: `{runnable_command()} errors --db {db_path}`)")
    archive = open_existing_archive(db_path)
    try:
        for query in DEMO_QUERIES:
            click.echo("")
            print_hits(query, archive.search(query, limit=5))
    finally:
        archive.close()
    click.echo("")
    click.echo(f"Try: {runnable_command()} search 法治 --db {db_path}   or   {runnable_command()} coverage --db {db_path}")
    click.echo(f"Browse it (Datasette, read-only; Ctrl-C stops): {runnable_command()} serve --db {db_path}")
    return 0 if all(r.ok for r in results) else 1
