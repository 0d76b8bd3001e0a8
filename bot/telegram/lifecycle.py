"""Running the Application inside an event loop: the lifecycle PTB's run_* methods follow, for polling and webhooks.

``Application.run_polling``/``run_webhook`` own the event loop, retry nothing we could bound (a 401 ends polling
for good while the process lives on), and stop half-way when a step of the shutdown fails (the database is then
never closed and its worker thread keeps the process from exiting). :func:`serving` is the lifecycle instead:
initialize, post_init, start fetching updates, start ... stop fetching, stop, post_stop, shutdown, post_shutdown —
every step of the way down runs even when an earlier one failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from telegram.error import TelegramError
from telegram.ext import Application

from bot.telegram.health import TokenRejected
from bot.telegram.services import Services
from bot.telegram.webhook import Hook, stop_server, webhook_server

log = logging.getLogger(__name__)
AnyApp = Application[Any, Any, Any, Any, Any, Any]
#: Starts fetching updates once post_init has run; returns what stops it again.
StartUpdates = Callable[[AnyApp], Awaitable[Callable[[], Awaitable[object]]]]
#: How often :func:`serve_polling` looks at whether the token is still rejected.
WATCH_SECONDS = 0.5


class GaveUp(Exception):
    """The bot stopped by itself because it cannot work (the message says why, in one line)."""


@asynccontextmanager
async def serving(app: AnyApp, start_updates: StartUpdates) -> AsyncIterator[AnyApp]:
    """Run the application until the block ends.

    Args:
        app: the application.
        start_updates: starts fetching updates (polling or webhook) once post_init has run.

    Yields:
        The running application.
    """
    try:
        await app.initialize()
    except BaseException:
        # The bot's HTTP sessions are open by the time getMe fails, and PTB's shutdown skips an application that
        # never finished initializing: closed here, or aiohttp reports them unclosed.
        await _step("closing the HTTP sessions", app.bot.shutdown)
        raise
    stop_updates: Callable[[], Awaitable[object]] | None = None
    started = False
    try:
        if app.post_init:
            await app.post_init(app)
        stop_updates = await start_updates(app)
        await app.start()
        started = True
        yield app
    finally:
        # Stop fetching first, then let the application finish the updates in flight, then close services.
        if stop_updates is not None:
            await _step("stopping the updates", stop_updates)
        if app.running:
            await _step("stopping the application", app.stop)
        post_stop = app.post_stop
        if started and post_stop:
            await _step("post_stop", lambda: post_stop(app))
        await _step("shutting down", app.shutdown)
        if app.post_shutdown:
            await app.post_shutdown(app)  # closes the database: its failure is worth a traceback


async def _step(what: str, action: Callable[[], Awaitable[object]]) -> None:
    """One shutdown step; a failure is logged in one line and the next steps still run."""
    try:
        await action()
    except Exception as exc:  # the process is on its way out: what matters is that every later step runs
        log.warning("while %s: %s: %s", what, type(exc).__name__, exc)


def polling_error(exc: TelegramError) -> None:
    """PTB's polling loop hit a Telegram error (it retries with backoff): one line, no traceback."""
    if isinstance(exc, TokenRejected):
        log.warning("getUpdates: the Bot API rejects the token (401); retrying with backoff")
    else:
        log.warning("getUpdates failed, retrying with backoff: %s: %s", type(exc).__name__, exc)


def polling(allowed_updates: list[str], poll_interval: float = 0.0, poll_timeout: int = 10) -> StartUpdates:
    """Long polling, as :func:`serving` starts it."""

    async def start(app: AnyApp) -> Callable[[], Awaitable[object]]:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=poll_interval, timeout=poll_timeout, allowed_updates=allowed_updates, error_callback=polling_error)
        return app.updater.stop

    return start


class _TokenRejectedTraceback(logging.Filter):
    """PTB's last getUpdates at shutdown logs a traceback when the token is rejected; :func:`polling_error` has
    already said so in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], TokenRejected))


async def serve_polling(app: AnyApp, *, allowed_updates: list[str], auth_retry_seconds: float, api_url: str) -> None:
    """Long polling until SIGTERM or SIGINT; stop by itself when the token stays rejected.

    Args:
        app: the application.
        allowed_updates: the update types to ask for.
        auth_retry_seconds: how long getUpdates may be answered 401 (retried with backoff) before the bot gives up.
        api_url: the Bot API root as shown in messages (without credentials).

    Raises:
        GaveUp: when the Bot API has rejected the token for ``auth_retry_seconds``.
    """
    stop = _stop_on_signals()
    quiet = _TokenRejectedTraceback()
    updater_log = logging.getLogger("telegram.ext.Updater")
    updater_log.addFilter(quiet)
    # A getUpdates answered 401 just as the bot gives up finishes a task PTB no longer awaits: asyncio would log its
    # TokenRejected with a traceback when the task is collected, possibly after this function returns.
    asyncio_log = logging.getLogger("asyncio")
    if not any(isinstance(f, _TokenRejectedTraceback) for f in asyncio_log.filters):
        asyncio_log.addFilter(_TokenRejectedTraceback())
    try:
        async with serving(app, polling(allowed_updates)):
            health = _services(app).api_health
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), WATCH_SECONDS)
                rejected = health.rejected_for("getUpdates")
                if rejected is not None and health.rejected["getUpdates"][0] == 401 and rejected >= auth_retry_seconds:
                    raise GaveUp(
                        f"the Bot API at {api_url} has rejected TELEGRAM_BOT_TOKEN for {rejected:.0f} s (401 Unauthorized): "
                        "stopping; check the token with @BotFather"
                    )
            log.info("stopping: finishing the updates in flight")
    finally:
        updater_log.removeFilter(quiet)


def webhook_secret(configured: str | None) -> str:
    """The secret Telegram must send in ``X-Telegram-Bot-Api-Secret-Token``: the configured one, or a new random one."""
    return configured or secrets.token_urlsafe(32)


def webhook(*, webhook_url: str, listen: str, port: int, secret: str, allowed_updates: list[str]) -> StartUpdates:
    """Webhook mode, as :func:`serving` starts it: our server (:mod:`bot.telegram.webhook`), then setWebhook."""

    async def start(app: AnyApp) -> Callable[[], Awaitable[object]]:
        svc = _services(app)
        hook = Hook(secret.encode(), app.bot, app.update_queue.put, svc.api_health.poison)
        server = webhook_server(hook, urlsplit(webhook_url).path, svc.health)
        server.listen(port, address=listen)
        try:
            await app.bot.set_webhook(url=webhook_url, secret_token=secret, allowed_updates=allowed_updates)
        except BaseException:
            await stop_server(server)
            raise
        return lambda: stop_server(server)

    return start


async def serve_webhook(app: AnyApp, *, webhook_url: str, listen: str, port: int, secret: str, allowed_updates: list[str]) -> None:
    """Run with a webhook until SIGTERM or SIGINT, then stop gracefully.

    Args:
        app: the application.
        webhook_url: the public HTTPS URL Telegram posts updates to; its path is the path served locally.
        listen: the local address to listen on.
        port: the local port.
        secret: the secret token requests must carry (others are rejected with 403).
        allowed_updates: the update types to ask for.
    """
    stop = _stop_on_signals()
    async with serving(app, webhook(webhook_url=webhook_url, listen=listen, port=port, secret=secret, allowed_updates=allowed_updates)):
        log.info("webhook: listening on %s:%d%s for %s", listen, port, urlsplit(webhook_url).path or "/", webhook_url)
        await stop.wait()
        log.info("stopping: finishing the updates in flight")


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _services(app: AnyApp) -> Services:
    svc = app.bot_data.services
    if not isinstance(svc, Services):
        raise RuntimeError("summitbot services are not set up (post_init did not run)")
    return svc
