"""Pieces every govarchive command shares: the --db option, errors and exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archive.errors import GovarchiveError
from archive.store import Archive

EXIT_USAGE = 2  # bad registry, database path or arguments
DB_OPTION = click.option("--db", "db_path", envvar="GOVARCHIVE_DB", default="archive.db",
                         show_default=True, type=click.Path(dir_okay=False, path_type=Path),
                         help="Archive database (env GOVARCHIVE_DB).")


def fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"govarchive: error: {message}", err=True)
    sys.exit(code)


def open_archive(path: Path) -> Archive:
    try:
        return Archive.open(path)
    except GovarchiveError as exc:
        fail(str(exc))
        raise  # unreachable


def parse_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"--setting {pair!r}: expected KEY=VALUE")
        settings[key] = value
    return settings


def open_existing_archive(path: Path) -> Archive:
    """For commands that read: a missing database is an error, not a new empty archive."""
    if not path.exists():
        fail(f"{path}: no archive here yet (run `govarchive crawl` first, or set --db)")
    return open_archive(path)
