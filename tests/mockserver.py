"""A behaviour mock server on 127.0.0.1:0 for in-process crawls (after Scrapy's tests/mockserver):
the files of a folder, and path prefixes that misbehave on purpose.

    /status/<code>/<path>    answers <code> (with a short body) whatever <path> is
    /delay/<ms>/<path>       waits <ms> milliseconds, then serves <path>
    /drop/<path>             closes the connection without an answer
    /partial/<path>          announces <path>'s full length, sends half of it and closes
    /redirect/<n>/<path>     n redirects, then <path>; /loop/<a|b>/<path> redirects a <-> b for ever
    /offsite/<path>          redirects to offsite.example.gov.cn; /meta-offsite/ does it by <meta> refresh
    /big/<kb>, /big-unsized/<kb>   a body of <kb> KiB with, or without, a Content-Length
    /gzip-bomb/<mb>          a small gzip body that inflates to <mb> MiB
    /<path>                  the file (404 when missing; 304 to a fresh If-Modified-Since); with a
                             `<file>.status` beside it, that status (a challenge page: 412, 521)
    POST …/dataproxy.jsp?startrecord=S&endrecord=E   a Hanweb dataproxy window: the rows S..E of
                             `dataproxy.rows` beside it (one HTML row a line) as a <datastore>;
                             the file `dataproxy.jsp` itself when it exists
    GET  …/front/page/build/unit?…paramJson={"pageNo":N…}   a JPaaS page: `unit/page_N.json`
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import time
from urllib.parse import parse_qs, urlsplit
from collections.abc import Iterator
from pathlib import Path

from govarchive.sample_server import SampleRequestHandler, serve_directory

_BEHAVIOUR = re.compile(r"^/(status|delay)/(\d+)(/.*)$|^/(drop|partial)(/.*)$")
_MORE = re.compile(r"^/(redirect)/(\d+)(/.*)$|^/(loop)/([ab])(/.*)$|^/(offsite|meta-offsite)(/.*)$"
                   r"|^/(big|big-unsized|gzip-bomb)/(\d+)")
OFFSITE = "http://offsite.example.gov.cn"


class BehaviourHandler(SampleRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(length).decode("utf-8")
        self.requested.append(f"POST {self.path} {form} referer={self.headers.get('Referer')}")
        parts = urlsplit(self.path)
        answer = Path(self.translate_path(parts.path))
        rows_file = answer.parent / "dataproxy.rows"
        if answer.is_file():  # a fixed answer, whatever the window (a portal answering HTML)
            super().do_GET()
            return
        if not parts.path.endswith("dataproxy.jsp") or not rows_file.is_file():
            self.send_error(404)
            return
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        rows = rows_file.read_text(encoding="utf-8").splitlines()
        window = rows[int(query["startrecord"]) - 1:int(query["endrecord"])]
        records = "".join(f"<record><![CDATA[{row}]]></record>" for row in window)
        body = (f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{len(rows)}</totalrecord>'
                f"<recordset>{records}</recordset></datastore>").encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_head(self):  # noqa: ANN201 - SimpleHTTPRequestHandler's own signature
        parts = urlsplit(self.path)
        if parts.path.endswith("/front/page/build/unit"):
            page = json.loads(parse_qs(parts.query)["paramJson"][0])["pageNo"]
            self.path = f"{parts.path}/page_{page}.json"
        sidecar = Path(self.translate_path(urlsplit(self.path).path) + ".status")
        if sidecar.is_file():
            self.requested.append(self.path)
            body = Path(self.translate_path(urlsplit(self.path).path)).read_bytes()
            self.send_response(int(sidecar.read_text().strip()))
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        more = _MORE.match(self.path)
        if more is not None:
            self.requested.append(self.path)
            return self._more(more)
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


    def _more(self, match: re.Match) -> None:
        groups = [g for g in match.groups() if g is not None]
        kind = groups[0]
        if kind == "redirect":
            count, rest = int(groups[1]), groups[2]
            return self._redirect(f"/redirect/{count - 1}{rest}" if count > 1 else rest)
        if kind == "loop":
            return self._redirect(f"/loop/{'b' if groups[1] == 'a' else 'a'}{groups[2]}")
        if kind == "offsite":
            return self._redirect(OFFSITE + groups[1])
        if kind == "meta-offsite":
            return self._body(f'<html><head><meta http-equiv="refresh" content="0; url={OFFSITE}{groups[1]}">'
                              "</head><body></body></html>".encode())
        size = int(groups[1])
        if kind == "gzip-bomb":
            return self._body(gzip.compress(b"\0" * size * 1024 * 1024), {"Content-Encoding": "gzip"})
        body = ("<p>" + "报告" * (size * 1024 // 6) + "</p>").encode()
        return self._body(body, sized=kind == "big")

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _body(self, body: bytes, headers: dict[str, str] | None = None, sized: bool = True) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if sized:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def mock_server(root: Path, requested: list[str] | None = None) -> Iterator[str]:
    """Serve `root` with the behaviours above; yields the base URL."""
    with serve_directory(root, requested, BehaviourHandler) as base_url:
        yield base_url
