"""Bad input on every command: one line `govarchive: error: …`, a meaningful exit code, no traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.store.archive import Archive
from govarchive.cli import main


@pytest.fixture
def setup(tmp_path: Path) -> Path:
    (tmp_path / "portals.toml").write_text('[[portal]]\nname = "a"\nstart_urls = ["http://127.0.0.1:9/a/"]\n',
                                           encoding="utf-8")
    Archive.open(tmp_path / "a.db").close()
    return tmp_path


BAD_INPUTS = [  # arguments, exit code, the start of the one line
    (["crawl", "--bogus"], 2, "No such option '--bogus'"),
    (["nosuch"], 2, "No such command 'nosuch'"),
    (["search"], 2, "Missing argument 'QUERY...'"),
    (["runs", "--limit", "zero"], 2, "Invalid value for '--limit': 'zero' is not a valid integer"),
    (["crawl", "typo"], 2, "no portal named 'typo' in the registry (known: a)"),
    (["crawl", "-s", "DOWNLOAD_DELAY=abc"], 2, "-s DOWNLOAD_DELAY=abc: DOWNLOAD_DELAY takes a number (default 1.0)"),
    (["crawl", "-s", "CONCURRENT_REQUESTS=many"], 2, "-s CONCURRENT_REQUESTS=many: CONCURRENT_REQUESTS takes a whole"),
    (["crawl", "-s", "ROBOTSTXT_OBEY=perhaps"], 2, "-s ROBOTSTXT_OBEY=perhaps: ROBOTSTXT_OBEY takes true or false"),
    (["crawl", "-s", "novalue"], 2, "-s 'novalue': expected KEY=VALUE"),
    (["schedule", "--once", "-s", "DOWNLOAD_TIMEOUT=soon"], 2, "-s DOWNLOAD_TIMEOUT=soon: DOWNLOAD_TIMEOUT takes"),
    (["runs", "--portal", "typo"], 2, "no portal named 'typo' in "),
    (["errors", "--since", "last week"], 2, "Invalid value for '--since': 'last week': expected a time ago"),
    (["search", "法治", "--year", "24"], 2, "Invalid value for '--year': 24 is not in the range 1990<=x<=2100"),
    (["history", "http://127.0.0.1:9/none.html"], 1, "http://127.0.0.1:9/none.html: not an archived page"),
]


@pytest.mark.parametrize("args, code, message", BAD_INPUTS, ids=lambda value: " ".join(value)
                         if isinstance(value, list) else None)
def test_bad_input_is_one_line_with_a_meaningful_exit_code(setup: Path, args: list[str], code: int,
                                                           message: str) -> None:
    options = ["--db", str(setup / "a.db")]
    if args[0] in ("crawl", "schedule") and "--bogus" not in args:
        options += ["--config", str(setup / "portals.toml")]
    result = CliRunner().invoke(main, [*args, *options] if args[0] != "nosuch" else args)
    assert result.exit_code == code, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert result.stderr.startswith(f"govarchive: error: {message}"), result.stderr


def test_an_unknown_setting_warns_and_is_passed_on(setup: Path) -> None:
    result = CliRunner().invoke(main, ["crawl", "--config", str(setup / "portals.toml"), "--db", str(setup / "a.db"),
                                       "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_DELEY=3"])
    assert result.stderr.startswith("govarchive: warning: -s DOWNLOAD_DELEY: not a Scrapy or govarchive setting")


def test_an_unreachable_portal_is_one_line_in_the_summary_and_details_in_its_log(setup: Path) -> None:
    with socket.socket() as closed:   # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    config = setup / "dead.toml"
    config.write_text(f'[[portal]]\nname = "dead"\nstart_urls = ["http://127.0.0.1:{port}/col/"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["crawl", "--config", str(config), "--db", str(setup / "a.db"),
                                       "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_DELAY=0"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"    failed http://127.0.0.1:{port}/col/: list page: connection refused by 127.0.0.1:{port}" in result.stderr
    (log,) = (setup / "logs" / "dead").glob("*.log")
    assert f"    log: {log}" in result.stderr and "Connection refused" in log.read_text(encoding="utf-8")
    assert "dead: failed — 0 list pages, 0 detail links listed, 0 detail pages, 0 documents archived" in result.stderr
    assert ", 1 failure, " in result.stderr
