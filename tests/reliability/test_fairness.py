"""Fairness (issue 10, item 1): one chat's backlog never holds the processing capacity other chats need.

A chat's queued updates used to wait for that chat's turn while holding one of the shared processing slots, so a
burst in one chat (a user sending 20 questions, a busy group) delayed every other chat by seconds. Each reply to the
bursting chat is held by the fake Bot API for a while (as a slow or rate-limited Telegram would), and five other
chats ask one question each just after the burst: every one of them must be answered within a second, while the
bursting chat still gets its answers in order.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fakeapi import FakeBotApi
from reliability_kit import BOT, QUESTIONS, calibrate, run_bot, sent_text_ok

from bot.engine import Engine
from bot.telegram.ordering import MAX_CONCURRENT_UPDATES

# PTB 22.8's RetryAfter.__init__ itself reads its deprecated int retry_after (a warning on every 429, not ours).
pytestmark = [pytest.mark.timeout(60), pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")]

BURST = 20
HOLD = 0.15  # seconds the fake server holds each reply to the bursting chat: 3 s for the whole burst
OTHERS = 5
TARGET = 1.0  # seconds: the most another chat may wait for its answer


@pytest.mark.parametrize("kind", ["private", "group"])
async def test_other_chats_are_answered_within_a_second_while_one_chat_bursts(kind: str, api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    async with run_bot(api, tmp_path / "fair.sqlite3", engine) as bot:
        expected = await calibrate(bot, first_chat=500)
        burst_chat = 42 if kind == "private" else -4242
        api.delay_next("sendMessage", HOLD, times=BURST, chat_id=burst_chat)
        asked: list[str] = []
        for n in range(BURST):  # queued without yielding: the bot fetches the burst and the others in one batch
            question, lang = QUESTIONS[n % len(QUESTIONS)]
            asked.append(question)
            if kind == "private":
                api.send_text(question, chat_id=burst_chat, user_id=burst_chat, language_code=lang)
            else:  # a busy group: several members asking the bot, none of them over the flood limit
                api.send_text(f"@{BOT} {question}", chat_id=burst_chat, user_id=7000 + n % 4, chat_type="group", language_code=lang)
        pushed = time.monotonic()
        others = [600 + n for n in range(OTHERS)]
        for chat in others:
            api.send_text(QUESTIONS[0][0], chat_id=chat, user_id=chat)
        replies = [await bot.api.wait_for("sendMessage", lambda c, chat=chat: c.params.get("chat_id") == chat, timeout=10) for chat in others]  # type: ignore[misc]
        waits = [round(r.at - pushed, 2) for r in replies]
        assert max(waits) <= TARGET, f"other chats waited {waits} s while chat {burst_chat} burst"
        assert all(sent_text_ok(r) == expected[QUESTIONS[0][0]] for r in replies)
        await bot.settle(timeout=30)  # Telegram's one message a second in a chat: the burst's 20 answers take ~20 s
        got = [sent_text_ok(c) for c in bot.sent(burst_chat)]
        assert got == [expected[q] for q in asked], "the bursting chat's answers came out of order"
        assert bot.app.update_processor.current_concurrent_updates == 0


async def test_replies_waiting_out_a_429_leave_their_slots_to_other_chats(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    async with run_bot(api, tmp_path / "fair.sqlite3", engine) as bot:
        expected = await calibrate(bot, first_chat=500)
        limited = [700 + n for n in range(MAX_CONCURRENT_UPDATES)]  # as many chats as there are slots, each told to wait 2 s
        for chat in limited:
            api.fail_next("sendMessage", error_code=429, retry_after=2, chat_id=chat)
            api.send_text(QUESTIONS[1][0], chat_id=chat, user_id=chat)
        pushed = time.monotonic()
        api.send_text(QUESTIONS[0][0], chat_id=800, user_id=800)
        reply = await bot.api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == 800, timeout=10)
        assert reply.at - pushed <= TARGET, f"chat 800 waited {reply.at - pushed:.2f} s behind replies sitting out a 429"
        assert sent_text_ok(reply) == expected[QUESTIONS[0][0]]
        await bot.settle(timeout=10)
        assert all([sent_text_ok(c) for c in bot.sent(chat) if c.ok] == [expected[QUESTIONS[1][0]]] for chat in limited)
