"""`govarchive health` on crafted run histories: each flag's rule, its evidence, --quiet and --alert."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.store.archive import Archive
from archive.store.runs import RunCounts
from govarchive.cli import main
from govarchive.output import runnable_command

REGISTRY = """
[[portal]]
name = "calm"
start_urls = ["http://127.0.0.1:9/a/"]

[[portal]]
name = "troubled"
start_urls = ["http://127.0.0.1:9/b/"]
"""


class History:
    """Runs of the two portals, oldest first, written as the crawler writes them."""

    def __init__(self, tmp_path: Path) -> None:
        self.db = tmp_path / "a.db"
        self.config = tmp_path / "portals.toml"
        self.config.write_text(REGISTRY, encoding="utf-8")
        self.run("calm", listed=20)

    def run(self, portal: str, status: str = "ok", list_pages: int = 1, listed: int = 20,
            failing: tuple[str, ...] = ()) -> int:
        archive = Archive.open(self.db)
        try:
            run_id = archive.start_run(portal)
            for url in failing:
                archive.record_error(run_id, portal, url, "detail page", "HTTP 404")
            archive.finish_run(run_id, status, RunCounts(list_pages=list_pages, listed=listed, errors=len(failing)))
        finally:
            archive.close()
        return run_id

    def health(self, *options: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["health", "--config", str(self.config), "--db", str(self.db), *options])
        assert "Traceback" not in result.output
        return result.exit_code, result.stdout

    def report(self) -> dict[str, dict]:
        code, out = self.health("--json")
        return {item["portal"]: item for item in json.loads(out)}


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path)


def test_quiet_health_says_nothing_when_all_is_well_and_names_only_the_trouble(history: History) -> None:
    history.run("troubled", listed=18)
    assert history.health("--quiet") == (0, "")
    assert history.health("--quiet", "--json") == (0, "[]\n")
    history.run("troubled", status="interrupted")
    code, out = history.health("--quiet")
    assert code == 1 and out.startswith("troubled: interrupted — ") and "calm" not in out
    assert "  interrupted: run 3 of " in out


def test_empty_flags_a_column_whose_links_vanished(history: History) -> None:
    first = history.run("troubled", listed=40, list_pages=2)
    for _ in range(2):
        history.run("troubled", listed=0)
    assert "empty" not in history.report()["troubled"]["flags"]   # two nights could be chance
    last = history.run("troubled", listed=0)
    item = history.report()["troubled"]
    assert item["flags"] == ["empty"]
    evidence = item["evidence"]["empty"]
    assert evidence["runs"] == [last, last - 1, last - 2] and evidence["last_run_with_links"] == first
    assert evidence["links_then"] == 40 and "found no document link" in evidence["seen"]


def test_a_column_that_never_listed_anything_is_not_empty_but_a_failing_one_is_failing(history: History) -> None:
    for _ in range(3):
        history.run("troubled", listed=0)
    assert history.report()["troubled"]["flags"] == []
    for _ in range(3):
        history.run("troubled", status="failed", list_pages=0, listed=0)
    assert history.report()["troubled"]["flags"] == ["failing"]


def test_dropping_compares_links_per_list_page_with_the_usual(history: History) -> None:
    history.run("troubled", listed=20, list_pages=1)   # a nightly walk: the first page
    history.run("troubled", listed=200, list_pages=10)  # a full walk: 20 a page all the same
    history.run("troubled", listed=19, list_pages=1)
    assert history.report()["troubled"]["flags"] == []
    dropped = history.run("troubled", listed=6, list_pages=1)
    item = history.report()["troubled"]
    assert item["flags"] == ["dropping"]
    assert item["evidence"]["dropping"] == {"run": dropped, "links_per_list_page": 6.0, "usual": 20.0,
                                            "seen": f"run {dropped} found 6.0 document links per list page, "
                                                    "usually 20.0"}


def test_broken_links_are_the_same_urls_failing_run_after_run(history: History) -> None:
    gone = "http://127.0.0.1:9/b/gone.html"
    history.run("troubled", failing=(gone, "http://127.0.0.1:9/b/once.html"))
    history.run("troubled", failing=(gone,))
    assert history.report()["troubled"]["flags"] == []
    history.run("troubled", failing=(gone, "http://127.0.0.1:9/b/other.html"))
    item = history.report()["troubled"]
    assert item["flags"] == ["broken-links"]
    assert item["evidence"]["broken-links"]["urls"] == [{"url": gone, "kind": "detail page", "reason": "HTTP 404"}]
    history.run("troubled")   # fixed on the portal, or archived at last
    assert history.report()["troubled"]["flags"] == []


def test_alert_runs_the_operators_command_with_the_trouble_as_json(history: History, tmp_path: Path) -> None:
    received = tmp_path / "alert.json"
    command = f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write(sys.stdin.read())\" {received}"
    history.run("troubled")
    assert history.health("--quiet", "--alert", command) == (0, "")
    assert not received.exists()   # nothing to say
    history.run("troubled", status="blocked", list_pages=0, listed=0)
    code, out = history.health("--quiet", "--alert", command)
    assert code == 1 and out.startswith("troubled: blocked")
    (alert,) = json.loads(received.read_text(encoding="utf-8"))
    assert alert["portal"] == "troubled" and alert["flags"] == ["blocked"]
    result = CliRunner().invoke(main, ["health", "--config", str(history.config), "--db", str(history.db),
                                       "--quiet", "--alert", "exit 3"])
    assert result.exit_code == 2 and result.stderr == "govarchive: error: --alert 'exit 3': exited with 3\n"


def test_errors_groups_last_nights_failures_by_portal_and_reason(history: History) -> None:
    old = history.run("troubled", failing=("http://127.0.0.1:9/b/old.html",))
    archive = Archive.open(history.db)
    archive.db.execute("UPDATE crawl_errors SET at = '2026-01-01T02:00:00+00:00' WHERE run_id = ?", [old])
    archive.db.conn.commit()
    archive.close()
    history.run("troubled", failing=("http://127.0.0.1:9/b/1.html", "http://127.0.0.1:9/b/2.html"))
    history.run("calm", failing=("http://127.0.0.1:9/a/1.html",))
    result = CliRunner().invoke(main, ["errors", "--db", str(history.db), "--json"])
    assert result.exit_code == 0
    groups = json.loads(result.stdout)
    assert [(g["portal"], g["reason"], g["count"], g["runs"]) for g in groups] == [
        ("calm", "HTTP 404", 1, 1), ("troubled", "HTTP 404", 2, 1)]   # the newest failure first
    assert groups[1]["urls"] == ["http://127.0.0.1:9/b/2.html", "http://127.0.0.1:9/b/1.html"]
    text = CliRunner().invoke(main, ["errors", "--db", str(history.db), "--portal", "troubled"]).stdout
    assert text.splitlines()[:3] == [text.splitlines()[0], "troubled — 2 failures", "  2× HTTP 404 (1 run, last "
                                     + groups[1]["last_at"] + ")"]
    assert text.startswith("2 failures on 1 portal since ")
    since = CliRunner().invoke(main, ["errors", "--db", str(history.db), "--since", "2025-12-31", "--json",
                                      "--portal", "troubled"])
    assert [(g["count"], g["runs"]) for g in json.loads(since.stdout)] == [(3, 2)]


@pytest.mark.parametrize("args, message", [
    (["errors", "--portal", "typo"], "no portal named 'typo' in "),
    (["runs", "--portal", "typo"], "no portal named 'typo' in "),
    (["reextract", "--portal", "typo"], "no portal named 'typo' in "),
    (["errors", "--since", "yesterday"], "Invalid value for '--since': 'yesterday': expected a time ago like 12h"),
])
def test_a_filter_that_matches_nothing_is_one_line_naming_the_known(history: History, args: list[str],
                                                                     message: str) -> None:
    history.run("troubled")
    result = CliRunner().invoke(main, [*args, "--db", str(history.db)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert result.stderr.startswith(f"govarchive: error: {message}")
    if "typo" in args:
        assert result.stderr.rstrip().endswith("(known: calm, troubled)")


def test_runs_show_each_runs_first_failures(history: History) -> None:
    history.run("troubled", failing=tuple(f"http://127.0.0.1:9/b/{n}.html" for n in range(5)))
    result = CliRunner().invoke(main, ["runs", "--db", str(history.db), "--portal", "troubled"])
    lines = result.stdout.splitlines()
    assert lines[1:] == [*(f"    failed http://127.0.0.1:9/b/{n}.html: HTTP 404" for n in range(3)),
                         f"    … 2 more failures (`{runnable_command()} errors --portal troubled`)"]
    rows = json.loads(CliRunner().invoke(main, ["runs", "--db", str(history.db), "--json"]).stdout)
    assert [len(row["failures"]) for row in rows] == [3, 0]
