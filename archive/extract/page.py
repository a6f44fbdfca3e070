"""HTML bytes + URL -> Extracted: body text, title, disclosure metadata, derived fields."""

from __future__ import annotations

import dataclasses

from lxml import etree
from lxml import html as lxml_html

from archive.errors import ExtractionError
from archive.extract.boilerplate import strip_conversion_markers, trim_boilerplate
from archive.extract.decode import decode_html
from archive.extract.dates import normalize_date
from archive.extract.derived import region_code, report_year
from archive.extract.lines import clean_lines
from archive.extract.links import attachment_links
from archive.extract.metadata import DisclosureMetadata, parse_metadata
from archive.extract.title import extract_title
from archive.families.registry import date_from_url, find_container
from archive.families.base import DetailPage, PageIndex

_PUBDATE_META = "//meta[@name='PubDate' or @name='pubdate' or @name='firstpublishedtime']/@content"


@dataclasses.dataclass(frozen=True)
class Extracted:
    """One page as a document record, before it is archived."""

    url: str
    title: str | None
    text: str
    metadata: DisclosureMetadata
    region_code: str | None
    report_year: int | None
    extraction_method: str
    encoding: str
    raw_metadata: dict[str, str | None] = dataclasses.field(default_factory=dict)
    attachment_links: tuple[tuple[str, str], ...] = ()

    @property
    def dates_inconsistent(self) -> bool:
        """成文日期 later than 发布日期: kept as printed, flagged for the analyst."""
        written, published = self.metadata.written_date, self.metadata.published_date
        return bool(written and published and written > published)

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "metadata": self.metadata.as_dict(),
            "raw_metadata": self.raw_metadata,
            "region_code": self.region_code,
            "report_year": self.report_year,
            "dates_inconsistent": self.dates_inconsistent,
            "extraction_method": self.extraction_method,
            "encoding": self.encoding,
            "attachment_links": [list(link) for link in self.attachment_links],
        }


def document_record(url: str, filename: str) -> Extracted:
    """The record of a URL that serves a document file itself (a column linking its report as
    .pdf/.docx): no page text, so the document's text is the file's (see extract.document)."""
    title = filename.rsplit(".", 1)[0] if "." in filename else filename
    return Extracted(url=url, title=title or None, text="",
                     metadata=DisclosureMetadata(published_date=date_from_url(url)),
                     region_code=None, report_year=report_year(title), extraction_method="attachment",
                     encoding="binary")


def clean_body(lines: list[str]) -> str:
    """Drop conversion markers and the boilerplate lines at the head and tail of a body."""
    lines = clean_lines(strip_conversion_markers("\n".join(lines)))
    return "\n".join(trim_boilerplate(lines))


def extract_page(html: bytes, url: str, content_type: str | None = None) -> Extracted:
    """Turn a fetched page into a record. Pure: no network, no settings.

    Raises DecodeError when the bytes decode in no charset, ExtractionError when the page
    has no body text.
    """
    html_text, encoding = decode_html(html, content_type, source=url)
    try:
        root = lxml_html.document_fromstring(html_text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(url, f"cannot parse HTML: {exc}") from exc
    title = extract_title(root)
    container = find_container(DetailPage(html_text, root, PageIndex(root), title))
    body = clean_body(container.lines)
    links = attachment_links(root, url)
    if not body and not links:
        raise ExtractionError(url, f"no body text found (extraction method {container.method})")
    block = parse_metadata(root, exclude=container.body_elements)
    metadata = block.fields
    if metadata.published_date is None:
        published = next(iter(root.xpath(_PUBDATE_META)), None)
        fallback = normalize_date(published) or date_from_url(url)
        metadata = dataclasses.replace(metadata, published_date=fallback)
    return Extracted(
        url=url,
        title=title,
        text=body,
        metadata=metadata,
        region_code=region_code(metadata.index_no),
        report_year=report_year(title),
        extraction_method=container.method,
        encoding=encoding,
        raw_metadata=block.raw,
        attachment_links=links,
    )
