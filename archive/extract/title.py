"""The document title of a page: ArticleTitle meta, the headline, or <title> sans site name."""

from __future__ import annotations

import re

from lxml import html as lxml_html

_SPACE = re.compile(r"[\s\u3000\xa0]+")
_SITE_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s[-—–]\s|--|——)\s*[^_|｜]*$")
_HEADLINE_XPATHS = (
    "//meta[@name='ArticleTitle']/@content",
    "//meta[@name='articletitle']/@content",
    "//ucaptitle",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article_title ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' con-title ')]",
    "//h1",
)


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def extract_title(root: lxml_html.HtmlElement) -> str | None:
    """First non-empty of: ArticleTitle meta, a headline element, <title> minus its site suffix."""
    for xpath in _HEADLINE_XPATHS:
        for hit in root.xpath(xpath):
            text = _clean(hit if isinstance(hit, str) else hit.text_content())
            if text:
                return text
    titles = root.xpath("//title")
    if titles:
        text = _clean(titles[0].text_content())
        stripped = _SITE_SUFFIX.sub("", text)
        return stripped or text or None
    return None
