"""Commands an admin did not mean, or cannot mean (issue 10, items 13 and 17).

* item 13: a forwarded message that starts with a command is not the forwarder's command — an admin forwarding
  "/fact_del …" deletes nothing (the same text sent by the admin does);
* item 17: ``/undo <20 digits>``, ``/undo ²``, ``/cancel ²`` get the usage line, not "Sorry, something went wrong"
  with an ERROR traceback; numbers are ASCII digits, within SQLite's 64-bit integers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakeapi import FakeBotApi, updates
from reliability_kit import ADMIN, RunningBot, run_bot, sent_text_ok

from bot.engine import Engine
from bot.settings import Settings, SettingsError

pytestmark = pytest.mark.timeout(40)


async def say(bot: RunningBot, text: str) -> str:
    bot.api.send_text(text, chat_id=ADMIN, user_id=ADMIN)
    return sent_text_ok(await bot.api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == ADMIN, timeout=5))


def forwarded(api: FakeBotApi, text: str) -> None:
    """The admin forwards someone else's message to the bot."""
    chat, admin = updates.chat(ADMIN, "private"), updates.user(ADMIN, language_code="en")
    origin = {"type": "user", "date": updates.now() - 60, "sender_user": updates.user(4242, first_name="Someone")}
    api.push_update({"message": updates.message(api.state.new_message_id(ADMIN), chat, admin, text=text, forward_origin=origin)})


async def test_a_forwarded_command_is_not_run(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    async with run_bot(api, tmp_path / "bot.sqlite3", engine) as bot:
        fact = next(f for e in bot.services.engine.kb.events for f in e.facts if f.id == "itu_digital_world_2021_covid_driver")
        forwarded(api, f"/fact_del {fact.id}")
        forwarded(api, "/reload")
        await bot.settle()
        assert await bot.services.knowledge.history(None, limit=5) == [], "the forwarded /fact_del was applied"
        assert any(f.id == fact.id for e in bot.services.engine.kb.events for f in e.facts)
        for _ in range(2):  # each forwarded text was answered as a question, not run as a command
            reply = await api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == ADMIN, timeout=5)
            assert "Done:" not in sent_text_ok(reply) and "Reloaded" not in sent_text_ok(reply)
        # The very same command, sent by the admin, is a command: the forwarded one was refused for being forwarded.
        reply = await say(bot, f"/fact_del {fact.id}")
        assert len(await bot.services.knowledge.history(None, limit=5)) == 1, reply
        assert len(await bot.services.knowledge.history(None, limit=5)) == 1
        assert not bot.errors, bot.errors


async def test_strict_numbers_get_the_usage_line(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    async with run_bot(api, tmp_path / "bot.sqlite3", engine) as bot:
        for command in ("/undo 99999999999999999999", "/undo ²", "/undo ١٢", "/undo 1_0", "/unschedule ²", "/unschedule ١٢"):
            reply = await say(bot, command)
            assert "Usage: /" in reply, (command, reply)
        await bot.settle()
        assert not bot.errors and not bot.trap.records, bot.trap.describe()


@pytest.mark.parametrize(
    "name",
    [
        "SUMMITBOT_HEALTH_PORT",
        "SUMMITBOT_FLOOD_PER_MINUTE",
        "SUMMITBOT_ADMINS",
        "SUMMITBOT_REMINDER_DAYS",
        "SUMMITBOT_GROUP_MESSAGES_PER_MINUTE",
        "SUMMITBOT_CHAT_MESSAGES_PER_SECOND",
    ],
)
def test_strict_numbers_in_settings(name: str) -> None:
    for value in ("²", "١٢"):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: value}, dotenv=None)
