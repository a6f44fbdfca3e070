"""What the crawler would do with one list page: fetched politely (robots.txt, our User-Agent)
or read from a file, then read by the families exactly as a crawl reads it."""

from __future__ import annotations

import dataclasses
import re
import urllib.error
import urllib.request
import urllib.robotparser
from urllib.parse import urlsplit

from archive.errors import ExtractionError, GovarchiveError
from archive.extract.challenge import Verdict, page_verdict
from archive.extract.decode import decode_html
from archive.extract.listing import Listing, parse_listing
from archive.families.base import ListRequest
from crawler import settings

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)


class ProbeError(GovarchiveError):
    """The page to probe cannot be fetched or read."""


@dataclasses.dataclass(frozen=True)
class Probe:
    url: str
    listing: Listing
    verdict: Verdict | None
    title: str | None

    def as_dict(self) -> dict:
        listing = self.listing.as_dict()
        return {**listing, "url": self.url, "blocked": self.verdict.reason if self.verdict else None,
                "suggested_portal": self.suggested_portal()}

    def suggested_portal(self) -> str:
        """A [[portal]] table for portals.toml."""
        host = urlsplit(self.url).hostname or "portal"
        lines = ["[[portal]]", f'name = "{re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")}"']
        if self.title:
            lines.append(f'title = "{self.title}"')
        lines.append(f'start_urls = ["{self.url}"]')
        if self.listing.family and self.listing.family != "generic":
            lines.append(f'family = "{self.listing.family}"')
        return "\n".join(lines)


def sniff_format(body: bytes) -> str:
    head = body.lstrip()[:200].lower()
    if head.startswith((b"{", b"[")):
        return "json"
    if head.startswith(b"<?xml") or head.startswith(b"<datastore"):
        return "xml"
    return "html"


def probe_bytes(body: bytes, url: str, status: int = 200, headers: dict[str, str] | None = None,
                answer_format: str | None = None, family: str | None = None) -> Probe:
    """Read a list page or answer as the crawler would; a challenge or soft 404 is a verdict."""
    verdict = page_verdict(status, headers or {}, body)
    answer_format = answer_format or sniff_format(body)
    family = family or ("hanweb" if answer_format != "html" else None)
    request = ListRequest(url, format=answer_format, family=family)
    try:
        text, _ = decode_html(body, (headers or {}).get("content-type"), source=url)
        listing = parse_listing(text, url, request=request) if verdict is None else Listing((), ())
    except (ExtractionError, KeyError) as exc:
        raise ProbeError(f"{url}: {getattr(exc, 'reason', exc)}") from exc
    title = _TITLE.search(text)
    return Probe(url, listing, verdict, " ".join(title.group(1).split()) if title else None)


def fetch(url: str, timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
    """GET `url` once with govarchive's User-Agent, after asking the site's robots.txt."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProbeError(f"{url}: not an http(s) URL")
    robots = urllib.robotparser.RobotFileParser(f"{parts.scheme}://{parts.netloc}/robots.txt")
    try:
        robots.read()
    except (OSError, UnicodeDecodeError):
        robots.parse([])  # unreadable robots.txt: nothing is disallowed, as Scrapy treats it
    if not robots.can_fetch(settings.USER_AGENT, url):
        raise ProbeError(f"{url}: robots.txt of {parts.netloc} disallows it; govarchive will not fetch it")
    request = urllib.request.Request(url, headers={"User-Agent": settings.USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - http(s) checked above
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read(settings.DOWNLOAD_MAXSIZE)
    except urllib.error.HTTPError as exc:   # a challenge answers 412/521: keep its page
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise ProbeError(f"{url}: cannot fetch: {getattr(exc, 'reason', exc)}") from exc
