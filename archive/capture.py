"""What a crawl hands the archive for one detail page: raw bytes, extraction, attachments."""

from __future__ import annotations

import dataclasses
import hashlib
import zlib

from archive.extract import Extracted


@dataclasses.dataclass(frozen=True)
class RawFetch:
    """One fetched body as the server sent it, kept so extraction can be re-run offline."""

    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fetched_at: str
    encoding: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def content_type(self) -> str | None:
        return next((v for k, v in self.headers if k.lower() == "content-type"), None)


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
    """A detail page ready to archive."""

    portal: str
    record: Extracted
    raw: RawFetch | None = None
    attachments: tuple[AttachmentCapture, ...] = ()

    @property
    def url(self) -> str:
        return self.record.url


def compress(body: bytes) -> bytes:
    return zlib.compress(body, 6)


def decompress(blob: bytes) -> bytes:
    return zlib.decompress(blob)
