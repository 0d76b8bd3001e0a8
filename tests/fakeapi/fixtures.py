"""Pytest fixtures for the fake Bot API (usable via pytest_plugins or explicit import)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
import telegram

from .server import FakeBotApi


@pytest_asyncio.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """A started FakeBotApi with default settings, stopped after the test."""
    async with FakeBotApi() as api:
        yield api


@pytest_asyncio.fixture
async def limited_fake_api() -> AsyncIterator[FakeBotApi]:
    """A started FakeBotApi that enforces Telegram's flood limits."""
    async with FakeBotApi(enforce_limits=True) as api:
        yield api


@pytest_asyncio.fixture
async def fake_bot(fake_api: FakeBotApi) -> AsyncIterator[telegram.Bot]:
    """An initialized real telegram.Bot talking to fake_api over HTTP."""
    bot = telegram.Bot(fake_api.token, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url)
    async with bot:
        yield bot
