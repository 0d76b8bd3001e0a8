"""Update processing: one chat strictly in order, different chats never wait for each other."""

from __future__ import annotations

import pytest
from harness import Harness, plain

from bot.telegram.ordering import PerChatOrder, order_key

pytestmark = pytest.mark.timeout(30)


async def test_a_slow_chat_does_not_block_others_and_keeps_its_order(bot: Harness) -> None:
    bot.api.delay_next("sendMessage", 1.0, chat_id=42)  # Telegram is slow for chat 42's first reply
    bot.api.send_text("when was the Wuzhen summit?", chat_id=42, user_id=42)
    bot.api.send_text("and where?", chat_id=42, user_id=42)
    bot.api.send_text("how many IoT companies are in Wuxi?", chat_id=43, user_id=43)
    other = await bot.reply(43)
    first, second = await bot.reply(42), await bot.reply(42)
    assert "3,000" in plain(other)
    assert "8 November 2023" in plain(first) and "Zhejiang" in plain(second)
    # Chat 43 was answered while chat 42 waited; chat 42's second request started only after its first ended.
    assert other.at < first.at + 0.5 and second.at >= first.at + 0.9
    assert isinstance(bot.app.update_processor, PerChatOrder) and bot.app.update_processor.slots == 8
    await bot.settle()
    assert bot.app.update_processor.chats_in_flight == 0


def test_order_keys() -> None:
    from telegram import Chat, InlineQuery, Message, Update, User

    user = User(7, "Ann", False)
    message = Message(1, None, Chat(-5, "group"), from_user=user)  # type: ignore[arg-type]
    assert order_key(Update(1, message=message)) == ("chat", -5)
    assert order_key(Update(2, inline_query=InlineQuery("q", user, "wuz", ""))) == ("user", 7)
    assert order_key(Update(3)) is None and order_key("not an update") is None
