"""Provincial 集约化 templates (Shanghai #ivs_content with /YYYYMMDD/N.html documents, Fujian
.article_content, Chongqing .zwxl-content …)."""

from __future__ import annotations

import re

from archive.families.base import Container, DetailPage, Family, container_by_rules

NAME = "intensive"
RULES = ("#ivs_content", ".article_content", ".Article_content", ".pages_content", "#article_content",
         ".zwxl-content")


def _class_xpath(name: str) -> str:
    return f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"


def find_container(page: DetailPage) -> Container | None:
    return container_by_rules(page, RULES, NAME)


FAMILY = Family(
    name=NAME,
    detail_urls=(r"/\d{8}/\d+\.s?html?$",),                          # /20250319/1234.html
    url_dates=(re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),),
    title_xpaths=(_class_xpath("article_title"), _class_xpath("con-title")),
    find_container=find_container,
)
