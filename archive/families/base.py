"""What a CMS family module provides (`Family`), and the helpers the family modules share."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Iterable

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
class ListPage:
    """A parsed column list page as the families see it; `base` resolves relative links."""

    html_text: str
    root: lxml_html.HtmlElement
    url: str
    base: str


@dataclasses.dataclass(frozen=True)
class Container:
    """The body of a page as lines, the rule that found it (`extraction_method`), and the
    elements of the page that hold the body (free-text info lines there are not metadata)."""

    lines: list[str]
    method: str
    body_elements: tuple[lxml_html.HtmlElement, ...] = ()


def _no_container(page: DetailPage) -> None:
    return None


def _no_links(page: ListPage) -> list[str]:
    return []


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
    list_links: Callable[[ListPage], Iterable[str]] = _no_links          # links outside <a>
    next_list_pages: Callable[[ListPage], Iterable[str]] = _no_links     # pagination


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
