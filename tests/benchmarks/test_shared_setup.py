"""The benchmarks share one PostgreSQL address and one way to make a database."""

from __future__ import annotations

import ast
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SHARED = "forecast_cycle.py"  # PG and ensure_database live here


def _names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef):
        return {node.name}
    targets = node.targets if isinstance(node, ast.Assign) else []
    if isinstance(node, ast.AnnAssign):
        targets = [node.target]
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _defined(name: str) -> set[str]:
    """The benchmark modules that define ``name`` at module level (assigned or a function)."""
    return {
        path.name
        for path in BENCHMARKS.glob("*.py")
        if any(name in _names(node) for node in ast.parse(path.read_text()).body)
    }


def test_the_postgresql_address_and_database_making_are_defined_once() -> None:
    # Given every benchmark script, when they are read
    # Then only the shared module spells the server's address and makes a migrated database,
    # so moving the server (or changing how a copy is made) is one edit
    assert _defined("PG") == {SHARED}
    assert _defined("ensure_database") == {SHARED}
