"""Attachments: reading .docx/.pdf/.ofd/.xlsx/.doc, bad files as data, links, pointer pages."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from archive.extract.attachments import extract_attachment, sniff_kind
from archive.extract.capture import AttachmentCapture
from archive.errors import ExtractionError
from archive.extract.document import PageDocument, compose_document, is_pointer_page
from archive.extract.links import attachment_links
from govarchive.cli import main
from tests.support import FIXTURES, make_capture, project_settings
from tests.fixtures.documents import docx_bytes, ofd_bytes, pdf_bytes

LINES = ["重庆市万州区后山镇人民政府", "关于2024年法治政府建设情况的报告",
         "2024年,在区委、区政府的正确领导下,我镇坚持依法全面履行政府职能。"]


def test_docx_paragraphs_and_table_rows() -> None:
    result = extract_attachment(docx_bytes(LINES, [["序号", "事项"], ["1", "矛盾纠纷调处153件"]]), "报告.docx")
    assert result.kind == "docx" and result.error is None
    assert result.text.split("\n") == [*LINES, "序号 事项", "1 矛盾纠纷调处153件"]


def test_pdf_text_in_chinese() -> None:
    result = extract_attachment(pdf_bytes(LINES), "报告.pdf")
    assert result.kind == "pdf" and result.error is None
    assert result.text.split("\n") == LINES


def test_xlsx_rows() -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["单位", "案件数"])
    workbook.active.append(["后山镇", 153])
    out = io.BytesIO()
    workbook.save(out)
    result = extract_attachment(out.getvalue(), "统计.xlsx")
    assert (result.kind, result.text) == ("xlsx", "单位 案件数\n后山镇 153")


@pytest.mark.skipif(not (shutil.which("antiword") or shutil.which("catdoc")),
                    reason="antiword/catdoc not installed (make install installs them)")
def test_word97_doc_through_antiword() -> None:
    data = (FIXTURES / "attachments" / "short-report.doc").read_bytes()
    result = extract_attachment(data, "short-report.wps")  # a .wps saved as Word 97 reads the same
    assert result.kind == "doc" and result.error is None
    lines = result.text.split("\n")
    assert lines[0] == "重庆市万州区后山镇人民政府"
    assert lines[-3:] == ["序号 事项 件数", "1 矛盾纠纷调处 153", "2 信访办结 123"]


def test_ofd_pages_read_in_order_each_top_to_bottom_and_left_to_right() -> None:
    second = ["四、2025年推进法治政府建设的主要安排", "（一）进一步加强法治教育。"]
    result = extract_attachment(ofd_bytes([LINES, second]), "2024年报告.ofd")
    assert (result.kind, result.error) == ("ofd", None)
    assert result.text.splitlines() == [*LINES, *second]   # the template's running header left out


def test_a_malformed_ofd_is_a_recorded_error() -> None:
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as package:
        package.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'><ofd:DocBody>"
                                    "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
    result = extract_attachment(broken.getvalue(), "坏文件.ofd")
    assert result.text is None and result.error.startswith("坏文件.ofd: cannot read as ofd: KeyError")
    cut = ofd_bytes([LINES])[:-200]
    assert "unsupported or unrecognised" in extract_attachment(cut, "截断.ofd").error


@pytest.mark.parametrize("data, name, message", [
    (b"PK\x03\x04 this zip is cut short", "坏文件.docx", "unsupported or unrecognised"),
    (b"%PDF-1.4\n garbage without objects", "坏文件.pdf", "cannot read as pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "坏文件.doc", "cannot read as doc"),
    (b"GIF89a....", "scan.gif.pdf", "unsupported"),
])
def test_bad_files_come_back_as_errors(data: bytes, name: str, message: str) -> None:
    result = extract_attachment(data, name)
    assert result.text is None
    assert name in result.error and message in result.error


def test_kind_is_sniffed_from_bytes_not_the_name() -> None:
    assert sniff_kind(docx_bytes(LINES), "report.doc") == "docx"
    assert sniff_kind(pdf_bytes(LINES), "report.wps") == "pdf"
    assert sniff_kind(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "report.wps") == "doc"


def test_attachment_links_by_suffix_and_download_scripts() -> None:
    root = lxml_html.document_fromstring("""<div>
      <a href="/upload/P0201.docx">附件1：2024年法治政府建设情况报告</a>
      <a href="download.jsp?id=77">2024年报告.pdf</a>
      <a href="/upload/P0201.docx#page">same file again</a>
      <a href="/news/t20250116_1.html">另一篇.docx 的新闻</a>
      <a href="javascript:void(0)">x.pdf</a></div>""")
    assert attachment_links(root, "http://www.example.gov.cn/xxgk/1.html") == (
        ("http://www.example.gov.cn/upload/P0201.docx", "P0201.docx"),
        ("http://www.example.gov.cn/xxgk/download.jsp?id=77", "2024年报告.pdf"),
    )


def composed(page_text: str, attachments: tuple[AttachmentCapture, ...]) -> PageDocument:
    capture = make_capture("p", "http://www.example.gov.cn/1.html", page_text).capture
    return compose_document(dataclasses.replace(capture, attachments=attachments))


def test_attachment_links_written_by_scripts_are_found() -> None:
    root = lxml_html.document_fromstring("""<html><body><div class="TRS_Editor"><p>详见附件。</p></div>
      <script>var file_appendix='<a href="./P020250116512345678901.docx">2024年法治政府建设年度报告.docx</a>';
      document.write(file_appendix);</script>
      <script>document.write('<a href=\\"/upload/2025/report.pdf\\" target=_blank>附件：报告全文</a>');</script>
      <script>var menu = "<a>no link</a>"; if (a < b) { go('<a href=');}</script></body></html>""")
    assert attachment_links(root, "http://www.wz.gov.cn/zwgk/202501/t20250116_1.html") == (
        ("http://www.wz.gov.cn/zwgk/202501/P020250116512345678901.docx", "2024年法治政府建设年度报告.docx"),
        ("http://www.wz.gov.cn/upload/2025/report.pdf", "report.pdf"))


def test_pointer_page_takes_its_attachments_text() -> None:
    attachment = AttachmentCapture("http://www.example.gov.cn/a.docx", "a.docx", None, "附件里的报告全文。", None)
    failed = AttachmentCapture("http://www.example.gov.cn/b.pdf", "b.pdf", None, None, "HTTP 404")
    document = composed("详见附件。", (attachment, failed))
    assert (document.text, document.page_text) == ("附件里的报告全文。", "详见附件。")
    long_page = "2024年，我镇坚持依法行政。" * 30
    assert composed(long_page, (attachment,)).text == long_page
    # while its only attachment fails, a pointer page is pending, never a document "详见附件。"
    with pytest.raises(ExtractionError, match=r"pending: .*\(b\.pdf: HTTP 404\)"):
        composed("详见附件。", (failed,))
    with pytest.raises(ExtractionError, match="no text on the page nor in its attachments"):
        composed("", (failed,))
    assert is_pointer_page("各位读者：具体内容请见附件。" + "说明" * 100)
    assert not is_pointer_page("报告正文" * 200)


def test_cli_extract_reads_documents(tmp_path: Path) -> None:
    for name, data in (("报告.docx", docx_bytes(LINES)), ("报告.pdf", pdf_bytes(LINES))):
        path = tmp_path / name
        path.write_bytes(data)
        result = CliRunner().invoke(main, ["extract", str(path)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["text"].split("\n") == LINES
    broken = tmp_path / "坏文件.docx"
    broken.write_bytes(b"PK\x03\x04 broken")
    result = CliRunner().invoke(main, ["extract", str(broken)])
    assert result.exit_code == 1 and "坏文件.docx" in result.stderr


def test_a_link_to_the_report_file_itself_is_archived_and_reextracted(tmp_path: Path) -> None:
    from archive.extract.capture import RawFetch
    from archive.extract.document import file_capture
    from archive.reextract import reextract
    from archive.store.archive import Archive

    url = "http://www.example.gov.cn/xxgk/202501/2024年法治政府建设情况报告.pdf"
    raw = RawFetch(url, 200, (("Content-Type", "application/pdf"),), pdf_bytes(LINES), "2025-01-20T00:00:00+00:00")
    capture = file_capture("p", raw)
    assert capture is not None and capture.record.title == "2024年法治政府建设情况报告"
    assert capture.record.report_year == 2024
    archive = Archive.open(tmp_path / "a.db")
    try:
        archive.record_page(compose_document(capture))
        (text,) = archive.db.execute("SELECT text FROM documents").fetchone()
        assert text.split("\n") == LINES
        report = reextract(archive)
        assert (report.pages, report.changed, report.failed) == (1, 0, [])
    finally:
        archive.close()
    html = RawFetch(url.replace(".pdf", ".html"), 200, (), b"<html><body><p>page</p></body></html>", "t")
    assert file_capture("p", html) is None


def test_spider_treats_a_document_response_as_the_document(tmp_path: Path) -> None:
    from scrapy.http import Request, Response
    from scrapy.utils.test import get_crawler

    from archive.extract.capture import PageCapture
    from archive.extract.document import capture_detail
    from crawler.spiders.portal import PortalSpider

    config = tmp_path / "portals.toml"
    config.write_text('[[portal]]\nname = "p"\nstart_urls = ["http://127.0.0.1:8000/list/"]\n'
                      'detail_url = "\\\\.(pdf|docx)$"\n', encoding="utf-8")
    spider = PortalSpider.from_crawler(get_crawler(PortalSpider, project_settings(GOVARCHIVE_DB=str(tmp_path / "a.db"))),
                                       portal="p", config=str(config))
    url = "http://127.0.0.1:8000/list/report.docx"
    (fetched,) = spider.parse_detail(Response(url, body=docx_bytes(LINES), request=Request(url, meta={"portal": "p"})))
    item = capture_detail(fetched.portal, fetched.raw, fetched.content_type)
    assert isinstance(item, PageCapture) and item.attachments[0].text.split("\n") == LINES
    assert item.record.extraction_method == "attachment"
