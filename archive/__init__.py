"""govarchive's archive: extraction of fetched pages and the SQLite store (no Scrapy here)."""

from archive.capture import AttachmentCapture, PageCapture, RawFetch
from archive.errors import (ArchiveError, DecodeError, ExtractionError, GovarchiveError,
                            RegistryError)
from archive.extract import DisclosureMetadata, Extracted, extract_page
from archive.queries import SearchHit
from archive.store import Archive, PageOutcome, RunCounts

__all__ = [
    "Archive", "ArchiveError", "AttachmentCapture", "DecodeError", "DisclosureMetadata", "Extracted",
    "ExtractionError", "GovarchiveError", "PageCapture", "PageOutcome", "RawFetch", "RegistryError",
    "RunCounts", "SearchHit", "extract_page",
]
