"""End-to-end fixtures: the real Application from ``build_application`` against FakeBotApi over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from fakeapi import FakeBotApi
from harness import BOT, TOKEN, Harness, make_settings

from bot.engine import Engine
from bot.telegram.app import build_application, running

# ``engine`` (session-scoped, shared, never swapped) comes from tests/conftest.py; tests that reload build their own.


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(TOKEN, bot_username=BOT) as fake:
        yield fake


@pytest_asyncio.fixture
async def bot(api: FakeBotApi, engine: Engine, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot running with long polling on a fresh database."""
    assert api.root is not None
    settings = make_settings(api.root, tmp_path / "data" / "bot.sqlite3")
    async with running(build_application(settings, engine), poll_timeout=1) as app:
        yield Harness(api, app, settings)
