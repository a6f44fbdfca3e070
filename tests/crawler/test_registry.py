"""Portal registry validation: every problem names the portal and the key."""

from __future__ import annotations

import re

import pytest

from archive.errors import RegistryError
from crawler.registry import PORTAL_KEYS, host_allowed, load_registry, parse_registry, select_portals
from tests.support import ROOT


GOOD = """
[[portal]]
name = "cq-wanzhou-houshan"
title = "重庆市万州区后山镇人民政府"
start_urls = ["http://www.example.gov.cn/bmjz_89642/jz/hsz_95462/zwgk_95466/zfxxgkml/fzzfjsndbg/"]
allowed_domains = ["www.example.gov.cn"]
detail_url = 't\\d{8}_\\d+\\.s?html?$'
max_list_pages = 30
schedule = "0 3 * * *"
"""


def test_full_entry_parses_into_a_portal() -> None:
    (portal,) = parse_registry(GOOD)
    assert portal.name == "cq-wanzhou-houshan"
    assert portal.allowed_domains == ("www.example.gov.cn",)
    assert portal.max_list_pages == 30
    assert portal.schedule == "0 3 * * *"


def test_defaults_allowed_domains_from_start_urls() -> None:
    (portal,) = parse_registry('[[portal]]\nname = "a"\nstart_urls = ["https://x.example.gov.cn/l/", "http://y.example.gov.cn/"]')
    assert portal.allowed_domains == ("x.example.gov.cn", "y.example.gov.cn")
    assert portal.max_list_pages == 30 and portal.detail_url is None
    assert host_allowed("https://x.example.gov.cn/a/t20250101_1.html", portal)
    assert not host_allowed("https://evil.example.com/x", portal)


@pytest.mark.parametrize("change, key", [
    (('name = "cq-wanzhou-houshan"', 'name = "cq-wanzhou-houshan"\nfrequency = 3'), "frequency"),
    (("detail_url = 't\\d{8}_\\d+\\.s?html?$'", "detail_url = 't(\\d{8}'"), "detail_url"),
    (('start_urls = ["http://www.example.gov.cn', 'start_urls = ["ftp://www.example.gov.cn'), "start_urls"),
    (('start_urls = ["http://www.example.gov.cn/bmjz_89642/jz/hsz_95462/zwgk_95466/zfxxgkml/fzzfjsndbg/"]', ""),
     "start_urls"),
    (("max_list_pages = 30", "max_list_pages = 0"), "max_list_pages"),
    (('schedule = "0 3 * * *"', 'schedule = "every night"'), "schedule"),
    (('allowed_domains = ["www.example.gov.cn"]', 'allowed_domains = ["www.other.gov.cn"]'), "allowed_domains"),
    (('name = "cq-wanzhou-houshan"', 'name = "Bad Name"'), "name"),
])
def test_bad_entry_names_portal_and_key(change: tuple[str, str], key: str) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(RegistryError, match=f"key '{key}'"):
        parse_registry(text, source="portals.toml")


def test_duplicate_name_is_refused() -> None:
    with pytest.raises(RegistryError, match="'cq-wanzhou-houshan': key 'name': duplicate"):
        parse_registry(GOOD + GOOD)


def test_bad_toml_and_missing_file() -> None:
    with pytest.raises(RegistryError, match="not valid TOML"):
        parse_registry("[[portal]\nname=")
    with pytest.raises(RegistryError, match="cannot read"):
        load_registry("/nonexistent/portals.toml")


def test_select_unknown_portal() -> None:
    portals = parse_registry(GOOD)
    with pytest.raises(RegistryError, match="no portal named 'nope'"):
        select_portals(portals, ["nope"])
    assert select_portals(portals, []) == portals


def test_sunday_may_be_written_0_or_7() -> None:
    for weekday in ("0", "7", "5-7", "sun"):
        (portal,) = parse_registry(GOOD.replace('schedule = "0 3 * * *"', f'schedule = "0 3 * * {weekday}"'))
        assert portal.schedule.endswith(weekday)
    with pytest.raises(RegistryError, match="key 'schedule'"):
        parse_registry(GOOD.replace('schedule = "0 3 * * *"', 'schedule = "0 3 * * 8"'))


def test_every_registry_key_is_documented_in_the_shipped_registry_and_the_readme() -> None:
    header = "".join(line for line in (ROOT / "portals.toml").read_text(encoding="utf-8").splitlines(True)
                     if line.startswith("#"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key in PORTAL_KEYS:
        assert re.search(rf"#\s+{key}\s", header), f"{key} missing from the portals.toml header"
        assert f"| `{key}` |" in readme, f"{key} missing from the README's registry table"


def test_shipped_registry_is_valid_and_lists_the_columns() -> None:
    portals = load_registry(ROOT / "portals.toml")
    assert len(portals) >= 10
    names = {p.name for p in portals}
    assert {"cq-wanzhou-houshan", "cq-yubei-dasheng", "sh-qingpu-towns", "sh-qingpu-district"} <= names
    assert all(p.schedule for p in portals)


@pytest.mark.parametrize("addition, key, message", [
    ('family = "wordpress"', "family", "no CMS family named 'wordpress' (known: trs, hanweb, ucap, intensive, generic)"),
    ('list_api = { url = "http://www.example.gov.cn/api?page={page}" }', "list_api", "needs 'rows'"),
    ('list_api = { url = "http://www.example.gov.cn/api", rows = "list" }', "list_api", "with {page}"),
    ('list_api = { url = "http://other.example.gov.cn/api?p={page}", rows = "list" }', "list_api",
     "not in allowed_domains"),
    ('list_api = { url = "http://www.example.gov.cn/api?p={page}", rows = "list", colour = "red" }', "list_api",
     "unknown field 'colour'"),
])
def test_bad_family_or_list_api_names_portal_and_key(addition: str, key: str, message: str) -> None:
    with pytest.raises(RegistryError, match=re.escape(f"portal 'cq-wanzhou-houshan': key '{key}': ") + ".*"
                       + re.escape(message)):
        parse_registry(GOOD + addition + "\n", source="portals.toml")


def test_a_list_api_portal_parses() -> None:
    (portal,) = parse_registry(GOOD + 'list_api = { url = "http://www.example.gov.cn/gkmlpt/api/all/5?page={page}'
                               '&sid=1", rows = "articles", title = "title", date = "first_publish_time", '
                               'total_records = "total", page_size = 100 }\n')
    assert portal.list_api is not None and portal.list_api.request(1).url.endswith("page=1&sid=1")
