"""Text normalisation and content hashes for exact de-duplication."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """NFKC (full-width -> half-width) with all white space removed."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def text_hash(text: str) -> str:
    """SHA-256 hex of the normalised text: equal for one report printed on two portals."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()
