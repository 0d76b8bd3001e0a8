"""What the bot's recent answers in each chat were about, so that a reply to one of them follows it up."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import OrderedDict
from collections.abc import Iterable

from telegram import InlineKeyboardMarkup, Message

from bot.engine import Context
from bot.telegram.keyboards import EventAction, parse_callback

#: Answers remembered at most; the oldest are forgotten first (a reply to one of those falls back to its buttons).
MAX_ANSWERS = 20_000

MessageKey = tuple[int, int]  # (chat id, message id)


class AnsweredMessages:
    """The context of each of the bot's recent answers, by (chat, message id): bounded, oldest first out."""

    def __init__(self, max_size: int = MAX_ANSWERS) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self._max = max_size
        self._items: OrderedDict[MessageKey, Context] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def remember(self, chat_id: int, message_ids: Iterable[int], ctx: Context) -> None:
        """Note what the messages of one answer (all its parts) were about, then forget the oldest beyond the limit.

        Args:
            chat_id: the chat the answer was sent to.
            message_ids: the ids of its messages.
            ctx: the answer's context.
        """
        for message_id in message_ids:
            self._items[(chat_id, message_id)] = ctx
            self._items.move_to_end((chat_id, message_id))
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    def get(self, chat_id: int, message_id: int) -> Context | None:
        """The context of one of the bot's answers, or None when it is not (or no longer) remembered."""
        return self._items.get((chat_id, message_id))

    def move_chat(self, old_chat: int, new_chat: int) -> None:
        """Carry a group's answers over to the supergroup it became (message ids are kept by the migration)."""
        for chat, message_id in [k for k in self._items if k[0] == old_chat]:
            self._items[(new_chat, message_id)] = self._items.pop((chat, message_id))


def keyboard_event(markup: InlineKeyboardMarkup | None) -> str | None:
    """The one event a message's buttons are about (a card's follow-ups), or None for none or several.

    Args:
        markup: the message's inline keyboard, as Telegram returns it with the message.

    Returns:
        The event id.
    """
    if markup is None:
        return None
    events = {
        action.event_id
        for row in markup.inline_keyboard
        for button in row
        if isinstance(button.callback_data, str) and isinstance(action := parse_callback(button.callback_data), EventAction)
    }  # fmt: skip
    return events.pop() if len(events) == 1 else None


def replied_context(message: Message, bot_id: int, answered: AnsweredMessages, now: dt.datetime) -> Context | None:
    """The context of the bot's answer that ``message`` replies to, made fresh: replying to it is asking about it.

    The answer is looked up among the remembered ones, else read from its buttons (a card sent before a restart).

    Args:
        message: the incoming message.
        bot_id: the bot's user id.
        answered: the bot's remembered answers.
        now: the current time.

    Returns:
        The context, or None when the message replies to nothing of the bot's that names an event.
    """
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != bot_id:
        return None
    ctx = answered.get(message.chat_id, replied.message_id)
    if ctx is not None:
        return dataclasses.replace(ctx, at=now) if ctx.event_id else None
    event = keyboard_event(replied.reply_markup)
    return Context(event, None, now) if event else None
