"""Refuse every socket connection that does not go to this machine: tests are offline.

Installed in the pytest process by conftest and in every Python process the tests start
(crawl subprocesses included) by `sitecustomize.py` beside this file, which conftest puts on
PYTHONPATH.
"""

from __future__ import annotations

import ipaddress
import socket

MARKER = "govarchive_loopback_only"


def is_loopback(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and the like
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check(address: object) -> None:
    if not is_loopback(address):
        raise ConnectionRefusedError(f"tests are offline: refused connection to {address!r}")


def install() -> None:
    """Patch socket.connect and connect_ex (Twisted connects with connect_ex); idempotent."""
    if getattr(socket.socket.connect, MARKER, False):
        return
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(self: socket.socket, address: object) -> None:
        _check(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        _check(address)
        return real_connect_ex(self, address)

    for guarded in (connect, connect_ex):
        setattr(guarded, MARKER, True)
    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex  # type: ignore[method-assign]
