"""Bytes -> str for Chinese government pages: UTF-8 and the GB family, declared or not."""

from __future__ import annotations

import codecs
import re

from archive.errors import DecodeError

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# NUL and other C0 controls (tab, newline, carriage return aside) make lxml refuse a string.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)

# gb2312 and gbk labels are nearly always GBK (or wider) bytes in practice; GB18030 is a
# strict superset of both, so decoding with it never turns a valid page into mojibake.
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
          "csgb2312": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030"}


def _canonical(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return _WIDEN.get(name, _WIDEN.get(label.strip().lower(), name))


def declared_charset(body: bytes, content_type: str | None = None) -> str | None:
    """The charset named by the Content-Type header, else by the page's first <meta>."""
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        if match and _canonical(match.group(1)):
            return _canonical(match.group(1))
    match = _META_CHARSET.search(body[:4096])
    if match:
        return _canonical(match.group(1).decode("ascii", "ignore"))
    return None


def _parseable(text: str) -> str:
    """Drop what lxml refuses in a decoded string: an XML declaration naming an encoding
    (XHTML pages start with one) and control characters."""
    return _CONTROL.sub("", _XML_DECLARATION.sub("", text, count=1))


def decode_html(body: bytes, content_type: str | None = None, *, source: str = "page") -> tuple[str, str]:
    """Decode a page and say which encoding did it.

    Order: a byte-order mark, the declared charset (gb2312/gbk widened to gb18030), then
    UTF-8, then GB18030. Each is tried strictly, so a wrong label cannot produce mojibake.
    Raises DecodeError naming `source` when no candidate decodes the bytes.
    """
    if body.startswith(codecs.BOM_UTF8):
        return _parseable(body[len(codecs.BOM_UTF8):].decode("utf-8", "replace")), "utf-8"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _parseable(body.decode("utf-16", "replace")), "utf-16"
    candidates = [declared_charset(body, content_type), "utf-8", "gb18030"]
    tried: list[str] = []
    for encoding in candidates:
        if not encoding or encoding in tried:
            continue
        tried.append(encoding)
        try:
            return _parseable(body.decode(encoding)), encoding
        except UnicodeDecodeError:
            continue
    raise DecodeError(source, f"bytes are not valid {' / '.join(tried)}; cannot decode the page")
