"""The keys by which the archive finds a text: its exact hash (the same report elsewhere), its
MinHash signature (near-duplicates) and its character pairs (full-text search).

Computing them is most of what storing a new document costs in CPU, and none of it needs the
archive, so the crawl computes them where the page is extracted, in a worker process
(`text_keys`), and the store only writes them.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import re

from archive.identity.hashing import text_hash
from archive.identity.minhash import MinHasher, to_blob

RUN = re.compile(r"[^\W_]+")   # a run of letters and digits: what pairs are made of

SearchTerms = tuple[str, str]   # a document's (title, text) as the full-text index holds them


def pairs(text: str) -> str:
    """The runs of letters and digits in `text` as overlapping character pairs, lowercased and
    space-separated (a run of one character is itself): 法治政府 -> 法治 治政 政府."""
    tokens = []
    for run in RUN.findall(text.lower()):
        tokens.append(run if len(run) == 1 else " ".join(map(operator.add, run, run[1:])))
    return " ".join(tokens)


def search_terms(title: str | None, text: str | None) -> SearchTerms:
    return pairs(title or ""), pairs(text or "")


@dataclasses.dataclass(frozen=True)
class TextKeys:
    """A document's keys, computed from its title and text before it reaches the archive."""

    text_hash: str
    signature: bytes           # MinHash under the archive's index settings (minhash.to_blob)
    search_terms: SearchTerms


@functools.cache
def index_hasher() -> MinHasher:
    """The MinHasher of the archive's index settings (the threshold never changes a signature)."""
    return MinHasher()


def text_keys(title: str | None, text: str) -> TextKeys:
    return TextKeys(text_hash(text), to_blob(index_hasher().signature(text)), search_terms(title, text))
