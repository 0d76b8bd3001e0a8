"""Sending HTML replies: threaded where it helps, split parts in order, following a group's migration."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter

from bot.engine import Answer
from bot.telegram.formatting import Block, render, render_answer
from bot.telegram.keyboards import answer_keyboard
from bot.telegram.ordering import wait_out
from bot.telegram.services import Services

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
T = TypeVar("T")
#: Attempts for one reply, and the longest 429 wait a user's reply may sit out (longer ones are given up).
SEND_ATTEMPTS = 4
MAX_RETRY_AFTER = 30.0


async def follow_migration(svc: Services, old_chat: int, new_chat: int, title: str | None = None) -> None:
    """Move what the bot knows about a group to the supergroup it became (store, subscription and conversations)."""
    await svc.store.migrate_chat(old_chat, new_chat, title=title)
    if svc.announcer is not None:
        await svc.announcer.subscriptions.move(old_chat, new_chat)
    svc.contexts.move_chat(old_chat, new_chat)
    log.info("chat %s migrated to %s", old_chat, new_chat)


async def send_parts(
    svc: Services,
    bot: Bot,
    chat_id: int,
    parts: Sequence[str],
    *,
    reply_to: int | None = None,
    thread_id: int | None = None,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Send HTML messages in order; the first replies to ``reply_to``, the last carries the buttons.

    Args:
        svc: the services (to record a migration).
        bot: the bot.
        chat_id: the chat.
        parts: the HTML messages, each within Telegram's limit.
        reply_to: the message to thread the reply to, if any.
        thread_id: the forum topic, if any.
        markup: inline buttons for the last part.
    """
    for index, part in enumerate(parts):
        buttons = markup if index == len(parts) - 1 else None
        quote = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to is not None and index == 0 else None
        try:
            await with_retries(
                partial(
                    bot.send_message, chat_id, part, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                    reply_markup=buttons, reply_parameters=quote, message_thread_id=thread_id,
                )
            )  # fmt: skip
        except ChatMigrated as exc:
            # The group became a supergroup before its migration message reached us: follow it and resend.
            await follow_migration(svc, chat_id, exc.new_chat_id)
            chat_id, reply_to, thread_id = exc.new_chat_id, None, None
            await with_retries(partial(bot.send_message, chat_id, part, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW, reply_markup=buttons))


async def with_retries(send: Callable[[], Awaitable[T]], attempts: int = SEND_ATTEMPTS) -> T:
    """Run a Bot API call, retrying what is transient: a 429 after its ``retry_after`` (up to a cap), a network
    error, timeout or 5xx after 0.5, 1, 2 s. A request Telegram refused (400, 403) is raised at once.

    A timeout can hide a message Telegram did deliver, so a retried reply can, rarely, arrive twice; losing the
    answer is the worse failure.

    Args:
        send: makes the call (called again for each attempt).
        attempts: how many calls at most.

    Returns:
        The call's result.

    Raises:
        TelegramError: the last error when every attempt failed, or a non-transient one at once.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await send()
        except RetryAfter as exc:
            wait = exc.retry_after if isinstance(exc.retry_after, (int, float)) else exc.retry_after.total_seconds()
            if attempt == attempts or wait > MAX_RETRY_AFTER:
                raise
            await wait_out(wait)  # without holding a processing slot: other chats need it more
        except (BadRequest, ChatMigrated):
            raise
        except NetworkError:
            if attempt == attempts:
                raise
            log.warning("Bot API call failed (attempt %d of %d); retrying", attempt, attempts)
            await wait_out(0.5 * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def in_private(message: Message) -> bool:
    """Whether the message is in a private chat with the bot."""
    return message.chat.type == ChatType.PRIVATE


async def reply_parts(svc: Services, message: Message, parts: Sequence[str], *, quote: bool, markup: InlineKeyboardMarkup | None = None) -> None:
    """Reply to a message with HTML parts, in its chat and forum topic.

    Args:
        svc: the services.
        message: the message replied to.
        parts: the HTML messages.
        quote: thread the reply to the message (groups; edited questions).
        markup: buttons for the last part.
    """
    thread = message.message_thread_id if message.is_topic_message else None
    reply_to = message.message_id if quote else None
    await send_parts(svc, message.get_bot(), message.chat_id, parts, reply_to=reply_to, thread_id=thread, markup=markup)


async def reply_blocks(svc: Services, message: Message, blocks: Sequence[Block], *, quote: bool, markup: InlineKeyboardMarkup | None = None) -> None:
    """Reply with the bot's own lines (escaped and split by :func:`render`)."""
    await reply_parts(svc, message, render(blocks), quote=quote, markup=markup)


async def reply_answer(svc: Services, message: Message, answer: Answer, *, quote: bool) -> None:
    """Reply with an engine answer, with its buttons (card follow-ups or "did you mean" choices)."""
    await reply_parts(svc, message, render_answer(answer, svc.messages), quote=quote, markup=answer_keyboard(answer, svc.messages))
