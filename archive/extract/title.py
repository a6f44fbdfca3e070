"""The document title of a page: ArticleTitle meta, the headline, or <title> sans site name."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from archive.extract.lines import in_region
from archive.families.registry import TITLE_XPATHS

_SPACE = re.compile(r"[\s\u3000\xa0]+")
_SITE_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s[-—–]\s|--|——)\s*[^_|｜]*$")
_META_XPATHS = ("//meta[@name='ArticleTitle']/@content", "//meta[@name='articletitle']/@content")
# A headline inside the page header is the site's name or logo, not the document's title.
_SITE_CHROME = re.compile(r"(?:^|[\s_-])(?:logo|header|head|top|nav|banner|site)(?:$|[\s_-])", re.IGNORECASE)


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def extract_title(root: lxml_html.HtmlElement) -> str | None:
    """First non-empty of: ArticleTitle meta, a headline element outside the site header,
    <title> minus its site suffix."""
    for xpath in _META_XPATHS:
        for value in root.xpath(xpath):
            if _clean(value):
                return _clean(value)
    for xpath in TITLE_XPATHS:  # the families' headline elements
        for element in root.xpath(xpath):
            text = _clean(element.text_content())
            if text and not in_region(element, ("header", "nav"), _SITE_CHROME):
                return text
    titles = root.xpath("//title")
    if titles:
        text = _clean(titles[0].text_content())
        stripped = _SITE_SUFFIX.sub("", text)
        return stripped or text or None
    return None
