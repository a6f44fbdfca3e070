"""Pieces the govarchive commands share: options, one-line errors and exit codes, opening the
archive and the registry, and crawling a list of portals with progress."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import NoReturn

import click

from archive.errors import CrawlBusy, GovarchiveError
from archive.store.archive import Archive
from crawler import settings as crawl_settings
from crawler.process import BATCH_LOGS, CrawlResult, check_settings, prune_logs, run_crawl, run_log_path
from crawler.registry import Portal, load_registry, select_portals
from govarchive.output import plural, print_progress, print_result, with_runnable_command

EXIT_FAILED = 1  # a crawl run failed, a file could not be extracted
EXIT_USAGE = 2   # bad registry, database path or arguments
DB_OPTION = click.option("--db", "db_path", envvar="GOVARCHIVE_DB", default=crawl_settings.GOVARCHIVE_DB,
                         show_default=True, type=click.Path(dir_okay=False, path_type=Path),
                         help="Archive database (env GOVARCHIVE_DB).")
CONFIG_OPTION = click.option("--config", default=crawl_settings.GOVARCHIVE_REGISTRY, show_default=True,
                             type=click.Path(dir_okay=False, path_type=Path), help="Portal registry (TOML).")
LOGS_OPTION = click.option("--logs", "logs_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
                           help="Folder of per-run log files (default: logs/ beside the database).")
SETTING_OPTION = click.option("-s", "--setting", "settings", multiple=True, metavar="KEY=VALUE",
                              help="Extra Scrapy setting for the crawl, e.g. -s DOWNLOAD_DELAY=2.")


class Since(click.ParamType):
    """`--since 1d` (h, d, w: that long ago) or `--since 2026-01-01` (a date or an ISO time, UTC):
    the ISO 8601 UTC moment the archive's stamps compare with."""

    name = "since"
    UNITS = {"h": "hours", "d": "days", "w": "weeks"}

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        ago = re.fullmatch(r"(\d+)\s*([hdw])", text)
        if ago:
            moment = dt.datetime.now(dt.timezone.utc) - dt.timedelta(**{self.UNITS[ago[2]]: int(ago[1])})
            return moment.replace(microsecond=0).isoformat()
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r}: expected a time ago like 12h, 1d or 2w, or a date like 2026-01-01", param, ctx)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        return moment.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"govarchive: error: {with_runnable_command(message)}", err=True)
    sys.exit(code)


def warn(message: str) -> None:
    click.echo(f"govarchive: warning: {message}", err=True)


class OneLineErrors(click.Group):
    """click's own usage errors as one line, like every other error: `govarchive: error: No such
    option: --bogus (see `govarchive crawl --help`)`, exit 2; Ctrl-C ends with exit 130."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):  # noqa: ANN002, ANN003, ANN201
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.ClickException as exc:
            context = getattr(exc, "ctx", None)
            hint = f" (see `{context.command_path} --help`)" if isinstance(exc, click.UsageError) and context else ""
            fail(f"{exc.format_message()}{hint}", exc.exit_code)
        except click.Abort:
            click.echo("govarchive: stopped", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


def logs_folder(db_path: Path, logs_dir: Path | None) -> Path:
    return logs_dir or db_path.resolve().parent / "logs"


def known_name(name: str | None, known: list[str], where: str) -> None:
    """Exit 2 listing the known names when a name filter would match nothing."""
    if name is not None and name not in known:
        fail(f"no portal named {name!r} in {where} (known: {', '.join(sorted(known)) or 'none yet'})")


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
    """-s KEY=VALUE pairs: exit 2 on a malformed pair or a value its setting cannot take; a
    warning for a key nobody defines."""
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"-s {pair!r}: expected KEY=VALUE")
        settings[key] = value
    try:
        for warning in check_settings(settings):
            warn(warning)
    except GovarchiveError as exc:
        fail(str(exc))
    return settings


def crawl_portals(names: tuple[str, ...], config: Path, db_path: Path, settings: dict[str, str],
                  refresh: bool = False, logs_dir: Path | None = None) -> list[CrawlResult]:
    """Validate registry and database first (exit 2), then crawl the portals, all in one
    process logging to logs/<portal>/<start>.log (logs/crawl/ for several portals); the
    terminal gets each portal's result."""
    portals = load_portals(config, names)
    open_archive(db_path).close()
    logs = logs_folder(db_path, logs_dir)
    folder = portals[0].name if len(portals) == 1 else BATCH_LOGS
    log_path = run_log_path(logs, folder)
    click.echo(f"crawling {plural(len(portals), 'portal')} in one process (log {log_path})", err=True)
    try:
        results = run_crawl(portals, config, db_path, settings, refresh=refresh, log_path=log_path,
                            progress=print_progress)
    except CrawlBusy as exc:
        fail(str(exc))
    prune_logs(logs, folder)
    for result in results:
        print_result(result)
    return results
