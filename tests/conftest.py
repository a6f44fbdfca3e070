"""Shared fixtures: loopback-only network guard, fixture paths, sample server, temp archive."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.capture import PageCapture
from archive.extract import DisclosureMetadata, Extracted
from archive.store import Archive
from govarchive.sample_server import render_registry, serve_directory

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITES = FIXTURES / "sites"
PAGES = FIXTURES / "pages"
SHARED = Path(__file__).resolve().parents[2] / "shared"
# Scrapy settings for crawling the loopback server quickly.
FAST = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0")


def make_capture(portal: str, url: str, text: str, title: str = "关于2024年度法治政府建设情况的报告",
                 **metadata: str) -> PageCapture:
    """A page as the crawler would hand it to the archive, without HTML."""
    record = Extracted(url=url, title=title, text=text, metadata=DisclosureMetadata(**metadata),
                       region_code=None, report_year=2024, extraction_method="trs", encoding="utf-8",
                       raw_metadata={"索引号": metadata.get("index_no")})
    return PageCapture(portal, record)


def _is_loopback(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and the like
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every connection that does not go to this machine."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guard(address: object) -> None:
        if not _is_loopback(address):
            raise ConnectionRefusedError(f"tests are offline: refused connection to {address!r}")

    def connect(self: socket.socket, address: object) -> None:
        guard(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        guard(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    store = Archive.open(tmp_path / "archive.db")
    yield store
    store.close()


class SampleSite:
    """The sample portals served on 127.0.0.1 with their rendered registry."""

    def __init__(self, base_url: str, config: Path, requested: list[str]) -> None:
        self.base_url = base_url
        self.config = config
        self.requested = requested
        self.root = SITES

    def set_revisit_days(self, days: int) -> None:
        """Give every sample portal the same revisit policy."""
        text = self.config.read_text(encoding="utf-8")
        self.config.write_text(text.replace("[[portal]]\n", f"[[portal]]\nrevisit_days = {days}\n"),
                               encoding="utf-8")


@pytest.fixture
def sample_site(tmp_path: Path) -> Iterator[SampleSite]:
    requested: list[str] = []
    with serve_directory(SITES, requested) as base_url:
        config = tmp_path / "portals.toml"
        config.write_text(render_registry(SITES, base_url), encoding="utf-8")
        yield SampleSite(base_url, config, requested)


@pytest.fixture
def editable_site(tmp_path: Path) -> Iterator[SampleSite]:
    """A private copy of the sample portals, for tests that change or delete pages."""
    root = tmp_path / "sites"
    shutil.copytree(SITES, root, symlinks=False)
    requested: list[str] = []
    with serve_directory(root, requested) as base_url:
        config = tmp_path / "portals.toml"
        config.write_text(render_registry(root, base_url), encoding="utf-8")
        site = SampleSite(base_url, config, requested)
        site.root = root
        yield site
