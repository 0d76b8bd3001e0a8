"""Operations: per-user flood control, one structured log line per update, the token never logged."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from fakeapi import FakeBotApi
from harness import TOKEN, Harness, make_settings, plain

from bot.engine import Engine
from bot.telegram.app import build_application, running
from bot.telegram.errors import install_redaction
from bot.telegram.flood_gate import FloodGate

pytestmark = pytest.mark.timeout(40)


@pytest_asyncio.fixture
async def strict_bot(api: FakeBotApi, engine: Engine, tmp_path: Path) -> AsyncIterator[Harness]:
    assert api.root is not None
    settings = make_settings(api.root, tmp_path / "bot.sqlite3", SUMMITBOT_FLOOD_PER_MINUTE="5")
    async with running(build_application(settings, engine), poll_timeout=1) as app:
        yield Harness(api, app, settings)


def test_flood_gate_window() -> None:
    gate = FloodGate(3)
    assert [gate.check(1, t) for t in (0, 1, 2)] == [(True, False)] * 3
    assert gate.check(1, 3) == (False, True)  # the one notice
    assert gate.check(1, 4) == (False, False)  # then silence
    assert gate.check(2, 4) == (True, False)  # other users are not slowed
    assert gate.check(1, 61) == (True, False)  # the window has passed


async def test_flooding_user_gets_one_notice_and_others_are_served(strict_bot: Harness) -> None:
    for i in range(12):
        strict_bot.api.send_text(f"hello {i}", chat_id=77, user_id=77, language_code="fr")
    strict_bot.api.send_text("when was the wuzhen summit?", chat_id=78, user_id=78)
    assert "8 November 2023" in plain(await strict_bot.reply(78))
    for _ in range(6):  # five answers, then the one notice (flooded updates stop before the harness observer)
        await strict_bot.reply(77)
    await asyncio.sleep(0.5)
    replies = [plain(c) for c in strict_bot.sent_to(77)]
    assert len(replies) == 6
    assert replies[-1] == "Vous envoyez des messages plus vite que je ne peux suivre. Je vous répondrai de nouveau dans une minute."


async def test_group_chatter_does_not_count(strict_bot: Harness) -> None:
    for i in range(10):
        strict_bot.api.send_text(f"just chatting {i}", chat_id=-100, user_id=90, chat_type="group")
    strict_bot.api.send_text("/ask@summit_test_bot when was the wuzhen summit?", chat_id=-100, user_id=90, chat_type="group")
    assert "8 November 2023" in plain(await strict_bot.reply(-100))


async def test_one_json_line_per_update_and_no_token(strict_bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    install_redaction(strict_bot.settings.token)  # what configure_logging does for `summitbot run`
    caplog.set_level(logging.DEBUG)
    strict_bot.api.send_text("how many IoT companies are in Wuxi?", chat_id=55, user_id=55)
    await strict_bot.reply(55)
    strict_bot.api.fail_http_5xx("sendMessage", times=1)
    strict_bot.api.send_text("hello", chat_id=56, user_id=56)
    await strict_bot.settle()
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "summitbot.updates"]
    asked = next(line for line in lines if line["chat"] == 55)
    assert asked["type"] == "message" and asked["user"] == 55 and asked["lang"] == "en"
    assert asked["intent"] and asked["event"] == "world_iot_expo_2021" and 0 < asked["confidence"] <= 1 and asked["latency_ms"] >= 0
    assert len([line for line in lines if line["chat"] in (55, 56)]) == 2
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        assert TOKEN not in text and TOKEN.split(":")[1] not in text
