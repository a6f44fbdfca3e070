"""What the spider hands the pipelines: a PageCapture (archive.extract.capture), or one of these."""

from __future__ import annotations

import dataclasses

from archive.extract.capture import RawFetch


@dataclasses.dataclass(frozen=True)
class PageFailure:
    """A page that could not be fetched, decoded or extracted: recorded only.
    `kind` is a FailureKind (list page, detail page, attachment)."""

    portal: str
    url: str
    kind: str
    reason: str


@dataclasses.dataclass(frozen=True)
class FetchedDetail:
    """A detail page downloaded and not refused: ExtractPipeline turns it into a PageCapture
    (or a PageFailure), in a worker process."""

    portal: str
    raw: RawFetch
    content_type: str

    @property
    def url(self) -> str:
        return self.raw.url


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


@dataclasses.dataclass(frozen=True)
class PortalFinished:
    """A worker is done with a portal: what the walk found and what the worker counted."""

    portal: str
    reason: str                       # the spider's finish reason
    counts: dict[str, int]
    walk: str                         # complete, or incomplete: why
    listed: frozenset[str]            # the detail URLs its column lists (for withdrawals)
    family: str | None
    start_blocked: bool
    timed_out: bool
