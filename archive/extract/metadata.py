"""The 政府信息公开 metadata block (索引号, 发文字号, 发布机构 …) -> schema fields + every raw pair."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from lxml import html as lxml_html

from archive.extract.dates import normalize_date

# Label (white space removed) -> schema field. A primary label always wins over a fallback.
PRIMARY_LABELS: dict[str, str] = {
    "索引号": "index_no",
    "发文字号": "doc_no", "文号": "doc_no", "发文号": "doc_no",
    "主题分类": "topic",
    "体裁分类": "genre",
    "发布机构": "publisher", "发文机关": "publisher", "发文单位": "publisher",
    "有效性": "validity",
    "成文日期": "written_date", "发文日期": "written_date",
    "发布日期": "published_date", "发布时间": "published_date",
    "来源": "source", "信息来源": "source", "文章来源": "source",
}
FALLBACK_LABELS: dict[str, str] = {
    "信息索取号": "index_no", "索取号": "index_no",
    "文件编号": "doc_no", "编号": "doc_no",
    "公开主体": "publisher", "责任部门": "publisher", "发布单位": "publisher", "发布者": "publisher",
    "信息提供单位": "publisher", "所属机构": "publisher", "所属部门": "publisher", "制发机关": "publisher",
    "生成日期": "written_date", "印发日期": "written_date", "成文时间": "written_date",
    "发文时间": "written_date", "印发时间": "written_date",
    "公开日期": "published_date", "日期": "published_date", "时间": "published_date",
    "分类": "topic", "组配分类": "topic", "信息分类": "topic", "主题": "topic",
    "体裁": "genre", "文种": "genre",
    "效力状况": "validity", "是否有效": "validity", "时效": "validity",
    "来源单位": "source",
}
KNOWN_LABELS = frozenset(PRIMARY_LABELS) | frozenset(FALLBACK_LABELS) | frozenset({
    "公开方式", "公开时限", "公开范围", "公开形式", "关键词", "主题词", "服务对象", "浏览次数",
    "访问量", "访问次数", "点击数", "点击率", "点击量", "阅读次数", "阅读量", "浏览量", "作者",
    "编辑", "责任编辑", "字号", "失效日期", "废止日期", "生效日期", "施行日期", "有效期",
    "更新时间", "统一编号", "登记号", "统一登记号", "语种", "载体类型", "信息名称", "名称", "标题",
    "内容概述", "摘要",
})
# Labels distinctive enough to be read even inside the body container (a report's own tables
# have cells such as 编号 or 来源 that must not become metadata).
BODY_SAFE_LABELS = frozenset(PRIMARY_LABELS) - {"来源", "信息来源", "文章来源"}
DATE_FIELDS = frozenset({"written_date", "published_date"})

_SPACE = re.compile(r"[\s\u3000\xa0]+")
_LABEL_CELL = re.compile(r"^[\[【(（]?([\u4e00-\u9fff]{2,6})[\]】)）]?[:：]?$")
_INLINE_LABEL = re.compile(r"^[\[【]?([\u4e00-\u9fff]{2,6})[\]】]?[:：](.*)$", re.S)
# Any short label ends the previous value on an info line ("来源： 访问量：199").
_INFO_LINE = re.compile(r"([\u4e00-\u9fff]{2,6})\s*[:：]\s*")
_COLON = re.compile(r"[:：]")
_INFO_VALUE_END = re.compile(r"[【\[|丨]")  # toolbars after the last value on a line
_MAX_INFO_LINE = 160
_MAX_CELL = 80
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
        return {name: getattr(self, name) for name in _FIELD_NAMES}

    def completeness(self) -> int:
        """How many fields are filled: the measure for choosing among copies of a document."""
        return sum(value is not None for value in self.as_dict().values())


_FIELD_NAMES = tuple(field.name for field in dataclasses.fields(DisclosureMetadata))   # all strings: no deep copy


@dataclasses.dataclass(frozen=True)
class MetadataBlock:
    """Schema fields plus every label/value pair seen, labels without spaces, as printed."""

    fields: DisclosureMetadata
    raw: dict[str, str | None]


def squash(text: str) -> str:
    """Remove every kind of white space (labels are printed as 索 引 号 or 文　　号)."""
    return "".join(text.split())  # str.split() knows \u3000 and \xa0


def _clean_value(text: str | None) -> str | None:
    if text is None:
        return None
    value = _SPACE.sub(" ", text).strip().strip("[]【】").strip()
    return value or None


def _is_label(label: str) -> bool:
    return label in KNOWN_LABELS


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
            cell = _LABEL_CELL.match(squash(value)) or _INLINE_LABEL.match(squash(value))
            # an empty cell followed by the next label has no value
            return None if cell and _is_label(cell.group(1)) else value
        parent = node.getparent()
        if parent is None or squash(parent.text_content()) != label_text:
            return None
        node = parent
    return None


def text_lengths(root: lxml_html.HtmlElement) -> dict:
    """Each element's `len(text_content())`, computed in one pass from the leaves up, so the
    scans below skip layout blocks without building their text."""
    lengths: dict = {}
    for el in reversed(list(root.iter())):
        size = len(el.text or "") if isinstance(el.tag, str) else 0   # a comment's text is not text
        for child in el:
            size += lengths[child] + len(child.tail or "")
        lengths[el] = size
    return lengths


def _labelled_pairs(root: lxml_html.HtmlElement, body: set, lengths: dict) -> Iterable[tuple[str, str | None]]:
    """(label, raw value) from table cells, <dl>/<dd>, <li><span>label：</span>value and
    label and value in separate list items; inside `body` only BODY_SAFE_LABELS count."""
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        if lengths[el] > 4 * _MAX_CELL:
            continue  # a layout block, not a label or a value
        raw = el.text_content()
        text = squash(raw)
        if not text or len(text) > _MAX_CELL:
            continue
        accept = (lambda label: label in BODY_SAFE_LABELS) if el in body else _is_label
        cell = _LABEL_CELL.match(text)
        if cell and accept(cell.group(1)):
            yield cell.group(1), _value_after(el)
            continue
        inline = _INLINE_LABEL.match(text)
        if inline and accept(inline.group(1)) and len(el) == 0:
            yield inline.group(1), _COLON.split(raw, maxsplit=1)[-1]


def _info_line_pairs(root: lxml_html.HtmlElement, skip: set, lengths: dict) -> Iterable[tuple[str, str | None]]:
    """(label, raw value) from free-text lines such as `日期:2025-01-16 来源:万州区后山镇`."""
    has_block_inside: set = set()
    for el in root.iter(*_BLOCK_TAGS):
        has_block_inside.update(el.iterancestors())
    for el in root.iter():
        if not isinstance(el.tag, str) or el in skip or el.tag in ("script", "style"):
            continue
        if el in has_block_inside or lengths[el] > 4 * _MAX_INFO_LINE:
            continue  # read lines at their innermost block, not once per ancestor
        raw = el.text_content()
        if "：" not in raw and ":" not in raw:
            continue  # an info line has a colon; checked before the costly normalisation
        text = _SPACE.sub(" ", raw).strip()
        if not text or len(text) > _MAX_INFO_LINE:
            continue
        parts = _INFO_LINE.split(text)
        # parts = [prefix, label1, value1, label2, value2, ...]
        for i in range(1, len(parts) - 1, 2):
            if _is_label(parts[i]):
                yield parts[i], _INFO_VALUE_END.split(parts[i + 1])[0]


def _field_value(field: str, raw: str | None) -> str | None:
    value = _clean_value(raw)
    if value and field in DATE_FIELDS:
        return normalize_date(value)
    return value


def parse_metadata(root: lxml_html.HtmlElement, exclude: Iterable = ()) -> MetadataBlock:
    """Read the disclosure block of a parsed page; info lines inside `exclude` are not read.

    Labelled blocks come before info lines; the first occurrence of a label wins (a block
    printed twice for desktop and mobile is read once). Primary labels (发布机构) fill a
    field before fallbacks (公开主体, 责任部门) do.
    """
    skip: set = set()
    for container in exclude:
        skip.update(container.iter())
    raw: dict[str, str | None] = {}
    # Label cells are strict (the whole cell is a known label), so a block printed inside the
    # body container still counts; free-text info lines are only read outside it.
    lengths = text_lengths(root)
    for pairs in (_labelled_pairs(root, skip, lengths), _info_line_pairs(root, skip, lengths)):
        for label, value in pairs:
            cleaned = _clean_value(value)
            if raw.get(label) is None:
                raw[label] = cleaned
    fields: dict[str, str | None] = {}
    for labels in (PRIMARY_LABELS, FALLBACK_LABELS):
        for label, value in raw.items():
            field = labels.get(label)
            if field and fields.get(field) is None:
                fields[field] = _field_value(field, value)
    return MetadataBlock(DisclosureMetadata(**fields), raw)
