"""Portal registry: portals.toml -> validated, frozen Portal records."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from archive.errors import RegistryError
from archive.extract.list_api import ListApi
from archive.regions.divisions import divisions
from archive.store.places import PortalEntry
from crawler.cron import cron_trigger

_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# Keys a [defaults] table may give every portal (a portal's own value wins).
_DEFAULT_KEYS = frozenset({"schedule", "timezone", "season", "revisit_days", "stale_days", "max_list_pages",
                           "full_walk_days"})
PORTAL_KEYS = frozenset({"name", "title", "start_urls", "allowed_domains", "detail_url", "next_page",
                         "family", "list_api", "region", "issuers"}) | _DEFAULT_KEYS
_LIST_API_KEYS = {field.name for field in dataclasses.fields(ListApi)}
DEFAULT_MAX_LIST_PAGES = 30
DEFAULT_REVISIT_DAYS = 30
DEFAULT_STALE_DAYS = 400
DEFAULT_FULL_WALK_DAYS = 30
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclasses.dataclass(frozen=True)
class Season:
    """A second schedule for part of the year (reports appear January to April)."""

    months: str      # cron month field: "1-4", "1,2,3"
    schedule: str    # five-field cron whose month field is "*"

    @property
    def crontab(self) -> str:
        minute, hour, day, _, weekday = self.schedule.split()
        return f"{minute} {hour} {day} {self.months} {weekday}"


@dataclasses.dataclass(frozen=True)
class Portal:
    """One disclosure column to crawl."""

    name: str
    title: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    detail_url: str | None = None
    max_list_pages: int = DEFAULT_MAX_LIST_PAGES
    next_page: str | None = None
    schedule: str | None = None
    revisit_days: int = DEFAULT_REVISIT_DAYS
    timezone: str = DEFAULT_TIMEZONE
    season: Season | None = None
    stale_days: int = DEFAULT_STALE_DAYS
    family: str | None = None        # the CMS family of its list pages (None: detected per page)
    list_api: ListApi | None = None  # a JSON list API that serves the column instead of its pages
    full_walk_days: int = DEFAULT_FULL_WALK_DAYS
    region: str | None = None        # the division code of the place the column serves (500101)
    issuers: tuple[str, ...] = ()    # the bodies whose reports the column holds: coverage expects them

    @property
    def entry(self) -> PortalEntry:
        """What the archive keeps of this portal."""
        return PortalEntry(self.name, self.title, self.region, self.issuers)


def _fail(source: str, portal: str, key: str, problem: str) -> RegistryError:
    return RegistryError(f"{source}: portal {portal!r}: key {key!r}: {problem}")


def _check_url(source: str, portal: str, url: object) -> str:
    if not isinstance(url, str):
        raise _fail(source, portal, "start_urls", f"{url!r} is not a string")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail(source, portal, "start_urls", f"{url!r} is not an http(s) URL with a host")
    return url


def _string_list(source: str, portal: str, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(source, portal, key, "must be a list of non-empty strings")
    return tuple(value)


def _check_cron(source: str, portal: str, expression: object) -> str:
    if not isinstance(expression, str) or len(expression.split()) != 5:
        raise _fail(source, portal, "schedule", f"{expression!r} is not a five-field cron string such as '0 3 * * *'")
    try:
        cron_trigger(expression)
    except ValueError as exc:
        raise _fail(source, portal, "schedule", f"bad cron expression {expression!r}: {exc}") from exc
    return expression


def _check_timezone(source: str, portal: str, name: object) -> str:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise _fail(source, portal, "timezone", f"unknown time zone {name!r} (e.g. 'Asia/Shanghai')") from exc
    return str(name)


def _check_season(source: str, portal: str, value: object) -> Season:
    if not isinstance(value, dict) or set(value) != {"months", "schedule"}:
        raise _fail(source, portal, "season", "must be { months = \"1-4\", schedule = \"0 */6 * * *\" }")
    months, schedule = value["months"], _check_cron(source, portal, value["schedule"])
    if not isinstance(months, str) or schedule.split()[3] != "*":
        raise _fail(source, portal, "season", "months is a cron month field ('1-4') and the schedule's "
                                              "own month field must be '*'")
    season = Season(months, schedule)
    try:
        cron_trigger(season.crontab)
    except ValueError as exc:
        raise _fail(source, portal, "season", f"bad months {months!r}: {exc}") from exc
    return season


def _check_days(source: str, portal: str, key: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _fail(source, portal, key, f"{value!r} is not a number of days (0 or more)")
    return value


def _check_selector(source: str, portal: str, selector: object) -> str:
    from cssselect import GenericTranslator, SelectorError

    if not isinstance(selector, str) or not selector.strip():
        raise _fail(source, portal, "next_page", "must be a CSS selector string")
    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise _fail(source, portal, "next_page", f"bad CSS selector {selector!r}: {exc}") from exc
    return selector


def _check_family(source: str, portal: str, value: object) -> str:
    from archive.families.registry import FAMILIES

    names = [family.name for family in FAMILIES]
    if value not in names:
        raise _fail(source, portal, "family", f"no CMS family named {value!r} (known: {', '.join(names)})")
    return str(value)


def _check_list_api(source: str, portal: str, value: object, domains: tuple[str, ...]) -> ListApi:
    def problem(text: str) -> RegistryError:
        return _fail(source, portal, "list_api", text)

    if not isinstance(value, dict):
        raise problem('must be a table: { url = "https://…?page={page}", rows = "data.list", … }')
    unknown = sorted(set(value) - _LIST_API_KEYS)
    if unknown:
        raise problem(f"unknown field {unknown[0]!r} (known: {', '.join(sorted(_LIST_API_KEYS))})")
    for required in ("url", "rows"):
        if not isinstance(value.get(required), str) or not value[required]:
            raise problem(f"needs {required!r}: " + ("the API URL with {page}" if required == "url"
                                                      else "the JSON path of the rows, e.g. 'searchVO.listVO'"))
    parts = urlsplit(value["url"])
    if parts.scheme not in ("http", "https") or "{page}" not in value["url"]:
        raise problem(f"url {value['url']!r} must be an http(s) URL with {{page}} where the page number goes")
    if not _host_allowed(parts.hostname or "", domains):
        raise problem(f"url host {parts.hostname!r} is not in allowed_domains")
    for number in ("page_size", "first_page"):
        if number in value and (not isinstance(value[number], int) or isinstance(value[number], bool)
                                or value[number] < 0):
            raise problem(f"{number} must be a whole number")
    return ListApi(**value)


def parse_portal(entry: dict, source: str, position: int) -> Portal:
    """Validate one [[portal]] table; every error names the portal and the key."""
    name = entry.get("name")
    label = name if isinstance(name, str) else f"#{position}"
    unknown = sorted(set(entry) - PORTAL_KEYS)
    if unknown:
        raise _fail(source, label, unknown[0], f"unknown key (known: {', '.join(sorted(PORTAL_KEYS))})")
    if not isinstance(name, str) or not _NAME.match(name):
        raise _fail(source, label, "name", "required, a slug of a-z, 0-9 and '-'")
    if "start_urls" not in entry or not entry["start_urls"]:
        raise _fail(source, name, "start_urls", "required: at least one list page URL")
    start_urls = tuple(_check_url(source, name, url) for url in
                       _string_list(source, name, "start_urls", entry["start_urls"]))
    if "allowed_domains" in entry:
        domains = _string_list(source, name, "allowed_domains", entry["allowed_domains"])
        for domain in domains:
            if "/" in domain or ":" in domain:
                raise _fail(source, name, "allowed_domains", f"{domain!r} must be a bare host name")
    else:
        domains = tuple(dict.fromkeys(urlsplit(url).hostname or "" for url in start_urls))
    outside = [u for u in start_urls if not _host_allowed(urlsplit(u).hostname or "", domains)]
    if outside:
        raise _fail(source, name, "allowed_domains", f"does not cover start URL {outside[0]!r}")
    detail_url = entry.get("detail_url")
    if detail_url is not None:
        if not isinstance(detail_url, str):
            raise _fail(source, name, "detail_url", "must be a regular expression string")
        try:
            re.compile(detail_url)
        except re.error as exc:
            raise _fail(source, name, "detail_url", f"bad regex {detail_url!r}: {exc}") from exc
    max_pages = entry.get("max_list_pages", DEFAULT_MAX_LIST_PAGES)
    if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1:
        raise _fail(source, name, "max_list_pages", f"{max_pages!r} is not a positive integer")
    title = entry.get("title", name)
    if not isinstance(title, str):
        raise _fail(source, name, "title", "must be a string")
    return Portal(
        name=name,
        title=title,
        start_urls=start_urls,
        allowed_domains=domains,
        detail_url=detail_url,
        max_list_pages=max_pages,
        next_page=_check_selector(source, name, entry["next_page"]) if "next_page" in entry else None,
        schedule=_check_cron(source, name, entry["schedule"]) if "schedule" in entry else None,
        revisit_days=_check_days(source, name, "revisit_days", entry.get("revisit_days", DEFAULT_REVISIT_DAYS)),
        timezone=_check_timezone(source, name, entry.get("timezone", DEFAULT_TIMEZONE)),
        season=_check_season(source, name, entry["season"]) if "season" in entry else None,
        stale_days=_check_days(source, name, "stale_days", entry.get("stale_days", DEFAULT_STALE_DAYS)),
        family=_check_family(source, name, entry["family"]) if "family" in entry else None,
        list_api=_check_list_api(source, name, entry["list_api"], domains) if "list_api" in entry else None,
        full_walk_days=_check_days(source, name, "full_walk_days",
                                   entry.get("full_walk_days", DEFAULT_FULL_WALK_DAYS)),
        region=_check_region(source, name, entry["region"]) if "region" in entry else None,
        issuers=_string_list(source, name, "issuers", entry["issuers"]) if "issuers" in entry else (),
    )


def _check_region(source: str, name: str, code: object) -> str:
    """A current division code of the shipped GB/T 2260 data; a retired one names its successor."""
    if not isinstance(code, str) or not re.fullmatch(r"\d{6}(\d{3})?", code):
        raise _fail(source, name, "region", f"{code!r} is not a 6- or 9-digit division code (\"500101\")")
    found = divisions().resolve(code)
    if found.status == "unknown":
        raise _fail(source, name, "region", f"{code} is not a division code (GB/T 2260, see `regions`)")
    if found.status == "retired":
        raise _fail(source, name, "region", f"{code} is retired; its successor is {found.division.code} "
                                            f"{found.division.full_name}")
    return code


def _host_allowed(host: str, domains: tuple[str, ...]) -> bool:
    host = host.lower()
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)


def host_allowed(url: str, portal: Portal) -> bool:
    """True when `url`'s host is one of the portal's allowed domains or a subdomain of one."""
    return _host_allowed(urlsplit(url).hostname or "", portal.allowed_domains)


def parse_registry(text: str, source: str = "portals.toml") -> tuple[Portal, ...]:
    """Parse registry TOML text into portals; raises RegistryError on the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{source}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"portal", "defaults"})
    if unknown:
        raise RegistryError(f"{source}: unknown top-level key {unknown[0]!r} "
                            "(expected a [defaults] table and [[portal]] tables)")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise RegistryError(f"{source}: 'defaults' must be a table ([defaults])")
    unknown = sorted(set(defaults) - _DEFAULT_KEYS)
    if unknown:
        raise RegistryError(f"{source}: [defaults]: key {unknown[0]!r} unknown "
                            f"(known: {', '.join(sorted(_DEFAULT_KEYS))})")
    entries = data.get("portal", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise RegistryError(f"{source}: 'portal' must be an array of tables ([[portal]])")
    portals: list[Portal] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        portal = parse_portal({**defaults, **entry}, source, position)
        if portal.name in seen:
            raise _fail(source, portal.name, "name", "duplicate portal name")
        seen.add(portal.name)
        portals.append(portal)
    return tuple(portals)


def load_registry(path: str | Path) -> tuple[Portal, ...]:
    """Read and validate a registry file; RegistryError when it is missing or invalid."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read the portal registry: {exc}") from exc
    return parse_registry(text, source=str(path))


def select_portals(portals: tuple[Portal, ...], names: list[str] | tuple[str, ...]) -> tuple[Portal, ...]:
    """The named portals in registry order (all when `names` is empty)."""
    known = {p.name for p in portals}
    missing = [n for n in names if n not in known]
    if missing:
        raise RegistryError(f"no portal named {missing[0]!r} in the registry (known: {', '.join(sorted(known))})")
    return tuple(p for p in portals if not names or p.name in names)
