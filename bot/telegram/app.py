"""The Telegram application: one factory (:func:`build_application`) for ``summitbot run``, tests and benchmarks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import cast

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.engine import Engine
from bot.settings import Settings, SettingsError
from bot.telegram.addressing import ADDRESSED_TO_ME, COMMAND_FOR_ME
from bot.telegram.admin import (
    on_event_add,
    on_event_set,
    on_export,
    on_fact_add,
    on_fact_del,
    on_fact_edit,
    on_facts,
    on_history,
    on_stats,
    on_undo,
)
from bot.telegram.announce.broadcast_commands import (
    BUTTON_PATTERN,
    on_announce,
    on_announce_button,
    on_announcements,
    on_cancel,
    on_schedule,
    on_unschedule,
)
from bot.telegram.announce.subscribe_commands import on_subscribe, on_unsubscribe
from bot.telegram.callbacks import on_button, on_inline
from bot.telegram.errors import configure_logging, install_redaction, on_error, redact
from bot.telegram.flood import HandledCommand, on_any_update
from bot.telegram.handlers import (
    on_ask,
    on_events,
    on_group_text,
    on_help,
    on_lang,
    on_no_text,
    on_private_text,
    on_reload,
    on_start,
    on_unknown_command,
)
from bot.telegram.health import ApiHealth, TrackingRequest
from bot.telegram.lifecycle import GaveUp, polling, serve_polling, serve_webhook, serving, webhook_secret
from bot.telegram.membership import on_migrate, on_my_chat_member
from bot.telegram.observe import on_update_done, on_update_start
from bot.telegram.ordering import PerChatOrder
from bot.telegram.services import CONTEXT_TYPES, BotApp, time_zone
from bot.telegram.services_setup import start_services, stop_services
from bot.telegram.unanswered import BUTTON_PATTERN as UNANSWERED_BUTTON
from bot.telegram.unanswered import REPLY_TO_SUGGESTIONS, on_attach, on_suggestions_reply, on_unanswered, on_unanswered_button

log = logging.getLogger(__name__)
#: The handler group of the per-update log line: after every other group (the tests' observer uses 99).
LOG_GROUP = 1000
#: The update types the bot asks Telegram for (my_chat_member is needed to track the chats it is in).
ALLOWED_UPDATES: list[str] = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY, Update.MY_CHAT_MEMBER]


def register_handlers(app: BotApp) -> None:
    """Add every handler to group 0, where the first one whose filters match an update handles it.

    Args:
        app: the application.
    """
    # Commands: new messages only (an edited /start is not re-run), and never forwarded ones — an admin forwarding
    # "/fact_del …" deletes nothing: a forwarded message is text, answered as a question.
    new = filters.UpdateType.MESSAGE & ~filters.FORWARDED
    text = ~filters.COMMAND | filters.FORWARDED
    texts = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE  # questions: also when edited
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    # Group -2: open the update's structured log line.
    app.add_handler(TypeHandler(Update, on_update_start), group=-2)
    # Last group: write the update's log line.
    app.add_handler(TypeHandler(Update, on_update_done), group=LOG_GROUP)
    app.add_handlers(
        [
            # 1. Bookkeeping first: the bot joined/left/was kicked; a group became a supergroup (service messages).
            ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(new & filters.StatusUpdate.MIGRATE, on_migrate),
            # 2. Button presses (every callback, so forged data is answered too) and inline queries.
            CallbackQueryHandler(on_announce_button, pattern=BUTTON_PATTERN),  # an announcement's Send / Cancel
            CallbackQueryHandler(on_unanswered_button, pattern=UNANSWERED_BUTTON),  # /unanswered: likely facts, Attach, Undo
            CallbackQueryHandler(on_button),
            InlineQueryHandler(on_inline),
            # 3. Known commands. CommandHandler takes /cmd and /cmd@this_bot, and leaves /cmd@other_bot alone.
            CommandHandler("start", on_start, filters=new),
            CommandHandler("help", on_help, filters=new),
            CommandHandler("events", on_events, filters=new),
            CommandHandler("lang", on_lang, filters=new),
            CommandHandler("ask", on_ask, filters=new),
            CommandHandler("reload", on_reload, filters=new),
            # Bot admins' knowledge edits (each handler refuses non-admins itself, politely, changing nothing).
            CommandHandler("fact_add", on_fact_add, filters=new),
            CommandHandler("fact_edit", on_fact_edit, filters=new),
            CommandHandler("fact_del", on_fact_del, filters=new),
            CommandHandler("facts", on_facts, filters=new),
            CommandHandler("event_add", on_event_add, filters=new),
            CommandHandler("event_set", on_event_set, filters=new),
            CommandHandler("history", on_history, filters=new),
            CommandHandler("undo", on_undo, filters=new),
            CommandHandler("unanswered", on_unanswered, filters=new),
            CommandHandler("attach", on_attach, filters=new),
            CommandHandler("stats", on_stats, filters=new),
            CommandHandler("export", on_export, filters=new),
            # Announcements: a chat's own subscription (groups: their admins), then the bot admins' broadcasts.
            CommandHandler("subscribe", on_subscribe, filters=new),
            CommandHandler("unsubscribe", on_unsubscribe, filters=new),
            CommandHandler("announce", on_announce, filters=new),
            CommandHandler("schedule", on_schedule, filters=new),
            CommandHandler("announcements", on_announcements, filters=new),
            CommandHandler("unschedule", on_unschedule, filters=new),
            # /cancel aborts what the sender has under way (an announcement preview), for everyone.
            CommandHandler("cancel", on_cancel, filters=new),
            # 4. Any other command: answered in private chats, and in groups only as /cmd@this_bot.
            MessageHandler(new & filters.COMMAND & (private | COMMAND_FOR_ME), on_unknown_command),
            # 5. An admin's reply to the likely facts of an unanswered question names the fact to attach it to.
            MessageHandler(new & filters.TEXT & text & REPLY_TO_SUGGESTIONS, on_suggestions_reply),
            # 6. Questions: every text in a private chat; in groups only when addressed (@mention or reply to the bot).
            MessageHandler(texts & filters.TEXT & text & private, on_private_text),
            MessageHandler(texts & filters.TEXT & text & groups & ADDRESSED_TO_ME, on_group_text),
            # 7. Last: anything else in a private chat (photo, sticker, voice...) gets "text only". Groups: ignored.
            MessageHandler(filters.UpdateType.MESSAGE & private & ~filters.TEXT & ~filters.StatusUpdate.ALL, on_no_text),
        ]
    )
    # Group -1: flood control, counting what the bot handles (private messages, addressed group messages, its
    # commands whether bare or /cmd@this_bot, buttons, inline queries); it stops the update.
    commands = {c for h in app.handlers[0] if isinstance(h, CommandHandler) for c in h.commands}
    addressed = private | ADDRESSED_TO_ME | COMMAND_FOR_ME | HandledCommand(commands)
    app.add_handlers([MessageHandler(addressed, on_any_update), CallbackQueryHandler(on_any_update), InlineQueryHandler(on_any_update)], group=-1)
    app.add_error_handler(on_error)


def build_application(settings: Settings, engine: Engine | None = None) -> BotApp:
    """The bot's Application, talking to ``settings.api_url`` (``<root>/bot`` and ``<root>/file/bot``).

    Updates of different chats are handled concurrently, those of one chat in arrival order (:class:`PerChatOrder`),
    so a follow-up is never answered before the question it follows and one slow chat does not stall the others.

    Args:
        settings: the settings (the token is required).
        engine: an already built engine (tests share one); None loads intents/ and knowledge/ in ``post_init``.

    Returns:
        The application, handlers registered; run it with :func:`run_polling` or :func:`running`.

    Raises:
        SettingsError: when the token is missing or the time zone unknown.
    """
    token, zone = settings.require_token(), time_zone(settings)
    health = ApiHealth()

    async def post_init(app: BotApp) -> None:
        await start_services(app, settings, engine, zone, health)

    # The builder types its job queue with PTB's default context whatever context_types says: the cast only names
    # what CONTEXT_TYPES makes true at run time (jobs get a SummitContext too).
    app = cast(BotApp, (
        ApplicationBuilder().token(token).context_types(CONTEXT_TYPES).base_url(settings.base_url).base_file_url(settings.base_file_url)
        # The aiohttp client (bot.telegram.aiohttp_request), reporting each answered call for /healthz; getUpdates
        # has its own connection so that a long poll never waits behind replies.
        .request(TrackingRequest(health, connection_pool_size=256)).get_updates_request(TrackingRequest(health, connection_pool_size=1))
        .concurrent_updates(PerChatOrder()).post_init(post_init).post_shutdown(stop_services).build()
    ))  # fmt: skip
    register_handlers(app)
    return app


def running(app: BotApp, *, poll_interval: float = 0.0, poll_timeout: int = 10) -> AbstractAsyncContextManager[BotApp]:
    """Run the application with long polling inside an already running event loop (tests, benchmarks, embedding).

    Args:
        app: an application from :func:`build_application`.
        poll_interval: seconds between getUpdates calls.
        poll_timeout: the long-polling timeout in seconds (getUpdates ``timeout``).

    Returns:
        A context manager yielding the running application (the lifecycle of :func:`bot.telegram.lifecycle.serving`).
    """

    return serving(app, polling(ALLOWED_UPDATES, poll_interval, poll_timeout))


class StartupError(SettingsError):
    """The bot could not start (or had to stop): the Bot API rejected the token, or could not be reached."""


def run_polling(settings: Settings) -> None:
    """``summitbot run``: log setup, then long polling until interrupted (Ctrl-C, SIGTERM).

    Args:
        settings: the settings (the token is required).

    Raises:
        StartupError: when getMe fails at start-up, or the token stays rejected (a clear message, never the token;
            PTB's own error quotes it).
        CurationError: when intents/ or knowledge/ have problems.
    """
    configure_logging(settings)
    install_redaction(*settings.api_credentials)
    app = build_application(settings)
    log.info("starting long polling against %s", settings.api_url_for_logs)
    with _startup_errors(settings):
        asyncio.run(serve_polling(app, allowed_updates=ALLOWED_UPDATES, auth_retry_seconds=settings.auth_retry_seconds, api_url=settings.api_url_for_logs))


def run_webhook(settings: Settings, webhook_url: str, listen: str = "0.0.0.0", port: int = 8443) -> None:
    """``summitbot run --webhook-url``: serve updates on our webhook server (with /healthz) until SIGTERM.

    Args:
        settings: the settings (token required; SUMMITBOT_WEBHOOK_SECRET, or a random secret for this run).
        webhook_url: the public HTTPS URL Telegram calls.
        listen: the local address.
        port: the local port.

    Raises:
        StartupError: when the Bot API rejects the token or the webhook.
    """
    configure_logging(settings)
    secret = webhook_secret(settings.webhook_secret)
    install_redaction(secret, *settings.api_credentials)
    if not settings.webhook_secret:
        log.info("SUMMITBOT_WEBHOOK_SECRET is not set: using a random secret for this run")
    app = build_application(settings)
    with _startup_errors(settings):
        asyncio.run(serve_webhook(app, webhook_url=webhook_url, listen=listen, port=port, secret=secret, allowed_updates=ALLOWED_UPDATES))


@contextmanager
def _startup_errors(settings: Settings) -> Iterator[None]:
    """Turn PTB's start-up failures (whose messages may quote the token) into a clear StartupError (one line)."""
    shown = settings.api_url_for_logs
    try:
        yield
    except InvalidToken:
        raise StartupError(f"the Bot API at {shown} rejected TELEGRAM_BOT_TOKEN: check the token with @BotFather") from None
    except TelegramError as exc:
        detail = redact(str(exc), settings.token, *settings.api_credentials)
        raise StartupError(f"cannot reach the Bot API at {shown}: {detail} (check TELEGRAM_API_URL and the network)") from None
    except GaveUp as exc:
        raise StartupError(str(exc)) from None
