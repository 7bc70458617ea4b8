"""The layers import downwards only: appconfig ← crawler ← storage … ← the CLI, with no circle.

Found with the import graph below (module-level and function-level imports, not ``if TYPE_CHECKING``
blocks, which never run): ``crawler.health`` → ``runstore`` → ``health`` and ``incremental`` →
``runstore`` → ``incremental`` were a circle, and ``crawler``/``scheduler`` read their settings from the
CLI package above them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("appconfig", "cbecwatch", "crawler", "storage", "scheduler")


def _runtime_imports(tree: ast.AST, modules: set[str]) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []  # annotations only: never imported when the program runs
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from package import submodule`` depends on the submodule, ``from module import name`` on
            # the module
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): path
             for package in PACKAGES for path in (REPO / package).rglob("*.py") if "migrations" not in path.parts}
    graph = {}
    for name, path in files.items():
        deps = _runtime_imports(ast.parse(path.read_text("utf-8")), set(files))
        graph[name] = {dep for dep in deps if dep in files and dep != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for dep in graph[node]:
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = set()
            while (member := stack.pop()) != node:
                component.add(member)
            component.add(node)
            if len(component) > 1:
                found.append(component)

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_crawler_module_is_in_an_import_circle() -> None:
    crawler_circles = [c for c in circles(import_graph()) if any(m.startswith("crawler.") for m in c)]
    assert crawler_circles == []


def test_the_model_modules_are_in_no_import_circle() -> None:
    # models ↔ models_alerts/models_attachments/places was one (the base class now sits below them all)
    models = {"storage.base", "storage.models", "storage.models_alerts", "storage.models_attachments",
              "storage.places", "storage.schema"}
    assert [c for c in circles(import_graph()) if c & models] == []


def test_the_parser_and_the_commands_are_in_no_import_circle() -> None:
    # cbecwatch.cli ↔ cbecwatch.commands* was one: what they share now sits below both, in cbecwatch.common
    graph = import_graph()
    assert [c for c in circles(graph) if any(m.startswith("cbecwatch.") for m in c)] == []
    assert not any(dep.startswith(("cbecwatch.cli", "cbecwatch.commands")) for dep in graph["cbecwatch.common"])


def test_the_circle_detector_finds_a_circle() -> None:  # so that the test above can fail
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_configuration_sits_below_every_layer() -> None:
    graph = import_graph()
    for module, deps in graph.items():
        if module.startswith("appconfig"):
            assert all(dep.startswith("appconfig") for dep in deps), (module, deps)
        if module.split(".")[0] in ("crawler", "storage", "scheduler"):
            assert not any(dep.startswith("cbecwatch") for dep in deps), (module, deps)


@pytest.mark.parametrize("module", ["crawler.health", "crawler.incremental", "crawler.runstore", "crawler.database",
                                    "appconfig.settings", "appconfig.files", "storage.subscribers", "crawler.declared",
                                    "storage.models_alerts", "storage.places", "storage.schema"])
def test_each_module_imports_alone_in_a_fresh_interpreter(module: str) -> None:
    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, cwd=REPO,
                            timeout=120)
    assert result.returncode == 0, result.stderr
