"""TRS WCM: /YYYYMM/tYYYYMMDD_N.html documents, bodies in .TRS_Editor, createPageHTML pagers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin

from archive.families.base import Container, DetailPage, Family, ListPage, container_by_rules

NAME = "trs"
RULES = (".TRS_Editor", ".TRS_UEDITOR", ".trs_paper_default", ".Custom_UnionStyle", ".TRS_PreAppend")
_PAGER_CALL = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_COUNT = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
_CURRENT = re.compile(r"\bcurrentPage\s*=\s*['\"]?(\d+)")
_PAGE_EXT = re.compile(r"s?html?|jsp|php")


def find_container(page: DetailPage) -> Container | None:
    return container_by_rules(page, RULES, NAME)


def pager_arguments(html_text: str) -> tuple[int, int, str, str] | None:
    """(count, current, prefix, ext) of a createPageHTML call, in any of its shapes:
    (5, 0, "index", "html"), ("page_div", 5, 0, "index", "shtml", 98) or
    (countPage, currentPage, "index", "html") with the variables set elsewhere in the page."""
    for call in _PAGER_CALL.finditer(html_text):
        numbers: list[int] = []
        words: list[str] = []
        for raw in call.group(1).split(","):
            token = raw.strip().strip("'\"")
            if token.isdigit():
                numbers.append(int(token))
            elif re.fullmatch(r"[A-Za-z_]\w*", raw.strip()):  # a JavaScript variable
                value = re.search(rf"\b{re.escape(raw.strip())}\s*=\s*['\"]?(\d+)", html_text)
                if value:
                    numbers.append(int(value.group(1)))
            elif token:
                words.append(token)
        if len(numbers) >= 2 and len(words) >= 2 and _PAGE_EXT.fullmatch(words[-1]):
            return numbers[0], numbers[1], words[-2], words[-1]
        if len(numbers) >= 2 and len(words) >= 3 and _PAGE_EXT.fullmatch(words[2]):
            return numbers[0], numbers[1], words[1], words[2]
    return None


def next_list_pages(page: ListPage) -> Iterable[str]:
    """The page after this one: createPageHTML(count, current, "index", "html") or the
    countPage/currentPage variables -> index_{current+1}.html (the first page is index.html)."""
    arguments = pager_arguments(page.html_text)
    if arguments:
        count, current, prefix, ext = arguments
    else:
        count_m, current_m = _COUNT.search(page.html_text), _CURRENT.search(page.html_text)
        if not (count_m and current_m):
            return []
        count, current, prefix, ext = int(count_m[1]), int(current_m[1]), "index", "html"
    if current + 1 >= count:
        return []
    return [urljoin(page.base, f"{prefix}_{current + 1}.{ext}")]


FAMILY = Family(
    name=NAME,
    detail_urls=(r"/\d{6}/t\d{8}_\d+\.s?html?$",),                 # /202501/t20250116_123.html
    url_dates=(re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),),
    find_container=find_container,
    next_list_pages=next_list_pages,
)
