"""The global error handler, and logging that can never print the bot token."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.engine.model import DEFAULT_LANG
from bot.settings import Settings
from bot.telegram.formatting import escape
from bot.telegram.sending import in_private, send_parts
from bot.telegram.services import Services, reply_lang, services

log = logging.getLogger(__name__)
FALLBACK_ERROR = "Sorry, something went wrong. Please try again."
REDACTED = "<redacted-token>"


def redact(text: str, *secrets: str | None) -> str:
    """The text with every secret (the bot token, the webhook secret) replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class RedactingRecordFactory:
    """Makes every log record with a secret in it carry the redacted text instead, whichever handler writes it.

    A record factory rather than a handler filter: handlers added later (a test's capture, a library's) get
    redacted records too. Installing again adds secrets to the one factory instead of stacking factories.
    """

    def __init__(self, previous: Callable[..., logging.LogRecord]) -> None:
        self.previous = previous
        self.secrets: set[str] = set()

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        if not self.secrets:
            return record
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        if any(secret in message for secret in self.secrets):
            record.msg, record.args = redact(message, *self.secrets), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), *self.secrets)
        return record


def install_redaction(*secrets: str | None) -> None:
    """Redact these secrets from every log record from now on (idempotent; secrets accumulate)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, RedactingRecordFactory):
        factory = RedactingRecordFactory(factory)
        logging.setLogRecordFactory(factory)
    factory.secrets.update(s for s in secrets if s)


def configure_logging(settings: Settings) -> None:
    """Log to stderr at the configured level, with the token and the webhook secret redacted from every record, and
    httpx's per-request lines (whose URLs contain the token) kept out.

    Args:
        settings: the level and the secrets to redact.
    """
    install_redaction(settings.token, settings.webhook_secret)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def describe(update: object) -> str:
    """The ids that locate an update in the logs (never its text)."""
    if not isinstance(update, Update):
        return f"non-update {type(update).__name__}"
    chat = update.effective_chat.id if update.effective_chat else None
    user = update.effective_user.id if update.effective_user else None
    return f"update {update.update_id} (chat {chat}, user {user})"


async def _tell_user(svc: Services | None, update: Update) -> None:
    """Say "something went wrong" where the user is waiting for an answer; never raises."""
    user = update.effective_user
    lang = reply_lang(None, user.language_code) if user else DEFAULT_LANG
    with contextlib.suppress(Exception):  # the store may be what failed
        if svc is not None and user is not None:
            lang = (await svc.lang_of(user.id, user.language_code))[1]
    text = svc.messages.get("error", lang) if svc else FALLBACK_ERROR
    with contextlib.suppress(TelegramError):
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200])
            return
        message = update.message or update.edited_message
        if message is not None and svc is not None and (in_private(message) or message.text):
            quote = not in_private(message)
            await send_parts(svc, message.get_bot(), message.chat_id, [escape(text)], reply_to=message.message_id if quote else None)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log an exception with the update's ids and tell the user something went wrong; the bot keeps running."""
    error = context.error
    where = describe(update)
    if isinstance(error, Forbidden):
        log.info("%s: cannot write there any more: %s", where, error)
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        log.warning("network problem talking to Telegram: %s", error)
        return
    log.error("error while handling %s", where, exc_info=error)
    if isinstance(update, Update):
        svc: Services | None = None
        with contextlib.suppress(RuntimeError):
            svc = services(context)
        await _tell_user(svc, update)
