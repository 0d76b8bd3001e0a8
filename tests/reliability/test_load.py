"""Load: many chats × several messages at once through the fake Bot API; every message answered exactly once.

200 chats × 5 messages are queued in one burst, interleaved (round 1 of every chat, then round 2, ...). Half the chats
are private (answers are not threaded, so the k-th reply of a chat must be the answer to its k-th question: per-chat
order), half are groups asking with ``/ask`` or an @mention (answers are threaded, so each reply names the question it
answers). The heavy variant is ``bench/bench_load.py`` (1,000 chats).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from fakeapi import FakeBotApi
from reliability_kit import BOT, QUESTIONS, calibrate, run_bot, sent_text_ok

from bot.engine import Engine

pytestmark = pytest.mark.timeout(90)

CHATS = 200
PER_CHAT = 5


def chat_of(index: int) -> tuple[int, int, str]:
    """(chat id, user id, chat type) of the index-th chat: even → private, odd → group."""
    if index % 2 == 0:
        return 100_000 + index, 100_000 + index, "private"
    return -(200_000 + index), 300_000 + index, "group"


def question_of(index: int, k: int) -> tuple[str, str]:
    return QUESTIONS[(index * 3 + k) % len(QUESTIONS)]


async def test_every_message_is_answered_exactly_once(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    async with run_bot(api, tmp_path / "load.sqlite3", engine) as bot:
        expected = await calibrate(bot)
        calibration_calls = len(bot.sent())

        asked_private: dict[int, list[str]] = defaultdict(list)
        asked_group: dict[tuple[int, int], str] = {}  # (chat, question message id) → question
        started = time.perf_counter()
        for k in range(PER_CHAT):  # queued without yielding to the loop: one burst
            for index in range(CHATS):
                chat_id, user_id, kind = chat_of(index)
                question, lang = question_of(index, k)
                if kind == "private":
                    api.send_text(question, chat_id=chat_id, user_id=user_id, language_code=lang)
                    asked_private[chat_id].append(question)
                else:
                    text = f"/ask {question}" if k % 2 == 0 else f"@{BOT} {question}"
                    update = api.send_text(text, chat_id=chat_id, user_id=user_id, chat_type="group", language_code=lang)
                    asked_group[(chat_id, update["message"]["message_id"])] = question
        total = CHATS * PER_CHAT
        await api.wait_until(lambda: api.method_counts["sendMessage"] >= calibration_calls + total, timeout=60)
        elapsed = time.perf_counter() - started
        await bot.settle(timeout=30)  # every update has gone through every handler: no reply can still come
        await api.wait_until(lambda: api.pending_updates() == 0, timeout=5)  # and every update was confirmed

        replies = bot.sent()[calibration_calls:]
        assert not bot.failed_calls(), "a reply was refused by the fake server"
        assert len(replies) == total, f"{len(replies)} replies to {total} messages"
        by_chat: dict[int, list[str]] = defaultdict(list)
        threaded: Counter[tuple[int, int]] = Counter()
        for call in replies:
            chat_id = call.params["chat_id"]
            text = sent_text_ok(call)
            by_chat[chat_id].append(text)
            if chat_id < 0:
                key = (chat_id, call.params["reply_parameters"]["message_id"])
                assert key in asked_group, f"a reply threaded to a message that is not a question: {key}"
                assert text == expected[asked_group[key]], f"wrong answer in group {chat_id}"
                threaded[key] += 1
            else:
                assert "reply_parameters" not in call.params
        # Groups: every question has exactly one threaded answer (none lost, none doubled).
        assert set(threaded) == set(asked_group) and set(threaded.values()) == {1}
        # Private chats: exactly the five answers, in the order the questions were asked.
        for chat_id, questions in asked_private.items():
            assert by_chat[chat_id] == [expected[q] for q in questions], f"chat {chat_id}"
        assert set(by_chat) == set(asked_private) | {c for c, _ in asked_group}
        assert bot.handled >= set(range(1, api.feed.last_id + 1))
        assert bot.app.update_processor.chats_in_flight == 0  # type: ignore[attr-defined]
        assert not bot.errors and not bot.trap.records, bot.trap.describe()
        print(f"\nload: {total} messages from {CHATS} chats answered once each in {elapsed:.2f}s ({total / elapsed:.0f} msg/s)")
