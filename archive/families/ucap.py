"""开普云 UCAP (Jiangxi and other 集约化 platforms): /YYYYMM/<32 hex>.shtml documents,
<ucaptitle> headlines, bodies in <ucapcontent>, #zoomcon or #UCAP-CONTENT."""

from __future__ import annotations

from archive.families.base import Container, DetailPage, Family, container_by_rules

NAME = "ucap"
RULES = ("ucapcontent", "#zoomcon", "#UCAP-CONTENT")


def find_container(page: DetailPage) -> Container | None:
    return container_by_rules(page, RULES, NAME)


FAMILY = Family(
    name=NAME,
    detail_urls=(r"/\d{6}/[0-9a-f]{32}\.shtml$",                      # /202305/<32 hex>.shtml
                 r"/\d{4}/\d{1,2}/\d{1,2}/[0-9a-f]{32}\.shtml$"),      # /2025/1/16/<32 hex>.shtml
    title_xpaths=("//ucaptitle",),
    find_container=find_container,
)
