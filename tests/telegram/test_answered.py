"""What the bot's answers were about (bot.telegram.answered): the bounded map, and a reply's context."""

from __future__ import annotations

import datetime as dt

import pytest
from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, User

from bot.engine import Context
from bot.telegram.answered import AnsweredMessages, keyboard_event, replied_context
from bot.telegram.keyboards import encode_event, encode_lang

T0 = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)
LATER = T0 + dt.timedelta(hours=3)  # long after a conversation context expires
BOT_ID, CHAT = 777, -500
GROUP = Chat(CHAT, Chat.GROUP)
WUZHEN = Context("wic_wuzhen_2023", "event_when", T0)


def message(message_id: int, sender: int, *, reply_to: Message | None = None, markup: InlineKeyboardMarkup | None = None) -> Message:
    user = User(sender, "Bot" if sender == BOT_ID else "Ann", is_bot=sender == BOT_ID)
    return Message(message_id, T0, GROUP, from_user=user, reply_to_message=reply_to, reply_markup=markup)


def card_markup(event_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Date & place", callback_data=encode_event("dp", event_id, "en"))],
            [InlineKeyboardButton("Theme", callback_data=encode_event("ev", event_id, "en", "event_theme"))],
        ]
    )


def test_remembers_every_part_and_forgets_the_oldest_first() -> None:
    answered = AnsweredMessages(max_size=3)
    answered.remember(CHAT, [1, 2], WUZHEN)
    other = Context("wiotc_2023", None, T0)
    answered.remember(CHAT, [3], other)
    assert (answered.get(CHAT, 1), answered.get(CHAT, 2), answered.get(CHAT, 3)) == (WUZHEN, WUZHEN, other)
    assert answered.get(CHAT + 1, 1) is None  # message ids are per chat
    answered.remember(CHAT, [4], other)
    assert len(answered) == 3 and answered.get(CHAT, 1) is None and answered.get(CHAT, 2) == WUZHEN
    with pytest.raises(ValueError, match="at least 1"):
        AnsweredMessages(0)


def test_answers_move_with_a_migrated_group() -> None:
    answered = AnsweredMessages()
    answered.remember(CHAT, [5], WUZHEN)
    answered.remember(-600, [5], Context("wiotc_2023", None, T0))
    answered.move_chat(CHAT, -1000500)
    assert answered.get(CHAT, 5) is None and answered.get(-1000500, 5) == WUZHEN
    assert answered.get(-600, 5) is not None


def test_keyboard_event_needs_exactly_one_event() -> None:
    assert keyboard_event(card_markup("wic_wuzhen_2023")) == "wic_wuzhen_2023"
    mixed = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("A", callback_data=encode_event("ev", "wic_wuzhen_2023", "en", "event_summary"))],
            [InlineKeyboardButton("B", callback_data=encode_event("ev", "wiotc_2023", "en", "event_summary"))],
        ]
    )
    assert keyboard_event(mixed) is None  # /events or "did you mean": no single event
    languages = InlineKeyboardMarkup([[InlineKeyboardButton("English", callback_data=encode_lang("en"))]])
    assert keyboard_event(languages) is None
    forged = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="v1|ev|../etc|event_theme|en")]])
    assert keyboard_event(forged) is None and keyboard_event(None) is None
    links = InlineKeyboardMarkup([[InlineKeyboardButton("Open", url="https://t.me/summit_test_bot?start=wiotc_2023")]])
    assert keyboard_event(links) is None


def test_a_reply_to_a_remembered_answer_is_fresh_in_its_context() -> None:
    answered = AnsweredMessages()
    answer = message(10, BOT_ID)
    answered.remember(CHAT, [10], WUZHEN)
    ctx = replied_context(message(11, 12, reply_to=answer), BOT_ID, answered, LATER)
    assert ctx == Context("wic_wuzhen_2023", "event_when", LATER) and ctx.fresh(LATER)


def test_a_reply_to_a_forgotten_card_reads_its_buttons() -> None:
    card = message(20, BOT_ID, markup=card_markup("wiotc_2023"))
    assert replied_context(message(21, 12, reply_to=card), BOT_ID, AnsweredMessages(), LATER) == Context("wiotc_2023", None, LATER)


def test_no_context_from_anything_else() -> None:
    answered = AnsweredMessages()
    answered.remember(CHAT, [30], WUZHEN)
    human = message(30, 12, markup=card_markup("wiotc_2023"))  # same id, but someone else's message
    assert replied_context(message(31, 13, reply_to=human), BOT_ID, answered, LATER) is None
    assert replied_context(message(32, 13), BOT_ID, answered, LATER) is None  # not a reply
    answered.remember(CHAT, [33], Context(None, "help", T0))
    assert replied_context(message(34, 13, reply_to=message(33, BOT_ID)), BOT_ID, answered, LATER) is None
    assert replied_context(message(35, 13, reply_to=message(36, BOT_ID)), BOT_ID, answered, LATER) is None  # plain, unknown
