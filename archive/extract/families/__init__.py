"""Content-container rules per CMS family; `find_container` tries them in order of trust.

Each family module exposes `NAME` and `find(html_text, index) -> (element, method) | None`; the generic
fallback (no container) lives in `generic.py` and is used by `extract.page` directly.
"""

from __future__ import annotations

import dataclasses

from lxml import html as lxml_html

from archive.extract.families import hanweb, intensive, trs, ucap
from archive.extract.families.common import PageIndex

FAMILIES = (trs, hanweb, ucap, intensive)


@dataclasses.dataclass(frozen=True)
class Container:
    """The body element of a page and the family rule that found it."""

    element: lxml_html.HtmlElement
    method: str


def find_container(html_text: str, root: lxml_html.HtmlElement) -> Container | None:
    """The first family container holding real text, or None (use the generic fallback)."""
    index = PageIndex(root)
    for family in FAMILIES:
        found = family.find(html_text, index)
        if found is not None:
            element, method = found
            return Container(element, method)
    return None
