"""Fields derived from a record: administrative region from 索引号, report year from title."""

from __future__ import annotations

import re

# Unified social credit code: 2 registration chars, 6-digit division code, 9 + 1 more chars.
_USCC = re.compile(r"^([0-9A-HJ-NP-RTUWXY]{2})(\d{6})([0-9A-HJ-NP-RTUWXY]{10})(?![0-9A-Z])")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_BARE_YEAR = re.compile(r"(?<![\d.\-/])((?:19|20)\d{2})(?![\d.\-/])")


def region_code(index_no: str | None) -> str | None:
    """The 6-digit division code inside an 索引号 that opens with an 18-char credit code."""
    if not index_no:
        return None
    match = _USCC.match(index_no.strip().upper())
    return match.group(2) if match else None


def report_year(title: str | None) -> int | None:
    """The year a report covers: the first `YYYY年` in its title (关于2024年度… -> 2024), else a
    lone four-digit year (2024法治政府建设报告), never part of a date or a number."""
    if not title:
        return None
    match = _YEAR.search(title) or _BARE_YEAR.search(title)
    return int(match.group(1)) if match else None
