"""Page extraction: decoded HTML -> document record (no Scrapy, no network)."""

from archive.extract.metadata import DisclosureMetadata
from archive.extract.page import Extracted, document_record, extract_page

__all__ = ["DisclosureMetadata", "Extracted", "document_record", "extract_page"]
