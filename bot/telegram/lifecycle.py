"""Running the Application inside an event loop: the lifecycle PTB's run_* methods follow, for polling and webhooks.

``Application.run_polling``/``run_webhook`` own the event loop and give no hook between starting the updater and
serving; summitbot needs one (the /healthz route on the webhook server) and tests need to run the bot inside their
own loop. :func:`serving` is that lifecycle: initialize, post_init, start the updater, start ... stop the updater,
stop, post_stop, shutdown, post_shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import tornado.web
from telegram.ext import Application, Updater

from bot.telegram.health import health_routes
from bot.telegram.services import SERVICES_KEY, Services

log = logging.getLogger(__name__)
AnyApp = Application[Any, Any, Any, Any, Any, Any]


@asynccontextmanager
async def serving(app: AnyApp, start_updates: Callable[[Updater], Awaitable[object]]) -> AsyncIterator[AnyApp]:
    """Run the application until the block ends.

    Args:
        app: the application.
        start_updates: starts fetching updates (polling or webhook) once post_init has run.

    Yields:
        The running application.
    """
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        assert app.updater is not None
        await start_updates(app.updater)
        await app.start()
        try:
            yield app
        finally:
            # Stop fetching first, then let the application finish the updates in flight, then close services.
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            if app.post_stop:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


def webhook_secret(configured: str | None) -> str:
    """The secret Telegram must send in ``X-Telegram-Bot-Api-Secret-Token``: the configured one, or a new random one."""
    return configured or secrets.token_urlsafe(32)


def add_health_route(app: AnyApp) -> bool:
    """Serve /healthz on PTB's webhook server too.

    PTB builds its tornado application inside ``start_webhook`` and exposes no way to add routes, so this reaches
    the running server through the updater's private attributes; if a PTB release renames them, the route is
    skipped with a warning (the webhook itself is unaffected).

    Returns:
        Whether the route was added.
    """
    svc = app.bot_data.get(SERVICES_KEY)
    server = getattr(getattr(app.updater, "_httpd", None), "_http_server", None)
    web_app = getattr(server, "request_callback", None)
    if not isinstance(svc, Services) or not isinstance(web_app, tornado.web.Application):
        log.warning("cannot add /healthz to the webhook server of this python-telegram-bot version")
        return False
    web_app.add_handlers(r".*", health_routes(svc.health))
    return True


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
    url_path = urlsplit(webhook_url).path.strip("/")

    async def start(updater: Updater) -> None:
        await updater.start_webhook(listen=listen, port=port, url_path=url_path, webhook_url=webhook_url, secret_token=secret, allowed_updates=allowed_updates)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with serving(app, start):
        add_health_route(app)
        log.info("webhook: listening on %s:%d/%s for %s", listen, port, url_path, webhook_url)
        await stop.wait()
        log.info("stopping: finishing the updates in flight")
