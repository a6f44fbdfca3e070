"""What the spider hands the pipelines: a PageCapture (archive.extract.capture), or one of these."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class PageFailure:
    """A page that could not be fetched, decoded or extracted: recorded only.
    `kind` is a FailureKind (list page, detail page, attachment)."""

    portal: str
    url: str
    kind: str
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
