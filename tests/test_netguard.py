"""The loopback-only guard: in the test process and in every Python process a test starts."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.netguard.loopback_guard import is_loopback


@pytest.mark.parametrize("address, allowed", [
    (("127.0.0.1", 80), True), (("::1", 80, 0, 0), True), (("localhost", 8000), True),
    ("/tmp/socket", True), (("10.0.0.1", 80), False), (("93.184.216.34", 443), False),
    (("www.example.gov.cn", 80), False),
])
def test_network_guard_allows_only_loopback(address: object, allowed: bool) -> None:
    assert is_loopback(address) is allowed


CHILD = """
import socket
assert getattr(socket.socket.connect_ex, "govarchive_loopback_only", False), "no guard in the child"
try:
    socket.socket().connect_ex(("93.184.216.34", 80))
except ConnectionRefusedError as exc:
    print("refused:", exc)
"""


def test_a_python_subprocess_is_guarded_too() -> None:
    """A crawl subprocess inherits PYTHONPATH, so sitecustomize installs the guard before any
    code runs (the child checks the guard is there before it tries to connect)."""
    child = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    assert "refused: tests are offline" in child.stdout
