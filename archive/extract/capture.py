"""What a crawl captured of one detail page: raw bytes, the extracted record, attachments."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import zlib

from archive.extract.page import Extracted
from archive.identity.keys import TextKeys


def utc_now() -> str:
    """Now in UTC as ISO 8601 to the second: how the archive stamps fetches and rows."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


# zlib level of the raw capture, measured on the sample and real pages (62 KB on average): level 3
# takes 0.71 ms a page for 25.4% of the size, level 6 1.17 ms for 23.5%, level 1 0.66 ms for 26.8%.
RAW_COMPRESSION = 3


@dataclasses.dataclass(frozen=True)
class RawFetch:
    """One fetched body as the server sent it, kept so extraction can be re-run offline."""

    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fetched_at: str
    encoding: str | None = None
    compressed: bytes | None = None   # the body as the archive keeps it, when packed ahead (`packed`)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def content_type(self) -> str | None:
        return next((v for k, v in self.headers if k.lower() == "content-type"), None)

    def compressed_body(self) -> bytes:
        return self.compressed if self.compressed is not None else zlib.compress(self.body, RAW_COMPRESSION)


def packed(raw: RawFetch, **changes: object) -> RawFetch:
    """`raw` with its body compressed as the archive keeps it (and `changes`): done where the
    page is extracted, in a worker process, so the archive's single writer only stores it."""
    return dataclasses.replace(raw, compressed=raw.compressed_body(), **changes)


@dataclasses.dataclass(frozen=True)
class AttachmentCapture:
    """An attachment linked from a page: its bytes (when fetched) and text or error."""

    url: str
    filename: str
    raw: RawFetch | None
    text: str | None
    error: str | None


@dataclasses.dataclass(frozen=True)
class PageCapture:
    """A detail page as fetched and extracted, with the attachments fetched so far."""

    portal: str
    record: Extracted
    raw: RawFetch | None = None
    attachments: tuple[AttachmentCapture, ...] = ()
    keys: TextKeys | None = None   # of the record's title and text, when computed ahead

    @property
    def url(self) -> str:
        return self.record.url
