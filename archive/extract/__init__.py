"""Page extraction: decoded HTML -> document record (no Scrapy, no network)."""

from archive.extract.metadata import DisclosureMetadata
from archive.extract.page import Extracted, extract_page

__all__ = ["DisclosureMetadata", "Extracted", "extract_page"]
