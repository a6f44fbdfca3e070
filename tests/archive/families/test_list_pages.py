"""List pages and list answers per family: every <family>/lists/<case>.json names its input (the
file of the same stem, or `input`), the request that fetched it, and what the listing must be."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.errors import ExtractionError
from archive.extract.decode import decode_html
from archive.extract.listing import parse_listing
from archive.families.base import ListRequest
from tests.support import PAGES

CASES = sorted(PAGES.glob("*/lists/*.json"))


def load(case: Path) -> tuple[str, ListRequest, dict]:
    expected = json.loads(case.read_text(encoding="utf-8"))
    source = case.parent / expected["input"] if "input" in expected else \
        next(p for p in case.parent.glob(f"{case.stem}.*") if p.suffix != ".json")
    text, _ = decode_html(source.read_bytes())
    wanted = expected.get("request", {})
    request = ListRequest(expected["url"], method=wanted.get("method", "GET"),
                          form=tuple(wanted.get("form", {}).items()), format=wanted.get("format", "html"),
                          family=wanted.get("family"), context=tuple(wanted.get("context", {}).items()))
    return text, request, expected


def test_every_family_with_a_pager_has_list_fixtures() -> None:
    assert {case.parent.parent.name for case in CASES} >= {"trs", "hanweb", "intensive"}


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_list_page_reads_as_expected(case: Path) -> None:
    text, request, expected = load(case)
    if "error" in expected:
        with pytest.raises(ExtractionError, match=expected["error"]) as raised:
            parse_listing(text, request.url, request=request)
        assert raised.value.url == request.url
        return
    listing = parse_listing(text, request.url, request=request)
    assert [[d.url, d.title, d.date] for d in listing.documents] == expected["documents"]
    assert [r.as_dict() for r in listing.next_requests] == expected["next_requests"]
    assert (listing.total_records, listing.total_pages, listing.last_page, listing.family) == \
        (expected["total_records"], expected["total_pages"], expected["last_page"], expected["family"])
