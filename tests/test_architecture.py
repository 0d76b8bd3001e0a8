"""Layering rules: the engine is pure (no Telegram, no I/O libraries); only bot/telegram imports telegram."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"
ENGINE_FORBIDDEN = {"telegram", "aiosqlite", "sqlite3", "asyncio", "httpx", "aiohttp", "yaml", "socket", "os", "pathlib"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((BOT / "engine").rglob("*.py")), ids=lambda p: p.name)
def test_engine_is_pure(path: Path) -> None:
    assert not imported_modules(path) & ENGINE_FORBIDDEN


@pytest.mark.parametrize("path", sorted(p for p in BOT.rglob("*.py") if "telegram" not in p.relative_to(BOT).parts), ids=str)
def test_only_bot_telegram_imports_telegram(path: Path) -> None:
    assert "telegram" not in imported_modules(path)


@pytest.mark.parametrize("path", sorted(BOT.rglob("*.py")), ids=str)
def test_modules_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, "split the module: ≈300 lines is the habit"


def full_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(BOT.rglob("*.py")), ids=str)
def test_no_private_module_of_a_library_is_imported(path: Path) -> None:
    libraries = {name for name in full_imports(path) if not name.startswith("bot") and name != "__future__"}
    private = {name for name in libraries if any(part.startswith("_") for part in name.split("."))}
    assert not private, private


#: Import name → distribution name, where they differ.
DISTRIBUTIONS = {"telegram": "python-telegram-bot", "yaml": "pyyaml"}


def test_every_library_imported_is_declared() -> None:
    import sys
    import tomllib

    deps = tomllib.loads((BOT.parent / "pyproject.toml").read_text())["project"]["dependencies"]
    declared = {re.split(r"[\[<>=!~ ]", dep, maxsplit=1)[0].lower() for dep in deps}
    imported = set().union(*(imported_modules(p) for p in BOT.rglob("*.py"))) - set(sys.stdlib_module_names) - {"bot"}
    assert {DISTRIBUTIONS.get(name, name) for name in imported} <= declared, sorted({DISTRIBUTIONS.get(n, n) for n in imported} - declared)
