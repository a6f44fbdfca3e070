"""An unattended crawler listens on nothing: no telnet console, no remote-control server."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support import SampleSite, running_child, slow_crawl

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
    parent = slow_crawl(sample_site.config, tmp_path / "a.db", delay=1)
    try:
        child = running_child(tmp_path / "a.db", "list_pages >= 1")
        assert listening_sockets(child) == [] and listening_sockets(parent.pid) == []
    finally:
        parent.terminate()
        parent.wait(timeout=60)
