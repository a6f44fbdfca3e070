"""The 政府信息公开 metadata block (索引号, 发文字号, 发布机构 …) -> DisclosureMetadata."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from lxml import html as lxml_html

from archive.extract.dates import normalize_date

# Label (white space removed) -> field. Order inside a field does not matter.
LABELS: dict[str, str] = {
    "索引号": "index_no",
    "发文字号": "doc_no", "文号": "doc_no",
    "主题分类": "topic",
    "体裁分类": "genre",
    "发布机构": "publisher", "发文机关": "publisher",
    "有效性": "validity",
    "成文日期": "written_date", "发文日期": "written_date",
    "发布日期": "published_date", "发布时间": "published_date",
    "来源": "source", "信息来源": "source",
}
# Info-line labels ("日期:2025-01-16 来源:…") only read from short free-text lines.
INFO_LINE_LABELS: dict[str, str] = {**LABELS, "日期": "published_date", "时间": "published_date"}
DATE_FIELDS = frozenset({"written_date", "published_date"})

_SPACE = re.compile(r"[\s\u3000\xa0]+")
_LABEL_CELL = re.compile(r"^[\[【(（]?([\u4e00-\u9fff]{2,6})[\]】)）]?[:：]?$")
_INLINE_LABEL = re.compile(r"^[\[【]?([\u4e00-\u9fff]{2,6})[\]】]?[:：](.*)$", re.S)
# Any short label ends the previous value ("来源： 访问量：199" leaves 来源 empty).
_INFO_LINE = re.compile(r"([\u4e00-\u9fff]{2,5})\s*[:：]\s*")
_MAX_INFO_LINE = 160
_INFO_VALUE_END = re.compile(r"[【\[|丨]")  # toolbars that follow the last value on a line
_BLOCK_TAGS = frozenset({"div", "p", "table", "tbody", "tr", "td", "th", "ul", "ol", "li", "dl",
                         "dd", "dt", "section", "article", "header", "footer", "h1", "h2", "h3",
                         "h4", "h5", "h6", "form", "body", "html"})


@dataclasses.dataclass(frozen=True)
class DisclosureMetadata:
    """The schema fields of a disclosure block; None where the page leaves a field empty."""

    index_no: str | None = None
    doc_no: str | None = None
    topic: str | None = None
    genre: str | None = None
    publisher: str | None = None
    validity: str | None = None
    written_date: str | None = None
    published_date: str | None = None
    source: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return dataclasses.asdict(self)


def squash(text: str) -> str:
    """Remove every kind of white space (labels are printed as 索 引 号 or 文　　号)."""
    return _SPACE.sub("", text)


def _clean_value(text: str | None) -> str | None:
    if text is None:
        return None
    value = _SPACE.sub(" ", text).strip().strip("[]【】").strip()
    return value or None


def _value_after(label_el: lxml_html.HtmlElement) -> str | None:
    """The value printed after a label cell: its tail, its next sibling, or its ancestor's."""
    label_text = squash(label_el.text_content())
    node = label_el
    while node is not None:
        if node.tail and node.tail.strip():
            return node.tail
        sibling = node.getnext()
        if sibling is not None:
            value = sibling.text_content()
            # an empty cell followed by the next label ("来源： 访问量：199") has no value
            return None if _INLINE_LABEL.match(squash(value)) else value
        parent = node.getparent()
        if parent is None or squash(parent.text_content()) != label_text:
            return None
        node = parent
    return None


def _labelled_pairs(root: lxml_html.HtmlElement, skip: set) -> Iterable[tuple[str, str | None]]:
    """(field, raw value) from table cells, <dl>/<dd> and <li><span>label：</span>value."""
    for el in root.iter():
        if not isinstance(el.tag, str) or el in skip:
            continue
        raw = el.text_content()
        if len(raw) > 4 * 80:
            continue  # a layout block, not a label or a value (checked before the costly squash)
        text = squash(raw)
        if not text or len(text) > 80:
            continue
        cell = _LABEL_CELL.match(text)
        if cell and cell.group(1) in LABELS:
            yield LABELS[cell.group(1)], _value_after(el)
            continue
        inline = _INLINE_LABEL.match(text)
        if inline and inline.group(1) in LABELS and len(el) == 0:
            yield LABELS[inline.group(1)], inline.group(2)


def _info_line_pairs(root: lxml_html.HtmlElement, skip: set) -> Iterable[tuple[str, str | None]]:
    """(field, raw value) from free-text lines such as `日期:2025-01-16 来源:万州区后山镇`."""
    has_block_inside: set = set()
    for el in root.iter(*_BLOCK_TAGS):
        has_block_inside.update(el.iterancestors())
    for el in root.iter():
        if not isinstance(el.tag, str) or el in skip or el.tag in ("script", "style"):
            continue
        if el in has_block_inside:
            continue  # read lines at their innermost block, not once per ancestor
        text = _SPACE.sub(" ", el.text_content()).strip()
        if not text or len(text) > _MAX_INFO_LINE:
            continue
        parts = _INFO_LINE.split(text)
        # parts = [prefix, label1, value1, label2, value2, ...]
        for i in range(1, len(parts) - 1, 2):
            if parts[i] in INFO_LINE_LABELS:
                yield INFO_LINE_LABELS[parts[i]], _INFO_VALUE_END.split(parts[i + 1])[0]


def parse_metadata(root: lxml_html.HtmlElement, exclude: Iterable = ()) -> DisclosureMetadata:
    """Read the disclosure block of a parsed page, ignoring elements inside `exclude`.

    Labelled blocks win over info lines; within each, the first occurrence of a field wins
    (a block printed twice for desktop and mobile is read once).
    """
    skip: set = set()
    for container in exclude:
        skip.update(container.iter())
    found: dict[str, str | None] = {}
    for pairs in (_labelled_pairs(root, skip), _info_line_pairs(root, skip)):
        for field, raw in pairs:
            if found.get(field):
                continue
            value = _clean_value(raw)
            if value and field in DATE_FIELDS:
                value = normalize_date(value)
            if field not in found or value:
                found[field] = value
    return DisclosureMetadata(**found)
