"""`govarchive schedule`, `health` and `runs`: the commands for unattended collection."""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
from pathlib import Path

import click

from archive.errors import ArchiveError, GovarchiveError
from archive.store.archive import Archive
from archive.store.runs import RunCounts, describe_failure
from crawler.process import KEEP_LOGS, close_abandoned_runs
from crawler.registry import Portal
from govarchive.cli_common import (CONFIG_OPTION, DB_OPTION, EXIT_FAILED, LOGS_OPTION, SETTING_OPTION, fail,
                                   Since, known_name, load_portals, logs_folder, open_archive, open_existing_archive, parse_settings)
from govarchive.output import counts_text, plural, runnable_command
from scheduler.config import DEFAULT_GRACE, DEFAULT_MAX_PARALLEL, DEFAULT_RUN_TIMEOUT, SchedulerConfig
from scheduler.health import PortalHealth, portal_health
from scheduler.lock import SchedulerLock

ALERT_TIMEOUT = 120  # seconds the --alert command may take
FIRST_FAILURES = 3   # failures `runs` shows under each run
from scheduler.service import SchedulerService


@click.command()
@CONFIG_OPTION
@DB_OPTION
@click.option("--once", is_flag=True, help="Run every portal that is due now, then exit (for system cron).")
@click.option("--max-parallel", default=DEFAULT_MAX_PARALLEL, show_default=True, type=click.IntRange(1, 32),
              help="Crawl processes at the same time (each crawls the portals due together).")
@click.option("--timeout", "run_timeout", default=DEFAULT_RUN_TIMEOUT, show_default=True,
              type=click.FloatRange(1), help="Seconds before a crawl is stopped and recorded as timeout.")
@click.option("--grace", default=DEFAULT_GRACE, show_default=True, type=click.FloatRange(0),
              help="Seconds running crawls get to finish after SIGTERM/SIGINT before they are stopped.")
@LOGS_OPTION
@click.option("--keep-logs", default=KEEP_LOGS, show_default=True, type=click.IntRange(1),
              help="Log files kept per portal.")
@SETTING_OPTION
def schedule(config: Path, db_path: Path, once: bool, max_parallel: int, run_timeout: float, grace: float,
             logs_dir: Path | None, keep_logs: int, settings: tuple[str, ...]) -> None:
    """Crawl each portal on its cron `schedule`, unattended.

    Runs until SIGTERM/SIGINT: no new crawl starts, running ones get --grace seconds, then are
    stopped; every run ends in crawl_runs as ok, failed, timeout or interrupted. On start, a
    portal that missed its slot (machine down) runs once. Only one scheduler may work on a
    database. With --once: run what is due and exit 0 if every run succeeded, else 1.
    """
    portals = load_portals(config)
    open_archive(db_path).close()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler_config = SchedulerConfig(
        registry=config, db=db_path, logs=logs_folder(db_path, logs_dir),
        max_parallel=max_parallel, run_timeout=run_timeout, grace=grace, keep_logs=keep_logs,
        crawl_settings=parse_settings(settings))
    try:
        with SchedulerLock(db_path):
            service = SchedulerService(scheduler_config, portals)
            if not once:
                service.run_forever()
                return
            results = service.run_once()
    except GovarchiveError as exc:
        fail(str(exc))
    for result in results:
        click.echo(f"{result.portal}: {result.status} — {result.counts.documents_new} new documents, "
                   f"{result.counts.errors} failures (log {result.log_path})")
    if not results:
        click.echo("no portal is due")
    sys.exit(0 if all(r.ok for r in results) else EXIT_FAILED)


@click.command()
@CONFIG_OPTION
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON, each flag with its evidence.")
@click.option("--quiet", is_flag=True,
              help="Print only the portals that need attention (nothing when all are healthy): for cron's mail.")
@click.option("--alert", "alert_command", default=None, metavar="COMMAND",
              help="When a portal needs attention, run COMMAND (a shell command) with the JSON report of "
                   "those portals on stdin, e.g. --alert 'mail -s \"govarchive health\" ops@example.org'.")
def health(config: Path, db_path: Path, as_json: bool, quiet: bool, alert_command: str | None) -> None:
    """Per portal: last success, consecutive failures, new documents in 30 days, and flags.

    \b
    Flags (each rule in README.md, "Health"):
      failing       3 or more failed runs in a row
      blocked       the last run met an anti-bot challenge on the column's start page
      interrupted   the last run was stopped or killed
      stuck         the last run is running but its process is gone (health closes it as
                    interrupted when it may write the archive)
      empty         the last 3 runs read the column and found no document link, earlier
                    runs found some: the layout changed
      dropping      the last run found under half the usual document links per list page
      broken-links  the same pages or attachments failed in each of the last 3 runs
      stale         no new document for longer than the portal's stale_days (default 400)
      never-run     no run yet

    Exit code 0 when every portal is healthy, 1 otherwise (also when --alert ran), so a
    monitor can call it; 2 when the registry or database cannot be used, or --alert failed.
    """
    portals = load_portals(config)
    report = health_report(db_path, portals)
    if any("stuck" in item.flags for item in report) and settle_abandoned_runs(db_path):
        report = health_report(db_path, portals)
    shown = [item for item in report if not (quiet and item.healthy)]
    if as_json:
        click.echo(json.dumps([item.as_dict() for item in shown], ensure_ascii=False, indent=2))
    else:
        for item in shown:
            state = "ok" if item.healthy else ", ".join(item.flags)
            click.echo(f"{item.portal}: {state} — last success {item.last_success or 'never'}, "
                       f"{plural(item.consecutive_failures, 'consecutive failure')}, "
                       f"{plural(item.new_documents_30d, 'new document')} in 30 days")
            for flag in item.findings:
                click.echo(f"  {flag.name}: {flag.seen}")
    unhealthy = [item for item in report if not item.healthy]
    if unhealthy and alert_command:
        send_alert(alert_command, unhealthy)
    sys.exit(0 if not unhealthy else EXIT_FAILED)


def send_alert(command: str, unhealthy: list[PortalHealth]) -> None:
    """Run the operator's alert command with the unhealthy portals' JSON on stdin."""
    payload = json.dumps([item.as_dict() for item in unhealthy], ensure_ascii=False, indent=2)
    try:
        completed = subprocess.run(command, shell=True, input=payload, text=True, timeout=ALERT_TIMEOUT,
                                   check=False)
    except subprocess.TimeoutExpired:
        fail(f"--alert {command!r}: still running after {ALERT_TIMEOUT} s; stopped")
    if completed.returncode != 0:
        fail(f"--alert {command!r}: exited with {completed.returncode}")


def health_report(db_path: Path, portals: tuple[Portal, ...]) -> list[PortalHealth]:
    archive = open_existing_archive(db_path)
    now = dt.datetime.now(dt.timezone.utc)
    try:
        return [portal_health(archive, portal, now) for portal in portals]
    finally:
        archive.close()


def settle_abandoned_runs(db_path: Path) -> bool:
    """Close as interrupted the runs whose crawl process is gone, if the archive may be written."""
    try:
        archive = Archive.open(db_path, existing=True)
    except ArchiveError:   # read-only here: they stay flagged stuck until a crawl closes them
        return False
    try:
        return bool(close_abandoned_runs(archive))
    finally:
        archive.close()


@click.command()
@DB_OPTION
@click.option("--portal", default=None, help="Only this portal's runs.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
def runs(db_path: Path, portal: str | None, limit: int, as_json: bool) -> None:
    """Recent crawl runs, newest first: status, counts, the first failures and the log file."""
    archive = open_existing_archive(db_path)
    try:
        known_name(portal, archive.portal_names(), str(db_path))
        rows = [{**row, "failures": archive.run_errors(row["id"], FIRST_FAILURES)}
                for row in archive.recent_runs(portal, limit)]
    finally:
        archive.close()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        counts = counts_text(RunCounts.from_row(row), summary_only=True)
        click.echo(f"#{row['id']} {row['portal']} {row['started_at']} {row['status']}: {counts}"
                   + (f"; walk {row['walk']}" if row["walk"] else "")
                   + (f" — log {row['log_path']}" if row["log_path"] else ""))
        for failure in row["failures"]:
            click.echo(f"    failed {failure['url'] or '(the run)'}: {describe_failure(failure['kind'], failure['reason'])}")
        if row["errors"] > len(row["failures"]):
            click.echo(f"    … {plural(row['errors'] - len(row['failures']), 'more failure')} "
                       f"(`{runnable_command()} errors --portal {row['portal']}`)")
    if not rows:
        click.echo("no runs yet")


@click.command()
@DB_OPTION
@click.option("--portal", default=None, help="Only this portal's failures.")
@click.option("--since", default="1d", show_default=True, type=Since(),
              help="Failures recorded since: a time ago (12h, 1d, 2w) or a date or time (2026-01-01, UTC).")
@click.option("--json", "as_json", is_flag=True, help="Print the groups as JSON.")
def errors(db_path: Path, portal: str | None, since: str, as_json: bool) -> None:
    """What failed: failures grouped by portal and reason with their counts, the portal that
    failed most recently first — by default those of the last 24 hours ("last night")."""
    archive = open_existing_archive(db_path)
    try:
        known_name(portal, archive.portal_names(), str(db_path))
        groups = archive.failure_groups(since, portal)
    finally:
        archive.close()
    if as_json:
        click.echo(json.dumps(groups, ensure_ascii=False, indent=2))
        return
    total = sum(group["count"] for group in groups)
    portals = list(dict.fromkeys(group["portal"] for group in groups))
    click.echo(f"{plural(total, 'failure')} on {plural(len(portals), 'portal')} since {since}")
    for name in portals:
        mine = [group for group in groups if group["portal"] == name]
        click.echo(f"{name} — {plural(sum(group['count'] for group in mine), 'failure')}")
        for group in mine:
            click.echo(f"  {group['count']}× {describe_failure(group['kind'], group['reason'])} "
                       f"({plural(group['runs'], 'run')}, last {group['last_at']})")
            for url in group["urls"]:
                click.echo(f"      {url}")


COMMANDS = (schedule, health, runs, errors)
__all__ = ["COMMANDS"]
