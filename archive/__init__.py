"""govarchive's archive: extraction of fetched pages and the SQLite store (no Scrapy here)."""

from archive.errors import (ArchiveError, DecodeError, ExtractionError, GovarchiveError,
                            RegistryError)
from archive.extract import DisclosureMetadata, Extracted, extract_page
from archive.store import Archive, PageOutcome, RunCounts, SearchHit

__all__ = [
    "Archive", "ArchiveError", "DecodeError", "DisclosureMetadata", "Extracted",
    "ExtractionError", "GovarchiveError", "PageOutcome", "RegistryError", "RunCounts",
    "SearchHit", "extract_page",
]
