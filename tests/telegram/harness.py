"""Helpers for the end-to-end tests: a running bot plus the fake Telegram, and what users see of replies."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fakeapi import Call, FakeBotApi, html_to_plain
from telegram import Update
from telegram.ext import TypeHandler

from bot.settings import Settings
from bot.telegram.app import BotApp
from bot.telegram.services import Services, SummitContext
from tests.conftest import EMBEDDING_CACHE

# Settings validate the token's shape, so the fake server gets a realistic one.
TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
BOT = "summit_test_bot"
ADMIN = 9001
WAIT = 5.0  # seconds: the longest any single expected call may take
OBSERVER_GROUP = 99
THAI = re.compile(r"[\u0e00-\u0e7f]")


#: For tests that are not about pacing: replies to one chat need not wait a second for each other (the tests of
#: pacing — test_outgoing, test_announce_delivery, test_fairness, test_faults — keep Telegram's limit).
UNPACED = {"SUMMITBOT_CHAT_MESSAGES_PER_SECOND": "1000"}


def make_settings(root: str, db: Path, **env: str) -> Settings:
    """Settings as ``summitbot run`` reads them from the environment."""
    base = {
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": root, "SUMMITBOT_DB": str(db), "SUMMITBOT_ADMINS": str(ADMIN),
        # The run's one embedding cache: a bot that builds its own engine embeds nothing twice.
        "SUMMITBOT_EMBEDDING_CACHE": str(EMBEDDING_CACHE),
    }  # fmt: skip
    return Settings.from_env(environ={**base, **env}, dotenv=None)


class Harness:
    """A running bot and the fake Telegram it talks to, with helpers to talk to it as users do."""

    def __init__(self, api: FakeBotApi, app: BotApp, settings: Settings) -> None:
        self.api, self.app, self.settings = api, app, settings
        self.handled: set[int] = set()
        self._changed = asyncio.Event()

        async def observe(update: Update, context: SummitContext) -> None:
            self.handled.add(update.update_id)
            self._changed.set()

        # An observer after every real handler (group 0): it runs once the bot has finished with an update.
        app.add_handler(TypeHandler(Update, observe), group=OBSERVER_GROUP)

    @property
    def services(self) -> Services:
        value = self.app.bot_data.services
        assert isinstance(value, Services)
        return value

    async def reply(self, chat_id: int, predicate: Callable[[Call], bool] | None = None, method: str = "sendMessage") -> Call:
        """The next successful call of ``method`` to this chat (bounded wait; failed calls are skipped)."""

        def wanted(call: Call) -> bool:
            return call.ok and call.params.get("chat_id") == chat_id and (predicate is None or predicate(call))

        return await self.api.wait_for(method, wanted, WAIT)

    async def say(self, text: str, *, chat_id: int = 42, user_id: int | None = None, **kw: Any) -> tuple[dict[str, Any], Call]:
        """Send a text as a user and return (the update, the bot's first reply)."""
        update = self.api.send_text(text, chat_id=chat_id, user_id=user_id or chat_id, **kw)
        return update, await self.reply(chat_id)

    async def settle(self) -> None:
        """Wait (bounded) until the bot has finished handling every update queued so far."""
        queued = set(range(1, self.api.feed.last_id + 1))
        async with asyncio.timeout(WAIT):
            while not queued <= self.handled:
                self._changed.clear()
                await self._changed.wait()

    def sent_to(self, chat_id: int) -> list[Call]:
        return [c for c in self.api.calls_of("sendMessage") if c.params.get("chat_id") == chat_id]


def plain(call: Call) -> str:
    """What the user sees: the sent HTML, parsed the way Telegram does (raises on malformed HTML)."""
    text = call.params["text"]
    return html_to_plain(text) if call.params.get("parse_mode") == "HTML" else str(text)


def buttons(call: Call) -> list[tuple[str, str]]:
    """(label, callback_data or url) of every inline button of a sent message."""
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard") or []
    return [(b["text"], b.get("callback_data") or b.get("url", "")) for row in rows for b in row]
