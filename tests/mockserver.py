"""A behaviour mock server on 127.0.0.1:0 for in-process crawls (after Scrapy's tests/mockserver):
the files of a folder, and path prefixes that misbehave on purpose.

    /status/<code>/<path>    answers <code> (with a short body) whatever <path> is
    /delay/<ms>/<path>       waits <ms> milliseconds, then serves <path>
    /drop/<path>             closes the connection without an answer
    /partial/<path>          announces <path>'s full length, sends half of it and closes
    /<path>                  the file (404 when missing; 304 to a fresh If-Modified-Since)
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

from govarchive.sample_server import SampleRequestHandler, serve_directory

_BEHAVIOUR = re.compile(r"^/(status|delay)/(\d+)(/.*)$|^/(drop|partial)(/.*)$")


class BehaviourHandler(SampleRequestHandler):
    def send_head(self):  # noqa: ANN201 - SimpleHTTPRequestHandler's own signature
        match = _BEHAVIOUR.match(self.path)
        if match is None:
            return super().send_head()
        self.requested.append(self.path)
        kind = match.group(1) or match.group(4)
        rest = match.group(3) or match.group(5)
        if kind == "status":
            self.send_error(int(match.group(2)))
            return None
        if kind == "delay":
            time.sleep(int(match.group(2)) / 1000)
            self.path = rest
            return super().send_head()
        if kind == "drop":
            self.close_connection = True
            self.connection.close()
            return None
        path = Path(self.translate_path(rest))  # partial
        if not path.is_file():
            self.send_error(404)
            return None
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(rest))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(2)
        return None


@contextlib.contextmanager
def mock_server(root: Path, requested: list[str] | None = None) -> Iterator[str]:
    """Serve `root` with the behaviours above; yields the base URL."""
    with serve_directory(root, requested, BehaviourHandler) as base_url:
        yield base_url
