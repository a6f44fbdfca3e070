"""List pages: document links by CMS shape and every pagination style."""

from __future__ import annotations

import pytest

from archive.extract.decode import decode_html
from archive.extract.listing import parse_listing
from tests.support import SHARED, SITES

BASE = "http://127.0.0.1:8000"


def listing_of(relative: str, **options):
    text, _ = decode_html((SITES / relative).read_bytes())
    url = f"{BASE}/{relative}".removesuffix("index.html")
    return parse_listing(text, url, **options)


def test_trs_create_page_html_first_page() -> None:
    listing = listing_of("cq-wanzhou/zfxxgkml/fzzfjsndbg/index.html")
    base = f"{BASE}/cq-wanzhou/zfxxgkml/fzzfjsndbg/"
    assert listing.next_pages == (base + "index_1.html",)
    assert base + "202501/t20250116_1001.html" in listing.document_urls
    assert "http://www.example.gov.cn/zfxxgkml/202501/t20250101_5.html" in listing.document_urls


def test_trs_last_page_has_no_next() -> None:
    listing = listing_of("cq-wanzhou/zfxxgkml/fzzfjsndbg/index_1.html")
    assert listing.next_pages == ()
    assert listing.document_urls == (f"{BASE}/cq-wanzhou/zfxxgkml/fzzfjsndbg/202502/t20250210_1002.html",)


def test_next_page_anchor_text_on_gbk_hanweb_list() -> None:
    listing = listing_of("ls-liangwa/col/col1402/index.html")
    assert listing.next_pages == (f"{BASE}/ls-liangwa/col/col1402/index_2.html",)
    assert listing.document_urls == ()
    second = listing_of("ls-liangwa/col/col1402/index_2.html")
    assert second.document_urls == (f"{BASE}/ls-liangwa/art/2025/2/12/art_1402_88213.html",)
    assert second.next_pages == ()


def test_registry_selector_pagination() -> None:
    listing = listing_of("qh-putai/xxgk/list.html", next_page="a.page-next")
    assert listing.next_pages == (f"{BASE}/qh-putai/xxgk/list_2.html",)
    assert listing.document_urls == (f"{BASE}/qh-putai/xxgk/content_4000.html",)


def test_detail_url_regex_replaces_default_shapes() -> None:
    listing = listing_of("sh-qingpu/shqp/zwgk/fzjs/jz/index.html", detail_url=r"/\d{8}/\d+\.html$")
    assert listing.document_urls == (f"{BASE}/sh-qingpu/20250319/1180562.html",
                                     f"{BASE}/sh-qingpu/20250320/1180571.html")
    narrow = listing_of("cq-wanzhou/zfxxgkml/fzzfjsndbg/index.html", detail_url=r"t2025011\d_\d+\.html$")
    assert narrow.document_urls == (f"{BASE}/cq-wanzhou/zfxxgkml/fzzfjsndbg/202501/t20250116_1001.html",)


def test_default_shapes_of_each_family() -> None:
    html = """<a href="/a/202305/7215380191c5400397df5d7d0b5fd06b.shtml">ucap</a>
      <a href="/art/2016/11/22/art_1621004_30332664.html">hanweb</a>
      <a href="/xxgk/content_12.htm">content</a> <a href="/col/col1/index.html">column</a>
      <a href="javascript:void(0)">js</a> <a href="/a/202501/t20250116_1.shtml#top">trs</a>"""
    listing = parse_listing(html, "http://www.example.gov.cn/list/")
    assert listing.document_urls == (
        "http://www.example.gov.cn/a/202305/7215380191c5400397df5d7d0b5fd06b.shtml",
        "http://www.example.gov.cn/art/2016/11/22/art_1621004_30332664.html",
        "http://www.example.gov.cn/xxgk/content_12.htm",
        "http://www.example.gov.cn/a/202501/t20250116_1.shtml",
    )


def test_trs_count_page_script_variant() -> None:
    html = "<script>var currentPage = 0; var countPage = 2;</script>"
    assert parse_listing(html, "http://www.example.gov.cn/nb/").next_pages == ("http://www.example.gov.cn/nb/index_1.html",)


def test_real_trs_list_page_when_shared_is_present() -> None:
    page = SHARED / "corpus" / "real" / "010.html"
    if not page.exists():
        pytest.skip("../shared/corpus/real not present")
    text, _ = decode_html(page.read_bytes())
    listing = parse_listing(text, "http://www.example.gov.cn/xxgk/xxgknb/index.html")
    assert len(listing.document_urls) == 10
    assert listing.next_pages == ("http://www.example.gov.cn/xxgk/xxgknb/index_1.html",)


def test_hanweb_rows_in_an_xml_script() -> None:
    html = """<div id="6104"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1"></a>]]></nextgroup>
      <recordset><record><![CDATA[<li><a href="/art/2025/1/16/art_1402_88213.html" title="报告">报告</a><span>2025-01-16</span></li>]]></record>
      <record><![CDATA[<li><a href='/art/2024/2/1/art_1402_80001.html'>2023年报告</a></li>]]></record></recordset></datastore></script></div>"""
    listing = parse_listing(html, "http://www.example.gov.cn/col/col1402/index.html")
    assert listing.document_urls == ("http://www.example.gov.cn/art/2025/1/16/art_1402_88213.html",
                                     "http://www.example.gov.cn/art/2024/2/1/art_1402_80001.html")


@pytest.mark.parametrize("script, expected", [
    # the 6-argument form is 1-based: fg.shtml is page 1, fg_2.shtml page 2 … fg_5.shtml
    ("createPageHTML('page_div', 5, 1, 'fg', 'shtml', 98);", "fg_2.shtml"),
    ('createPageHTML("page_div", 5, 4, "index", "shtml", 98);', "index_5.shtml"),
    ('createPageHTML("page_div", 5, 5, "index", "shtml", 98);', None),
    ("var countPage = 3; var currentPage = 1; createPageHTML(countPage, currentPage, 'index', 'html');",
     "index_2.html"),
    ('createPageHTML(2, 1, "index", "html");', None),
])
def test_trs_pager_variants(script: str, expected: str | None) -> None:
    listing = parse_listing(f"<script>{script}</script>", "http://www.example.gov.cn/nb/")
    assert listing.next_pages == ((f"http://www.example.gov.cn/nb/{expected}",) if expected else ())


def test_a_named_family_reads_with_the_generic_rules_and_no_other_family() -> None:
    from archive.families.base import ListRequest

    html = ("<script>var url = './202602/t20260210_3.shtml'; document.writeln(url);</script>"
            "<script>createPageHTML(3, 0, 'index', 'html'); createPage(9, 0, 'list', 'html');</script>")
    base = "http://www.example.gov.cn/nb/"
    trs = parse_listing(html, base, request=ListRequest(base, family="trs"))
    assert trs.document_urls == (f"{base}202602/t20260210_3.shtml",)
    assert trs.next_pages == (f"{base}index_1.html",) and trs.family == "trs"
    intensive = parse_listing(html, base, request=ListRequest(base, family="intensive"))
    assert intensive.next_pages == (f"{base}list_1.html",) and intensive.total_pages == 9
