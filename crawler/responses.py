"""Scrapy responses and download failures as the archive's records."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import (CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError,
                               IgnoreRequest, UnsupportedURLSchemeError)
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError

from archive.extract.capture import RawFetch, utc_now


def raw_fetch(response: Response, encoding: str | None = None) -> RawFetch:
    """The response as the server sent it, for the archive's raw capture."""
    headers = tuple((key.decode("latin-1"), b", ".join(values).decode("latin-1"))
                    for key, values in response.headers.items())
    return RawFetch(response.url, response.status, headers, response.body, utc_now(), encoding)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB" if size >= 1024 * 1024 else f"{size / 1024:g} KB"


def failure_reason(error: BaseException, request: Request | None = None, settings: Settings | None = None) -> str:
    """Why a download failed, in words a person understands: `HTTP 404`, `redirect loop`,
    `more than 5 redirects`, `redirect to another host x (not allowed)`, `body larger than 50 MB`,
    `gzip body inflates past the limit`, `no answer within 30 s`, `connection refused` …"""
    meta = request.meta if request is not None else {}
    maxsize = int(meta.get("download_maxsize") or (settings.getint("DOWNLOAD_MAXSIZE") if settings else 0))
    message = str(error)
    if isinstance(error, HttpError):
        return f"HTTP {error.response.status}"
    if isinstance(error, IgnoreRequest):
        if message.startswith("not fetched: "):   # PortalTimedOut says it itself
            return message
        if message == "Forbidden by robots.txt":
            return "refused by robots.txt"
        if message == "max redirections reached":
            chain = [*meta.get("redirect_urls", []), request.url if request is not None else ""]
            if len(set(chain)) < len(chain):
                seen: list[str] = []
                for url in chain:   # up to the first URL that comes again
                    seen.append(url)
                    if seen.count(url) > 1:
                        break
                return "redirect loop (" + " -> ".join(urlsplit(url).path or url for url in seen) + ")"
            limit = settings.getint("REDIRECT_MAX_TIMES") if settings else len(chain) - 1
            return f"more than {limit} redirects"
        offsite = re.match(r"Filtered offsite request to '(.*)'", message)
        if offsite:
            how = "redirect" if meta.get("redirect_urls") else "link"
            return f"{how} to another host {offsite.group(1)} (not allowed)"
        if "during decompression" in message:
            return f"{'gzip' if 'gzip' in message.lower() else 'compressed'} body inflates past the limit" + \
                (f" ({_megabytes(maxsize)})" if maxsize else "")
        return f"refused: {message}"
    name = type(error).__name__
    where = urlsplit(request.url) if request is not None else None
    if name == "DownloadCancelledError":
        return f"body larger than {_megabytes(maxsize)}" if maxsize else "download cancelled"
    if name in ("DownloadTimeoutError", "TimeoutError", "TCPTimedOutError"):
        timeout = meta.get("download_timeout") or (settings.getint("DOWNLOAD_TIMEOUT") if settings else None)
        return f"no answer within {timeout:g} s" if timeout else "timed out"
    if isinstance(error, DownloadConnectionRefusedError) or name == "ConnectionRefusedError":
        return f"connection refused by {where.netloc}" if where else "connection refused"
    if isinstance(error, CannotResolveHostError) or name in ("DNSLookupError", "DNSLookupFailedError"):
        return f"DNS lookup failed for {where.hostname}" if where else "DNS lookup failed"
    if isinstance(error, UnsupportedURLSchemeError):
        return f"unsupported URL scheme {where.scheme!r}" if where else "unsupported URL scheme"
    if ("ConnectionDone" in message or "ConnectionLost" in message or name == "ResponseNeverReceived"
            or isinstance(error, DownloadFailedError) and "Connection" in message):
        return "connection closed before an answer"
    if name == "ResponseDataLossError":
        return "connection closed before the whole body arrived"
    return f"{name}: {message}" if message else name


def truncation(response: Response) -> str | None:
    """`connection closed after 12,345 of 40,000 bytes` for a body that arrived incomplete."""
    if "dataloss" not in response.flags:
        return None
    expected = response.headers.get("Content-Length")
    of = f" of {int(expected):,}" if expected and expected.isdigit() else ""
    return f"connection closed after {len(response.body):,}{of} bytes"
