"""A column list page or list answer -> document links and the next list requests, by the
families' rules. Pure: no requests, no settings."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urldefrag, urljoin

from lxml import etree
from lxml import html as lxml_html

from archive.errors import ExtractionError
from archive.extract.lines import in_region, row_date
from archive.extract.list_api import NAME as LIST_API
from archive.extract.list_api import ListApi, read_list_api
from archive.families.base import ListedDocument, ListPage, ListReading, ListRequest
from archive.families.registry import DETAIL_URL_PATTERNS, FAMILIES, family_named

_DEFAULT_DETAIL = tuple(re.compile(p) for p in DETAIL_URL_PATTERNS)
# Anchors in these parts of a list page are not the column's documents.
_NOT_THE_LIST = re.compile(
    r"(?:^|[\s_-])(?:footer|foot|bottom|scroll|scroller|marquee|related|relate|xgwz|xglj|xgxx|yqlj|"
    r"friend|rdxw|rdgz|hot|tjyd|slide|slider|lunbo|banner|sidebar)(?:$|[\s_-])", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Listing:
    """What a list page links to and what it says of its column."""

    documents: tuple[ListedDocument, ...]
    next_requests: tuple[ListRequest, ...]
    family: str | None = None            # the family whose pager or rows read it
    total_records: int | None = None
    total_pages: int | None = None
    last_page: bool = False              # pagination ended on the family's own terms

    @property
    def document_urls(self) -> tuple[str, ...]:
        return tuple(document.url for document in self.documents)

    @property
    def next_pages(self) -> tuple[str, ...]:
        return tuple(request.url for request in self.next_requests)

    def as_dict(self) -> dict:
        return {"family": self.family, "document_urls": list(self.document_urls),
                "documents": [dataclasses.asdict(d) for d in self.documents],
                "next_requests": [r.as_dict() for r in self.next_requests],
                "total_records": self.total_records, "total_pages": self.total_pages,
                "last_page": self.last_page}


def _absolute(base: str, href: str) -> str:
    return urldefrag(urljoin(base, href.strip()))[0]


def _anchors(page: ListPage) -> list[ListedDocument]:
    found = []
    for anchor in page.root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")) or in_region(anchor, ("footer", "marquee"), _NOT_THE_LIST):
            continue
        title = (anchor.get("title") or " ".join(anchor.text_content().split())).strip() or None
        found.append(ListedDocument(_absolute(page.base, href), title, row_date(anchor)))
    return found


def _page(text: str, request: ListRequest) -> ListPage | None:
    if request.format != "html":
        return ListPage(text, None, request, request.url)
    if not text.strip():
        return None
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None  # nothing parseable: no links (the run records no crash)
    bases = root.xpath("//base/@href")
    return ListPage(text, root, request, urljoin(request.url, bases[0]) if bases else request.url)


def parse_listing(text: str, url: str, detail_url: str | None = None, next_page: str | None = None,
                  request: ListRequest | None = None, list_api: ListApi | None = None) -> Listing:
    """Document links (with the titles and dates the list shows) and the next list requests.

    Documents are anchors outside footers, scrollers and related-links boxes, plus the links
    the families find elsewhere (datastore rows, script strings, JSON answers), whose absolute
    URL has a family's detail shape; `detail_url` (a regex on absolute URLs) replaces those
    shapes. Next requests come from the families' pagers; `next_page` (a CSS selector of the
    next-page anchor) replaces them. A page of a named `request.family` is read by it (and the
    generic rules); an answer in XML or JSON by that family alone; the
    rows of a registry `list_api` are documents whatever their URL shape.
    Raises ExtractionError when a list answer is not what its family expects.
    """
    request = request or ListRequest(url)
    page = _page(text, request)
    if page is None:
        return Listing((), ())
    if request.family == LIST_API:
        if list_api is None:
            raise ExtractionError(url, "a list API answer, but the portal has no list_api")
        readings = [(LIST_API, read_list_api(page, list_api))]
    else:
        families = FAMILIES if not request.family else (family_named(request.family),) \
            if request.format != "html" or request.family == "generic" else (family_named(request.family), FAMILIES[-1])
        readings = [(family.name, reading) for family in families
                    if (reading := family.read_list(page)) is not None]
    patterns = (re.compile(detail_url),) if detail_url else \
        (re.compile(""),) if request.family == LIST_API else _DEFAULT_DETAIL
    candidates = _anchors(page) if page.root is not None else []
    candidates += [document for _, reading in readings for document in reading.documents]
    documents: dict[str, ListedDocument] = {}
    for document in candidates:
        absolute = _absolute(page.base, document.url)
        if "\\" not in absolute and any(p.search(absolute) for p in patterns):
            known = documents.get(absolute)
            if known is None or (known.title is None and document.title):
                documents[absolute] = dataclasses.replace(document, url=absolute)
    if next_page is not None and page.root is not None:
        hrefs = [(element.get("href") or "").strip() for element in page.root.cssselect(next_page)]
        following = [ListRequest(_absolute(page.base, h)) for h in hrefs if h and not h.startswith("javascript:")]
    else:
        following = [r for _, reading in readings for r in reading.next_requests]
    unique: dict[tuple, ListRequest] = {}
    for candidate in following:
        if (candidate.method, candidate.url) != ("GET", url) and candidate.url not in documents:
            unique.setdefault((candidate.method, candidate.url, candidate.form), candidate)
    return Listing(tuple(documents.values()), tuple(unique.values()), _family_of(readings, bool(documents)),
                   next((r.total_records for _, r in readings if r.total_records is not None), None),
                   next((r.total_pages for _, r in readings if r.total_pages is not None), None),
                   any(r.last_page for _, r in readings))


def _family_of(readings: list[tuple[str, ListReading]], has_documents: bool) -> str | None:
    """The first family (in registry order) that read a pager or rows on the page; generic when
    only its anchors listed documents."""
    return next((name for name, _ in readings), "generic" if has_documents else None)
