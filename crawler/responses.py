"""Scrapy responses and download failures as the archive's records."""

from __future__ import annotations

from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from archive.extract.capture import RawFetch, utc_now


def raw_fetch(response: Response, encoding: str | None = None) -> RawFetch:
    """The response as the server sent it, for the archive's raw capture."""
    headers = tuple((key.decode("latin-1"), b", ".join(values).decode("latin-1"))
                    for key, values in response.headers.items())
    return RawFetch(response.url, response.status, headers, response.body, utc_now(), encoding)


def failure_reason(error: BaseException) -> str:
    """Why a download failed, as recorded: `HTTP 404`, or the error's type and message."""
    if isinstance(error, HttpError):
        return f"HTTP {error.response.status}"
    return f"{type(error).__name__}: {error}"
