"""Fixtures: the loopback-only network guard (this process and its children), a temporary
archive, the sample portals served on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.store.archive import Archive
from govarchive.sample_server import render_registry, serve_directory
from tests.netguard.loopback_guard import install as install_loopback_guard
from tests.support import NETGUARD, SITES, SampleSite


def pytest_configure(config: pytest.Config) -> None:
    """Tests are offline: refuse non-loopback connections here and, through sitecustomize on
    PYTHONPATH, in every Python process a test starts (crawls, the scheduler)."""
    install_loopback_guard()
    paths = [str(NETGUARD), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    store = Archive.open(tmp_path / "archive.db")
    yield store
    store.close()


def _served(root: Path, tmp_path: Path) -> Iterator[SampleSite]:
    requested: list[str] = []
    with serve_directory(root, requested) as base_url:
        config = tmp_path / "portals.toml"
        config.write_text(render_registry(root, base_url), encoding="utf-8")
        yield SampleSite(base_url, config, requested, root)


@pytest.fixture
def sample_site(tmp_path: Path) -> Iterator[SampleSite]:
    yield from _served(SITES, tmp_path)


@pytest.fixture
def editable_site(tmp_path: Path) -> Iterator[SampleSite]:
    """A private copy of the sample portals, for tests that change or delete pages."""
    root = tmp_path / "sites"
    shutil.copytree(SITES, root, symlinks=False)
    yield from _served(root, tmp_path)
