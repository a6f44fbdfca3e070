"""Hanweb 大汉 JCMS: /art/Y/M/D/art_C_N.html documents, bodies between <meta name="ContentStart">
and ContentEnd, else #zoom; list rows as CDATA in an inline <datastore> (found by the generic
script-link scan)."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from archive.extract.lines import block_lines
from archive.families.base import (MIN_BODY_CHARS, Container, DetailPage, Family, container_by_rules,
                                   text_chars)

NAME = "hanweb"
_MARKERS = re.compile(
    r"""<meta\s+name=["']?ContentStart["']?[^>]*>(.*?)<meta\s+name=["']?ContentEnd""",
    re.IGNORECASE | re.DOTALL,
)
RULES = ("#zoom", "#Zoom")


def find_container(page: DetailPage) -> Container | None:
    """The markers are siblings, not a wrapping element, so they are matched in the source;
    the #zoom element around them is where the body sits in the page tree."""
    markers = _MARKERS.search(page.html_text)
    if markers:
        fragment = lxml_html.fragment_fromstring(markers.group(1), create_parent="div")
        if text_chars(fragment) >= MIN_BODY_CHARS:
            return Container(block_lines(fragment), f"{NAME}:markers", tuple(page.index.lookup("#zoom")))
    return container_by_rules(page, RULES, NAME)


FAMILY = Family(
    name=NAME,
    detail_urls=(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",),   # /art/2025/1/16/art_1_2.html
    url_dates=(re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),),
    find_container=find_container,
)
