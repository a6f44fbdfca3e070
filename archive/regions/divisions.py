"""China's administrative divisions (GB/T 2260 and the 9-digit township codes), read from
`divisions.tsv.gz` (`make_data.py` builds it; sources, licences and dates in `NOTICE.md`):
codes to names and back, retired codes to their successors, and places named at the start of
a text (重庆市万州区后山镇人民政府 -> 重庆市, 万州区, 后山镇). Pure: no database."""

from __future__ import annotations

import dataclasses
import functools
import gzip
from pathlib import Path

DATA = Path(__file__).with_name("divisions.tsv.gz")
LEVELS = ("province", "prefecture", "county", "township")
# prefecture-level rows that group counties without being a place: no name in a full name
GROUPINGS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
_ALIAS_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市")
_LONGEST_NAME = 20


@dataclasses.dataclass(frozen=True, slots=True)
class Division:
    code: str                      # 6 digits (province 500000, prefecture 500100, county 500101) or 9
    name: str
    level: str                     # one of LEVELS
    parent: str | None
    full_name: str                 # 重庆市万州区后山镇 (groupings such as 市辖区 left out)
    successor: str | None = None   # a retired code: the current division that took its place

    @property
    def scope(self) -> str:
        """The prefix every code inside this division starts with."""
        return self.code if self.level == "township" else \
            self.code[:2] if self.level == "province" else self.code[:4] if self.level == "prefecture" else self.code

    def contains(self, other: Division) -> bool:
        return other.code != self.code and other.code.startswith(self.scope) and \
            LEVELS.index(other.level) > LEVELS.index(self.level)


def level_of(code: str) -> str:
    if len(code) == 9:
        return "township"
    return "province" if code.endswith("0000") else "prefecture" if code.endswith("00") else "county"


@dataclasses.dataclass(frozen=True)
class Resolution:
    """What a code resolves to: `status` current, retired (then `division` is its successor) or
    unknown (no division; the code is kept as given)."""

    code: str
    status: str
    division: Division | None


class Divisions:
    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        current = {code for code, _, successor in rows if not successor}
        full: dict[str, str] = {}
        self.by_code: dict[str, Division] = {}
        self.by_name: dict[str, list[Division]] = {}
        # parents before children (a province, its prefectures, counties, townships), current first
        for code, name, successor in sorted(rows, key=lambda row: (bool(row[2]), LEVELS.index(level_of(row[0])))):
            level = level_of(code)
            parent = next((c for c in _parents(code) if c in current), None)
            own = "" if name in GROUPINGS else name
            division = Division(code, name, level, parent, (full[parent] if parent else "") + own, successor or None)
            self.by_code[code] = division
            if not successor:
                full[code] = division.full_name
                if own:
                    for alias in self._names(division):
                        self.by_name.setdefault(alias, []).append(division)

    @staticmethod
    def _names(division: Division) -> set[str]:
        """A division's name, and for provinces and prefectures the short form (重庆, 广西)."""
        names = {division.name}
        if division.level in ("province", "prefecture"):
            for suffix in _ALIAS_SUFFIXES:
                if division.name.endswith(suffix) and len(division.name) - len(suffix) >= 2:
                    names.add(division.name[: -len(suffix)])
                    break
        return names

    def get(self, code: str) -> Division | None:
        return self.by_code.get(code)

    def resolve(self, code: str) -> Resolution:
        """A code as found (索引号, registry): current, retired (with its successor), or unknown."""
        division = self.by_code.get(code)
        if division is None:
            return Resolution(code, "unknown", None)
        if division.successor is None:
            return Resolution(code, "current", division)
        return Resolution(code, "retired", self.by_code[division.successor])

    def lineage(self, division: Division | None) -> dict[str, str | None]:
        """The names of the division and those above it, for every level (None where it has
        none: groupings such as 市辖区 are left out, a county has no township)."""
        found: dict[str, str | None] = dict.fromkeys(LEVELS)
        node = division
        while node is not None:
            if node.name not in GROUPINGS:
                found[node.level] = node.name
            node = self.by_code.get(node.parent) if node.parent else None
        return found

    def leading_places(self, text: str, within: Division | None = None) -> tuple[list[Division], str]:
        """The divisions named one after another at the start of `text`, each inside the one
        before (and all inside `within`), and the rest of the text. A name only counts when it
        names one division there (朝阳区 alone names two)."""
        places: list[Division] = []
        rest = text
        while rest:
            inside = places[-1] if places else within
            step = self._leading(rest, inside, township_ok=inside is not None)
            if step is None:
                break
            division, length = step
            places.append(division)
            rest = rest[length:]
        return places, rest

    def _leading(self, text: str, inside: Division | None, township_ok: bool) -> tuple[Division, int] | None:
        for length in range(min(len(text), _LONGEST_NAME), 1, -1):
            candidates = [d for d in self.by_name.get(text[:length], ())
                          if (inside is None or inside.contains(d)) and (township_ok or d.level != "township")]
            if len(candidates) == 1:
                return candidates[0], length
            if candidates:
                return None   # ambiguous here: do not guess
        return None


def _parents(code: str) -> list[str]:
    """Codes that may be the parent of `code`, nearest first."""
    if len(code) == 9:
        return [code[:6], code[:4] + "00", code[:2] + "0000"]
    level = level_of(code)
    if level == "county":
        return [code[:4] + "00", code[:2] + "0000"]
    return [code[:2] + "0000"] if level == "prefecture" else []


@functools.cache
def divisions() -> Divisions:
    """The shipped divisions, read once per process (~0.3 s)."""
    with gzip.open(DATA, "rt", encoding="utf-8") as lines:
        rows = [tuple(line.rstrip("\n").split("\t")) for line in lines]
    return Divisions(rows)   # type: ignore[arg-type]
