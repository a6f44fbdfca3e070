"""Provincial 集约化 platforms: Chongqing (`createPage(count, current, "index", "html")`, 0-based;
.zwxl-content bodies), Shanghai (#ivs_content, `pagination({totalPage: N})`, 1-based, detail URLs
/YYYYMMDD/N.html and /YYYYMMDD/<32 hex>.html), Fujian .article_content …"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urljoin

from archive.families.base import (Container, DetailPage, Family, ListPage, ListReading, ListRequest,
                                   container_by_rules, numbered_page, pager_call)

NAME = "intensive"
RULES = ("#ivs_content", ".article_content", ".Article_content", ".pages_content", "#article_content",
         ".zwxl-content")
_SHANGHAI_PAGER = re.compile(r"\.pagination\s*\(\s*\{[^}]*?\btotalPage\s*:\s*['\"]?(\d+)", re.S)
_SHANGHAI_CURRENT = re.compile(r"\.pagination\s*\(\s*\{[^}]*?\bcurrentPage\s*:\s*['\"]?(\d+)", re.S)
_NUMBERED = re.compile(r"/(\w+?)_(\d+)\.(s?html?)$")
_YEAR_TEXT = re.compile(r"^\s*((?:19|20)\d{2})\s*年?\s*$")
_YEAR_BOX = re.compile(r"year|nian|nf|ndbg", re.I)
_FIRST = re.compile(r"/(\w+)\.(s?html?)$")


def _class_xpath(name: str) -> str:
    return f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"


def find_container(page: DetailPage) -> Container | None:
    return container_by_rules(page, RULES, NAME)


def year_archives(page: ListPage) -> tuple[ListRequest, ...]:
    """Shanghai columns split by year: anchors reading only a year (2024, 2024年) inside a
    year box, leading to that year's list pages under the same column."""
    if page.root is None:
        return ()
    column = page.base.rsplit("/", 1)[0].rsplit("/", 1)[0] + "/"
    found = []
    for anchor in page.root.iter("a"):
        href = (anchor.get("href") or "").strip()
        in_box = any(_YEAR_BOX.search(f"{node.get('class', '')} {node.get('id', '')}")
                     for node in anchor.iterancestors())
        if href and in_box and _YEAR_TEXT.match(anchor.text_content() or ""):
            url = urljoin(page.base, href)
            if url.startswith(column) and url.split("#")[0] != page.url:
                found.append(ListRequest(url))
    return tuple(found)


def read_list(page: ListPage) -> ListReading | None:
    years = year_archives(page)
    reading = _pager(page)
    if years:
        reading = reading or ListReading(last_page=True)
        return dataclasses.replace(reading, next_requests=(*years, *reading.next_requests))
    return reading


def _pager(page: ListPage) -> ListReading | None:
    call = pager_call(page.text, "createPage")   # Chongqing: 0-based, page 0 is index.html
    if call is not None:
        (count, current, *_), words = call
        if current + 1 >= count:
            return ListReading(total_pages=count, last_page=True)
        following = numbered_page(page.base, words[-2], current + 1, words[-1])
        return ListReading(next_requests=(ListRequest(following),), total_pages=count)
    pager = _SHANGHAI_PAGER.search(page.text)   # Shanghai: 1-based, page 2 is index_2.html
    if pager is not None:
        count = int(pager.group(1))
        current_m = _SHANGHAI_CURRENT.search(page.text)
        numbered = _NUMBERED.search(page.url.split("?")[0])
        current = int(current_m.group(1)) if current_m else int(numbered.group(2)) if numbered else 1
        if current >= count:
            return ListReading(total_pages=count, last_page=True)
        first = _FIRST.search(page.url.split("?")[0])
        prefix, ext = (numbered.group(1), numbered.group(3)) if numbered else \
            (first.group(1), first.group(2)) if first else ("index", "html")
        return ListReading(next_requests=(ListRequest(numbered_page(page.base, prefix, current + 1, ext)),),
                           total_pages=count)
    return None


FAMILY = Family(
    name=NAME,
    detail_urls=(r"/\d{8}/\d+\.s?html?$",                               # /20250319/1234.html
                 r"/\d{8}/[0-9a-f]{32}\.s?html?$"),                     # /20250319/<32 hex>.html
    url_dates=(re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),),
    title_xpaths=(_class_xpath("article_title"), _class_xpath("con-title")),
    find_container=find_container,
    read_list=read_list,
)
