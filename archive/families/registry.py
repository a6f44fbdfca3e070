"""The CMS family registry: `FAMILIES` lists one `Family` per module, `generic` last.

Extraction and the spider ask the families here and hold no family knowledge themselves:
containers are tried in this order (the first that finds a body wins; generic always does),
detail-URL shapes, URL dates, headline rules and list-page rules are the union in this order.
Adding a family: a module defining `FAMILY` (see `base.Family`), listed below before generic.
"""

from __future__ import annotations

import re

from archive.extract.dates import iso_date
from archive.families import generic, hanweb, intensive, trs, ucap
from archive.families.base import Container, DetailPage, Family

FAMILIES: tuple[Family, ...] = (trs.FAMILY, hanweb.FAMILY, ucap.FAMILY, intensive.FAMILY, generic.FAMILY)

DETAIL_URL_PATTERNS: tuple[str, ...] = tuple(p for family in FAMILIES for p in family.detail_urls)
URL_DATES: tuple[re.Pattern, ...] = tuple(p for family in FAMILIES for p in family.url_dates)
TITLE_XPATHS: tuple[str, ...] = tuple(x for family in FAMILIES for x in family.title_xpaths)


def find_container(page: DetailPage) -> Container:
    """The body of a page by the first family that recognises it (generic: always)."""
    for family in FAMILIES:
        container = family.find_container(page)
        if container is not None:
            return container
    raise AssertionError("the generic family always returns a container")  # pragma: no cover


def family_named(name: str) -> Family:
    """The family called `name`; KeyError naming the known ones when there is none."""
    for family in FAMILIES:
        if family.name == name:
            return family
    raise KeyError(f"no CMS family named {name!r} (known: {', '.join(f.name for f in FAMILIES)})")


def date_from_url(url: str) -> str | None:
    """The publication date a family's URL scheme carries (TRS t20250116_, Hanweb
    /art/2025/1/16/, dated folders), or None."""
    for pattern in URL_DATES:
        match = pattern.search(url)
        if match:
            iso = iso_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            if iso:
                return iso
    return None
