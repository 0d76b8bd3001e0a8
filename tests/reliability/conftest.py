"""Fixtures of the reliability suite: a fresh fake Bot API on 127.0.0.1 per test (the shared ``engine`` is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from fakeapi import FakeBotApi
from reliability_kit import BOT, TOKEN


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(TOKEN, bot_username=BOT) as fake:
        yield fake
