"""Hanweb 大汉 JCMS: the body between <meta name="ContentStart"> and ContentEnd, else #zoom."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from archive.extract.families.common import MIN_BODY_CHARS, PageIndex, first_with_text, text_chars

NAME = "hanweb"
_MARKERS = re.compile(
    r"""<meta\s+name=["']?ContentStart["']?[^>]*>(.*?)<meta\s+name=["']?ContentEnd""",
    re.IGNORECASE | re.DOTALL,
)
RULES = ("#zoom", "#Zoom")


def find(html_text: str, index: PageIndex) -> tuple[lxml_html.HtmlElement, str] | None:
    """The markers are siblings, not a wrapping element, so they are matched in the source."""
    markers = _MARKERS.search(html_text)
    if markers:
        fragment = lxml_html.fragment_fromstring(markers.group(1), create_parent="div")
        if text_chars(fragment) >= MIN_BODY_CHARS:
            return fragment, f"{NAME}:markers"
    element = first_with_text(index, RULES)
    return (element, NAME) if element is not None else None
