"""Columns served by a JSON list API named in the registry (gov.cn's search-gov/data,
Guangdong's gkmlpt/api/all …): one page of rows -> document links and the next page."""

from __future__ import annotations

import dataclasses
import json
import math
from urllib.parse import urljoin

from archive.errors import ExtractionError
from archive.extract.dates import normalize_date
from archive.families.base import ListedDocument, ListPage, ListReading, ListRequest

NAME = "list-api"


@dataclasses.dataclass(frozen=True)
class ListApi:
    """Where a JSON list API keeps its rows: `url` has `{page}`; the others are JSON paths
    (`searchVO.listVO`) into the answer, or field names of a row."""

    url: str
    rows: str
    link: str = "url"
    title: str | None = "title"
    date: str | None = None
    total_pages: str | None = None
    total_records: str | None = None
    page_size: int | None = None
    first_page: int = 1

    def request(self, page: int) -> ListRequest:
        return ListRequest(self.url.replace("{page}", str(page)), format="json", family=NAME,
                           context=(("page", str(page)),))


def json_path(data: object, path: str) -> object:
    """`a.b.0.c` into parsed JSON; KeyError naming the missing step."""
    for step in path.split("."):
        if isinstance(data, list) and step.isdigit() and int(step) < len(data):
            data = data[int(step)]
        elif isinstance(data, dict) and step in data:
            data = data[step]
        else:
            raise KeyError(f"no {step!r} in the answer at {path!r}")
    return data


def _field(row: object, name: str | None) -> str | None:
    if not name:
        return None
    try:
        value = json_path(row, name)
    except KeyError:
        return None
    return str(value).strip() if value not in (None, "") else None


def read_list_api(page: ListPage, api: ListApi) -> ListReading:
    """The rows of one answer and the next page, as far as the answer says the column goes."""
    try:
        answer = json.loads(page.text)
        rows = json_path(answer, api.rows)
    except (ValueError, KeyError) as exc:
        raise ExtractionError(page.url, f"list API answer: {exc}") from exc
    if not isinstance(rows, list):
        raise ExtractionError(page.url, f"list API answer: {api.rows!r} is not a list of rows")
    documents = []
    for row in rows:
        link = _field(row, api.link)
        if link and "<" not in link and "\\" not in link:   # escaped HTML is never a URL
            documents.append(ListedDocument(urljoin(page.url, link), _field(row, api.title),
                                            normalize_date(_field(row, api.date))))
    number = int(page.request.get("page") or api.first_page)
    total_pages = _int(answer, api.total_pages)
    total_records = _int(answer, api.total_records)
    if total_pages is None and total_records is not None and api.page_size:
        total_pages = math.ceil(total_records / api.page_size)
    pages_seen = number - api.first_page + 1
    last = not rows or (total_pages is not None and pages_seen >= total_pages)
    following = () if last else (api.request(number + 1),)
    return ListReading(documents=tuple(documents), next_requests=following, total_records=total_records,
                       total_pages=total_pages, last_page=last)


def _int(answer: object, path: str | None) -> int | None:
    if not path:
        return None
    try:
        return int(json_path(answer, path))  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        return None
