"""Hanweb 大汉 JCMS and its JPaaS publish server: /art/Y/M/D/art_C_N.html and /art/YYYY/art_<32
hex>.html documents; bodies between <meta name="ContentStart"> and ContentEnd, else #zoom; lists
as an inline <datastore> followed by POST dataproxy.jsp windows, or JPaaS pages in JSON."""

from __future__ import annotations

import json
import math
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from lxml import html as lxml_html

from archive.errors import ExtractionError
from archive.extract.lines import block_lines, row_date
from archive.families.base import (MIN_BODY_CHARS, Container, DetailPage, Family, ListedDocument, ListPage,
                                   ListReading, ListRequest, container_by_rules, text_chars)

NAME = "hanweb"
_MARKERS = re.compile(
    r"""<meta\s+name=["']?ContentStart["']?[^>]*>(.*?)<meta\s+name=["']?ContentEnd""",
    re.IGNORECASE | re.DOTALL,
)
RULES = ("#zoom", "#Zoom")
_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.S | re.I)
_TOTAL_TAG = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_JPAGE = {key: re.compile(rf"\b{key}\s*[:=]\s*['\"]?([^'\",}}\s]+)", re.I)
          for key in ("totalRecord", "perPage", "proxyUrl", "groupSize")}
DATAPROXY = "/module/web/jpage/dataproxy.jsp"
JPAAS_UNIT = "/api-gateway/jpaas-publish-server/front/page/build/unit"


def find_container(page: DetailPage) -> Container | None:
    """The markers are siblings, not a wrapping element, so they are matched in the source;
    the #zoom element around them is where the body sits in the page tree."""
    markers = _MARKERS.search(page.html_text)
    if markers:
        fragment = lxml_html.fragment_fromstring(markers.group(1), create_parent="div")
        if text_chars(fragment) >= MIN_BODY_CHARS:
            return Container(block_lines(fragment), f"{NAME}:markers", tuple(page.index.lookup("#zoom")))
    return container_by_rules(page, RULES, NAME)


def _rows(fragments: list[str], base: str) -> tuple[ListedDocument, ...]:
    """Document links of list rows given as HTML fragments, with their titles."""
    documents = []
    for fragment in fragments:
        if not fragment.strip():
            continue
        for anchor in lxml_html.fragment_fromstring(fragment, create_parent="div").iter("a"):
            href = (anchor.get("href") or "").strip()
            if href and not href.startswith(("javascript:", "#")):
                title = anchor.get("title") or " ".join(anchor.text_content().split()) or None
                documents.append(ListedDocument(urljoin(base, href), title, row_date(anchor)))
    return tuple(documents)


def _window(base: str, proxy: str, referer: str, start: int, size: int, total: int,
            form: tuple[tuple[str, str], ...], perpage: int) -> ListReading:
    """The dataproxy window of `size` records from `start`, or the last-page verdict."""
    if start > total:
        return ListReading(total_records=total, last_page=True)
    end = min(start + size - 1, total)
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": perpage})
    request = ListRequest(f"{urljoin(base, proxy)}?{query}", method="POST", form=form,
                          headers=(("Referer", referer),), format="xml", family=NAME,
                          context=(("referer", referer),))
    return ListReading(next_requests=(request,), total_records=total)


def _datastore_page(page: ListPage) -> ListReading | None:
    """A column page with its inline datastore (the first window) and the jpage() call."""
    store = _DATASTORE.search(page.text)
    if store is None:
        return None
    records = _RECORD.findall(store.group(1))
    documents = _rows(records, page.base)
    found = {key: pattern.search(page.text) for key, pattern in _JPAGE.items()}
    nextgroup = _NEXTGROUP.search(store.group(1))
    if not (found["totalRecord"] and nextgroup):
        return ListReading(documents=documents, last_page=True, total_records=len(records))
    total = int(found["totalRecord"].group(1))
    perpage = int(found["perPage"].group(1)) if found["perPage"] else 15
    href = re.search(r"""href\s*=\s*["']([^"']+)""", nextgroup.group(1))
    query = dict(parse_qsl(urlsplit(href.group(1)).query)) if href else {}
    query.pop("page", None)
    form = tuple({"col": "1", **query}.items())
    proxy = found["proxyUrl"].group(1) if found["proxyUrl"] else (urlsplit(href.group(1)).path if href else DATAPROXY)
    window = len(records) or perpage * int(found["groupSize"].group(1) if found["groupSize"] else 3)
    reading = _window(page.base, proxy, page.url, len(records) + 1, window, total, form, perpage)
    return ListReading(documents=documents, next_requests=reading.next_requests, total_records=total,
                       last_page=reading.last_page)


def _dataproxy_answer(page: ListPage) -> ListReading:
    """A POST dataproxy.jsp answer: <datastore><totalrecord>…<recordset><record>…"""
    store = _DATASTORE.search(page.text)
    if store is None:
        kind = "an HTML page" if re.search(r"<html|<body", page.text, re.I) else "no <datastore>"
        raise ExtractionError(page.url, f"expected a Hanweb dataproxy <datastore> XML answer, got {kind}")
    total_m = _TOTAL_TAG.search(store.group(1))
    query = dict(parse_qsl(urlsplit(page.url).query))
    start, end = int(query.get("startrecord", 1)), int(query.get("endrecord", 0))
    perpage = int(query.get("perpage", 15))
    total = int(total_m.group(1)) if total_m else end
    documents = _rows(_RECORD.findall(store.group(1)), page.base)
    reading = _window(page.base, urlsplit(page.url).path, page.request.get("referer") or page.url,
                      end + 1, end - start + 1, total, page.request.form, perpage)
    return ListReading(documents=documents, next_requests=reading.next_requests, total_records=total,
                       last_page=reading.last_page)


def _jpaas_request(page: ListPage, query: dict[str, str], number: int, rows: int, count: int) -> ListRequest:
    params = {"parseType": "bulidstatic", "webId": query.get("webId", ""), "tplSetId": query.get("tplSetId", ""),
              "pageType": "column", "tagId": query.get("tagId", ""), "editType": "null",
              "pageId": query.get("pageId", ""),
              "paramJson": json.dumps({"pageNo": number, "pageSize": rows}, separators=(",", ":"))}
    context = (("count", str(count)), ("rows", str(rows)), ("page", str(number)), ("query", json.dumps(query)))
    return ListRequest(f"{urljoin(page.base, JPAAS_UNIT)}?{urlencode(params)}", format="json", family=NAME,
                       headers=(("Referer", page.request.get("referer") or page.url),),
                       context=(*context, ("referer", page.request.get("referer") or page.url)))


def _jpaas_next(page: ListPage, query: dict[str, str], number: int, rows: int, count: int,
                documents: tuple[ListedDocument, ...] = ()) -> ListReading:
    pages = math.ceil(count / rows) if rows else 1
    if number >= pages:
        return ListReading(documents=documents, total_records=count, total_pages=pages, last_page=True)
    return ListReading(documents=documents, next_requests=(_jpaas_request(page, query, number + 1, rows, count),),
                       total_records=count, total_pages=pages)


def _jpaas_page(page: ListPage) -> ListReading | None:
    """A JPaaS column page: its pager element carries count, rows, pageNo and queryData."""
    if page.root is None:
        return None
    for pager in page.root.xpath("//*[@querydata]"):
        query = dict(re.findall(r"""['"](\w+)['"]\s*:\s*['"]([^'"]*)['"]""", pager.get("querydata")))
        if "pageId" not in query:
            continue
        count, rows = int(pager.get("count") or 0), int(pager.get("rows") or 15)
        return _jpaas_next(page, query, int(pager.get("pageno") or 1), rows, count)
    return None


def _jpaas_answer(page: ListPage) -> ListReading:
    try:
        answer = json.loads(page.text)
        rows_html = answer["data"]["html"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ExtractionError(page.url, f"expected a JPaaS JSON answer with data.html: {exc}") from exc
    documents = _rows([rows_html or ""], page.base)
    query = json.loads(page.request.get("query") or "{}")
    return _jpaas_next(page, query, int(page.request.get("page") or 1), int(page.request.get("rows") or 15),
                       int(page.request.get("count") or 0), documents)


def read_list(page: ListPage) -> ListReading | None:
    if page.request.format == "xml":
        return _dataproxy_answer(page)
    if page.request.format == "json":
        return _jpaas_answer(page)
    return _datastore_page(page) or _jpaas_page(page)


FAMILY = Family(
    name=NAME,
    detail_urls=(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",      # /art/2025/1/16/art_1_2.html
                 r"/art/\d{4}/art_[0-9a-f]{32}\.html$"),                 # JPaaS /art/2025/art_<32 hex>.html
    url_dates=(re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),),
    find_container=find_container,
    read_list=read_list,
)
