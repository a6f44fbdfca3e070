"""Provincial 集约化 templates (Shanghai #ivs_content, Fujian .article_content, …)."""

from __future__ import annotations

from lxml import html as lxml_html

from archive.extract.families.common import PageIndex, first_with_text

NAME = "intensive"
RULES = ("#ivs_content", ".article_content", ".Article_content", ".pages_content", "#article_content",
         ".zwxl-content")


def find(html_text: str, index: PageIndex) -> tuple[lxml_html.HtmlElement, str] | None:
    element = first_with_text(index, RULES)
    return (element, NAME) if element is not None else None
