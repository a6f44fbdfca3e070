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
_PLAUSIBLE = re.compile("[\x20-\x7e\xa0-\xff\u2000-\u206f\u2100-\u27bf\u3000-\u303f\u3400-\u4dbf"
                        "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
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
        text = body.decode("utf-16", "replace")
        if not plausible_text(text):
            raise DecodeError(source, "bytes open with a UTF-16 byte-order mark but do not read as UTF-16 text "
                                      "(mostly unassigned or non-Chinese characters); not a page")
        return _parseable(text), "utf-16"
    declared = declared_charset(body, content_type)
    tried: list[str] = []
    for encoding in [declared, "utf-8", "gb18030"]:
        if not encoding or encoding in tried:
            continue
        tried.append(encoding)
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == declared or encoding == "utf-8" or plausible_text(text):
            return _parseable(text), encoding
        raise DecodeError(source, "bytes decode as GB18030 only into implausible characters; cannot decode the page")
    raise DecodeError(source, f"bytes are not valid {' / '.join(tried)}; cannot decode the page")


def plausible_text(text: str) -> bool:
    """True when at most a fifth of the visible characters are outside what Chinese pages
    print (ASCII, CJK ideographs and punctuation, full-width forms, Latin-1, common symbols)."""
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return True
    odd = sum(1 for c in visible if not _PLAUSIBLE.match(c))
    return odd <= len(visible) / 5
