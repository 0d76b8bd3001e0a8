"""Per-user flood control: past a number of messages a minute, one polite notice, then silence until the window passes."""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.telegram.observe import finish, note
from bot.telegram.services import services

log = logging.getLogger(__name__)


async def on_any_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Group -1: stop a flooding user's update before any other handler (admins are never limited)."""
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
    if notify and update.effective_message is not None and update.effective_chat is not None:
        _, lang = await svc.lang_of(user.id, user.language_code)
        await update.effective_message.reply_text(svc.messages.get("flood", lang))
    elif update.callback_query is not None:
        await update.callback_query.answer()
    raise ApplicationHandlerStop
