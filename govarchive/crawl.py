"""Run one portal's crawl as a `scrapy crawl` subprocess (Scrapy's reactor cannot restart)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path

from archive.store import Archive, RunCounts
from crawler.registry import Portal

# Settings for crawling sample portals on 127.0.0.1: no politeness delay is needed there.
LOOPBACK_SETTINGS = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0"}


@dataclasses.dataclass(frozen=True)
class CrawlResult:
    portal: str
    run_id: int | None
    status: str
    list_pages: int
    detail_pages: int
    documents_new: int
    duplicates: int
    errors: int
    clustered: int
    requests: int
    response_bytes: int
    not_modified: int
    skipped: int
    withdrawn: int
    seconds: float
    failures: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def scrapy_command(portal: Portal, config: Path, db: Path, settings: dict[str, str],
                   refresh: bool = False) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "portal",
               "-a", f"portal={portal.name}", "-a", f"config={config.resolve()}",
               "-s", f"GOVARCHIVE_DB={db.resolve()}"]
    if refresh:
        command += ["-a", "refresh=1"]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    return command


def run_crawl(portal: Portal, config: Path, db: Path, settings: dict[str, str],
              timeout: float | None = None, refresh: bool = False) -> CrawlResult:
    """Crawl `portal` into `db` in a child process and read back the run it recorded."""
    archive = Archive.open(db)
    try:
        before = archive.last_run_id()
    finally:
        archive.close()
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings")
    started = time.monotonic()
    try:
        completed = subprocess.run(scrapy_command(portal, config, db, {"LOG_LEVEL": "ERROR", **settings}, refresh),
                                   env=env, timeout=timeout, check=False)
        exit_code: int | str = completed.returncode
    except subprocess.TimeoutExpired:
        exit_code = "timeout"
    seconds = round(time.monotonic() - started, 2)
    archive = Archive.open(db)
    try:
        runs = [r for r in archive.runs_after(before) if r["portal"] == portal.name]
        if not runs:  # the child died before recording: record the failure ourselves
            run_id = archive.start_run(portal.name)
            status = "timeout" if exit_code == "timeout" else "failed"
            archive.finish_run(run_id, status, RunCounts())
            archive.record_error(run_id, portal.name, portal.start_urls[0],
                                 f"scrapy exited with {exit_code} before recording the run")
            runs = archive.runs_after(run_id - 1)
        run = runs[-1]
        status = run["status"]
        if exit_code == "timeout":
            status = "timeout"
        elif exit_code != 0 and status == "ok":
            status = "failed"
        failures = tuple((e["url"], e["reason"]) for e in archive.run_errors(run["id"]))
    finally:
        archive.close()
    return CrawlResult(portal.name, run["id"], status, run["list_pages"], run["detail_pages"],
                       run["documents_new"], run["duplicates"], run["errors"], run["clustered"], run["requests"],
                       run["response_bytes"], run["not_modified"], run["skipped"], run["withdrawn"],
                       seconds, failures)
