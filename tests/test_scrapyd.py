"""The spider under Scrapyd, as the README's "Scaling out" deploys it: the egg `scrapyd-deploy`
builds from this checkout, uploaded to a Scrapyd on 127.0.0.1, one portal scheduled, archived."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from archive.store.archive import Archive
from govarchive.sample_server import free_port
from tests.support import ROOT, SampleSite

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(importlib.util.find_spec("scrapyd") is None or not (BIN / "scrapyd-deploy").exists(),
                                reason="scrapyd and scrapyd-client are not installed (make install-dev installs them)")


def call(url: str, fields: dict[str, str | list[str]] | None = None, egg: bytes | None = None) -> dict:
    """Scrapyd's JSON API: a GET, a form POST, or a multipart POST with the egg."""
    if egg is not None:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in (fields or {}).items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; filename="project.egg"\r\n'
                     'Content-Type: application/octet-stream\r\n\r\n'.encode() + egg + f"\r\n--{boundary}--\r\n".encode())
        request = urllib.request.Request(url, b"".join(parts),
                                         {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    elif fields is not None:
        request = urllib.request.Request(url, urllib.parse.urlencode(fields, doseq=True).encode())
    else:
        request = urllib.request.Request(url)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_the_spider_runs_under_scrapyd(tmp_path: Path, sample_site: SampleSite) -> None:
    egg = tmp_path / "govarchive.egg"
    subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    port = free_port()
    (tmp_path / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {tmp_path / 'eggs'}\n"
        f"logs_dir = {tmp_path / 'logs'}\ndbs_dir = {tmp_path / 'dbs'}\nitems_dir =\npoll_interval = 0.2\n",
        encoding="utf-8")
    server = subprocess.Popen([str(BIN / "scrapyd")], cwd=tmp_path, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                call(f"{base}/daemonstatus.json")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "scrapyd did not start"
                time.sleep(0.2)
        added = call(f"{base}/addversion.json", {"project": "govarchive", "version": "1"}, egg.read_bytes())
        assert added["status"] == "ok" and added["spiders"] == 1, added
        db = tmp_path / "archive.db"
        job = call(f"{base}/schedule.json", {
            "project": "govarchive", "spider": "portal", "portal": "cq-wanzhou-sample",
            "config": str(sample_site.config),
            "setting": [f"GOVARCHIVE_DB={db}", "AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0"]})
        assert job["status"] == "ok", job
        deadline = time.monotonic() + 90
        while not any(j["id"] == job["jobid"] for j in call(f"{base}/listjobs.json?project=govarchive")["finished"]):
            assert time.monotonic() < deadline, "the scheduled crawl did not finish"
            time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    archive = Archive.open_readonly(db)
    try:
        runs = list(archive.db.query("SELECT portal, status, documents_new FROM crawl_runs"))
        assert runs == [{"portal": "cq-wanzhou-sample", "status": "ok", "documents_new": 2}]
        assert archive.search("后山镇").total >= 1
    finally:
        archive.close()
