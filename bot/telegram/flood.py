"""Per-user flood control: past a number of messages a minute, one polite notice, then silence until the window passes."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from functools import partial

from telegram import Message, MessageEntity, ReplyParameters, Update
from telegram.ext import ApplicationHandlerStop
from telegram.ext.filters import MessageFilter

from bot.telegram.observe import finish, note
from bot.telegram.outgoing import NOTICE_WAIT
from bot.telegram.sending import in_private, send_or_later
from bot.telegram.services import SummitContext, services

log = logging.getLogger(__name__)


class HandledCommand(MessageFilter):
    """Messages starting with one of the bot's commands, bare (``/ask``) or as ``/ask@this_bot``.

    PTB's CommandHandler answers both forms in groups, so flood control must count both: bare commands are
    addressed to every bot in the group, this one included.
    """

    def __init__(self, commands: Iterable[str]) -> None:
        super().__init__(name="summitbot.HandledCommand")
        self.commands = frozenset(c.casefold() for c in commands)

    def filter(self, message: Message) -> bool:
        first = message.entities[0] if message.entities else None
        if message.text is None or first is None or first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
            return False
        try:
            name, _, target = message.parse_entity(first)[1:].partition("@")
        except UnicodeDecodeError:  # a forged entity cutting a character in half: not a command
            return False
        return name.casefold() in self.commands and (not target or target.casefold() == message.get_bot().username.casefold())


async def on_any_update(update: Update, context: SummitContext) -> None:
    """Group -1: stop a flooding user's update before any other handler (admins are never limited).

    A flooded update stops here whatever happens to the notice: a notice Telegram refuses must not let the update
    through to the handlers that answer it.
    """
    user = update.effective_user
    svc = services(context)
    if user is None or user.id in svc.settings.admins:
        return
    allowed, notify = svc.flood.check(user.id, time.monotonic())
    if allowed:
        return
    log.info("flood: user %s over %d messages/minute; update %s ignored", user.id, svc.settings.flood_per_minute, update.update_id)
    note(flooded=True)
    finish()  # the update stops here: its log line is written now
    try:
        message = update.effective_message
        if notify and message is not None and update.callback_query is None:
            _, lang = await svc.lang_of(user.id, user.language_code)
            await _notify(context, message, svc.messages.get("flood", lang), update.update_id)
        elif update.callback_query is not None:
            await update.callback_query.answer()
    except Exception as exc:  # Telegram or the store failing: the update is dropped all the same
        log.warning("flood: no notice for update %s: %s", update.update_id, exc)
    raise ApplicationHandlerStop


async def _notify(context: SummitContext, message: Message, text: str, update_id: int) -> None:
    """Send the flood notice, threaded in groups; after Telegram's flood wait if it answers 429.

    In a group the user's own answers have usually used up Telegram's per-group budget (20 messages a minute)
    just before the notice, so it is deferred to a job rather than dropped, and nothing waits for it meanwhile.
    """
    quote = None if in_private(message) else ReplyParameters(message.message_id, allow_sending_without_reply=True)
    thread = message.message_thread_id if message.is_topic_message else None
    call = partial(message.get_bot().send_message, message.chat_id, text, reply_parameters=quote, message_thread_id=thread)
    # In the sending budget like every message: it waits out the chat's second here, a longer wait in a job.
    send = services(context).outgoing.paced(call, message.chat_id, not in_private(message), max_wait=NOTICE_WAIT)
    await send_or_later(context.job_queue, send, f"flood notice for update {update_id} (chat {message.chat_id})")
