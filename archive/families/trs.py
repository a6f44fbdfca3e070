"""TRS WCM: /YYYYMM/tYYYYMMDD_N.html documents, bodies in .TRS_Editor, pagers createPageHTML
(4 arguments, 0-based; 6 arguments, 1-based) and the countPage/currentPage template."""

from __future__ import annotations

import re

from archive.families.base import (Container, DetailPage, Family, ListPage, ListReading, ListRequest,
                                   container_by_rules, numbered_page, pager_call)

NAME = "trs"
RULES = (".TRS_Editor", ".TRS_UEDITOR", ".trs_paper_default", ".Custom_UnionStyle", ".TRS_PreAppend")
_COUNT = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
_CURRENT = re.compile(r"\bcurrentPage\s*=\s*['\"]?(\d+)")
# the countPage template builds page URLs in its script: "index"+"_" + n + "."+"shtml"
_JOINED_LITERALS = re.compile(r"""["']\s*\+\s*["']""")
_TEMPLATE_PAGE = re.compile(r"""["']([A-Za-z]\w*?)_["']\s*\+\s*\w+\s*\+\s*["']\.(s?html?)\b""")


def find_container(page: DetailPage) -> Container | None:
    return container_by_rules(page, RULES, NAME)


def read_list(page: ListPage) -> ListReading | None:
    """Where this page stands in its column, and the page after it."""
    call = pager_call(page.text, "createPageHTML")
    if call is not None:
        numbers, words = call
        if len(words) >= 3:   # ('page_div', count, current, prefix, ext, records): 1-based
            count, current, prefix, ext = numbers[0], max(numbers[1], 1), words[-2], words[-1]
            total = numbers[2] if len(numbers) >= 3 else None
            following = current + 1 if current < count else None
        else:                 # (count, current, prefix, ext): 0-based, page 0 is index.html
            count, current, prefix, ext = numbers[0], numbers[1], words[-2], words[-1]
            total = None
            following = current + 1 if current + 1 < count else None
        return _reading(page, count, following, prefix, ext, total)
    count_m, current_m = _COUNT.search(page.text), _CURRENT.search(page.text)
    if count_m and current_m:
        count, current = int(count_m[1]), int(current_m[1])
        template = _TEMPLATE_PAGE.search(_JOINED_LITERALS.sub("", page.text))
        prefix, ext = (template.group(1), template.group(2)) if template else ("index", "html")
        return _reading(page, count, current + 1 if current + 1 < count else None, prefix, ext, None)
    return None


def _reading(page: ListPage, count: int, following: int | None, prefix: str, ext: str,
             total: int | None) -> ListReading:
    if following is None:
        return ListReading(total_pages=count, total_records=total, last_page=True)
    request = ListRequest(numbered_page(page.base, prefix, following, ext))
    return ListReading(next_requests=(request,), total_pages=count, total_records=total)


FAMILY = Family(
    name=NAME,
    detail_urls=(r"/\d{6}/t\d{8}_\d+\.s?html?$",),                 # /202501/t20250116_123.html
    url_dates=(re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),),
    find_container=find_container,
    read_list=read_list,
)
