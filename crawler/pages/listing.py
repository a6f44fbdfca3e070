"""A column list page -> document links and the next list pages (TRS, Hanweb, UCAP, generic)."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urldefrag, urljoin

from lxml import etree
from lxml import html as lxml_html

# Document URL shapes of the common CMS families.
DEFAULT_DETAIL_PATTERNS: tuple[str, ...] = (
    r"/\d{6}/t\d{8}_\d+\.s?html?$",                     # TRS WCM /202501/t20250116_123.html
    r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",    # Hanweb /art/2025/1/16/art_1_2.html
    r"/\d{6}/[0-9a-f]{32}\.shtml$",                      # 开普云 UCAP /202305/<32 hex>.shtml
    r"/\d{8}/\d+\.s?html?$",                             # dated folders /20250319/1234.html
    r"content_\d+\.s?html?$",                            # content_123.html
)
_NEXT_TEXT = re.compile(r"^\s*(?:下一页|下页|下一頁)\s*[>»›]*\s*$")
_TRS_CALL = re.compile(r"createPageHTML\s*\(([^)]*)\)")
# Links inside scripts: Hanweb lists ship their rows as CDATA in <script type="text/xml">,
# other CMSs document.write() them; anchors in those are not elements of the parsed page.
_SCRIPT_HREF = re.compile(r"""href\s*=\s*\\?["']([^"'<>\\\s]+)\\?["']""", re.IGNORECASE)
_TRS_COUNT = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
_TRS_CURRENT = re.compile(r"\bcurrentPage\s*=\s*['\"]?(\d+)")


@dataclasses.dataclass(frozen=True)
class Listing:
    """What a list page links to: documents to fetch and further list pages."""

    document_urls: tuple[str, ...]
    next_pages: tuple[str, ...]


def _pager_arguments(html_text: str) -> tuple[int, int, str, str] | None:
    """(count, current, prefix, ext) of a TRS createPageHTML call, in any of its shapes:
    (5, 0, "index", "html"), ("page_div", 5, 0, "index", "shtml", 98) or
    (countPage, currentPage, "index", "html") with the variables set elsewhere in the page."""
    for call in _TRS_CALL.finditer(html_text):
        numbers: list[int] = []
        words: list[str] = []
        for raw in call.group(1).split(","):
            token = raw.strip().strip("'\"")
            if token.isdigit():
                numbers.append(int(token))
            elif re.fullmatch(r"[A-Za-z_]\w*", raw.strip()):  # a JavaScript variable
                value = re.search(rf"\b{re.escape(raw.strip())}\s*=\s*['\"]?(\d+)", html_text)
                if value:
                    numbers.append(int(value.group(1)))
            elif token:
                words.append(token)
        if len(numbers) >= 2 and len(words) >= 2 and re.fullmatch(r"s?html?|jsp|php", words[-1]):
            return numbers[0], numbers[1], words[-2], words[-1]
        if len(numbers) >= 2 and len(words) >= 3 and re.fullmatch(r"s?html?|jsp|php", words[2]):
            return numbers[0], numbers[1], words[1], words[2]
    return None


def _trs_next(html_text: str, base: str) -> list[str]:
    """TRS pagers: createPageHTML(count, current, "index", "html") or countPage/currentPage."""
    arguments = _pager_arguments(html_text)
    if arguments:
        count, current, prefix, ext = arguments
    else:
        count_m, current_m = _TRS_COUNT.search(html_text), _TRS_CURRENT.search(html_text)
        if not (count_m and current_m):
            return []
        count, current, prefix, ext = int(count_m[1]), int(current_m[1]), "index", "html"
    if current + 1 >= count:
        return []
    return [urljoin(base, f"{prefix}_{current + 1}.{ext}")]


def parse_listing(html_text: str, url: str, detail_url: str | None = None,
                  next_page: str | None = None) -> Listing:
    """Document links and next-page links of a list page.

    `detail_url` (a regex on absolute URLs) replaces the default CMS shapes; `next_page` (a
    CSS selector of the next-page anchor) replaces anchor-text and TRS-script pagination.
    """
    if not html_text.strip():
        return Listing((), ())
    try:
        root = lxml_html.document_fromstring(html_text)
    except (etree.ParserError, ValueError):
        return Listing((), ())  # nothing parseable: no links (the run records no crash)
    bases = root.xpath("//base/@href")
    base = urljoin(url, bases[0]) if bases else url
    patterns = [re.compile(detail_url)] if detail_url else [re.compile(p) for p in DEFAULT_DETAIL_PATTERNS]
    documents: dict[str, None] = {}
    next_pages: dict[str, None] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        absolute = urldefrag(urljoin(base, href))[0]
        if any(p.search(absolute) for p in patterns):
            documents[absolute] = None
        elif next_page is None and _NEXT_TEXT.match(anchor.text_content() or ""):
            next_pages[absolute] = None
    for script in root.iter("script"):
        for href in _SCRIPT_HREF.findall(script.text or ""):
            absolute = urldefrag(urljoin(base, href))[0]
            if any(p.search(absolute) for p in patterns):
                documents.setdefault(absolute, None)
    if next_page is not None:
        for element in root.cssselect(next_page):
            href = (element.get("href") or "").strip()
            if href and not href.startswith("javascript:"):
                next_pages[urldefrag(urljoin(base, href))[0]] = None
    else:
        for link in _trs_next(html_text, base):
            next_pages[link] = None
    next_pages.pop(url, None)
    return Listing(tuple(documents), tuple(next_pages))
