"""Imports run one way: the hub sits beside the action server, never on top of it."""

from __future__ import annotations

import ast
from pathlib import Path

HUB = Path(__file__).resolve().parents[3] / "bot" / "hub"


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_hub_module_imports_the_action_server() -> None:
    offending = {path.relative_to(HUB).as_posix(): sorted(n for n in _imported(path) if n.split(".")[0] == "actions")
                 for path in HUB.rglob("*.py")}
    assert {k: v for k, v in offending.items() if v} == {}
