"""How a document's record becomes columns of `documents` and its full-text row: shared by the
crawl's writes (`archive.py`) and re-extraction's (`reextraction.py`)."""

from __future__ import annotations

import json

import sqlite_utils

from archive.extract.document import PageDocument
from archive.extract.page import Extracted
from archive.identity.keys import SearchTerms, search_terms
from archive.store.places import place_row

METADATA_COLUMNS = ("index_no", "doc_no", "topic", "genre", "publisher", "validity",
                    "written_date", "published_date", "source")


def metadata_row(db: sqlite_utils.Database, record: Extracted, portal: str) -> dict:
    """The columns a document's disclosure block decides: its metadata and its place."""
    return {
        **record.metadata.as_dict(),
        "region_code": record.region_code,
        "metadata_json": json.dumps(record.raw_metadata, ensure_ascii=False),
        "metadata_fields": record.metadata.completeness(),
        "dates_inconsistent": int(record.dates_inconsistent),
        **place_row(db, record, portal),
    }


def page_search_terms(page: PageDocument) -> SearchTerms:
    """The page's text's full-text row: computed ahead with its keys, or here."""
    return page.keys.search_terms if page.keys else search_terms(page.record.title, page.text)
