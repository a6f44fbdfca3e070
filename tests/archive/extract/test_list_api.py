"""JSON list APIs named in the registry: rows, fields, totals, and escaped HTML that is no URL."""

from __future__ import annotations

import json

import pytest

from archive.errors import ExtractionError
from archive.extract.list_api import ListApi
from archive.extract.listing import parse_listing

GUANGDONG = ListApi(url="http://www.example.gov.cn/gkmlpt/api/all/5?page={page}&sid=1", rows="articles",
                    title="title", date="first_publish_time", total_records="total", page_size=2)


def read(answer: dict, page: int, api: ListApi = GUANGDONG):
    request = api.request(page)
    return parse_listing(json.dumps(answer, ensure_ascii=False), request.url, request=request, list_api=api)


def test_guangdong_gkmlpt_rows_and_pages() -> None:
    answer = {"articles": [{"url": "http://www.example.gov.cn/gkmlpt/content/4/4123/post_4123456.html#1",
                            "title": "2024年法治政府建设年度报告", "first_publish_time": "2025-02-01 10:00:00"},
                           {"url": "/gkmlpt/content/4/4124/post_4124000.html", "title": "2023年报告"}],
              "total": 3}
    listing = read(answer, 1)
    assert [(d.url, d.title, d.date) for d in listing.documents] == [
        ("http://www.example.gov.cn/gkmlpt/content/4/4123/post_4123456.html", "2024年法治政府建设年度报告", "2025-02-01"),
        ("http://www.example.gov.cn/gkmlpt/content/4/4124/post_4124000.html", "2023年报告", None)]
    assert listing.next_pages == ("http://www.example.gov.cn/gkmlpt/api/all/5?page=2&sid=1",)
    assert (listing.total_records, listing.total_pages, listing.last_page) == (3, 2, False)
    last = read({"articles": [{"url": "/gkmlpt/content/4/4125/post_4125000.html"}], "total": 3}, 2)
    assert last.last_page and last.next_requests == ()


def test_escaped_html_is_never_a_url_and_a_missing_path_is_named() -> None:
    listing = read({"articles": [{"url": "<a href=\\\"/x.html\\\">x</a>"}, {"url": "\\/a\\/b.html"}], "total": 2}, 1)
    assert listing.documents == ()
    with pytest.raises(ExtractionError, match="list API answer: .*'articles'"):
        read({"data": []}, 1)
