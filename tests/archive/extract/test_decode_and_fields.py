"""Decoding, date normalisation, metadata markups and derived fields."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from archive.extract.decode import decode_html
from archive.errors import DecodeError
from archive.extract.dates import normalize_date
from archive.families.registry import date_from_url
from archive.extract.derived import region_code, report_year
from archive.extract.metadata import parse_metadata


def test_gbk_bytes_declared_gb2312_decode_cleanly() -> None:
    body = '<meta charset="gb2312"><p>冯一烜 镕 喆</p>'.encode("gbk")
    text, encoding = decode_html(body)
    assert "冯一烜 镕 喆" in text
    assert encoding == "gb18030"


def test_header_charset_wins_over_meta() -> None:
    body = '<meta charset="utf-8"><p>法治政府</p>'.encode("gbk")
    text, encoding = decode_html(body, "text/html; charset=GBK")
    assert "法治政府" in text and encoding == "gb18030"


def test_wrong_label_falls_back_to_the_encoding_that_decodes() -> None:
    body = '<meta charset="utf-8"><p>法治政府建设</p>'.encode("gb18030")
    text, _ = decode_html(body)
    assert "法治政府建设" in text


def test_utf8_bom_and_undeclared_utf8() -> None:
    assert decode_html("\ufeff<p>报告</p>".encode("utf-8"))[0] == "<p>报告</p>"
    assert decode_html("<p>报告</p>".encode("utf-8")) == ("<p>报告</p>", "utf-8")


def test_undecodable_bytes_raise_decode_error_naming_the_source() -> None:
    with pytest.raises(DecodeError, match="page.html"):
        decode_html(b"<p>\x81\x20\xff\xfe</p>", source="page.html")


@pytest.mark.parametrize("text, iso", [
    ("2025-01-16", "2025-01-16"),
    ("2025年01月16日", "2025-01-16"),
    ("2025年1月6日", "2025-01-06"),
    ("2025.03.19", "2025-03-19"),
    ("2025/1/16 10:30", "2025-01-16"),
    ("发布时间：2023-03-31 10:09", "2023-03-31"),
    ("二〇二五年一月十六日", "2025-01-16"),
    ("二〇二四年十二月三十一日", "2024-12-31"),
    ("2025-02-30", None),
    ("", None),
    (None, None),
    ("浏览次数：127", None),
])
def test_normalize_date(text: str | None, iso: str | None) -> None:
    assert normalize_date(text) == iso


@pytest.mark.parametrize("url, iso", [
    ("http://a.example.gov.cn/zfxxgkml/202501/t20250116_123.html", "2025-01-16"),
    ("http://a.example.gov.cn/art/2025/1/6/art_1402_88213.html", "2025-01-06"),
    ("https://qp.example.gov.cn/shqp/20250319/1180562.html", "2025-03-19"),
    ("http://a.example.gov.cn/col/col1402/index.html", None),
])
def test_date_from_url(url: str, iso: str | None) -> None:
    assert date_from_url(url) == iso


def metadata_of(fragment: str):
    return parse_metadata(lxml_html.document_fromstring(f"<html><body>{fragment}</body></html>")).fields


def test_metadata_table_with_bracketed_labels_and_empty_cells() -> None:
    meta = metadata_of("""<table>
      <tr><td>[ 索引号 ]</td><td>115001010086458821/2025-00001</td><td>[ 发文字号 ]</td><td></td></tr>
      <tr><td>[ 主题分类 ]</td><td>其他</td><td>[ 体裁分类 ]</td><td>公文</td></tr>
      <tr><td>[ 发布机构 ]</td><td>万州区后山镇</td><td>[ 有效性 ]</td><td> </td></tr>
      <tr><td>[ 成文日期 ]</td><td>2025-01-16</td><td>[ 发布日期 ]</td><td>2025年01月16日</td></tr></table>""")
    assert meta.as_dict() == {
        "index_no": "115001010086458821/2025-00001", "doc_no": None, "topic": "其他", "genre": "公文",
        "publisher": "万州区后山镇", "validity": None, "written_date": "2025-01-16",
        "published_date": "2025-01-16", "source": None}


def test_metadata_dl_with_spaced_labels() -> None:
    meta = metadata_of("""<div class="meta-data"><dl>
      <dd><label><font>索 引 号：</font></label><div>014742224A/2023-0043406</div></dd>
      <dd><label><font>文　　号：</font></label><div>万府发〔2023〕5号</div></dd>
      <dd><label><font>发文机关：</font></label><div>万载县统计局</div></dd></dl></div>""")
    assert meta.index_no == "014742224A/2023-0043406"
    assert meta.doc_no == "万府发〔2023〕5号"
    assert meta.publisher == "万载县统计局"


def test_metadata_list_items_and_info_line() -> None:
    meta = metadata_of("""<ul><li><span>发布机构：</span>上海市青浦区重固镇人民政府</li>
      <li><span>发布日期：</span>2025.03.19</li></ul>
      <div class="info">日期:2025-01-20 来源：重固镇 【打印】【关闭】</div>""")
    assert meta.publisher == "上海市青浦区重固镇人民政府"
    assert meta.published_date == "2025-03-19"  # the labelled block wins over the info line
    assert meta.source == "重固镇"


def test_metadata_block_printed_twice_is_read_once() -> None:
    block = "<table><tr><td>[ 索引号 ]</td><td>{}</td></tr></table>"
    meta = metadata_of(block.format("11500111MB1592857B/2025-00003") + block.format("ignored"))
    assert meta.index_no == "11500111MB1592857B/2025-00003"


def test_empty_value_followed_by_next_label_is_null() -> None:
    meta = metadata_of('<div><span>来源：</span><span>访问量：199</span></div>')
    assert meta.source is None


@pytest.mark.parametrize("index_no, code", [
    ("115001010086458821/2025-00001", "500101"),
    ("11500111MB1592857B/2025-00003", "500111"),
    ("014742224A/2023-0043406", None),
    ("", None),
    (None, None),
])
def test_region_code(index_no: str | None, code: str | None) -> None:
    assert region_code(index_no) == code


@pytest.mark.parametrize("title, year", [
    ("重庆市万州区后山镇人民政府 关于2024年度法治政府建设情况的报告", 2024),
    ("平潭综合实验区社会事业局关于2022年法治工作情况暨2023年工作要点的报告", 2022),
    ("2024年重固镇法治政府建设报告", 2024),
    ("法治政府建设情况报告", None),
    (None, None),
])
def test_report_year(title: str | None, year: int | None) -> None:
    assert report_year(title) == year


def test_boilerplate_is_trimmed_at_the_edges_only() -> None:
    from archive.extract.boilerplate import trim_boilerplate

    lines = ["字号：大 中 小", "【打印】", "我镇开展普法宣传，打印宣传资料2000余份，来源：各村申报。",
             "来源：本站", "扫一扫在手机打开当前页", "网站标识码：5001010001"]
    assert trim_boilerplate(lines) == ["我镇开展普法宣传，打印宣传资料2000余份，来源：各村申报。"]


@pytest.mark.parametrize("editor_line", ["（责任编辑：李明）", "(编辑:王芳)", "【责任编辑：李明】", "责任编辑：李明"])
def test_an_editor_line_closing_the_body_is_boilerplate(editor_line: str) -> None:
    from archive.extract.boilerplate import trim_boilerplate

    body = ["2024年，我镇坚持依法行政。", "重庆市万州区后山镇人民政府", "2025年1月16日"]
    assert trim_boilerplate([*body, editor_line]) == body
    assert trim_boilerplate(["（一）坚持依法行政。", *body]) == ["（一）坚持依法行政。", *body]


def test_published_date_never_comes_from_related_link_lists() -> None:
    from archive.extract.page import extract_page

    html = """<html><head><title>关于2024年度法治政府建设情况的报告</title></head><body>
      <div class="TRS_Editor"><p>2024年，我镇坚持依法行政，推进法治政府建设。</p></div>
      <ul class="xglj"><li><a href="/a.html">2019年度报告</a><span>2019-03-01</span></li></ul>
      </body></html>""".encode()
    record = extract_page(html, "http://www.example.gov.cn/fzzf/202501/t20250116_1.html")
    assert record.metadata.published_date == "2025-01-16"
    undated = extract_page(html, "http://www.example.gov.cn/fzzf/show.jsp?id=1")
    assert undated.metadata.published_date is None


def test_disclosure_block_inside_the_body_container() -> None:
    from archive.extract.page import extract_page

    html = """<html><head><meta charset="utf-8"><title>关于2024年度法治政府建设情况的报告</title></head><body>
      <div class="TRS_Editor">
        <table><tr><td>[ 索引号 ]</td><td>115001010086458821/2025-00001</td><td>[ 发文字号 ]</td><td></td></tr>
               <tr><td>[ 发布机构 ]</td><td>万州区后山镇</td><td>[ 成文日期 ]</td><td>2025-01-16</td></tr></table>
        <p>2024年，我镇坚持依法行政，推进法治政府建设。</p><p>重庆市万州区后山镇人民政府</p>
      </div></body></html>""".encode()
    record = extract_page(html, "http://www.example.gov.cn/fzzf/202501/t20250116_1.html")
    assert record.text.split("\n") == ["2024年，我镇坚持依法行政，推进法治政府建设。", "重庆市万州区后山镇人民政府"]
    assert (record.metadata.index_no, record.metadata.publisher, record.metadata.written_date) == (
        "115001010086458821/2025-00001", "万州区后山镇", "2025-01-16")


def test_title_skips_the_site_logo_headline() -> None:
    from archive.extract.title import extract_title

    root = lxml_html.document_fromstring("""<html><head><title>法治政府建设_某某镇人民政府</title></head>
      <body><div class="header"><h1 class="logo">某某镇人民政府</h1></div>
      <div class="article"><h1>某某镇2024年法治政府建设情况报告</h1></div></body></html>""")
    assert extract_title(root) == "某某镇2024年法治政府建设情况报告"
    bare = lxml_html.document_fromstring("<html><head><title>某镇2023年度报告 - 某区政府网</title></head></html>")
    assert extract_title(bare) == "某镇2023年度报告"


@pytest.mark.parametrize("title, year", [
    ("2024法治政府建设报告", 2024),
    ("某镇法治政府建设情况报告（2023）", 2023),
    ("第20240116号通知", None),
    ("2025-01-16发布的报告", None),
])
def test_report_year_from_a_bare_year(title: str, year: int | None) -> None:
    assert report_year(title) == year


def test_a_reports_own_table_is_not_metadata() -> None:
    from archive.extract.page import extract_page

    html = """<html><head><title>关于2024年度法治政府建设情况的报告</title></head><body>
      <div class="TRS_Editor"><p>2024年，我镇依法调处矛盾纠纷，情况如下：</p>
        <table><tr><td>编号</td><td>事项</td><td>来源</td><td>时间</td></tr>
               <tr><td>1</td><td>土地纠纷</td><td>群众来访</td><td>2024年3月</td></tr></table></div>
      </body></html>""".encode()
    record = extract_page(html, "http://www.example.gov.cn/fzzf/show.jsp?id=7")
    assert record.metadata.as_dict() == dict.fromkeys(record.metadata.as_dict())  # all None
    assert record.text.split("\n")[-2:] == ["编号 事项 来源 时间", "1 土地纠纷 群众来访 2024年3月"]


def test_xhtml_declaration_and_control_characters_do_not_stop_parsing() -> None:
    from archive.extract.page import extract_page

    html = ('<?xml version="1.0" encoding="gb2312"?>\n<html><head>'
            '<title>关于2024年度法治政府建设情况的报告</title></head><body><div class="TRS_Editor">'
            '<p>2024年，我镇坚持\x00依法行政。\x0b</p></div></body></html>').encode("gbk")
    record = extract_page(html, "http://www.example.gov.cn/fzzf/202501/t20250116_1.html")
    assert record.text == "2024年，我镇坚持依法行政。"
    text, encoding = decode_html(html)
    assert not text.startswith("<?xml") and encoding == "gb18030"


def test_utf16_bom_garbage_and_implausible_gb18030_are_refused_not_stored_as_mojibake() -> None:
    import random

    garbage = b"\xff\xfe" + random.Random(7).randbytes(4000)
    with pytest.raises(DecodeError, match="byte-order mark but do not read as UTF-16 text"):
        decode_html(garbage, source="scan.html")
    with pytest.raises(DecodeError, match="implausible characters"):
        decode_html(b"\x81\x30\x89\x38" * 300 + b"\x84\x31\xa4\x39" * 300, source="odd.html")
    real = "\ufeff<html><body><p>2024年法治政府建设情况报告</p></body></html>".encode("utf-16-le")
    assert "法治政府" in decode_html(b"\xff\xfe" + real[2:])[0]
