"""A column list page -> document links and the next list pages, by the families' rules."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urldefrag, urljoin

from lxml import etree
from lxml import html as lxml_html

from archive.families.registry import DETAIL_URL_PATTERNS, FAMILIES
from archive.families.base import ListPage

_DEFAULT_DETAIL = tuple(re.compile(p) for p in DETAIL_URL_PATTERNS)


@dataclasses.dataclass(frozen=True)
class Listing:
    """What a list page links to: documents to fetch and further list pages."""

    document_urls: tuple[str, ...]
    next_pages: tuple[str, ...]


def _absolute(base: str, href: str) -> str:
    return urldefrag(urljoin(base, href))[0]


def parse_listing(html_text: str, url: str, detail_url: str | None = None,
                  next_page: str | None = None) -> Listing:
    """Document links and next-page links of a list page. Pure: no requests, no settings.

    Documents are anchors (and links inside scripts) whose absolute URL has a family's detail
    shape; `detail_url` (a regex on absolute URLs) replaces those shapes. Next pages come from
    the families' pagination rules; `next_page` (a CSS selector of the next-page anchor)
    replaces them.
    """
    if not html_text.strip():
        return Listing((), ())
    try:
        root = lxml_html.document_fromstring(html_text)
    except (etree.ParserError, ValueError):
        return Listing((), ())  # nothing parseable: no links (the run records no crash)
    bases = root.xpath("//base/@href")
    page = ListPage(html_text, root, url, urljoin(url, bases[0]) if bases else url)
    patterns = (re.compile(detail_url),) if detail_url else _DEFAULT_DETAIL
    hrefs = [(a.get("href") or "").strip() for a in root.iter("a")]
    hrefs += [href for family in FAMILIES for href in family.list_links(page)]
    documents: dict[str, None] = {}
    for href in hrefs:
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        absolute = _absolute(page.base, href)
        if any(p.search(absolute) for p in patterns):
            documents[absolute] = None
    if next_page is not None:
        candidates = [(element.get("href") or "").strip() for element in root.cssselect(next_page)]
        candidates = [href for href in candidates if href and not href.startswith("javascript:")]
    else:
        candidates = [href for family in FAMILIES for href in family.next_list_pages(page)]
    next_pages = dict.fromkeys(_absolute(page.base, href) for href in candidates)
    next_pages.pop(url, None)
    for document in documents:
        next_pages.pop(document, None)
    return Listing(tuple(documents), tuple(next_pages))
