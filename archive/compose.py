"""A document's text from its page and attachments: the attachment when the page only points."""

from __future__ import annotations

import dataclasses
import re

from archive.capture import AttachmentCapture

# A page whose own words are at most this many characters, or that says 详见附件 and is short,
# is a pointer to its attachment(s), not the document itself.
_POINTER_MAX = 120
_POINTER_WITH_HINT_MAX = 600
_POINTER_HINT = re.compile(r"(?:详|请|具体|内容)?见附件|附件[:：]|点击下载|下载附件")


@dataclasses.dataclass(frozen=True)
class DocumentText:
    text: str
    page_text: str | None   # the page's own words when `text` comes from attachments


def is_pointer_page(page_text: str) -> bool:
    """True when the page body only points to attachments (详见附件 + a link)."""
    size = len("".join(page_text.split()))
    return size <= _POINTER_MAX or (size <= _POINTER_WITH_HINT_MAX and bool(_POINTER_HINT.search(page_text)))


def compose_document(page_text: str, attachments: tuple[AttachmentCapture, ...]) -> DocumentText:
    """The text to archive: the page body, or its attachments' text when the page only points."""
    texts = [a.text for a in attachments if a.text]
    if texts and is_pointer_page(page_text):
        return DocumentText("\n".join(texts), page_text)
    return DocumentText(page_text, None)
