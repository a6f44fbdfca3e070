"""Runs tell the truth: one crawl per portal at a time, a killed crawl's row shows what it did and
is closed, a row left running by a dead process is flagged and then closed by the next crawl."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.errors import CrawlBusy
from archive.store.archive import Archive
from crawler.process import HOST, portal_lock, process_alive
from govarchive.cli import main
from tests.support import FAST, SampleSite, running_child, slow_crawl


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def wait_for_lock_release(db: Path, pid: int) -> None:
    """SIGKILL takes effect, and the dead process's flock goes, when the kernel gets to it."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if not process_alive(pid):
            try:
                with portal_lock(db, "cq-wanzhou-sample"):
                    return
            except CrawlBusy:
                pass
        time.sleep(0.05)
    raise AssertionError(f"the portal lock outlived its killed holder {pid}")


def test_a_second_crawl_of_a_portal_being_crawled_exits_2_naming_the_other(sample_site: SampleSite,
                                                                           tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Archive.open(db).close()
    with portal_lock(db, "cq-wanzhou-sample"):
        result = CliRunner().invoke(main, ["crawl", "cq-wanzhou-sample", "--config", str(sample_site.config),
                                           "--db", str(db), *FAST])
    assert result.exit_code == 2
    assert f"portal 'cq-wanzhou-sample' is being crawled into a.db by pid {os.getpid()}" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("govarchive: error: portal") and sample_site.requested == []


def health_flags(config: Path, db: Path) -> dict[str, list[str]]:
    health = CliRunner().invoke(main, ["health", "--config", str(config), "--db", str(db), "--json"])
    return {item["portal"]: item["flags"] for item in json.loads(health.stdout)}


def test_health_closes_a_run_left_running_by_a_dead_process(sample_site: SampleSite, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    archive = Archive.open(db)
    stale = archive.start_run("cq-wanzhou-sample", pid=dead_pid(), host=HOST)
    archive.close()
    db.chmod(0o444)   # health may not write here: it flags the run and leaves it
    assert "stuck" in health_flags(sample_site.config, db)["cq-wanzhou-sample"]
    db.chmod(0o644)
    assert "interrupted" in health_flags(sample_site.config, db)["cq-wanzhou-sample"]
    config = str(sample_site.config)
    crawled = CliRunner().invoke(main, ["crawl", "cq-wanzhou-sample", "--config", config, "--db", str(db), *FAST])
    assert crawled.exit_code == 0, crawled.output
    archive = Archive.open_readonly(db)
    try:
        assert archive.db.execute("SELECT status FROM crawl_runs WHERE id = ?", [stale]).fetchone()[0] == "interrupted"
        (reason,) = archive.db.execute("SELECT reason FROM crawl_errors WHERE run_id = ?", [stale]).fetchone()
        assert reason.startswith("the crawl process (pid ") and reason.endswith("ended without closing its run")
        run_ids = [row[0] for row in archive.db.execute("SELECT id FROM crawl_runs")]
        assert len(run_ids) == len(set(run_ids)) == 2
    finally:
        archive.close()
    flags = health_flags(sample_site.config, db)["cq-wanzhou-sample"]
    assert "stuck" not in flags and "interrupted" not in flags


@pytest.mark.parametrize("killed", ["child", "child and parent"])
def test_kill_9_of_a_crawl_keeps_its_counts_and_the_next_crawl_completes(
        sample_site: SampleSite, tmp_path: Path, killed: str) -> None:
    db = tmp_path / "a.db"
    parent = slow_crawl(sample_site.config, db)
    try:
        child = running_child(db, "documents_new >= 1")
        second = CliRunner().invoke(main, ["crawl", "cq-wanzhou-sample", "--config", str(sample_site.config),
                                           "--db", str(db), *FAST])   # while the first one runs
        assert second.exit_code == 2 and f"is being crawled into a.db by pid {child}" in second.stderr
        if killed == "child and parent":
            parent.kill()
            parent.wait()
        os.kill(child, signal.SIGKILL)
        assert parent.wait(timeout=60) == (1 if killed == "child" else -signal.SIGKILL)
        wait_for_lock_release(db, child)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    archive = Archive.open_readonly(db)
    try:
        status, documents = archive.db.execute("SELECT status, documents_new FROM crawl_runs").fetchone()
    finally:
        archive.close()
    assert documents >= 1   # the row shows what the killed run did
    check = CliRunner().invoke(main, ["check", "--db", str(db), "--json"])
    if killed == "child":   # `govarchive crawl` saw its child die and closed the run
        assert status == "interrupted" and check.exit_code == 0, check.output
    else:                   # nobody was left to close it: check finds it, the next crawl closes it
        assert status == "running" and check.exit_code == 1
        assert any("running" in json.dumps(finding) for finding in json.loads(check.stdout)["findings"])
    again = CliRunner().invoke(main, ["crawl", "cq-wanzhou-sample", "--config", str(sample_site.config),
                                      "--db", str(db), "--json", *FAST])
    assert again.exit_code == 0, again.output
    archive = Archive.open_readonly(db)
    try:
        assert archive.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 2  # nothing lost
        assert [row[0] for row in archive.db.execute("SELECT status FROM crawl_runs ORDER BY id")] == [
            "interrupted", "ok"]
    finally:
        archive.close()
    assert CliRunner().invoke(main, ["check", "--db", str(db)]).exit_code == 0


def test_a_long_crawl_reports_how_far_it_got(sample_site: SampleSite, tmp_path: Path) -> None:
    from crawler.process import run_crawl
    from crawler.registry import load_registry

    db = tmp_path / "a.db"
    seen: list[tuple[int, float]] = []
    portals = [p for p in load_registry(sample_site.config) if p.name == "cq-wanzhou-sample"]
    (result,) = run_crawl(portals, sample_site.config, db, {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0.5",
                                                            "GOVARCHIVE_BATCH_PAGES": "1", "GOVARCHIVE_COUNTS_EVERY": "1"},
                          progress=lambda counts, seconds: seen.append((counts.list_pages, seconds)),
                          progress_every=0.5)
    assert result.ok and len(seen) >= 2
    assert [pages for pages, _ in seen] == sorted(pages for pages, _ in seen)   # it only goes forward
    assert seen[-1][0] >= 1 and seen[-1][1] > seen[0][1]
