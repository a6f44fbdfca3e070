"""A URL that serves a document file (.pdf, .docx, .doc…) instead of a page."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

from archive.attachments import extract_attachment, sniff_kind
from archive.capture import AttachmentCapture, PageCapture, RawFetch
from archive.errors import ExtractionError
from archive.extract import document_record


def document_capture(portal: str, raw: RawFetch) -> PageCapture | None:
    """The capture of a fetched file that is a document itself (a column may link its report as
    a PDF), or None when the bytes are a web page. Raises ExtractionError when the file has no
    readable text."""
    filename = unquote(posixpath.basename(urlsplit(raw.url).path)) or "document"
    if sniff_kind(raw.body, filename) == "unknown":
        return None
    result = extract_attachment(raw.body, filename)
    if result.error:
        raise ExtractionError(f"{raw.url}: {result.error}")
    attachment = AttachmentCapture(raw.url, filename, raw, result.text, None)
    return PageCapture(portal, document_record(raw.url, filename), None, (attachment,))
