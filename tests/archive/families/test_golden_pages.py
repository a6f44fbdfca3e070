"""Golden pages: every fixtures/pages/<family>/<case>/input.html extracts to expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.extract.page import extract_page
from tests.support import PAGES, SHARED, golden_input

CASES = sorted(PAGES.glob("*/*/expected.json"))
BASE = "http://127.0.0.1:8000"


def load_case(expected_path: Path) -> tuple[bytes, dict]:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    expected["url"] = expected["url"].replace("{base}", BASE)
    return golden_input(expected_path.parent).read_bytes(), expected


def test_fixture_set_covers_the_families() -> None:
    families = {path.parent.parent.name for path in CASES}
    assert {"trs", "hanweb", "ucap", "intensive", "generic"} <= families
    per_family = {family: sum(p.parent.parent.name == family for p in CASES) for family in families}
    assert min(per_family.values()) >= 2, per_family


@pytest.mark.parametrize("expected_path", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_page_extracts_to_expected_record(expected_path: Path) -> None:
    html, expected = load_case(expected_path)
    record = extract_page(html, expected["url"]).as_dict()
    assert record["title"] == expected["title"]
    assert record["metadata"] == expected["metadata"]
    assert record["region_code"] == expected["region_code"]
    assert record["report_year"] == expected["report_year"]
    assert record["extraction_method"] == expected["extraction_method"]
    assert record["encoding"] == expected["encoding"]
    assert record["dates_inconsistent"] == expected["dates_inconsistent"]
    links = [[url.replace("{base}", BASE), name] for url, name in expected["attachment_links"]]
    assert record["attachment_links"] == links
    for label, value in expected["raw_metadata_subset"].items():
        assert record["raw_metadata"].get(label) == value, label
    assert record["text"].split("\n") == expected["text"].split("\n")


@pytest.mark.parametrize("expected_path", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_no_portal_boilerplate_in_body(expected_path: Path) -> None:
    html, expected = load_case(expected_path)
    text = extract_page(html, expected["url"]).text
    for marker in ("扫一扫", "语音播报", "您当前位置", "当前位置", "ICP备", "公网安备", "网站标识码",
                   "[ 索引号 ]", "索 引 号", "字号", "返回上一级", "上一篇", "下一篇", "分享到",
                   "【打印】", "浏览:", "bookmark"):
        assert marker not in text, f"boilerplate {marker!r} left in the body"


def test_gbk_page_labelled_gb2312_decodes_without_mojibake() -> None:
    html, expected = load_case(PAGES / "hanweb" / "ls-liangwa-2024-gbk" / "expected.json")
    assert b"charset=gb2312" in html
    assert "烜".encode("gbk") in html  # a character GB2312 lacks and GBK has
    record = extract_page(html, expected["url"])
    assert "聘请冯一烜律师为梁洼镇政府法律顾问" in record.text


def test_signature_repeating_the_first_line_is_kept() -> None:
    html, expected = load_case(PAGES / "trs" / "cq-houshan-2024" / "expected.json")
    lines = extract_page(html, expected["url"]).text.split("\n")
    assert lines[0] == "重庆市万州区后山镇人民政府"
    assert lines[-2:] == ["重庆市万州区后山镇人民政府", "2025112"]


# -- real portal pages from ../shared (skipped where shared/ is absent) -----------------------

REAL = SHARED / "corpus" / "real"
MANIFEST = json.loads((REAL / "manifest.json").read_text(encoding="utf-8")) if REAL.is_dir() else []
DETAIL_PAGES = [entry for entry in MANIFEST if entry["kind"] == "detail"]


def squashed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus/real not present")
@pytest.mark.parametrize("entry", DETAIL_PAGES, ids=lambda e: e["file"])
def test_real_page_title_and_body_bounds(entry: dict) -> None:
    record = extract_page((REAL / entry["file"]).read_bytes(), "http://www.example.gov.cn/page.html")
    assert record.title == entry["title"]
    body = squashed(record.text)
    assert squashed(entry["body_first"])[:15] in body[:200]
    assert body.endswith(squashed(entry["body_last"])[-15:])
    for label, value in entry["metadata"].items():
        assert record.raw_metadata.get(label) == (value or None), label


def test_a_family_may_leave_parts_out() -> None:
    from archive.families.base import DetailPage, Family, ListPage, ListRequest, PageIndex
    from lxml import html as lxml_html

    bare = Family(name="bare")
    root = lxml_html.document_fromstring("<html><body><p>正文</p></body></html>")
    assert bare.find_container(DetailPage("", root, PageIndex(root), None)) is None
    assert bare.read_list(ListPage("", root, ListRequest("http://www.example.gov.cn/"), "http://www.example.gov.cn/")) is None
