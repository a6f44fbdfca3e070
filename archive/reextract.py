"""Re-run extraction over the raw pages already archived: no network, same rules as a crawl."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from archive.errors import ExtractionError
from archive.extract.capture import AttachmentCapture, PageCapture
from archive.extract.document import compose_document, file_capture, read_attachment
from archive.extract.page import extract_page
from archive.store.archive import Archive


@dataclasses.dataclass
class ReextractReport:
    pages: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _attachments(archive: Archive, page_url: str) -> tuple[AttachmentCapture, ...]:
    captures = []
    for row in archive.page_attachments(page_url):
        stored = archive.latest_fetch(row["url"])
        if stored is None:  # never fetched (404, refused…): keep what the crawl recorded
            captures.append(AttachmentCapture(row["url"], row["filename"], None, row["text"], row["error"]))
        else:
            captures.append(read_attachment(stored, row["filename"]))
    return tuple(captures)


def reextract(archive: Archive, portal: str | None = None,
              progress: Callable[[int, int], None] | None = None) -> ReextractReport:
    """Extract every archived page (of `portal`, or all) again from its stored raw body."""
    report = ReextractReport()
    pages = archive.archived_pages(portal)
    for number, page in enumerate(pages, start=1):
        stored = archive.latest_fetch(page["url"])
        assert stored is not None  # archived_pages only lists pages with a stored body
        report.pages += 1
        try:
            capture = file_capture(page["portal"], stored)
            if capture is None:
                record = extract_page(stored.body, page["url"], stored.content_type)
                capture = PageCapture(page["portal"], record, stored, _attachments(archive, page["url"]))
            changed = archive.replace_page_record(compose_document(capture))
        except ExtractionError as exc:
            report.failed.append((page["url"], str(exc)))
            continue
        if changed:
            report.changed += 1
        else:
            report.unchanged += 1
        if progress is not None:
            progress(number, len(pages))
    return report
