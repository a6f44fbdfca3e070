"""Loopback services for demos, tests and benchmarks: a folder of sample portals over HTTP on
127.0.0.1 (a free port), and a private redis-server."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path


class SampleRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging; appends each requested path to `requested`."""

    def __init__(self, *args: object, requested: list[str], **kwargs: object) -> None:
        self.requested = requested
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def send_head(self):  # noqa: ANN201 - SimpleHTTPRequestHandler's own signature
        conditional = self.headers.get("If-Modified-Since") or self.headers.get("If-None-Match")
        self.requested.append(f"{self.path} [conditional]" if conditional else self.path)
        return super().send_head()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionResetError, BrokenPipeError):
            pass  # the client gave up (a crawler's timeout): nothing to answer


@contextlib.contextmanager
def serve_directory(root: Path, requested: list[str] | None = None,
                    handler_class: type[SampleRequestHandler] | None = None, port: int = 0,
                    host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `root` on `host`:`port` (0: a free one) until the block ends; yields the base
    URL, e.g. http://127.0.0.1:40123. OSError when the port is taken.

    When `requested` is given, every requested path is appended to it, marked ` [conditional]`
    when the request carried If-Modified-Since or If-None-Match (tests read it to check what a
    crawl fetched). Files answer 304 to an If-Modified-Since no older than their mtime.
    """
    requested = [] if requested is None else requested
    handler = functools.partial(handler_class or SampleRequestHandler, directory=str(root), requested=requested)
    server = http.server.ThreadingHTTPServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, name="sample-portals", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def render_registry(sites: Path, base_url: str) -> str:
    """The sample registry (`sites/portals.toml`) with `{base}` replaced by the server URL."""
    return (sites / "portals.toml").read_text(encoding="utf-8").replace("{base}", base_url)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serve_redis(folder: Path, timeout: float = 20.0) -> Iterator[str]:
    """A redis-server of its own on 127.0.0.1 (a free port, nothing saved, working in `folder`)
    until the block ends; yields its URL. RuntimeError when redis-server is not installed or
    does not answer within `timeout` seconds."""
    import redis   # a dependency of the distributed crawl only

    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (make install-dev installs Debian's)")
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"redis-server on port {port} did not start") from None
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        server.terminate()
        server.wait(timeout=timeout)
