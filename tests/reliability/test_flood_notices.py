"""Flood control and Telegram's refusals (issue 10, items 2, 14, 15, 16): what the user gets when a call fails.

* 2 — bare commands in groups (``/ask …`` without ``@bot``) count towards the per-user flood limit like every other
  message the bot answers;
* 15 — the group flood notice, refused by Telegram's per-group limit, follows after the flood wait, and the flooded
  update never reaches the answering handlers;
* 14 — a button press whose answerCallbackQuery fails (too old, 5xx) still gets its card;
* 16 — a 200 answer with broken JSON is retried like a 5xx; after a 429 asking for longer than a reply may wait, the
  apology is deferred past the wait instead of being sent into the same flood wait at once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fakeapi import FakeBotApi
from reliability_kit import BOT, QUESTIONS, RunningBot, run_bot, sent_text_ok
from telegram import Update
from telegram.ext import TypeHandler

from bot.engine import Engine
from bot.telegram.ordering import PerChatOrder
from bot.telegram.services import SummitContext

# PTB 22.8's RetryAfter.__init__ itself reads its deprecated int retry_after (a warning on every 429, not ours).
pytestmark = [pytest.mark.timeout(30), pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")]

GROUP, MEMBER = -5005, 77
FLOOD_NOTICE = "You're sending messages faster"
APOLOGY = "Sorry, something went wrong"
TOO_OLD = "Bad Request: query is too old and response timeout expired or query id is invalid"


def seen_early(bot: RunningBot) -> set[int]:
    """Record every update before flood control can stop it (the kit's observer only sees updates that get through)."""
    seen: set[int] = set()

    async def observe(update: Update, context: SummitContext) -> None:
        seen.add(update.update_id)

    bot.app.add_handler(TypeHandler(Update, observe), group=-3)
    return seen


async def drained(bot: RunningBot, seen: set[int]) -> None:
    """Wait (bounded) until every queued update was seen and no chat has an update in flight any more."""
    processor = bot.app.update_processor
    assert isinstance(processor, PerChatOrder)
    for _ in range(500):  # 10 s at most
        if set(range(1, bot.api.feed.last_id + 1)) <= seen and processor.chats_in_flight == 0:
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("updates still in flight after 10 s")


def bot_errors(bot: RunningBot) -> list[str]:
    """ERROR records of the bot's own loggers (PTB logs every unparsable answer itself, with the payload)."""
    return [f"{r.name}: {r.getMessage()}" for r in bot.trap.records if r.name.split(".")[0] in ("bot", "summitbot")]


def threaded_to(bot: RunningBot, chat_id: int, message_id: int) -> list[str]:
    return [sent_text_ok(c) for c in bot.sent(chat_id) if c.ok and (c.params.get("reply_parameters") or {}).get("message_id") == message_id]


async def test_bare_commands_in_a_group_count_towards_the_flood_limit(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    async with run_bot(api, tmp_path / "flood.sqlite3", engine, SUMMITBOT_FLOOD_PER_MINUTE="5") as bot:
        seen = seen_early(bot)
        for n in range(12):
            api.send_text(f"/ask {QUESTIONS[n % len(QUESTIONS)][0]}", chat_id=GROUP, user_id=MEMBER, chat_type="group")
        await drained(bot, seen)
        texts = [sent_text_ok(c) for c in bot.sent(GROUP) if c.ok]
        notices = [t for t in texts if t.startswith(FLOOD_NOTICE)]
        assert len(notices) == 1, f"{len(notices)} flood notices in {texts}"
        assert len(texts) == 5 + 1, f"{len(texts) - len(notices)} answers to 12 bare /ask over a limit of 5"
        assert not bot_errors(bot) and not bot.errors


async def test_the_group_flood_notice_follows_the_flood_wait_and_the_update_stays_stopped(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    async with run_bot(api, tmp_path / "flood.sqlite3", engine, SUMMITBOT_FLOOD_PER_MINUTE="2") as bot:
        seen = seen_early(bot)
        for question, _ in QUESTIONS[:2]:
            api.send_text(f"@{BOT} {question}", chat_id=GROUP, user_id=MEMBER, chat_type="group")
        await bot.settle()
        # The two answers used up the group's budget: Telegram refuses the next message to the group for a second.
        api.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=GROUP)
        third = api.send_text(f"@{BOT} {QUESTIONS[2][0]}", chat_id=GROUP, user_id=MEMBER, chat_type="group")
        await drained(bot, seen)
        notice = await api.wait_for("sendMessage", lambda c: c.ok and c.params["chat_id"] == GROUP and sent_text_ok(c).startswith(FLOOD_NOTICE), timeout=5)
        refused = [c for c in bot.sent(GROUP) if c.status == 429]
        assert len(refused) == 1 and notice.at >= refused[0].at + 1.0, "the notice did not wait out the flood wait"
        assert threaded_to(bot, GROUP, third["message"]["message_id"]) == [sent_text_ok(notice)], "the flooded message was answered"
        assert not bot_errors(bot) and not bot.errors


@pytest.mark.parametrize("failure", ["too old", "5xx"])
async def test_a_button_press_gets_its_card_when_answering_the_press_fails(failure: str, api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    async with run_bot(api, tmp_path / "buttons.sqlite3", engine) as bot:
        api.send_text("/start wic_wuzhen_2023", chat_id=42, user_id=42)
        await bot.settle()
        [card] = bot.sent(42)
        rows = card.params["reply_markup"]["inline_keyboard"]
        data = next(b["callback_data"] for row in rows for b in row if b.get("callback_data", "").startswith("v1|"))
        if failure == "too old":
            api.fail_next(
                "answerCallbackQuery", error_code=400, description="Bad Request: query is too old and response timeout expired or query id is invalid"
            )
        else:
            api.fail_http_5xx("answerCallbackQuery", 502, times=2)
        api.press_button(card, data, user_id=42)
        await bot.settle()
        # The card shows the pressed follow-up in place: one edit, no apology, nothing sent below it.
        answers = [sent_text_ok(c) for c in bot.sent(42, "editMessageText") if c.ok]
        assert len(answers) == 1 and not answers[0].startswith(APOLOGY), f"after the press: {answers}"
        assert bot.sent(42) == [card]
        assert not bot_errors(bot) and not bot.errors


async def test_a_garbled_200_answer_is_retried(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    async with run_bot(api, tmp_path / "garbled.sqlite3", engine) as bot:
        api.garble_next("sendMessage", chat_id=42)
        api.send_text(QUESTIONS[0][0], chat_id=42, user_id=42)
        await bot.settle()
        delivered = [sent_text_ok(c) for c in bot.sent(42) if c.ok]
        assert len(delivered) == 1 and not delivered[0].startswith(APOLOGY), f"the user got {delivered}"
        assert len(bot.sent(42)) == 2 and not bot_errors(bot) and not bot.errors


async def test_after_a_long_flood_wait_the_apology_waits_too(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    async with run_bot(api, tmp_path / "wait.sqlite3", engine) as bot:
        api.fail_next("sendMessage", error_code=429, retry_after=60, chat_id=42)
        api.send_text(QUESTIONS[0][0], chat_id=42, user_id=42)
        await bot.settle()
        await asyncio.sleep(0.3)  # room for an apology sent at once
        assert [c.status for c in bot.sent(42)] == [429], "a message went to the chat during its flood wait"
        jobs = [job.name for job in bot.app.job_queue.jobs()] if bot.app.job_queue else []
        assert "later: apology for update 1 (chat 42, user 42)" in jobs, jobs
        assert not bot_errors(bot)
