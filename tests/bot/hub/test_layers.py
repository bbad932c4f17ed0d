"""Imports run one way: the hub sits beside the action server, never on top of it."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[3] / "bot"
HUB, CONSOLE = BOT / "hub", BOT / "console"


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_hub_or_console_module_imports_the_action_server() -> None:
    offending = {path.relative_to(BOT).as_posix(): sorted(n for n in _imported(path) if n.split(".")[0] == "actions")
                 for folder in (HUB, CONSOLE) for path in folder.rglob("*.py")}
    assert "hub/hub.py" in offending and "console/service.py" in offending, "the modules were read"
    assert {k: v for k, v in offending.items() if v} == {}
