"""A report's sections, split on its numbered headings (一、 then （一） then 1.), each with what it
is about: `measures` (主要举措/成效), `leadership` (第一责任人履职), `shortcomings` (不足/问题/差距),
`plans` (下一年度/下一步安排) or `other`. Pure: text in, sections (as offsets into it) out."""

from __future__ import annotations

import dataclasses
import re

KINDS = ("measures", "leadership", "shortcomings", "plans", "other")
_NUMERAL = "[一二三四五六七八九十]+"
# heading shapes, outermost first: a report is split on the first that opens two lines or more
_HEADINGS = (re.compile(rf"^{_NUMERAL}[、.．]", re.M),
             re.compile(rf"^[（(]{_NUMERAL}[）)]", re.M),
             re.compile(r"^\d{1,2}[.．、](?!\d)", re.M))
# what a heading says, checked in this order (三、存在的问题及2025年工作安排 is about shortcomings)
_KIND_WORDS = (
    ("shortcomings", re.compile(r"不足|问题|差距|短板|薄弱")),
    ("leadership", re.compile(r"第一责任人|主要负责人|负责人履行|履职")),
    ("plans", re.compile(r"下一年度|下一步|下年度|明年|安排|打算|计划|思路|\d{4}年(度)?(工作)?(重点|目标)")),
    ("measures", re.compile(r"举措|成效|做法|主要工作|工作情况|开展情况|进展")),
)
_HEADING_END = re.compile(r"[。；;，,]")
HEADING_LIMIT = 80


@dataclasses.dataclass(frozen=True)
class Section:
    ordinal: int
    heading: str | None   # the heading line (to its first full stop); None for the opening
    kind: str
    start: int            # offset of the section in the text
    end: int


def kind_of(heading: str) -> str:
    return next((kind for kind, words in _KIND_WORDS if words.search(heading)), "other")


def split_sections(text: str) -> list[Section]:
    """The sections of `text`: the opening before the first heading (when it holds anything),
    then one per heading of the outermost numbering used at least twice. A text with no such
    headings is one `other` section. Headings naming no kind between the opening and the first
    shortcomings or plans section are measures (一、依法全面履行政府职能方面)."""
    starts: list[int] = []
    for shape in _HEADINGS:
        starts = [match.start() for match in shape.finditer(text)]
        if len(starts) >= 2:
            break
    if len(starts) < 2:
        return [Section(1, None, "other", 0, len(text))]
    bounds = [*starts, len(text)]
    sections: list[Section] = []
    if text[: starts[0]].strip():
        sections.append(Section(1, None, "other", 0, starts[0]))
    for start, end in zip(bounds, bounds[1:], strict=False):
        line = text[start:end].split("\n", 1)[0]
        heading = _HEADING_END.split(line, 1)[0][:HEADING_LIMIT].strip()
        sections.append(Section(len(sections) + 1, heading, kind_of(heading), start, end))
    closing = next((i for i, s in enumerate(sections) if s.kind in ("shortcomings", "plans")), None)
    if closing is not None:
        sections = [dataclasses.replace(s, kind="measures") if s.kind == "other" and s.heading and i < closing
                    else s for i, s in enumerate(sections)]
    return sections
