"""TRS WCM: bodies in TRS_Editor / TRS_UEDITOR / trs_paper_default / Custom_UnionStyle."""

from __future__ import annotations

from lxml import html as lxml_html

from archive.extract.families.common import PageIndex, first_with_text

NAME = "trs"
RULES = (".TRS_Editor", ".TRS_UEDITOR", ".trs_paper_default", ".Custom_UnionStyle", ".TRS_PreAppend")


def find(html_text: str, index: PageIndex) -> tuple[lxml_html.HtmlElement, str] | None:
    element = first_with_text(index, RULES)
    return (element, NAME) if element is not None else None
