"""What a CMS family module provides (`Family`), and the helpers the family modules share."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from urllib.parse import urljoin
from collections.abc import Callable

from lxml import html as lxml_html

from archive.extract.lines import block_lines

MIN_BODY_CHARS = 2  # an empty placeholder is skipped; "详见附件。" is a body


class PageIndex:
    """Elements of a page by class token, id and tag, built in one walk (document order).

    Looking containers up here instead of one `contains(concat(...))` XPath per rule keeps
    container detection to a single pass over the tree.
    """

    def __init__(self, root: lxml_html.HtmlElement) -> None:
        self.root = root
        self.by_class: dict[str, list] = defaultdict(list)
        self.by_id: dict[str, list] = defaultdict(list)
        self.by_tag: dict[str, list] = defaultdict(list)
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            self.by_tag[element.tag].append(element)
            for token in (element.get("class") or "").split():
                self.by_class[token].append(element)
            if element.get("id"):
                self.by_id[element.get("id")].append(element)

    def lookup(self, rule: str) -> list:
        """`.class`, `#id` or a tag name."""
        if rule.startswith("."):
            return self.by_class.get(rule[1:], [])
        if rule.startswith("#"):
            return self.by_id.get(rule[1:], [])
        return self.by_tag.get(rule, [])


@dataclasses.dataclass(frozen=True)
class DetailPage:
    """A parsed detail page as the families see it."""

    html_text: str
    root: lxml_html.HtmlElement
    index: PageIndex
    title: str | None


@dataclasses.dataclass(frozen=True)
class ListRequest:
    """A request for (part of) a column list, as a value: the spider sends what it says and
    hands the answer to `family` (detected when None) in the stated `format`."""

    url: str
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()       # POST form fields
    headers: tuple[tuple[str, str], ...] = ()
    format: str = "html"                         # html, xml or json
    family: str | None = None
    context: tuple[tuple[str, str], ...] = ()    # what the family needs to read the answer

    def get(self, key: str) -> str | None:
        return dict(self.context).get(key)

    def as_dict(self) -> dict:
        return {"method": self.method, "url": self.url, "body": dict(self.form) or None, "format": self.format}


@dataclasses.dataclass(frozen=True)
class ListedDocument:
    """A document link of a list, with the title and date the list shows (when it does)."""

    url: str
    title: str | None = None
    date: str | None = None


@dataclasses.dataclass(frozen=True)
class ListPage:
    """A fetched list page or answer as the families see it: `text` as received, `root` its
    parsed HTML (None for XML/JSON answers), `base` resolves relative links."""

    text: str
    root: lxml_html.HtmlElement | None
    request: ListRequest
    base: str

    @property
    def url(self) -> str:
        return self.request.url

    @property
    def html_text(self) -> str:
        return self.text


@dataclasses.dataclass(frozen=True)
class ListReading:
    """What a family reads from a list page: document links (beyond the page's anchors, which
    every list page is searched for), the next list requests, the column's size when the page
    states it, and whether its own pager says this is the last page or window."""

    documents: tuple[ListedDocument, ...] = ()
    next_requests: tuple[ListRequest, ...] = ()
    total_records: int | None = None
    total_pages: int | None = None
    last_page: bool = False


@dataclasses.dataclass(frozen=True)
class Container:
    """The body of a page as lines, the rule that found it (`extraction_method`), and the
    elements of the page that hold the body (free-text info lines there are not metadata)."""

    lines: list[str]
    method: str
    body_elements: tuple[lxml_html.HtmlElement, ...] = ()


def _no_container(page: DetailPage) -> None:
    return None


def _no_reading(page: ListPage) -> None:
    return None


@dataclasses.dataclass(frozen=True)
class Family:
    """Everything the project knows of one CMS family; a family module defines one `FAMILY`.

    All parts are optional: a family that only has a content container leaves the rest empty.
    """

    name: str
    detail_urls: tuple[str, ...] = ()                 # regexes of document URLs on list pages
    url_dates: tuple[re.Pattern, ...] = ()            # (year, month, day) groups in a detail URL
    title_xpaths: tuple[str, ...] = ()                # headline elements, tried in order
    find_container: Callable[[DetailPage], Container | None] = _no_container
    read_list: Callable[[ListPage], ListReading | None] = _no_reading    # None: not this family's list


def text_chars(element: lxml_html.HtmlElement) -> int:
    return len("".join(element.text_content().split()))


def first_with_text(index: PageIndex, rules: tuple[str, ...]) -> lxml_html.HtmlElement | None:
    """The outermost match of the first rule whose element holds real text."""
    for rule in rules:
        for element in index.lookup(rule):
            if text_chars(element) >= MIN_BODY_CHARS:
                return element
    return None


def container_by_rules(page: DetailPage, rules: tuple[str, ...], method: str) -> Container | None:
    """The first element of `rules` holding text, as the body (the common case of a family)."""
    element = first_with_text(page.index, rules)
    if element is None:
        return None
    return Container(block_lines(element), method, (element,))


_PAGER_ARGUMENTS = r"\s*\(([^)]*)\)"
_PAGE_EXT = re.compile(r"s?html?|jsp|php")


def pager_call(html_text: str, function: str) -> tuple[list[int], list[str]] | None:
    """The numbers and words of the first `function(...)` call in the page whose arguments
    include a page file extension; a JavaScript variable argument is looked up in the page
    (`createPageHTML(countPage, currentPage, "index", "html")`)."""
    for call in re.finditer(rf"\b{re.escape(function)}{_PAGER_ARGUMENTS}", html_text):
        numbers: list[int] = []
        words: list[str] = []
        for raw in call.group(1).split(","):
            token = raw.strip().strip("'\"")
            if token.isdigit():
                numbers.append(int(token))
            elif re.fullmatch(r"[A-Za-z_]\w*", raw.strip()):
                value = re.search(rf"\b{re.escape(raw.strip())}\s*=\s*['\"]?(\d+)", html_text)
                if value:
                    numbers.append(int(value.group(1)))
            elif token:
                words.append(token)
        if len(numbers) >= 2 and any(_PAGE_EXT.fullmatch(word) for word in words):
            return numbers, words
    return None


def numbered_page(base: str, prefix: str, number: int, ext: str) -> str:
    """`prefix_number.ext` beside the current page (number 0 is `prefix.ext`)."""
    return urljoin(base, f"{prefix}_{number}.{ext}" if number else f"{prefix}.{ext}")
