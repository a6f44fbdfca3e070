"""HTML bytes + URL -> Extracted: body text, title, disclosure metadata, derived fields."""

from __future__ import annotations

import dataclasses

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from archive.decode import decode_html
from archive.errors import ExtractionError
from archive.extract.boilerplate import prune_page, strip_conversion_markers, trim_boilerplate
from archive.extract.container import find_container
from archive.extract.dates import date_from_url, normalize_date
from archive.extract.derived import region_code, report_year
from archive.extract.lines import block_lines, clean_lines, restore_dropped_lines
from archive.extract.metadata import DisclosureMetadata, parse_metadata
from archive.extract.title import extract_title

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

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "metadata": self.metadata.as_dict(),
            "region_code": self.region_code,
            "report_year": self.report_year,
            "extraction_method": self.extraction_method,
            "encoding": self.encoding,
        }


def _trafilatura_text(fragment_html: str) -> str:
    text = trafilatura.extract(
        fragment_html,
        output_format="txt",
        include_tables=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        favor_recall=True,
        deduplicate=False,
        with_metadata=False,
    )
    return text or ""


def _container_text(element: lxml_html.HtmlElement) -> str:
    """trafilatura on the container, with the short lines it drops put back."""
    wrapper = "<html><body><div>" + etree.tostring(element, encoding="unicode", method="html")
    extracted = clean_lines(_trafilatura_text(wrapper + "</div></body></html>"))
    return "\n".join(restore_dropped_lines(extracted, block_lines(element)))


def _whole_page_text(root: lxml_html.HtmlElement, title: str | None) -> str:
    page = lxml_html.fromstring(etree.tostring(root, encoding="unicode", method="html"))
    prune_page(page)
    lines = clean_lines(_trafilatura_text(etree.tostring(page, encoding="unicode", method="html")))
    while lines and title and lines[0].replace(" ", "") == title.replace(" ", ""):
        lines.pop(0)  # the page headline, printed above the body
    return "\n".join(lines)


def clean_body(raw_text: str) -> str:
    """Normalise line spacing, drop conversion markers and head/tail boilerplate lines."""
    return "\n".join(trim_boilerplate(clean_lines(strip_conversion_markers(raw_text))))


def extract_page(html: bytes, url: str, content_type: str | None = None) -> Extracted:
    """Turn a fetched page into a record. Pure: no network, no settings.

    Raises DecodeError when the bytes decode in no charset, ExtractionError when the page
    has no body text.
    """
    html_text, encoding = decode_html(html, content_type, source=url)
    try:
        root = lxml_html.document_fromstring(html_text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"{url}: cannot parse HTML: {exc}") from exc
    title = extract_title(root)
    container = find_container(html_text, root)
    if container is not None:
        body = clean_body(_container_text(container.element))
        method = container.method
        in_tree = container.element.getroottree().getroot() is root
        exclude = [container.element] if in_tree else root.xpath("//*[@id='zoom']")
    else:
        body = clean_body(_whole_page_text(root, title))
        method = "fallback"
        exclude = []
    if not body:
        raise ExtractionError(f"{url}: no body text found (extraction method {method})")
    metadata = parse_metadata(root, exclude=exclude)
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
        extraction_method=method,
        encoding=encoding,
    )
