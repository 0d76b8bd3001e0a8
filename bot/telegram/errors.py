"""The global error handler, and logging that can never print the bot token."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

from telegram import ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError

from bot.engine.model import DEFAULT_LANG
from bot.settings import Settings
from bot.telegram.formatting import escape
from bot.telegram.outgoing import NOTICE_WAIT, retry_seconds
from bot.telegram.sending import Jobs, deliver_later, in_private, send_parts
from bot.telegram.services import Services, SummitContext, reply_lang, services

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


async def _tell_user(svc: Services | None, update: Update, jobs: Jobs | None = None, wait: float = 0.0) -> None:
    """Say "something went wrong" where the user is waiting for an answer, now or (a message) after a flood wait of
    ``wait`` seconds; never raises."""
    user = update.effective_user
    lang = reply_lang(None, user.language_code) if user else DEFAULT_LANG
    with contextlib.suppress(Exception):  # the store may be what failed
        if svc is not None and user is not None:
            lang = (await svc.lang_of(user.id, user.language_code))[1]
    text = svc.messages.get("error", lang) if svc else FALLBACK_ERROR
    if update.callback_query is not None:
        if not wait:  # the button's spinner is long gone after a flood wait
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer(text[:200])
        return
    message = update.message or update.edited_message
    if message is None or svc is None or not (in_private(message) or message.text):
        return
    reply_to = None if in_private(message) else message.message_id
    if wait:
        quote = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to is not None else None
        thread = message.message_thread_id if message.is_topic_message else None
        bot = message.get_bot()
        call = partial(bot.send_message, message.chat_id, escape(text), parse_mode=ParseMode.HTML, reply_parameters=quote, message_thread_id=thread)
        deliver_later(jobs, svc.outgoing.paced(call, message.chat_id, message.chat_id < 0, max_wait=NOTICE_WAIT), wait, f"apology for {describe(update)}")
        return
    with contextlib.suppress(TelegramError):
        await send_parts(svc, message.get_bot(), message.chat_id, [escape(text)], reply_to=reply_to)


async def on_error(update: object, context: SummitContext) -> None:
    """Log an exception with the update's ids and tell the user something went wrong; the bot keeps running."""
    error = context.error
    where = describe(update)
    if isinstance(error, Forbidden):
        log.info("%s: cannot write there any more: %s", where, error)
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        log.warning("network problem talking to Telegram: %s", error)
        return
    # A reply given up after a 429 asking for longer than a reply may wait: sending the apology at once would only
    # break the same flood wait again, so it follows when the wait is over.
    wait = retry_seconds(error) if isinstance(error, RetryAfter) else 0.0
    if wait:
        log.warning("%s: reply given up, Telegram asked to wait %.0f s", where, wait)
    else:
        log.error("error while handling %s", where, exc_info=error)
    if isinstance(update, Update):
        svc: Services | None = None
        with contextlib.suppress(RuntimeError):
            svc = services(context)
        await _tell_user(svc, update, context.job_queue, wait)
