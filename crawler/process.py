"""Run one portal's crawl as a `scrapy crawl` subprocess (Scrapy's reactor cannot restart);
used by the command line and the scheduler."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from archive.errors import CrawlBusy, GovarchiveError, SettingError
from archive.store.archive import Archive
from archive.store.runs import FailureKind, RunCounts, RunStatus, describe_failure
from crawler.lock import FileLock
from crawler.registry import Portal

HOST = socket.gethostname()

# Settings for crawling sample portals on 127.0.0.1: no politeness delay is needed there.
LOOPBACK_SETTINGS = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0"}
LOG_TAIL_LINES = 40
KEEP_LOGS = 30   # run log files kept per portal
BATCH_LOGS = "crawl"   # the log folder of a process crawling several portals
_POLL_SECONDS = 0.2
PROGRESS_SECONDS = 10.0   # how often a long crawl reports how far it got


@dataclasses.dataclass(frozen=True)
class CrawlResult:
    """One portal's run as the crawl process recorded it; `failures` are (url, what failed)."""

    portal: str
    run_id: int | None
    status: str
    counts: RunCounts
    seconds: float
    failures: tuple[tuple[str, str], ...]
    log_path: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == RunStatus.OK

    def as_dict(self) -> dict:
        """Flat for scripts: the counts sit beside portal, status and failures."""
        row = {field.name: getattr(self, field.name) for field in dataclasses.fields(self) if field.name != "counts"}
        return {**row, **self.counts.as_dict()}


def known_settings() -> dict[str, object]:
    """Every setting Scrapy or govarchive defines, with its default."""
    from scrapy.settings import default_settings

    from crawler import settings as project

    return {name: getattr(module, name) for module in (default_settings, project)
            for name in dir(module) if name.isupper()}


def check_settings(settings: dict[str, str]) -> list[str]:
    """SettingError for a value its setting cannot take (`DOWNLOAD_DELAY=abc`); returns a
    warning for each key neither Scrapy nor govarchive defines (passed on all the same)."""
    known = known_settings()
    warnings = []
    for key, value in settings.items():
        if key not in known:
            warnings.append(f"-s {key}: not a Scrapy or govarchive setting (passed to Scrapy as is)")
            continue
        default = known[key]
        expected = ("true or false" if isinstance(default, bool) else
                    "a whole number" if isinstance(default, int) else
                    "a number" if isinstance(default, float) else None)
        try:
            if isinstance(default, bool):
                if value.lower() not in ("true", "false", "1", "0"):
                    raise ValueError(value)
            elif isinstance(default, (int, float)):
                (int if isinstance(default, int) else float)(value)
        except ValueError:
            raise SettingError(f"-s {key}={value}: {key} takes {expected} (default {default!r})") from None
    return warnings


def scrapy_command(portals_file: Path, config: Path, db: Path, settings: dict[str, str],
                   refresh: bool = False) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "portal",
               "-a", f"portals_file={portals_file.resolve()}", "-a", f"config={config.resolve()}",
               "-s", f"GOVARCHIVE_DB={db.resolve()}"]
    if refresh:
        command += ["-s", "GOVARCHIVE_REFRESH=True"]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    return command


def _stop_child(process: subprocess.Popen, grace: float) -> None:
    """SIGTERM (Scrapy closes the spider cleanly and records the run), then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _log_tail(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return "".join(deque(handle, maxlen=LOG_TAIL_LINES))
    except OSError:
        return ""


def run_crawl(portals: Sequence[Portal], config: Path, db: Path, settings: dict[str, str], *,
              timeout: float | None = None, refresh: bool = False, log_path: Path | None = None,
              stop: threading.Event | None = None, grace: float = 30.0,
              progress: Callable[[RunCounts, float], None] | None = None,
              progress_every: float = PROGRESS_SECONDS) -> list[CrawlResult]:
    """Crawl `portals` into `db`, all in one child process (so per-host politeness holds across
    them), and read back the run each recorded, in order.

    CrawlBusy, before anything starts, when another process crawls one of them. With
    `log_path` the crawler logs there at INFO level (else errors go to the terminal). After
    `timeout` seconds, or when `stop` is set, the child is asked to stop (SIGTERM) and killed
    after `grace` seconds; the runs end as `timeout` or `interrupted`. `progress(counts, seconds)`
    is called every `progress_every` seconds with the counts the runs have committed so far.
    """
    token = uuid.uuid4().hex   # how these runs' rows are found again, whatever else runs
    with contextlib.ExitStack() as held, tempfile.TemporaryDirectory(prefix="govarchive-") as scratch:
        locks = [held.enter_context(portal_lock(db, portal.name)) for portal in portals]
        archive = Archive.open(db)
        try:
            close_abandoned_runs(archive)
        finally:
            archive.close()
        names = Path(scratch) / "portals.txt"
        names.write_text("".join(f"{portal.name}\n" for portal in portals), encoding="utf-8")
        env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings")
        level = "INFO" if log_path else "ERROR"
        command = scrapy_command(names, config, db, {"LOG_LEVEL": level, **settings,
                                                     "GOVARCHIVE_RUN_TOKEN": token}, refresh)
        def report(seconds: float) -> None:
            try:
                counts = _counts_so_far(db, token)
            except (sqlite3.Error, GovarchiveError):   # a progress line is not worth a failed crawl
                return
            progress(counts, seconds)

        exit_code, ending, seconds = _run_child(command, env, locks, timeout, stop, grace, log_path,
                                                report if progress else None, progress_every)
    tail = _log_tail(log_path) if log_path is not None else ""
    archive = Archive.open(db)
    try:
        return [_settle_run(archive, portal, token, exit_code, ending, seconds, log_path, tail) for portal in portals]
    finally:
        archive.close()


def run_log_path(logs: Path, portal: str) -> Path:
    """Where a run's log goes: logs/<portal>/<UTC start>.log."""
    return logs / portal / f"{dt.datetime.now(dt.timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.log"


def prune_logs(logs: Path, portal: str, keep: int = KEEP_LOGS) -> None:
    """Keep the newest `keep` log files of a portal."""
    files = sorted((logs / portal).glob("*.log"))
    for old in files[: max(0, len(files) - keep)]:
        old.unlink(missing_ok=True)


def portal_lock(db: Path, portal: str) -> FileLock:
    """Held by `govarchive crawl` and its `scrapy crawl` child while a portal is crawled."""
    path = Path(f"{db}.crawl-{portal}.lock")
    return FileLock(path, CrawlBusy, f"portal {portal!r} is being crawled into {Path(db).name} by {{holder}}; "
                                     "wait for that crawl or stop it")


def process_alive(pid: int) -> bool:
    """A process `pid` runs on this machine; a zombie (killed, not yet reaped by a parent that
    does not reap, as some containers' init) is not alive."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:   # no /proc here: kill(0) is all there is to know
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


def close_abandoned_runs(archive: Archive) -> list[dict]:
    """Close the `running` rows of this machine whose crawl process is gone (killed)."""
    return archive.close_abandoned_runs(HOST, process_alive)


def _counts_so_far(db: Path, token: str) -> RunCounts:
    archive = Archive.open_readonly(db)
    try:
        return archive.counts_by_token(token)
    finally:
        archive.close()


def _run_child(command: list[str], env: dict[str, str], locks: list[FileLock], timeout: float | None,
               stop: threading.Event | None, grace: float, log_path: Path | None,
               report: Callable[[float], None] | None = None,
               report_every: float = PROGRESS_SECONDS) -> tuple[int, str | None, float]:
    started = time.monotonic()
    reported = started
    ending: str | None = None
    log_handle = None
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_handle = log_path.open("wb")
    try:
        # its own session: a terminal's Ctrl-C or a service manager's signal reaches the parent,
        # which decides when to stop the crawl (see SchedulerService.stop)
        # the child inherits the portal locks: they stay held while the crawl runs, even if we die
        process = subprocess.Popen(command, env=env, stdout=log_handle, pass_fds=[lock.fileno() for lock in locks],
                                   stderr=subprocess.STDOUT if log_handle else None, start_new_session=True)
        for lock in locks:
            lock.note_holder(process.pid)
        try:
            while process.poll() is None:
                if timeout is not None and time.monotonic() - started > timeout:
                    ending = RunStatus.TIMEOUT
                elif stop is not None and stop.is_set():
                    ending = RunStatus.INTERRUPTED
                if ending:
                    _stop_child(process, grace)
                    break
                if report is not None and time.monotonic() - reported >= report_every:
                    reported = time.monotonic()
                    report(reported - started)
                time.sleep(_POLL_SECONDS)
        except KeyboardInterrupt:
            _stop_child(process, grace)
            raise
        exit_code = process.wait()
    finally:
        if log_handle is not None:
            log_handle.close()
    return exit_code, ending, round(time.monotonic() - started, 2)


def _settle_run(archive: Archive, portal: Portal, token: str, exit_code: int, ending: str | None,
                seconds: float, log_path: Path | None, log_tail: str) -> CrawlResult:
    """Read the run the child recorded for `portal`, or record one when it died before it could."""
    run = archive.run_by_token(token, portal.name)
    if run is None:
        run_id = archive.start_run(portal.name, token=token)
        archive.finish_run(run_id, ending or RunStatus.FAILED, RunCounts())
        archive.record_error(run_id, portal.name, portal.start_urls[0], FailureKind.RUN,
                             f"scrapy exited with {exit_code} before recording the run")
        run = archive.run_by_token(token, portal.name)
    status = run["status"]
    if ending == RunStatus.TIMEOUT or (ending == RunStatus.INTERRUPTED and
                                       status in (RunStatus.OK, RunStatus.RUNNING)):
        status = ending
    elif status == RunStatus.RUNNING and exit_code < 0:
        status = RunStatus.INTERRUPTED   # the crawl process was killed by a signal
    elif status == RunStatus.RUNNING or (exit_code != 0 and status == RunStatus.OK):
        status = RunStatus.FAILED
    if status != run["status"]:
        archive.close_run(run["id"], status)
    if log_path is not None:
        archive.set_run_log(run["id"], str(log_path), log_tail)
    return crawl_result(archive, {**run, "status": status}, seconds, str(log_path) if log_path else None)


def crawl_result(archive: Archive, run: dict, seconds: float, log_path: str | None = None) -> CrawlResult:
    """A crawl_runs row with its failures, as the commands report it."""
    failures = tuple((e["url"], describe_failure(e["kind"], e["reason"])) for e in archive.run_errors(run["id"]))
    return CrawlResult(portal=run["portal"], run_id=run["id"], status=run["status"], counts=RunCounts.from_row(run),
                       seconds=seconds, failures=failures, log_path=log_path)
