"""``forget-user`` removes the user's own words from the question log (issue 10, item 8).

Users ask the real bot (fake Bot API, real SQLite file); the bot is stopped (it flushes its question log), then the
real ``summitbot forget-user`` runs on the file, and a restarted bot's ``/unanswered`` is what an admin would see.
"""

from __future__ import annotations

import asyncio
import io
import sqlite3
from pathlib import Path

import pytest
from fakeapi import FakeBotApi
from reliability_kit import ADMIN, BOT, TOKEN, RunningBot, run_bot, sent_text_ok

from bot.cli import main
from bot.engine import Engine
from bot.store import Store

pytestmark = pytest.mark.timeout(60)
ALICE, BOB, CAROL = 701, 702, 703
GROUP = -7000
ALICE_SAYS = "can alice.martin@example.org get a banana price list, call me on +66 81 234 5678, I am Alice Martin"


async def say(bot: RunningBot, text: str, user: int, chat: int | None = None, **extra: object) -> None:
    bot.api.send_text(text, chat_id=chat if chat is not None else user, user_id=user, **extra)  # type: ignore[arg-type]
    await bot.settle()


def question_texts(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [str(q) for (q,) in conn.execute("SELECT question FROM question_log ORDER BY id")]


async def unanswered(db: Path, engine: Engine) -> str:
    """What /unanswered shows an admin, from a bot restarted on the database (with its own fake Telegram)."""
    async with FakeBotApi(TOKEN, bot_username=BOT) as api, run_bot(api, db, engine) as bot:
        before = len(bot.sent(ADMIN))
        await say(bot, "/unanswered", ADMIN)
        return "\n".join(sent_text_ok(c) for c in bot.sent(ADMIN)[before:])


async def test_item8_forget_user_removes_their_questions_and_contacts_are_never_kept(
    api: FakeBotApi, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "bot.sqlite3"
    async with run_bot(api, db, engine) as bot:
        await say(bot, ALICE_SAYS, ALICE)
        await say(bot, "what is the price of a banana", BOB)
        # Carol quotes Alice's words in a group with /ask: they are still Alice's words.
        quoted = bot.api.send_text("Alice Martin wants the hotel prices for the wuzhen summit", chat_id=GROUP, user_id=ALICE, chat_type="group")
        await bot.settle()
        await say(bot, f"/ask@{bot.app.bot.username}", CAROL, GROUP, chat_type="group", reply_to_message_id=quoted["message"]["message_id"])
    stored = "\n".join(question_texts(db))
    assert "alice.martin@example.org" not in stored and "234 5678" not in stored  # contact details are masked at once
    assert "alice martin" in stored  # a name cannot be recognized: it goes with its author (below)
    shown = await unanswered(db, engine)
    assert "alice martin" in shown and "banana" in shown

    monkeypatch.setenv("SUMMITBOT_DB", str(db))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    out = io.StringIO()
    assert await asyncio.to_thread(main, ["forget-user", str(ALICE)], out) == 0  # the CLI runs its own event loop
    assert "question_log 2" in out.getvalue(), out.getvalue()

    stored = "\n".join(question_texts(db))
    assert "alice" not in stored, stored
    assert "what is the price of a banana" in stored  # Bob's words stay
    shown = await unanswered(db, engine)
    assert "alice" not in shown.lower() and "banana" in shown


async def test_item8_questions_logged_before_authors_were_recorded_lose_their_text(tmp_path: Path) -> None:
    """Rows from before the migration have no author, so nobody could ever have them forgotten: their text goes."""
    from bot.store.migrations import MIGRATIONS

    db = tmp_path / "old.sqlite3"
    store = await Store.open(db, migrations=[m for m in MIGRATIONS if m.version < 5])
    await store.close()
    with sqlite3.connect(db) as conn:
        row = ("2026-01-01", "en", 1, "i am bob, 0812345678")
        conn.execute("INSERT INTO question_log (day, lang, fallback, question) VALUES (?, ?, ?, ?)", row)
    store = await Store.open(db)
    await store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT question, lang, fallback FROM question_log").fetchall() == [("", "en", 1)]
