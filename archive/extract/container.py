"""Find the CMS content container (the element that holds only the document body)."""

from __future__ import annotations

import dataclasses
import re

from lxml import html as lxml_html

# (method name, XPath) in order of trust. Each CMS family marks its body differently.
CONTAINER_XPATHS: tuple[tuple[str, str], ...] = (
    ("trs", "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]"),
    ("trs", "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_UEDITOR ')]"),
    ("trs", "//*[contains(concat(' ', normalize-space(@class), ' '), ' trs_paper_default ')]"),
    ("trs", "//*[contains(concat(' ', normalize-space(@class), ' '), ' Custom_UnionStyle ')]"),
    ("ucap", "//ucapcontent"),
    ("ucap", "//*[@id='zoomcon']"),
    ("hanweb", "//*[@id='zoom']"),
    ("intensive", "//*[@id='ivs_content']"),
    ("intensive", "//*[contains(concat(' ', normalize-space(@class), ' '), ' article_content ')]"),
    ("intensive", "//*[contains(concat(' ', normalize-space(@class), ' '), ' pages_content ')]"),
)
_HANWEB_MARKERS = re.compile(
    r"""<meta\s+name=["']?ContentStart["']?[^>]*>(.*?)<meta\s+name=["']?ContentEnd""",
    re.IGNORECASE | re.DOTALL,
)
_MIN_BODY_CHARS = 20


@dataclasses.dataclass(frozen=True)
class Container:
    """The body element of a page and the rule that found it (`trs`, `hanweb:markers`…)."""

    element: lxml_html.HtmlElement
    method: str


def _text_length(element: lxml_html.HtmlElement) -> int:
    return len("".join(element.text_content().split()))


def find_container(html_text: str, root: lxml_html.HtmlElement) -> Container | None:
    """The content container of a parsed page, or None when no CMS family is recognised.

    Hanweb's ContentStart/ContentEnd metas are matched in the source text (they are siblings,
    not a wrapping element), everything else by XPath on `root`. The outermost match of the
    first rule whose element holds real text wins.
    """
    markers = _HANWEB_MARKERS.search(html_text)
    if markers:
        fragment = lxml_html.fragment_fromstring(markers.group(1), create_parent="div")
        if _text_length(fragment) >= _MIN_BODY_CHARS:
            return Container(fragment, "hanweb:markers")
    for method, xpath in CONTAINER_XPATHS:
        for element in root.xpath(xpath):
            if _text_length(element) >= _MIN_BODY_CHARS:
                return Container(element, method)
    return None
