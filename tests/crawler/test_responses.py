"""Download failures in words a person understands, whatever exception the downloader raised."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import (CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError,
                               DownloadTimeoutError, UnsupportedURLSchemeError)
from scrapy.settings import Settings

from crawler import settings as project
from crawler.responses import failure_reason


@pytest.mark.parametrize("error, reason", [
    (DownloadConnectionRefusedError("Connection was refused by other side: 111"),
     "connection refused by portal.example.gov.cn:8080"),
    (CannotResolveHostError("DNS lookup failed: no results for hostname lookup: portal.example.gov.cn."),
     "DNS lookup failed for portal.example.gov.cn"),
    (DownloadTimeoutError("Getting http://127.0.0.1:8080/… took longer than 30.0 seconds."), "no answer within 30 s"),
    (DownloadFailedError("[<twisted.python.failure.Failure twisted.internet.error.ConnectionLost>]"),
     "connection closed before an answer"),
    (UnsupportedURLSchemeError("Unsupported URL scheme 'ftp'"), "unsupported URL scheme 'ftp'"),
])
def test_download_failures_read_as_sentences(error: Exception, reason: str) -> None:
    scheme = "ftp" if isinstance(error, UnsupportedURLSchemeError) else "http"
    request = Request(f"{scheme}://portal.example.gov.cn:8080/col/index.html")
    settings = Settings({name: getattr(project, name) for name in dir(project) if name.isupper()})
    assert failure_reason(error, request, settings) == reason
