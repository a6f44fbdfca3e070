"""Unattended collection: jobs from the registry, catch-up, overlaps, health, lock, SIGTERM."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from apscheduler.triggers.combining import OrTrigger
from click.testing import CliRunner

from archive.store.archive import Archive
from archive.store.runs import RunCounts
from crawler.registry import load_registry, parse_registry
from govarchive.cli import main
from crawler.process import run_crawl
from scheduler.config import SchedulerConfig
from archive.errors import SchedulerBusy
from scheduler.lock import SchedulerLock
from scheduler.service import SchedulerService
from scheduler.timing import is_due, portal_trigger
from tests.support import FAST, ROOT, SampleSite

REGISTRY = """
[defaults]
schedule = "0 3 * * *"
timezone = "Asia/Shanghai"

[[portal]]
name = "daily"
start_urls = ["http://127.0.0.1:9/a/"]

[[portal]]
name = "seasonal"
start_urls = ["http://127.0.0.1:9/b/"]
schedule = "30 2 * * 1"
season = { months = "1-4", schedule = "0 */6 * * *" }

[[portal]]
name = "unscheduled"
start_urls = ["http://127.0.0.1:9/c/"]
schedule = "0 0 1 1 *"
"""
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def service_for(tmp_path: Path, runner, registry: str = REGISTRY, max_parallel: int = 2) -> SchedulerService:
    config = SchedulerConfig(registry=tmp_path / "portals.toml", db=tmp_path / "a.db", logs=tmp_path / "logs",
                             max_parallel=max_parallel, grace=1.0)
    Archive.open(config.db).close()
    return SchedulerService(config, parse_registry(registry), runner)


def record_run(db: Path, portal: str, status: str, started: str) -> None:
    archive = Archive.open(db)
    run_id = archive.start_run(portal, started)
    archive.finish_run(run_id, status, RunCounts(list_pages=1))
    archive.db.execute("UPDATE crawl_runs SET finished_at = ? WHERE id = ?", [started, run_id])
    archive.close()


def test_jobs_come_from_the_registry(tmp_path: Path) -> None:
    service = service_for(tmp_path, lambda portal: None)
    jobs = {job.id: job for job in service.add_jobs()}
    assert set(jobs) == {"daily", "seasonal", "unscheduled"}
    assert isinstance(jobs["seasonal"].trigger, OrTrigger)
    daily = portal_trigger(parse_registry(REGISTRY)[0])
    after = dt.datetime(2025, 6, 1, 12, tzinfo=SHANGHAI)
    assert daily.get_next_fire_time(None, after) == dt.datetime(2025, 6, 2, 3, tzinfo=SHANGHAI)
    seasonal = portal_trigger(parse_registry(REGISTRY)[1])
    in_season = dt.datetime(2025, 2, 5, 7, tzinfo=SHANGHAI)   # a Wednesday in February
    assert seasonal.get_next_fire_time(None, in_season) == dt.datetime(2025, 2, 5, 12, tzinfo=SHANGHAI)
    off_season = dt.datetime(2025, 6, 4, 7, tzinfo=SHANGHAI)  # a Wednesday in June: weekly only
    assert seasonal.get_next_fire_time(None, off_season) == dt.datetime(2025, 6, 9, 2, 30, tzinfo=SHANGHAI)


def test_sunday_as_7_fires_on_sunday() -> None:
    (portal,) = parse_registry('[[portal]]\nname = "weekly"\nstart_urls = ["http://127.0.0.1:9/"]\n'
                               'schedule = "0 3 * * 7"\n')
    after = dt.datetime(2025, 6, 4, 12, tzinfo=SHANGHAI)  # a Wednesday
    assert portal_trigger(portal).get_next_fire_time(None, after) == dt.datetime(2025, 6, 8, 3, tzinfo=SHANGHAI)


def test_is_due_runs_once_however_many_slots_were_missed() -> None:
    trigger = portal_trigger(parse_registry(REGISTRY)[0])
    now = dt.datetime(2025, 6, 10, 12, tzinfo=SHANGHAI)
    assert is_due(trigger, None, now)
    assert is_due(trigger, now - dt.timedelta(days=9), now)
    assert not is_due(trigger, dt.datetime(2025, 6, 10, 3, 5, tzinfo=SHANGHAI), now)


def test_catch_up_runs_an_overdue_portal_once(tmp_path: Path) -> None:
    calls: list[str] = []
    service = service_for(tmp_path, lambda portal: calls.append(portal.name))
    now = dt.datetime.now(dt.timezone.utc)
    record_run(service.config.db, "daily", "ok", (now - dt.timedelta(days=3)).isoformat())
    record_run(service.config.db, "seasonal", "ok", now.isoformat())
    record_run(service.config.db, "unscheduled", "ok", now.isoformat())
    service.start()
    try:
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        service.stop()
    assert calls == ["daily"]


def test_overlapping_runs_are_refused(tmp_path: Path) -> None:
    release, started = threading.Event(), threading.Event()

    def slow_crawl(portal) -> None:
        started.set()
        release.wait(5)

    service = service_for(tmp_path, slow_crawl)
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    for name in ("daily", "seasonal", "unscheduled"):
        record_run(service.config.db, name, "ok", now)
    service.start()
    try:
        service.trigger_now("daily")
        assert started.wait(5)
        service.trigger_now("daily")
        deadline = time.monotonic() + 5
        while not service.refused and time.monotonic() < deadline:
            time.sleep(0.05)
        assert service.refused == ["daily"]
    finally:
        release.set()
        service.stop()


def test_schedule_once_runs_due_portals_and_logs_them(sample_site: SampleSite, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    # a yearly slot: never-run portals are due now, and stay done for the second call
    config = sample_site.config.read_text(encoding="utf-8").replace('schedule = "* * * * *"', 'schedule = "0 0 1 1 *"')
    sample_site.config.write_text(config, encoding="utf-8")
    result = CliRunner().invoke(main, ["schedule", "--once", "--config", str(sample_site.config), "--db", str(db),
                                       *FAST])
    assert result.exit_code == 0, result.output
    assert sorted(line.split(":")[0] for line in result.stdout.splitlines()) == [
        "cq-wanzhou-sample", "ls-liangwa-sample", "qh-putai-sample", "sh-qingpu-sample", "wz-district-sample"]
    archive = Archive.open(db)
    try:
        rows = list(archive.db.query("SELECT portal, status, pid, log_path, log_tail FROM crawl_runs"))
    finally:
        archive.close()
    assert len(rows) == 5 and {row["status"] for row in rows} == {"ok"}
    assert len({(row["pid"], row["log_path"]) for row in rows}) == 1   # the due portals, one process
    for row in rows:
        assert Path(row["log_path"]).is_file() and Path(row["log_path"]).parent.name == "crawl"
        assert "Spider closed (finished)" in row["log_tail"]
    again = CliRunner().invoke(main, ["schedule", "--once", "--config", str(sample_site.config), "--db", str(db)])
    assert again.exit_code == 0 and "no portal is due" in again.stdout
    listed = CliRunner().invoke(main, ["runs", "--db", str(db), "--portal", "qh-putai-sample"])
    assert listed.stdout.startswith("#") and " qh-putai-sample " in listed.stdout and " ok: " in listed.stdout


def test_health_flags_failing_and_never_run_portals(tmp_path: Path) -> None:
    (tmp_path / "portals.toml").write_text(REGISTRY, encoding="utf-8")
    db = tmp_path / "a.db"
    now = dt.datetime.now(dt.timezone.utc)
    record_run(db, "daily", "ok", (now - dt.timedelta(days=2)).isoformat())
    for hours in (30, 20, 10):
        record_run(db, "seasonal", "failed", (now - dt.timedelta(hours=hours)).isoformat())
    result = CliRunner().invoke(main, ["health", "--config", str(tmp_path / "portals.toml"), "--db", str(db), "--json"])
    assert result.exit_code == 1
    report = {item["portal"]: item for item in json.loads(result.stdout)}
    assert report["daily"]["flags"] == [] and report["daily"]["healthy"]
    assert report["seasonal"]["flags"] == ["failing"] and report["seasonal"]["consecutive_failures"] == 3
    assert report["unscheduled"]["flags"] == ["never-run"]
    # stale: runs for longer than stale_days without a new document
    stale_registry = REGISTRY.replace('name = "daily"', 'name = "daily"\nstale_days = 1')
    (tmp_path / "stale.toml").write_text(stale_registry, encoding="utf-8")
    stale = CliRunner().invoke(main, ["health", "--config", str(tmp_path / "stale.toml"), "--db", str(db)])
    assert "daily: stale" in stale.stdout


def test_second_scheduler_refuses_to_start(tmp_path: Path, sample_site: SampleSite) -> None:
    db = tmp_path / "archive.db"
    Archive.open(db).close()
    with SchedulerLock(db):
        result = CliRunner().invoke(main, ["schedule", "--once", "--config", str(sample_site.config), "--db", str(db)])
        assert result.exit_code == 2
        assert "already runs on this database" in result.stderr
        with pytest.raises(SchedulerBusy):
            SchedulerLock(db).__enter__()
    # a crashed holder leaves no stuck lock
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; sys.path.insert(0, '.');"
                               "from scheduler.lock import SchedulerLock;"
                               f"SchedulerLock({str(db)!r}).__enter__(); print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, cwd=ROOT)
    assert holder.stdout.readline().strip() == b"held"
    holder.kill()
    holder.wait()
    holder.stdout.close()
    with SchedulerLock(db):
        pass


def test_sigterm_records_an_interrupted_run(sample_site: SampleSite, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    command = [sys.executable, "-m", "govarchive", "schedule", "--config", str(sample_site.config),
               "--db", str(db), "--max-parallel", "1", "--grace", "1",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=2"]
    log = (tmp_path / "scheduler.log").open("wb")
    scheduler = subprocess.Popen(command, cwd=ROOT, stderr=log)
    try:
        deadline = time.monotonic() + 30
        running = None
        while running is None and time.monotonic() < deadline:
            time.sleep(0.3)
            if db.exists():
                archive = Archive.open(db)
                row = archive.db.execute("SELECT id FROM crawl_runs WHERE status = 'running'").fetchone()
                archive.close()
                running = row[0] if row else None
        assert running is not None, "no crawl started"
        scheduler.send_signal(signal.SIGTERM)
        scheduler.wait(timeout=60)
    finally:
        if scheduler.poll() is None:
            os.kill(scheduler.pid, signal.SIGKILL)
        log.close()
    archive = Archive.open(db)
    try:
        runs = archive.db.execute("SELECT status, pid FROM crawl_runs ORDER BY id").fetchall()
    finally:
        archive.close()
    # the five overdue sample portals went into one batch: one process, every run interrupted
    assert [status for status, _ in runs] == ["interrupted"] * 5, (tmp_path / "scheduler.log").read_text()
    assert len({pid for _, pid in runs}) == 1
    assert scheduler.returncode == 0


def test_a_crawl_past_its_timeout_ends_as_timeout(sample_site: SampleSite, tmp_path: Path) -> None:
    portal = next(p for p in load_registry(sample_site.config) if p.name == "cq-wanzhou-sample")
    db = tmp_path / "archive.db"
    Archive.open(db).close()
    (result,) = run_crawl([portal], sample_site.config, db, {"DOWNLOAD_DELAY": "3", "AUTOTHROTTLE_ENABLED": "False"},
                       timeout=2.5, log_path=tmp_path / "logs" / "run.log", grace=10)
    assert result.status == "timeout"
    archive = Archive.open(db)
    try:
        (status, tail) = archive.db.execute("SELECT status, log_tail FROM crawl_runs").fetchone()
    finally:
        archive.close()
    assert status == "timeout" and "Received SIGTERM" in tail


def test_health_flags_a_blocked_portal(tmp_path: Path) -> None:
    (tmp_path / "portals.toml").write_text(REGISTRY, encoding="utf-8")
    db = tmp_path / "a.db"
    now = dt.datetime.now(dt.timezone.utc)
    record_run(db, "daily", "ok", (now - dt.timedelta(days=2)).isoformat())
    record_run(db, "daily", "blocked", (now - dt.timedelta(hours=2)).isoformat())
    result = CliRunner().invoke(main, ["health", "--config", str(tmp_path / "portals.toml"), "--db", str(db), "--json"])
    report = {item["portal"]: item for item in json.loads(result.stdout)}
    assert result.exit_code == 1 and report["daily"]["flags"] == ["blocked"]
    listed = CliRunner().invoke(main, ["runs", "--db", str(db), "--portal", "daily"])
    assert " blocked: " in listed.stdout.splitlines()[0]
