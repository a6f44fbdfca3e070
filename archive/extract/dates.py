"""Date strings as printed on portals -> ISO `YYYY-MM-DD`."""

from __future__ import annotations

import datetime as dt
import re

_NUMERIC = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})(?!\d)"
)
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DATE = re.compile(r"([〇○零Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
                      r"\s*([一二三四五六七八九十]{1,3})\s*日")


def _cn_small_number(text: str) -> int:
    """一..三十一 -> int (month or day numerals)."""
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def iso_date(year: int, month: int, day: int) -> str | None:
    """YYYY-MM-DD, or None when there is no such day."""
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def normalize_date(text: str | None) -> str | None:
    """The first valid date in `text` as YYYY-MM-DD, or None.

    Reads 2025-01-16, 2025年01月16日, 2025.03.19, 2025/1/16 10:30 and 二〇二五年一月十六日.
    """
    if not text:
        return None
    for match in _NUMERIC.finditer(text):
        iso = iso_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if iso:
            return iso
    for match in _CN_DATE.finditer(text):
        year = int("".join(str(_CN_DIGITS[c]) for c in match.group(1)))
        iso = iso_date(year, _cn_small_number(match.group(2)), _cn_small_number(match.group(3)))
        if iso:
            return iso
    return None
