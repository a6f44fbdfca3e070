"""What the spider hands the pipeline: an extracted page, or a page that failed."""

from __future__ import annotations

import dataclasses

from archive.extract import Extracted


@dataclasses.dataclass(frozen=True)
class ArchivedPage:
    """A detail page that extracted cleanly."""

    portal: str
    url: str
    http_status: int
    record: Extracted


@dataclasses.dataclass(frozen=True)
class PageFailure:
    """A page that could not be fetched, decoded or extracted: recorded, never archived."""

    portal: str
    url: str
    reason: str
