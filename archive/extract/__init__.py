"""Extraction: fetched bytes -> typed records (decode, page, metadata, attachments, documents)."""
