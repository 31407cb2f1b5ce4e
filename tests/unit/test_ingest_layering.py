"""The ingest, validate and contract layers stay small and import each other in one direction."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[2] / "nro_pipeline" / "lib"
MY_AREAS = ("contract", "ingest", "validate")
MAX_LINES = 400


def _module(path: Path) -> str:
    parts = path.relative_to(LIB.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every nro_pipeline.lib module this file imports, wherever the import statement stands
    (a function-local or TYPE_CHECKING import hides a cycle, it does not remove it)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m.startswith("nro_pipeline.lib.")}


def _graph() -> dict[str, set[str]]:
    files = {_module(p): p for p in LIB.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in files} for name, path in files.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target, [*path, target])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_lib_modules_import_each_other_without_a_cycle() -> None:
    assert _cycle(_graph()) is None


@pytest.mark.parametrize("area", MY_AREAS)
def test_modules_stay_under_400_lines(area: str) -> None:
    long = {
        p.name: n
        for p in (LIB / area).glob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
