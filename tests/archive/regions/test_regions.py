"""Divisions from the shipped GB/T 2260 data: codes (current, retired, unknown), places named at
the start of a text, and publisher names normalised to one issuer."""

from __future__ import annotations

import pytest

from archive.regions.divisions import divisions
from archive.regions.issuers import issuer_of, place_of


def test_a_current_code_resolves_with_its_names_by_level() -> None:
    found = divisions().resolve("500101")
    assert (found.status, found.division.full_name) == ("current", "重庆市万州区")
    names = divisions().lineage(divisions().get("410423102"))
    assert names == {"province": "河南省", "prefecture": "平顶山市", "county": "鲁山县", "township": "梁洼镇"}


@pytest.mark.parametrize(("code", "successor"), [("110228", "110118"),   # 密云县 -> 密云区
                                                  ("500222", "500110"),   # 綦江县 -> 綦江区
                                                  ("130103", "130100")])  # 桥东区 (石家庄) merged: its city
def test_a_retired_code_resolves_to_its_successor(code: str, successor: str) -> None:
    found = divisions().resolve(code)
    assert (found.status, found.division.code) == ("retired", successor)


def test_a_code_not_in_the_divisions_is_unknown_and_places_nothing() -> None:
    assert divisions().resolve("999999").status == "unknown"
    place = place_of(divisions(), "999999", None, "关于2024年度法治政府建设情况的报告", None)
    assert (place.status, place.division, place.issuer) == ("unknown", None, None)


def test_places_are_read_from_the_start_of_a_name_and_ambiguous_ones_are_not_guessed() -> None:
    places, rest = divisions().leading_places("重庆市万州区后山镇人民政府")
    assert [d.code for d in places] == ["500000", "500101", "500101146"] and rest == "人民政府"
    assert divisions().leading_places("朝阳区司法局")[0] == []   # 北京 and 长春 both have one


@pytest.mark.parametrize("name", ["重庆市万州区后山镇人民政府", "万州区后山镇", "后山镇", "重庆万州区后山镇人民政府"])
def test_every_form_of_a_township_s_name_is_one_issuer(name: str) -> None:
    issuer = issuer_of(name, divisions(), divisions().get("500101"))
    assert (issuer.name, issuer.level, issuer.region_code) == ("后山镇", "township", "500101146")


@pytest.mark.parametrize(("name", "expected"), [
    ("上海市青浦区人民政府", ("青浦区", "county", "310118")),
    ("万州区司法局", ("司法局", "department", "500101")),
    ("鲁山县梁洼镇人民政府", ("梁洼镇", "township", "410423102")),
    ("鲁山县某某街道办事处", ("某某街道", "township", "410423")),   # not in the data: kept at its county
])
def test_an_issuer_keeps_what_kind_of_body_it_is(name: str, expected: tuple) -> None:
    issuer = issuer_of(name, divisions())
    assert (issuer.name, issuer.level, issuer.region_code) == expected


def test_the_index_code_is_trusted_before_the_name_and_the_name_before_the_portal() -> None:
    regions = divisions()
    narrowed = place_of(regions, "500101", "万州区后山镇", None, "500111")
    assert (narrowed.division.code, narrowed.source) == ("500101146", "index_no")
    elsewhere = place_of(regions, "500101", "大足区雍溪镇", None, None)   # the name contradicts the code
    assert elsewhere.division.code == "500101" and elsewhere.issuer.region_code == "500111113"
    by_title = place_of(regions, None, None, "海东市乐都区蒲台乡2020年度法治政府建设工作报告", None)
    assert (by_title.division.code, by_title.source) == ("630202207", "issuer")
    by_portal = place_of(regions, None, None, "2024年度法治政府建设情况报告", "500101")
    assert (by_portal.division.code, by_portal.source, by_portal.issuer) == ("500101", "portal", None)
