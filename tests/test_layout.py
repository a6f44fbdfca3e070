"""The layout holds: imports go one way (govarchive -> scheduler -> crawler -> archive), no module
import cycles, package __init__ files import nothing, every command is in the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from govarchive.cli import main
from tests.support import ROOT

LAYERS = {"archive": 0, "crawler": 1, "scheduler": 2, "govarchive": 3}
# inside archive/: identity, regions and the families/extract pair never reach the store
ARCHIVE_LOWER = {"archive.identity": {"archive.store", "archive.extract", "archive.families", "archive.reextract",
                                      "archive.regions"},
                 "archive.regions": {"archive.store", "archive.extract", "archive.families", "archive.reextract"},
                 "archive.extract": {"archive.store", "archive.reextract"},
                 "archive.families": {"archive.store", "archive.reextract"},
                 "archive.store": {"archive.reextract"}}


def module_name(path: Path) -> str:
    parts = path.resolve().relative_to(ROOT).with_suffix("").parts if path.resolve().is_relative_to(ROOT) \
        else (path.stem,)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for package in LAYERS for path in (ROOT / package).rglob("*.py")}


def imports_of(path: Path) -> set[str]:
    """Every project module `path` imports, wherever in the file the import statement is."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    names.discard(module_name(path))
    return {name for name in names if name.split(".")[0] in LAYERS}


GRAPH = {name: {i for i in imports_of(path) if i in modules()} for name, path in modules().items()}


def test_imports_go_downward_only() -> None:
    upward = []
    for name, imported in GRAPH.items():
        for target in imported:
            if LAYERS[target.split(".")[0]] > LAYERS[name.split(".")[0]]:
                upward.append(f"{name} imports {target}")
            for lower, forbidden in ARCHIVE_LOWER.items():
                if (name == lower or name.startswith(lower + ".")) and \
                        any(target == f or target.startswith(f + ".") for f in forbidden):
                    upward.append(f"{name} imports {target}")
    assert upward == []


def test_no_module_import_cycle() -> None:
    state: dict[str, str] = {}
    cycles = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(GRAPH[name]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*path[path.index(target):], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_package_inits_import_nothing() -> None:
    heavy = [name for name, path in modules().items() if path.name == "__init__.py"
             and name != "govarchive" and any(isinstance(node, (ast.Import, ast.ImportFrom))
                                                for node in ast.parse(path.read_text(encoding="utf-8")).body)]
    assert heavy == []


def test_the_layer_test_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from govarchive.cli import main\n", encoding="utf-8")
    assert imports_of(module) == {"govarchive.cli", "govarchive.cli.main"}


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `govarchive ([a-z-]+)", readme, re.MULTILINE))
    assert documented == set(main.commands)


def test_the_repository_holds_no_symlink() -> None:
    """A copy (`cp -r`, an sdist, a zip) keeps every fixture and sample page."""
    links = [str(path.relative_to(ROOT)) for folder in (*LAYERS, "tests", "bench", "deploy") for path in (ROOT / folder).rglob("*")
             if path.is_symlink()]
    assert links == []
