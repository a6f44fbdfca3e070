"""Text lines of an element as a reader sees them, and repair of lines trafilatura drops."""

from __future__ import annotations

import difflib
import re

from lxml import html as lxml_html

from archive.extract.dates import normalize_date

_BLOCK = frozenset({"address", "article", "blockquote", "dd", "div", "dl", "dt", "figcaption",
                    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
                    "main", "ol", "p", "pre", "section", "table", "tbody", "tfoot", "thead",
                    "tr", "ul", "center"})
_CELL = frozenset({"td", "th"})  # cells of a row share its line, separated by a space
_SKIP = frozenset({"script", "style", "noscript", "template"})
_MAX_DATA_CELL = 200  # a longer cell (or one holding a table) is layout: its blocks keep their lines
_SPACE_RUN = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
_MAX_RESTORED_LINE = 60


def clean_lines(text: str) -> list[str]:
    """Non-empty lines with runs of spaces (incl. full-width and nbsp) collapsed."""
    lines = (_SPACE_RUN.sub(" ", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


def block_lines(element: lxml_html.HtmlElement) -> list[str]:
    """The element's text with a line break at every block boundary and <br>."""
    parts: list[str] = []

    def walk(node: lxml_html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP:
            return
        if tag in _CELL and _is_data_cell(node):
            parts.append(" " + " ".join(_cell_lines(node)) + " ")
            return
        block = tag in _BLOCK
        if block:
            parts.append("\n")
        elif tag in _CELL:
            parts.append(" ")
        if isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag == "br" or block:
            parts.append("\n")
        elif tag in _CELL:
            parts.append(" ")

    walk(element)
    return clean_lines("".join(parts))


def _is_data_cell(cell: lxml_html.HtmlElement) -> bool:
    """A cell of a table inside a report (short text, no nested table), not a layout cell."""
    if cell.find(".//table") is not None:
        return False
    return len("".join(cell.text_content().split())) <= _MAX_DATA_CELL


def _cell_lines(cell: lxml_html.HtmlElement) -> list[str]:
    lines: list[str] = []
    if cell.text:
        lines.append(cell.text)
    for child in cell:
        lines.extend(block_lines(child))
        if child.tail:
            lines.append(child.tail)
    return clean_lines("\n".join(lines))


def restore_dropped_lines(extracted: list[str], source: list[str]) -> list[str]:
    """Put back short source lines an extractor dropped: repeats of kept lines (a signature
    that repeats the heading) and lines after the last kept one (signature and date)."""
    if not extracted:
        return extracted
    kept = set(extracted)
    result: list[str] = []
    matcher = difflib.SequenceMatcher(a=source, b=extracted, autojunk=False)
    last_b = len(extracted)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op in ("equal", "replace", "insert"):
            result.extend(extracted[b1:b2])
            continue
        # op == "delete": source lines the extractor left out
        for line in source[a1:a2]:
            repeat = line in kept
            tail = b1 >= last_b
            if len(line) <= _MAX_RESTORED_LINE and (repeat or tail):
                result.append(line)
    return result


def in_region(element: lxml_html.HtmlElement, tags: tuple[str, ...], marker: re.Pattern) -> bool:
    """True when the element or an ancestor is one of `tags` or has a class/id `marker` finds
    (a headline inside the site header, an anchor inside a footer or a scroller)."""
    for node in (element, *element.iterancestors()):
        if node.tag in tags:
            return True
        names = f"{node.get('class', '')} {node.get('id', '')}"
        if names.strip() and marker.search(names):
            return True
    return False


_ROW_TAGS = ("li", "tr", "dd", "dt", "p")


def row_date(anchor: lxml_html.HtmlElement) -> str | None:
    """The date printed in a link's list row (`<li><a>…</a><span>2025-01-16</span></li>`)."""
    row = next((a for a in anchor.iterancestors() if a.tag in _ROW_TAGS), None)
    return normalize_date(row.text_content()) if row is not None else None
