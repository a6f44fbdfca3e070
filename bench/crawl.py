"""govarchive's crawl against a bare Scrapy spider, side by side in one run, on one loopback site.

A synthetic TRS column of N report pages (bench/recrawl.build_portal: real report texts in the
TRS template, createPageHTML list pages) is served by nginx (Debian's; `python -m http.server`
caps at ~257 pages/s, see ../shared/MEASURED.md) or, without nginx, by a threaded Python server,
which the output says. Both crawlers get the same Scrapy settings: no delay, no AutoThrottle, 8
requests per host. Printed: wall time, CPU time (user + system of the crawl processes), pages/s
and CPU ms per page for each, and govarchive / bare as ratios.

    python bench/crawl.py [--reports 3000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.recrawl import build_portal, golden_texts  # noqa: E402
from govarchive.sample_server import free_port, serve_directory  # noqa: E402

SETTINGS = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": "16",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "8", "LOG_LEVEL": "ERROR"}

BARE_SPIDER = '''
import re
import scrapy

class Bare(scrapy.Spider):
    """What a user would write: follow the list pages and the report links, keep nothing."""
    name = "bare"
    custom_settings = {"ROBOTSTXT_OBEY": True}

    def __init__(self, start=None, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start]

    def parse(self, response):
        for href in response.css("li a::attr(href)").getall():
            yield response.follow(href, self.parse_report)
        pager = re.search(r"createPageHTML\\((\\d+), (\\d+)", response.text)
        if pager and int(pager[2]) == 0:
            for page in range(1, int(pager[1])):
                yield response.follow(f"index_{page}.html", self.parse)

    def parse_report(self, response):
        yield {"url": response.url, "bytes": len(response.body)}
'''


def distinct_reports() -> Callable[[int], list[str]]:
    """Report n: 60 sentences drawn (seeded by n) from every golden report's sentences, so
    reports are as distinct as real ones (few near-duplicates), about 5,000 characters each."""
    sentences = sorted({s + "。" for text in golden_texts() for line in text for s in line.split("。") if len(s) > 8})

    def body(n: int) -> list[str]:
        drawn = random.Random(n).sample(sentences, min(60, len(sentences)))
        return ["".join(drawn[i:i + 4]) for i in range(0, len(drawn), 4)]

    return body


def nginx_binary() -> str | None:
    """Debian puts nginx in /usr/sbin, which a user's PATH may lack."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


@contextlib.contextmanager
def served(root: Path, scratch: Path) -> Iterator[tuple[str, str]]:
    """(base URL, server name): nginx when installed, else the threaded Python server."""
    nginx = nginx_binary()
    if nginx is None:
        with serve_directory(root) as base_url:
            yield base_url, "python ThreadingHTTPServer (install nginx for a faster server)"
        return
    port = free_port()
    conf = scratch / "nginx.conf"
    conf.write_text(f"""daemon off; worker_processes 1; pid {scratch}/nginx.pid; error_log {scratch}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; types {{ text/html html; }} default_type text/html;
  client_body_temp_path {scratch}/body; proxy_temp_path {scratch}/proxy; fastcgi_temp_path {scratch}/fcgi;
  uwsgi_temp_path {scratch}/uwsgi; scgi_temp_path {scratch}/scgi;
  server {{ listen 127.0.0.1:{port}; root {root}; location / {{ }} }} }}
""", encoding="utf-8")
    server = subprocess.Popen([nginx, "-c", str(conf), "-p", str(scratch)], stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.1):
                break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", f"nginx {subprocess.run([nginx, '-v'], capture_output=True, text=True).stderr.strip()}"
    finally:
        server.terminate()
        server.wait()


def measured(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=3000)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    settings = [arg for key, value in SETTINGS.items() for arg in ("-s", f"{key}={value}")]
    with tempfile.TemporaryDirectory(prefix="govarchive-bench-") as tmp:
        scratch = Path(tmp)
        scratch.chmod(0o755)   # nginx's workers run as another user
        build_portal(scratch / "site", args.reports, distinct_reports())
        (scratch / "site" / "robots.txt").write_text("User-agent: *\nDisallow:\n", encoding="utf-8")
        spider = scratch / "bare.py"
        spider.write_text(BARE_SPIDER, encoding="utf-8")
        with served(scratch / "site", scratch) as (base_url, server):
            start = f"{base_url}/column/"
            bare_items = scratch / "bare.jsonl"
            bare_env = {key: value for key, value in os.environ.items() if key != "SCRAPY_SETTINGS_MODULE"}
            bare = measured([sys.executable, "-m", "scrapy", "runspider", str(spider), "-a", f"start={start}",
                             "-o", f"{bare_items}:jsonlines", *settings], bare_env, cwd=scratch)  # no project
            config = scratch / "portals.toml"
            config.write_text(f'[[portal]]\nname = "bench"\nstart_urls = ["{start}"]\nmax_list_pages = 10000\n',
                              encoding="utf-8")
            ours = measured([sys.executable, "-m", "govarchive", "crawl", "--config", str(config),
                             "--db", str(scratch / "bench.db"), "--json", *settings], env)
        pages = sum(1 for _ in bare_items.open(encoding="utf-8"))
        db = subprocess.run([sys.executable, "-m", "govarchive", "stats", "--json", "--db", str(scratch / "bench.db")],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        documents = json.loads(db.stdout)["documents"]
    print(f"site: {args.reports} report pages (+ list pages) served by {server}")
    print(f"{'':12}{'wall s':>9}{'CPU s':>9}{'pages/s':>10}{'CPU ms/page':>13}")
    for name, (wall, cpu), count in (("bare Scrapy", bare, pages), ("govarchive", ours, documents)):
        print(f"{name:12}{wall:9.1f}{cpu:9.1f}{count / wall:10.1f}{1000 * cpu / max(count, 1):13.1f}")
    print(f"govarchive / bare: {bare[0] / ours[0] * documents / max(pages, 1):.2f}× the pages/s, "
          f"{ours[1] / bare[1]:.1f}× the CPU (target: ≥ 0.5× the pages/s); "
          f"bare fetched {pages} reports, govarchive archived {documents}")


if __name__ == "__main__":
    main()
