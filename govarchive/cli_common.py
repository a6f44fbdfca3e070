"""Pieces the govarchive commands share: options, one-line errors and exit codes, opening the
archive and the registry, and crawling a list of portals with progress."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from archive.errors import CrawlBusy, GovarchiveError
from archive.store.archive import Archive
from crawler import settings as crawl_settings
from crawler.process import CrawlResult, run_crawl
from crawler.registry import Portal, load_registry, select_portals
from govarchive.output import print_result

EXIT_FAILED = 1  # a crawl run failed, a file could not be extracted
EXIT_USAGE = 2   # bad registry, database path or arguments
DB_OPTION = click.option("--db", "db_path", envvar="GOVARCHIVE_DB", default=crawl_settings.GOVARCHIVE_DB,
                         show_default=True, type=click.Path(dir_okay=False, path_type=Path),
                         help="Archive database (env GOVARCHIVE_DB).")
CONFIG_OPTION = click.option("--config", default=crawl_settings.GOVARCHIVE_REGISTRY, show_default=True,
                             type=click.Path(dir_okay=False, path_type=Path), help="Portal registry (TOML).")
SETTING_OPTION = click.option("-s", "--setting", "settings", multiple=True, metavar="KEY=VALUE",
                              help="Extra Scrapy setting for the crawl, e.g. -s DOWNLOAD_DELAY=2.")


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"govarchive: error: {message}", err=True)
    sys.exit(code)


def open_archive(path: Path) -> Archive:
    """For commands that write: creates the archive and applies pending migrations."""
    try:
        return Archive.open(path)
    except GovarchiveError as exc:
        fail(str(exc))


def open_existing_archive(path: Path, write: bool = False) -> Archive:
    """A missing database is an error, not a new empty archive. Opened to read (the default)
    nothing in the file changes; `write` applies pending migrations."""
    try:
        return Archive.open(path, existing=True) if write else Archive.open_readonly(path)
    except GovarchiveError as exc:
        fail(str(exc))


def load_portals(config: Path, names: tuple[str, ...] = ()) -> tuple[Portal, ...]:
    try:
        return select_portals(load_registry(config), names)
    except GovarchiveError as exc:
        fail(str(exc))


def parse_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"--setting {pair!r}: expected KEY=VALUE")
        settings[key] = value
    return settings


def crawl_portals(names: tuple[str, ...], config: Path, db_path: Path,
                  settings: dict[str, str], refresh: bool = False) -> list[CrawlResult]:
    """Validate registry and database first (exit 2), then crawl each portal in turn."""
    portals = load_portals(config, names)
    open_archive(db_path).close()
    results = []
    for number, portal in enumerate(portals, start=1):
        click.echo(f"[{number}/{len(portals)}] crawling {portal.name} ({portal.title})", err=True)
        try:
            result = run_crawl(portal, config, db_path, settings, refresh=refresh)
        except CrawlBusy as exc:
            fail(str(exc))
        print_result(result)
        results.append(result)
    return results
