"""The body a report belongs to, from the name it is published under: 重庆市万州区后山镇人民政府,
万州区后山镇 and 后山镇 (on 万州区's portal) are one issuer, 后山镇 in 500101146. Region names at
the start and the 人民政府 / 办事处 endings are dropped; what the body is (镇, 乡, 街道, 县, 区, or
a department such as 司法局) is kept. Pure: the divisions are passed in."""

from __future__ import annotations

import dataclasses
import re

from archive.regions.divisions import LEVELS, Division, Divisions

# endings that name the government of a place rather than a body of its own
_GOVERNMENT = re.compile(r"(人民政府|政府|办事处|管委会)$")
_TOWNSHIP = re.compile(r"(镇|乡|街道|苏木)$")
_COUNTY = re.compile(r"(县|区|旗|市)$")
_NOISE = re.compile(r"[\s\u3000（(][^）)]*样例[^）)]*[）)]|[\s\u3000]+")   # spaces; （样例） marks


@dataclasses.dataclass(frozen=True)
class Issuer:
    name: str               # 后山镇, 青浦区, 司法局
    level: str              # province, prefecture, county, township or department
    region_code: str | None  # where it is: its own division, or the one a department belongs to
    full_name: str          # 重庆市万州区后山镇, 重庆市万州区司法局


def issuer_of(name: str | None, regions: Divisions, within: Division | None = None) -> Issuer | None:
    """The issuer `name` names, read inside `within` (the document's region from its 索引号, or
    its portal's) when it names no place of its own; None for an empty name."""
    cleaned = _GOVERNMENT.sub("", _NOISE.sub("", name or ""))
    if cleaned.endswith("街道办"):
        cleaned = cleaned[:-1]
    if not cleaned:
        return None
    places, rest = regions.leading_places(cleaned)
    if within is not None and (not places or not _inside(places[-1], within)):
        inner, inner_rest = regions.leading_places(cleaned, within)
        if inner or not places:
            places, rest = [within, *inner], inner_rest
    place = places[-1] if places else None
    prefix = place.full_name if place else ""
    if not rest:
        if place is None:
            return None
        return Issuer(place.name, place.level, place.code, place.full_name)
    if _TOWNSHIP.search(rest) and (place is None or LEVELS.index(place.level) < LEVELS.index("township")):
        level = "township"     # a township the divisions do not list (renamed, or newer than the data)
    elif place is None and _COUNTY.search(rest):
        level = "county"
    else:
        level = "department"
    return Issuer(rest, level, place.code if place else None, prefix + rest)


def _inside(place: Division, within: Division) -> bool:
    return place.code == within.code or within.contains(place) or place.contains(within)


@dataclasses.dataclass(frozen=True)
class Place:
    """Where a document belongs: its issuer, its most precise division, how sure that is."""

    issuer: Issuer | None
    division: Division | None
    status: str | None   # the 索引号 code: current, retired (mapped to its successor), unknown; None: no code
    source: str | None   # what placed it: index_no, issuer, portal


def place_of(regions: Divisions, index_code: str | None, publisher: str | None, title: str | None,
             portal_region: str | None) -> Place:
    """Resolve a document's place from the code in its 索引号, its issuer's name (the publisher,
    else the places its title opens with) and its portal's region, in that order of trust: a
    place only narrows what a more trusted one says. A code not in the divisions is reported
    `unknown` and places nothing (it is kept in `region_code`, never guessed)."""
    resolution = regions.resolve(index_code) if index_code else None
    division = resolution.division if resolution else None
    source = "index_no" if division else None
    portal = regions.get(portal_region) if portal_region else None
    issuer = issuer_of(publisher, regions, division or portal)
    if issuer is None and title:
        places, _ = regions.leading_places(_NOISE.sub("", title))
        if places and places[-1].level in ("county", "township"):
            issuer = Issuer(places[-1].name, places[-1].level, places[-1].code, places[-1].full_name)
    found = regions.get(issuer.region_code) if issuer and issuer.region_code else None
    if found is not None and (division is None or division.contains(found)):
        division, source = found, source or "issuer"
    if division is None and portal is not None:
        division, source = portal, "portal"
    return Place(issuer, division, resolution.status if resolution else None, source)
