"""Report sections: split on the numbered headings, each with what it is about."""

from __future__ import annotations


import pytest

from archive.extract.sections import split_sections
from tests.support import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
# the five seed reports' sections after their opening, as a reader of each would label them
SEED_KINDS = {
    "000": ["measures", "leadership", "shortcomings", "plans"],
    "001": ["measures"] * 7 + ["shortcomings", "plans"],   # 一、依法全面履行政府职能方面 …
    "002": ["leadership", "measures", "shortcomings", "plans"],
    "003": ["measures", "leadership", "shortcomings"],       # 三、存在的问题及2025年工作安排
    "004": ["measures", "shortcomings", "leadership", "plans"],
}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed reports are in ../shared/seeds")
@pytest.mark.parametrize("prefix", sorted(SEED_KINDS))
def test_the_seed_reports_split_into_their_numbered_sections(prefix: str) -> None:
    text = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    sections = split_sections(text)
    assert sections[0].heading is None and sections[0].kind == "other"   # title, addressee, opening
    assert [s.kind for s in sections[1:]] == SEED_KINDS[prefix]
    assert all(s.heading and text[s.start:s.end].startswith(s.heading) for s in sections[1:])
    assert "".join(text[s.start:s.end] for s in sections) == text   # nothing lost, nothing twice


def test_a_report_without_headings_is_one_other_section() -> None:
    text = "2024年，我镇深入学习贯彻习近平法治思想。\n全年开展普法宣传12次。"
    assert [(s.kind, s.heading, s.start, s.end) for s in split_sections(text)] == [("other", None, 0, len(text))]


def test_inner_numbering_splits_a_report_that_has_no_outer_headings() -> None:
    text = ("（一）主要举措和成效。全年开展普法宣传12次。\n（二）存在的不足。执法队伍力量薄弱。\n"
            "（三）下一步工作安排，强化法治宣传。")
    sections = split_sections(text)
    assert [(s.kind, s.heading) for s in sections] == [
        ("measures", "（一）主要举措和成效"), ("shortcomings", "（二）存在的不足"), ("plans", "（三）下一步工作安排")]


def test_a_lone_numbered_line_is_not_a_heading() -> None:
    text = "报告正文。\n一、唯一的编号段落，说明情况。\n结尾。"
    assert len(split_sections(text)) == 1
