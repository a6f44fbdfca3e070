"""Many portals over many hosts in one crawl process: throughput, and per-host politeness checked
from the server's own log.

    python bench/many_portals.py [--portals 1000] [--hosts 100] [--reports 5] [--delay 0.05]

Each portal is a TRS column of a few distinct reports; portal i is served on host 127.0.0.(2 + i %
hosts) by one nginx (Debian's), which logs when it answered each request and on which address.
`govarchive crawl` crawls all the portals in one process with CONCURRENT_REQUESTS_PER_DOMAIN=1 and
DOWNLOAD_DELAY=--delay; the log then shows, per host, the smallest gap between two answers
(Scrapy spaces a host's requests by 0.5–1.5 × the delay; nginx stamps an answer when it is
sent, so an answer that took longer narrows the gap after it a little).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.crawl import distinct_reports, nginx_binary  # noqa: E402
from govarchive.sample_server import free_port  # noqa: E402
from bench.recrawl import build_portal  # noqa: E402


def host(index: int, hosts: int) -> str:
    return f"127.0.0.{2 + index % hosts}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--reports", type=int, default=5)
    parser.add_argument("--delay", type=float, default=0.05)
    args = parser.parse_args()
    if not 1 <= args.hosts <= 250:
        raise SystemExit("--hosts: between 1 and 250 loopback addresses")
    nginx = nginx_binary()
    if nginx is None:
        raise SystemExit("this benchmark needs nginx (apt-get install nginx, or `make bench-crawl`)")
    body = distinct_reports()
    with tempfile.TemporaryDirectory(prefix="govarchive-portals-") as tmp:
        scratch = Path(tmp)
        scratch.chmod(0o755)   # nginx's workers run as another user
        site = scratch / "site"
        for index in range(args.portals):
            build_portal(site / f"p{index}", args.reports, lambda n, i=index: body(i * args.reports + n))
        (site / "robots.txt").write_text("User-agent: *\nDisallow:\n", encoding="utf-8")
        port = free_port()
        listens = "".join(f"listen {host(h, args.hosts)}:{port}; " for h in range(args.hosts))
        log = scratch / "access.log"
        conf = scratch / "nginx.conf"
        conf.write_text(f"""daemon off; worker_processes 1; pid {scratch}/nginx.pid; error_log {scratch}/error.log;
events {{ worker_connections 4096; }}
http {{ log_format timed '$msec $server_addr $request_uri'; access_log {log} timed;
  types {{ text/html html; }} default_type text/html;
  client_body_temp_path {scratch}/body; proxy_temp_path {scratch}/proxy; fastcgi_temp_path {scratch}/fcgi;
  uwsgi_temp_path {scratch}/uwsgi; scgi_temp_path {scratch}/scgi;
  server {{ {listens} root {site}; location / {{ }} }} }}
""", encoding="utf-8")
        config = scratch / "portals.toml"
        config.write_text("".join(
            f'[[portal]]\nname = "p{i}"\nstart_urls = ["http://{host(i, args.hosts)}:{port}/p{i}/column/"]\n\n'
            for i in range(args.portals)), encoding="utf-8")
        server = subprocess.Popen([nginx, "-c", str(conf), "-p", str(scratch)], stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            started = time.monotonic()
            crawl = subprocess.run(
                [sys.executable, "-m", "govarchive", "crawl", "--config", str(config), "--db", str(scratch / "a.db"),
                 "--json", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", f"DOWNLOAD_DELAY={args.delay}",
                 "-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "LOG_LEVEL=ERROR"],
                cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True)
            wall = time.monotonic() - started
        finally:
            server.terminate()
            server.wait()
        runs = json.loads(crawl.stdout)
        answered: dict[str, list[float]] = collections.defaultdict(list)
        for line in log.read_text(encoding="utf-8").splitlines():
            moment, address, _ = line.split(" ", 2)
            answered[address].append(float(moment))
    gaps = {address: min(b - a for a, b in zip(times, times[1:], strict=False))
            for address, times in answered.items() if len(times) > 1}
    statuses = collections.Counter(run["status"] for run in runs)
    documents = sum(run["documents_new"] for run in runs)
    requests = sum(len(times) for times in answered.values())
    print(f"{args.portals} portals on {args.hosts} hosts ({args.reports} reports each), one crawl process: "
          f"{wall:.1f} s, {requests} requests answered ({requests / wall:.0f}/s), {documents} documents archived, "
          f"runs {dict(statuses)}")
    print(f"per host, the smallest gap between two answers: min {min(gaps.values()):.3f} s, "
          f"median {statistics.median(gaps.values()):.3f} s (DOWNLOAD_DELAY {args.delay} s; Scrapy spaces by "
          f"0.5–1.5×, so ≥ {0.5 * args.delay:.3f} s expected); hosts under it: "
          f"{sum(gap < 0.5 * args.delay * 0.9 for gap in gaps.values())}")


if __name__ == "__main__":
    main()
