"""What an operator copies runs as written: the README's crontab lines, the health unit and its
alert hook, on an install laid out like /srv/govarchive (with a fresh logs/)."""

from __future__ import annotations

import http.server
import json
import os
import re
import shlex
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from archive.store.archive import Archive
from archive.store.runs import RunCounts
from tests.support import ROOT, SampleSite

INSTALL = "/srv/govarchive"


@pytest.fixture
def install(tmp_path: Path, sample_site: SampleSite) -> Path:
    """/srv/govarchive as the README lays it out: the venv's govarchive, portals.toml, deploy/."""
    folder = tmp_path / "srv"
    (folder / ".venv" / "bin").mkdir(parents=True)
    script = folder / ".venv" / "bin" / "govarchive"
    script.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m govarchive \"$@\"\n", encoding="utf-8")
    script.chmod(0o755)
    head, first, *_ = sample_site.config.read_text(encoding="utf-8").split("[[portal]]")
    (folder / "portals.toml").write_text(f"{head}[[portal]]{first}", encoding="utf-8")   # one portal is enough
    (folder / "deploy").mkdir()
    for name in ("govarchive-alert",):
        (folder / "deploy" / name).write_bytes((ROOT / "deploy" / name).read_bytes())
        (folder / "deploy" / name).chmod(0o755)
    return folder


def run(command: str, install: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]), **env}
    return subprocess.run(["sh", "-c", command.replace(INSTALL, str(install))], capture_output=True, text=True,
                          env=environment, timeout=300)


def cron_lines() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```cron\n(.*?)```", readme, re.DOTALL)
    return [line.split(None, 5)[5] for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_the_readme_crontab_lines_work_on_a_fresh_install(install: Path) -> None:
    schedule, health = cron_lines()
    assert not (install / "logs").exists()
    first = run(schedule, install)
    assert first.returncode == 0, first.stderr
    log = (install / "logs" / "cron.log").read_text(encoding="utf-8")
    assert "cq-wanzhou-sample: ok" in log and "Traceback" not in log
    checked = run(health, install)
    assert checked.returncode in (0, 1) and "Traceback" not in checked.stderr + checked.stdout
    assert all(": " in line for line in checked.stdout.splitlines())   # only portals that need attention


def exec_start(unit: str) -> str:
    text = (ROOT / "deploy" / unit).read_text(encoding="utf-8")
    (command,) = re.findall(r"^ExecStart=(.*)$", text, re.MULTILINE)
    return command


class Webhook(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_health_unit_alerts_through_the_hook(install: Path) -> None:
    db = install / "archive.db"
    archive = Archive.open(db)
    for _ in range(3):
        run_id = archive.start_run("cq-wanzhou-sample")
        archive.finish_run(run_id, "failed", RunCounts())
    archive.close()
    journal = run(exec_start("govarchive-health.service"), install)   # no ALERT_*: the journal gets it
    assert journal.returncode == 1, journal.stderr
    assert journal.stdout.startswith("cq-wanzhou-sample: failing — ")
    report = {item["portal"]: item for item in json.loads(journal.stderr.split("\n", 1)[1])}
    assert report["cq-wanzhou-sample"]["evidence"]["failing"]["consecutive_failures"] == 3
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        posted = run(exec_start("govarchive-health.service"), install,
                     ALERT_WEBHOOK=f"http://127.0.0.1:{server.server_address[1]}/hook")
    finally:
        server.shutdown()
        server.server_close()
    assert posted.returncode == 1, posted.stderr
    (body,) = Webhook.received
    assert {item["portal"]: item["flags"] for item in json.loads(body)} == {
        name: item["flags"] for name, item in report.items()}
