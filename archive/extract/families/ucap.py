"""开普云 UCAP (Jiangxi and other 集约化 platforms): <ucapcontent>, #zoomcon, #UCAP-CONTENT."""

from __future__ import annotations

from lxml import html as lxml_html

from archive.extract.families.common import PageIndex, first_with_text

NAME = "ucap"
RULES = ("ucapcontent", "#zoomcon", "#UCAP-CONTENT")


def find(html_text: str, index: PageIndex) -> tuple[lxml_html.HtmlElement, str] | None:
    element = first_with_text(index, RULES)
    return (element, NAME) if element is not None else None
