"""Poison updates in long polling (issue 10, item 4): one update python-telegram-bot cannot parse — a poll without
``allows_revoting``, as an older self-hosted Bot API server sends it — must not stop polling.

Before: PTB failed the whole batch, never confirmed it, re-fetched it ~150 times a second and logged each time the
batch with users' text in it; nothing else was answered. Now the update is skipped and recorded (by id, kind and
exception type), the batch is confirmed, the next updates are answered, and no log record holds the text.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fakeapi import FakeBotApi, updates
from reliability_kit import run_bot, sent_text_ok

from bot.engine import Engine

pytestmark = pytest.mark.timeout(40)
PHONE = "+66 81 234 5678"
OLD_POLL = {
    "id": "p1",
    "question": f"call me at {PHONE}",
    "options": [{"text": "yes", "voter_count": 0}, {"text": "no", "voter_count": 0}],
    "total_voter_count": 0,
    "is_closed": False,
    "is_anonymous": True,
    "type": "regular",
    "allows_multiple_answers": False,
}


async def test_a_poison_update_is_skipped_and_polling_goes_on(api: FakeBotApi, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with run_bot(api, tmp_path / "bot.sqlite3", engine) as bot:
        await api.wait_for("getUpdates", timeout=5)
        api.send_text("how many IoT companies are in Wuxi?", chat_id=41, user_id=41)  # in the same batch as the poll
        chat = updates.chat(42, "private")
        api.push_update({"message": {**updates.message(1, chat, updates.user(42), text=None), "poll": OLD_POLL}})
        api.send_text("when was the wuzhen summit?", chat_id=43, user_id=43)  # after it
        first = await bot.api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == 41, timeout=5)
        after = await bot.api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == 43, timeout=5)
        assert "3,000" in sent_text_ok(first) and "8 November 2023" in sent_text_ok(after)
        await bot.settle()
        polls = len(api.calls_of("getUpdates"))
        health = (await bot.services.health())[1]
        assert not bot.sent(42), "the poison update was answered"
        assert not bot.errors, bot.errors
    assert polls < 20, f"{polls} getUpdates calls: the batch was fetched again and again"
    assert api.pending_updates() == 0, "the poison update was never confirmed"
    assert health["skipped_updates"] == 1
    skipped = [r for r in caplog.records if "skipped update" in r.getMessage()]
    assert len(skipped) == 1 and "(message)" in skipped[0].getMessage()
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        assert PHONE not in text and "call me" not in text, f"{record.name} logged the update's text: {text[:200]}"
