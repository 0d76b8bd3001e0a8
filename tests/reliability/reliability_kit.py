"""Shared pieces of the reliability suite (issue #6): a running bot that records what went wrong, and checks.

The bot is always the real Application from ``bot.telegram.app.build_application``, run with ``running()`` against
``tests/fakeapi.FakeBotApi`` over HTTP on 127.0.0.1. Every wait here is bounded.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fakeapi import Call, FakeBotApi, html_to_plain
from fakeapi.entities import utf16_len
from telegram import Update
from telegram.ext import TypeHandler

from bot.engine import Engine
from bot.telegram.app import BotApp, build_application, running
from bot.telegram.services import Services, SummitContext
from tests.telegram.harness import ADMIN, BOT, TOKEN, UNPACED, make_settings

__all__ = [
    "ADMIN",
    "BOT",
    "QUESTIONS",
    "TOKEN",
    "UNPACED",
    "ErrorTrap",
    "RunningBot",
    "calibrate",
    "db_digest",
    "make_settings",
    "run_bot",
    "sent_text_ok",
    "text_ok",
]

OBSERVER_GROUP = 99  # after every real handler (group 0) and flood control (group -1)
#: Loggers whose ERROR records mean "something in the bot or PTB failed" (PTB logs polling failures itself).
WATCHED_LOGGERS = ("bot", "telegram", "summitbot", "httpx", "aiosqlite")
#: Far above anything a test sends, so the per-user flood control never drops a test's update.
NO_FLOOD = {"SUMMITBOT_FLOOD_PER_MINUTE": "10000"}
MAX_MESSAGE_UTF16 = 4096
REPLY_METHODS = ("sendMessage", "editMessageText", "answerCallbackQuery", "answerInlineQuery", "sendDocument")
#: Questions whose answer does not depend on what the chat asked before (each names its event), one message each.
QUESTIONS = [
    ("how many IoT companies are in Wuxi?", "en"),
    ("when was the Wuzhen summit?", "en"),
    ("where was the WIOTC 2023 held?", "en"),
    ("quel est le thème de la WIOTC 2023 ?", "fr"),
    ("งานอู๋ซีจัดที่ไหน", "th"),
    ("hoi nghi o tran to chuc khi nao", "vi"),
    ("is world telecommunication day held every year?", "en"),
    ("what is ITU Digital World 2021?", "en"),
    ("Vô Tích có bao nhiêu doanh nghiệp IoT", "vi"),
    ("what's the price of a banana", "en"),
]


class ErrorTrap(logging.Handler):
    """Collects ERROR (and worse) records of the bot's and PTB's loggers."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in WATCHED_LOGGERS:
            self.records.append(record)

    def describe(self, start: int = 0) -> str:
        lines = []
        for record in self.records[start : start + 10]:
            exc = record.exc_info[1] if record.exc_info else None
            lines.append(f"{record.name}: {record.getMessage()} {type(exc).__name__ if exc else ''}: {exc or ''}")
        return "\n".join(lines)

    def __enter__(self) -> ErrorTrap:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self)


@dataclass
class RunningBot:
    """The running application, the fake server, and what the test observes of them."""

    api: FakeBotApi
    app: BotApp
    db_path: Path
    trap: ErrorTrap
    handled: set[int] = field(default_factory=set)
    handled_count: Counter[int] = field(default_factory=Counter)  # how many times each update went through
    errors: list[tuple[object, BaseException | None]] = field(default_factory=list)  # what reached the error handlers
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def services(self) -> Services:
        value = self.app.bot_data.services
        assert isinstance(value, Services)
        return value

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait (bounded) until every update queued so far has gone through all handler groups."""
        queued = set(range(1, self.api.feed.last_id + 1))
        async with asyncio.timeout(timeout):
            while not queued <= self.handled:
                self.changed.clear()
                await self.changed.wait()

    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[Call]:
        return [c for c in self.api.calls_of(method) if chat_id is None or c.params.get("chat_id") == chat_id]

    def failed_calls(self, methods: Iterable[str] = REPLY_METHODS) -> list[Call]:
        wanted = set(methods)
        return [c for c in self.api.calls if c.method in wanted and not c.ok]


@asynccontextmanager
async def run_bot(api: FakeBotApi, db_path: Path, engine: Engine | None = None, *, poll_timeout: int = 1, **env: str) -> AsyncIterator[RunningBot]:
    """Run ``build_application(settings, engine)`` with long polling against ``api``, observing it.

    An observer in group 99 records each update once every real handler has finished with it; an extra error
    handler records everything that reaches the application's error handlers; an :class:`ErrorTrap` collects ERROR
    log records.
    """
    assert api.root is not None
    settings = make_settings(api.root, db_path, **{**NO_FLOOD, **env})
    app = build_application(settings, engine)
    with ErrorTrap() as trap:
        bot = RunningBot(api, app, db_path, trap)

        async def observe(update: Update, context: SummitContext) -> None:
            bot.handled.add(update.update_id)
            bot.handled_count[update.update_id] += 1
            bot.changed.set()

        async def record_error(update: object, context: SummitContext) -> None:
            bot.errors.append((update, context.error))

        app.add_handler(TypeHandler(Update, observe), group=OBSERVER_GROUP)
        app.add_error_handler(record_error)
        async with running(app, poll_timeout=poll_timeout):
            yield bot


async def calibrate(bot: RunningBot, first_chat: int = 1) -> dict[str, str]:
    """Each of :data:`QUESTIONS` once, in its own private chat: the answer (visible text) every later copy must get."""
    for n, (question, lang) in enumerate(QUESTIONS):
        bot.api.send_text(question, chat_id=first_chat + n, user_id=first_chat + n, language_code=lang)
    await bot.settle()
    expected: dict[str, str] = {}
    for n, (question, _) in enumerate(QUESTIONS):
        [reply] = bot.sent(first_chat + n)
        expected[question] = sent_text_ok(reply)
    assert len(set(expected.values())) == len(QUESTIONS), "calibration answers should differ"
    return expected


def text_ok(text: str, parse_mode: str | None) -> str:
    """The visible text of a message, checked as Telegram would: valid HTML, not empty, at most 4096 UTF-16 units."""
    visible = html_to_plain(text) if str(parse_mode or "").upper() == "HTML" else text
    assert visible.strip(), f"empty message: {text!r}"
    assert utf16_len(visible) <= MAX_MESSAGE_UTF16, f"message of {utf16_len(visible)} UTF-16 units"
    return visible


def sent_text_ok(call: Call) -> str:
    """The visible text of a sent (or edited) message, checked by :func:`text_ok`."""
    return text_ok(str(call.params.get("text", "")), call.params.get("parse_mode"))


def db_digest(path: Path) -> str:
    """A digest of the database file and its WAL (what a write would change)."""
    digest = hashlib.sha256()
    for part in (path, path.with_name(path.name + "-wal")):
        digest.update(part.read_bytes() if part.exists() else b"-")
    return digest.hexdigest()


def check_knowledge_tables(path: Path) -> dict[str, Any]:
    """Consistency of the knowledge tables in a database file (after the bot is gone).

    * ``PRAGMA integrity_check`` is ``ok`` and ``foreign_key_check`` finds nothing;
    * every entity's overlay row is the effect of its latest change: the overlay holds the latest change's
      ``after_json`` with that change's id, or there is no overlay row when the latest change went back to the
      baseline (``after_json`` NULL);
    * every overlay row points at a change of that very entity;
    * each change's ``before_json`` is the ``after_json`` of the entity's previous change (the history is a chain);
    * every batch that an undo reverted is marked ``undone_by`` that undo.

    Returns:
        Counts (changes, overlay rows, undos) for the report.
    """
    db = sqlite3.connect(path)  # as the restarted bot would: recovering the WAL the crash left
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        columns = "change_id, batch_id, action, entity, entity_id, before_json, after_json, summary, undone_by"
        changes = db.execute(f"SELECT {columns} FROM kb_changes ORDER BY change_id").fetchall()
        overlay = {(e, i): (data, cid) for e, i, data, cid in db.execute("SELECT entity, entity_id, data_json, change_id FROM kb_overlay")}
    finally:
        db.close()
    latest: dict[tuple[str, str], tuple[int, str | None]] = {}
    for change_id, _batch, _action, entity, entity_id, before, after, _summary, _undone in changes:
        key = (entity, entity_id)
        previous = latest.get(key, (0, None))[1]
        assert before == previous, f"change #{change_id} of {key}: before_json is not the previous state"
        latest[key] = (change_id, after)
    for key, (change_id, after) in latest.items():
        if after is None:
            assert key not in overlay, f"{key}: back to the baseline by #{change_id}, but still in the overlay"
        else:
            assert overlay.get(key) == (after, change_id), f"{key}: the overlay is not the effect of its latest change #{change_id}"
    assert set(overlay) <= set(latest), "an overlay row without any change"
    by_id = {row[0]: row for row in changes}
    undos = [row for row in changes if row[2] == "undo"]
    for _change_id, batch_id, _action, _entity, _entity_id, _before, _after, summary, _undone in undos:
        target = int(summary.split("#", 1)[1].split(":", 1)[0])  # "undo #<change_id>: <summary>"
        reverted_batch = by_id[target][1]
        marks = {row[8] for row in changes if row[1] == reverted_batch}
        assert marks == {batch_id}, f"undo batch #{batch_id} reverted batch #{reverted_batch}, which is marked undone_by {marks}"
    return {"changes": len(changes), "overlay": len(overlay), "undos": len({row[1] for row in undos})}
