"""The webhook server: authenticates before it reads, reads little, hands each update over once.

python-telegram-bot's own webhook server reads a whole body (up to tornado's 100 MB) before it looks at the secret,
compares the secret with ``!=``, logs the body of an update it cannot parse, and hands a replayed update over twice.
This one is a tornado application of our own (tornado is what PTB's server uses) feeding the same
``Application.update_queue``:

* the ``X-Telegram-Bot-Api-Secret-Token`` header is checked as soon as the headers are in, with a constant-time
  comparison, and a request without the right one is answered 403 and its connection closed, body unread;
* a body is at most :data:`MAX_BODY` bytes (Telegram's updates are a few KB): a larger ``Content-Length`` gets 413
  at once, a chunked body is cut off when it passes the cap;
* an update PTB cannot parse is skipped and recorded (:mod:`bot.telegram.poison`), answered 200 so that Telegram
  does not send it again and again;
* an update_id seen among the last :data:`RECENT_IDS` is acknowledged and not handled again;
* ``GET /healthz`` is served beside it.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import tornado.httpserver
import tornado.web
from tornado.http1connection import HTTP1Connection

from bot.telegram.health import health_routes
from bot.telegram.poison import PoisonLog, parse_update

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: The largest body accepted. Telegram's updates are small (a 4,096-character message with entities and the
#: message it replies to stays well under 100 KB); the cap only has to stop memory being filled.
MAX_BODY = 1024 * 1024
#: How many recent update_ids are remembered to drop replays (Telegram resends only what was not acknowledged).
RECENT_IDS = 10_000
#: Seconds a client may take to send a body: a slow sender cannot hold a connection open for ever.
BODY_TIMEOUT = 10.0


@dataclass
class RecentIds:
    """The last ``size`` update_ids handed over, to recognize a replay."""

    size: int = RECENT_IDS
    order: deque[int] = field(default_factory=deque)
    seen: set[int] = field(default_factory=set)

    def first_time(self, update_id: int) -> bool:
        """Whether this id is new (and remember it)."""
        if update_id in self.seen:
            return False
        self.seen.add(update_id)
        self.order.append(update_id)
        if len(self.order) > self.size:
            self.seen.discard(self.order.popleft())
        return True


@dataclass
class Hook:
    """What every webhook request needs: the secret, the bot, where updates go, and what was seen."""

    secret: bytes
    bot: Any  # the application's ExtBot: parsed updates are bound to it, so that message.reply_text() works
    put: Callable[[object], Awaitable[None]]
    poison: PoisonLog
    recent: RecentIds = field(default_factory=RecentIds)


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """POST <path>: one update from Telegram."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, hook: Hook) -> None:
        """Tornado's per-request setup."""
        self.hook = hook
        self.chunks: list[bytes] = []
        self.size = 0
        self.rejected = False

    async def prepare(self) -> None:
        """Runs once the headers are in and before any of the body is read: authenticate, then check the size."""
        # Tornado gives header values as latin-1 text; back to the bytes that came, compared in constant time.
        given = self.request.headers.get(SECRET_HEADER, "").encode("latin-1", "replace")
        if not hmac.compare_digest(given, self.hook.secret):
            await self.reject(403, "wrong or missing secret token")
            return
        length = self.request.headers.get("Content-Length")
        if length is not None and not (length.isascii() and length.isdigit() and int(length) <= MAX_BODY):
            await self.reject(413, f"the body is over {MAX_BODY} bytes")
            return
        if self.request.headers.get("Content-Type", "").split(";")[0].strip().lower() != "application/json":
            await self.reject(415, "the body must be application/json")

    async def data_received(self, chunk: bytes) -> None:
        """Collect the body, up to the cap (a chunked body has no Content-Length to check beforehand)."""
        if self.rejected:
            return
        self.size += len(chunk)
        if self.size > MAX_BODY:
            await self.reject(413, f"the body is over {MAX_BODY} bytes")
            return
        self.chunks.append(chunk)

    async def post(self) -> None:
        """Parse the update, skip poison and replays, and queue it for the application."""
        if self.rejected:
            return
        try:
            data = json.loads(b"".join(self.chunks))
        except ValueError:
            self.set_status(400, "the body is not JSON")
            return
        update = parse_update(data, self.hook.poison, self.hook.bot)
        if update is None:
            return  # skipped and recorded; 200, so that Telegram does not resend it
        if not self.hook.recent.first_time(update.update_id):
            log.info("webhook: update %d was already received; not handled again", update.update_id)
            return
        self.hook.bot.insert_callback_data(update)  # what PTB's own webhook handler does for arbitrary callback data
        await self.hook.put(update)

    async def reject(self, status: int, reason: str) -> None:
        """Answer now and close the connection, so that the rest of the body is never read."""
        self.rejected = True
        log.debug("webhook: %d from %s: %s", status, self.request.remote_ip, reason)
        self.set_status(status)
        await self.finish(reason)
        connection = self.request.connection
        if isinstance(connection, HTTP1Connection):
            connection.close()

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """Tornado would log the request with its headers; a one-line warning names only the error."""
        log.warning("webhook: %s while handling a request: %s", getattr(typ, "__name__", typ), value)


class QuietApplication(tornado.web.Application):
    """No access log line per request (one per update would add nothing to the bot's own line)."""

    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """Do not log requests."""


def webhook_server(hook: Hook, url_path: str, report: Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]) -> tornado.httpserver.HTTPServer:
    """The HTTP server for updates at ``/<url_path>`` and ``/healthz`` (not listening yet).

    Args:
        hook: the secret, the bot and where updates go.
        url_path: the path of the webhook URL, without slashes around it.
        report: the /healthz report function.

    Returns:
        The server; ``listen()`` it, and at the end ``stop()`` it and close its connections.
    """
    path = "/" + url_path.strip("/") if url_path.strip("/") else "/"
    app = QuietApplication([(rf"{path}/?", UpdateHandler, {"hook": hook}), *health_routes(report)])
    # Server-wide caps too: /healthz and unknown paths never read a large body either. A little above MAX_BODY, so
    # that an update's oversized chunked body reaches UpdateHandler's check and gets its 413 (tornado just hangs up).
    return tornado.httpserver.HTTPServer(app, max_body_size=MAX_BODY + 65536, max_buffer_size=4 * MAX_BODY, body_timeout=BODY_TIMEOUT)


async def stop_server(server: tornado.httpserver.HTTPServer) -> None:
    """Stop accepting, then close the open connections (bounded: a stuck client does not hold up shutdown)."""
    server.stop()
    try:
        await asyncio.wait_for(server.close_all_connections(), 5.0)
    except TimeoutError:
        log.warning("webhook: connections still open after 5 s at shutdown")
