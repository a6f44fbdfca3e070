"""Attachment links of a page (.docx, .doc, .wps, .pdf, .xlsx …) with a readable file name."""

from __future__ import annotations

import itertools
import posixpath
import re
from collections.abc import Iterator
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from archive.extract.attachments import SUFFIXES


def _suffix_of(text: str) -> str | None:
    lowered = text.lower().strip()
    return next((s for s in SUFFIXES if lowered.endswith(s)), None)


# an anchor written by a script: `var file_appendix = '<a href="./P0202012….docx">…</a>'`, then
# `document.write(file_appendix)`, or `document.write('<a href=\"…\">…</a>')`
_SCRIPT_ANCHOR = re.compile(r"<a\b[^>]*\bhref[^>]*>.*?</a\s*>", re.IGNORECASE | re.DOTALL)
_JS_ESCAPES = {'\\"': '"', "\\'": "'", "\\/": "/"}


def _script_anchors(root: lxml_html.HtmlElement) -> Iterator[lxml_html.HtmlElement]:
    """The <a> elements written inside the page's scripts, as elements."""
    for script in root.iter("script"):
        code = script.text or ""
        if "<a" not in code and "<A" not in code:
            continue
        for escaped, plain in _JS_ESCAPES.items():
            code = code.replace(escaped, plain)
        for markup in _SCRIPT_ANCHOR.findall(code):
            try:
                yield lxml_html.fragment_fromstring(markup)
            except (etree.ParserError, ValueError):   # script text is anything: no element, no link
                continue


def attachment_links(root: lxml_html.HtmlElement, base_url: str) -> tuple[tuple[str, str], ...]:
    """(absolute URL, file name) of every attachment link, in page order, each URL once: the
    page's anchors, then those its scripts write.

    A link counts when its path ends with an attachment suffix, or when its text names such a
    file and the URL is a download script (`download.jsp?id=…`).
    """
    found: dict[str, str] = {}
    for anchor in itertools.chain(root.iter("a"), _script_anchors(root)):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        label = " ".join(anchor.text_content().split())
        lowered = href.lower()
        if not any(suffix in lowered for suffix in SUFFIXES) and not _suffix_of(label):
            continue  # most anchors (menus, lists) end here, before any URL parsing
        url = urldefrag(urljoin(base_url, href))[0]
        if urlsplit(url).scheme not in ("http", "https", "file"):
            continue
        path_name = unquote(posixpath.basename(urlsplit(url).path))
        if _suffix_of(path_name):
            name = label if _suffix_of(label) else path_name
        elif _suffix_of(label) and urlsplit(url).query:
            name = label
        else:
            continue
        found.setdefault(url, name)
    return tuple(found.items())
