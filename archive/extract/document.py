"""A page's document: the text archived for it (its body, or its attachments when it only
points to them), and links that serve a document file instead of a page."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from urllib.parse import unquote, urlsplit

from archive.errors import ExtractionError
from archive.extract.attachments import extract_attachment, sniff_kind
from archive.extract.capture import AttachmentCapture, PageCapture, RawFetch, packed
from archive.extract.page import Extracted, document_record, extract_page
from archive.identity.keys import TextKeys, text_keys

# A page whose own words are at most this many characters, or that says 详见附件 and is short,
# is a pointer to its attachment(s), not the document itself.
_POINTER_MAX = 120
_POINTER_WITH_HINT_MAX = 600
_POINTER_HINT = re.compile(r"(?:详|请|具体|内容)?见附件|附件[:：]|点击下载|下载附件")


@dataclasses.dataclass(frozen=True)
class PageDocument:
    """A captured page with the text the archive keeps for it: what the store writes."""

    capture: PageCapture
    text: str
    page_text: str | None   # the page's own words when `text` comes from attachments

    @property
    def url(self) -> str:
        return self.capture.url

    @property
    def portal(self) -> str:
        return self.capture.portal

    @property
    def record(self) -> Extracted:
        return self.capture.record

    @property
    def keys(self) -> TextKeys | None:
        """The text's keys when computed with the capture (the text is the page's body)."""
        return self.capture.keys if self.page_text is None else None


def is_pointer_page(page_text: str) -> bool:
    """True when the page body only points to attachments (详见附件 + a link)."""
    size = len("".join(page_text.split()))
    return size <= _POINTER_MAX or (size <= _POINTER_WITH_HINT_MAX and bool(_POINTER_HINT.search(page_text)))


def compose_document(capture: PageCapture) -> PageDocument:
    """The page body, or its attachments' text when the page only points to them.

    Raises ExtractionError when neither holds any text, and when the page only points to
    attachments none of which could be read: such a page is pending (nothing is stored, the next
    crawl tries it again), never a document made of its placeholder (详见附件。)."""
    page_text = capture.record.text
    texts = [a.text for a in capture.attachments if a.text]
    pointer = is_pointer_page(page_text)
    if texts and pointer:
        return PageDocument(capture, "\n".join(texts), page_text)
    if pointer and capture.attachments:
        reasons = "; ".join(f"{a.filename}: {a.error}" for a in capture.attachments)
        raise ExtractionError(capture.url, f"pending: the page only points to its attachments and none could "
                                           f"be read ({reasons})")
    if not page_text:
        raise ExtractionError(capture.url, "no text on the page nor in its attachments")
    return PageDocument(capture, page_text, None)


def read_attachment(raw: RawFetch, filename: str) -> AttachmentCapture:
    """A fetched attachment with its text, or with the reason it has none."""
    result = extract_attachment(raw.body, filename)
    return AttachmentCapture(raw.url, filename, packed(raw), result.text, result.error)


def file_capture(portal: str, raw: RawFetch) -> PageCapture | None:
    """The capture of a fetched file that is a document itself (a column may link its report as
    a PDF), or None when the bytes are a web page. Raises ExtractionError when the file has no
    readable text."""
    filename = unquote(posixpath.basename(urlsplit(raw.url).path)) or "document"
    if sniff_kind(raw.body, filename) == "unknown":
        return None
    attachment = read_attachment(raw, filename)
    if attachment.error:
        raise ExtractionError(raw.url, attachment.error)
    return PageCapture(portal, document_record(raw.url, filename), None, (attachment,))


def capture_detail(portal: str, raw: RawFetch, content_type: str = "") -> PageCapture:
    """A fetched detail page as a capture: the report file itself when the bytes are one, else
    the extracted web page with its raw fetch (and the encoding it decoded in), and the keys of
    its text unless it only points to attachments. Pure, so it may run in another process;
    ExtractionError when nothing can be read."""
    document = file_capture(portal, raw)
    if document is not None:
        return document
    record = extract_page(raw.body, raw.url, content_type)
    keys = None if is_pointer_page(record.text) else text_keys(record.title, record.text)
    return PageCapture(portal, record, packed(raw, encoding=record.encoding), keys=keys)
