"""What the spider hands the pipeline: a PageCapture (archive.capture), or a PageFailure."""

from __future__ import annotations

import dataclasses

from archive.capture import PageCapture

__all__ = ["PageCapture", "PageFailure", "PageGone", "PageNotModified"]


@dataclasses.dataclass(frozen=True)
class PageFailure:
    """A page or attachment that could not be fetched, decoded or extracted: recorded only."""

    portal: str
    url: str
    reason: str


@dataclasses.dataclass(frozen=True)
class PageNotModified:
    """A revisit answered 304: the archived page is still current."""

    portal: str
    url: str


@dataclasses.dataclass(frozen=True)
class PageGone:
    """A detail page answered 404/410: withdrawn if it was archived, else a broken link."""

    portal: str
    url: str
    http_status: int
