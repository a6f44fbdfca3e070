"""An unattended crawler listens on nothing: no telnet console, no remote-control server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from archive.store.archive import Archive
from tests.support import ROOT, SampleSite

LISTEN = "0A"   # TCP state LISTEN in /proc/net/tcp


def listening_sockets(pid: int) -> list[str]:
    """The local addresses of the TCP sockets process `pid` listens on (hex, as /proc shows)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == LISTEN and fields[9] in inodes:
                found.append(fields[1])
    return found


def test_a_crawl_listens_on_no_port(sample_site: SampleSite, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    command = [sys.executable, "-m", "govarchive", "crawl", "cq-wanzhou-sample", "--config", str(sample_site.config),
               "--db", str(db), "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=1",
               "-s", "GOVARCHIVE_COUNTS_EVERY=1"]
    parent = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, child = time.monotonic() + 60, None
        while child is None and time.monotonic() < deadline:
            time.sleep(0.2)
            if db.exists():
                archive = Archive.open_readonly(db)
                row = archive.db.execute("SELECT pid FROM crawl_runs WHERE status = 'running' "
                                         "AND list_pages >= 1").fetchone()
                archive.close()
                child = row[0] if row else None
        assert child is not None, "the crawl did not get under way in time"
        assert listening_sockets(child) == [] and listening_sockets(parent.pid) == []
    finally:
        parent.terminate()
        parent.wait(timeout=60)
