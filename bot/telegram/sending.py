"""Sending HTML replies: threaded where it helps, split parts in order, following a group's migration; every
message within the bot's one sending budget (:class:`~bot.telegram.outgoing.Outgoing`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TelegramError
from telegram.ext import JobQueue

from bot.engine import Answer
from bot.telegram.formatting import Block, render, render_answer
from bot.telegram.keyboards import answer_keyboard
from bot.telegram.ordering import wait_out
from bot.telegram.outgoing import SlotBusy, retry_seconds
from bot.telegram.services import Services, SummitContext

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
T = TypeVar("T")
#: Attempts for one reply, and the longest 429 wait a user's reply may sit out (longer ones are given up).
SEND_ATTEMPTS = 4
MAX_RETRY_AFTER = 30.0
#: A message deferred past Telegram's flood wait (:func:`deliver_later`): the longest wait it is kept for, how many
#: times it is deferred again, and a margin so that it does not arrive a moment too early.
MAX_LATER, LATER_TRIES, LATER_MARGIN = 120.0, 3, 0.5
Jobs = JobQueue[Any]  # what CallbackContext.job_queue is typed as


async def follow_migration(svc: Services, old_chat: int, new_chat: int, title: str | None = None) -> None:
    """Move what the bot knows about a group to the supergroup it became (store, subscription and conversations)."""
    await svc.store.migrate_chat(old_chat, new_chat, title=title)
    if svc.announcer is not None:
        await svc.announcer.subscriptions.move(old_chat, new_chat)
    svc.contexts.move_chat(old_chat, new_chat)
    svc.answered.move_chat(old_chat, new_chat)
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
) -> list[Message]:
    """Send HTML messages in order, each in its slot of the sending budget; the first replies to ``reply_to``, the
    last carries the buttons.

    Args:
        svc: the services (to record a migration).
        bot: the bot.
        chat_id: the chat.
        parts: the HTML messages, each within Telegram's limit.
        reply_to: the message to thread the reply to, if any.
        thread_id: the forum topic, if any.
        markup: inline buttons for the last part.

    Returns:
        The messages sent, in order.
    """
    sent: list[Message] = []
    for index, part in enumerate(parts):
        buttons = markup if index == len(parts) - 1 else None
        quote = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to is not None and index == 0 else None
        send = partial(
            bot.send_message, chat_id, part, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
            reply_markup=buttons, reply_parameters=quote, message_thread_id=thread_id,
        )  # fmt: skip
        try:
            message = await with_retries(svc.outgoing.paced(send, chat_id, chat_id < 0))
        except ChatMigrated as exc:
            # The group became a supergroup before its migration message reached us: follow it and resend.
            await follow_migration(svc, chat_id, exc.new_chat_id)
            chat_id, reply_to, thread_id = exc.new_chat_id, None, None
            again = partial(bot.send_message, chat_id, part, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW, reply_markup=buttons)
            message = await with_retries(svc.outgoing.paced(again, chat_id, True))
        sent.append(message)
    return sent


async def with_retries(send: Callable[[], Awaitable[T]], attempts: int = SEND_ATTEMPTS, *, max_wait: float = MAX_RETRY_AFTER) -> T:
    """Run a Bot API call, retrying what is transient: a 429 after its ``retry_after`` (up to ``max_wait``), a
    network error, timeout, 5xx or garbled answer after 0.5, 1, 2 s. A request Telegram refused (400, 403) is raised
    at once.

    A timeout can hide a message Telegram did deliver, so a retried reply can, rarely, arrive twice; losing the
    answer is the worse failure.

    Args:
        send: makes the call (called again for each attempt).
        attempts: how many calls at most.
        max_wait: the longest 429 wait sat out (a longer one is raised).

    Returns:
        The call's result.

    Raises:
        TelegramError: the last error when every attempt failed, or a non-transient one at once.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await send()
        except RetryAfter as exc:
            wait = retry_seconds(exc)
            if attempt == attempts or wait > max_wait:
                raise
            await wait_out(wait)  # without holding a processing slot: other chats need it more
        except (BadRequest, ChatMigrated):
            raise
        except TelegramError as exc:
            if attempt == attempts or not transient(exc):
                raise
            log.warning("Bot API call failed (attempt %d of %d); retrying", attempt, attempts)
            await wait_out(0.5 * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def transient(exc: TelegramError) -> bool:
    """Whether another attempt may succeed: a network error, timeout or 5xx, or a reply whose JSON was broken on
    the way (PTB raises a bare TelegramError from the JSON decoder's ValueError for a 2xx answer it cannot parse)."""
    if isinstance(exc, (BadRequest, ChatMigrated, RetryAfter)):
        return False
    return isinstance(exc, NetworkError) or (type(exc) is TelegramError and isinstance(exc.__cause__, ValueError))


def deliver_later(jobs: Jobs | None, send: Callable[[], Awaitable[object]], wait: float, what: str, tries: int = LATER_TRIES) -> bool:
    """Make a call once Telegram's flood wait is over, from a job: no update, chat or slot waits for it meanwhile.

    Args:
        jobs: the application's job queue.
        send: makes the call; a further 429 defers it again (``tries`` times at most).
        wait: the seconds Telegram asked to wait.
        what: names the call in the log (ids only, never text).
        tries: how many more times it may be deferred.

    Returns:
        Whether it was scheduled (not without a job queue, past MAX_LATER or out of tries: it is dropped, logged).
    """
    if jobs is None or tries < 1 or wait > MAX_LATER:
        log.warning("%s dropped: Telegram asked to wait %.0f s", what, wait)
        return False

    async def attempt(context: SummitContext) -> None:
        try:
            await with_retries(send, max_wait=0)
        except (RetryAfter, SlotBusy) as exc:
            deliver_later(jobs, send, retry_seconds(exc), what, tries - 1)
        except TelegramError as exc:
            log.warning("%s failed: %s", what, exc)

    jobs.run_once(attempt, wait + LATER_MARGIN, name=f"later: {what}")
    log.info("%s deferred by %.0f s: Telegram asked to wait", what, wait)
    return True


async def send_or_later(jobs: Jobs | None, send: Callable[[], Awaitable[object]], what: str) -> None:
    """Make a call now, or after Telegram's flood wait if it answers 429 or the chat has no send slot now
    (:func:`deliver_later`); never raises a Telegram error (it is logged): for the bot's own notices, which must not
    stop what the caller does next."""
    try:
        await with_retries(send, max_wait=0)
    except (RetryAfter, SlotBusy) as exc:
        deliver_later(jobs, send, retry_seconds(exc), what)
    except TelegramError as exc:
        log.warning("%s failed: %s", what, exc)


async def answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button press (stops the spinner, shows the notice); a failure is logged and never stops the handler.

    Telegram refuses answers to presses older than about 15 s ("query is too old"), and a 5xx may hide an answer that
    arrived: either way the card the user asked for matters more than the spinner, so the handler goes on.
    """
    try:
        await with_retries(partial(query.answer, text), attempts=2)
    except TelegramError as exc:
        log.info("button press %s: answering it failed (%s); going on", query.id, exc)


def in_private(message: Message) -> bool:
    """Whether the message is in a private chat with the bot."""
    return message.chat.type == ChatType.PRIVATE


async def show_typing(message: Message) -> None:
    """Show "typing…" in the message's chat (and forum topic) before slow work; a failure is only logged.

    Args:
        message: the message being answered.
    """
    try:
        await message.reply_chat_action(ChatAction.TYPING)
    except TelegramError as exc:
        log.debug("typing indicator not shown in chat %s: %s", message.chat_id, exc)


async def reply_parts(svc: Services, message: Message, parts: Sequence[str], *, quote: bool, markup: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Reply to a message with HTML parts, in its chat and forum topic.

    Args:
        svc: the services.
        message: the message replied to.
        parts: the HTML messages.
        quote: thread the reply to the message (groups; edited questions).
        markup: buttons for the last part.

    Returns:
        The messages sent.
    """
    thread = message.message_thread_id if message.is_topic_message else None
    reply_to = message.message_id if quote else None
    return await send_parts(svc, message.get_bot(), message.chat_id, parts, reply_to=reply_to, thread_id=thread, markup=markup)


async def reply_blocks(svc: Services, message: Message, blocks: Sequence[Block], *, quote: bool, markup: InlineKeyboardMarkup | None = None) -> None:
    """Reply with the bot's own lines (escaped and split by :func:`render`)."""
    await reply_parts(svc, message, render(blocks), quote=quote, markup=markup)


async def reply_lines(svc: Services, message: Message, lines: Sequence[Block | str], markup: InlineKeyboardMarkup | None = None) -> None:
    """Reply with the bot's own lines (plain strings are one line each), threaded in groups."""
    blocks = [line if isinstance(line, Block) else Block(line) for line in lines]
    await reply_blocks(svc, message, blocks, quote=not in_private(message), markup=markup)


async def reply_answer(svc: Services, message: Message, answer: Answer, *, quote: bool) -> None:
    """Reply with an engine answer, with its buttons (card follow-ups or "did you mean" choices); what it was about
    is remembered, so that anyone replying to it is answered about the same event."""
    sent = await reply_parts(svc, message, render_answer(answer, svc.messages), quote=quote, markup=answer_keyboard(answer, svc.messages))
    if answer.context is not None and answer.context.event_id and sent:
        svc.answered.remember(sent[0].chat_id, (m.message_id for m in sent), answer.context)
