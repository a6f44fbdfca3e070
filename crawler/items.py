"""What the spider hands the pipeline: a PageCapture (archive.capture), or a PageFailure."""

from __future__ import annotations

import dataclasses

from archive.capture import PageCapture

__all__ = ["PageCapture", "PageFailure"]


@dataclasses.dataclass(frozen=True)
class PageFailure:
    """A page or attachment that could not be fetched, decoded or extracted: recorded only."""

    portal: str
    url: str
    reason: str
