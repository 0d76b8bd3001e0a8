"""``/healthz``: is the database answering, and when did a Bot API call last succeed?

Served on the webhook server in webhook mode, and on ``SUMMITBOT_HEALTH_PORT`` (loopback by default) in polling
mode. The Docker HEALTHCHECK calls it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import tornado.httpserver
import tornado.web
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from bot.telegram.aiohttp_request import AiohttpRequest
from bot.telegram.poison import PoisonLog, screen_updates

log = logging.getLogger(__name__)
#: Long polling calls the API at least every ~10 s; no success for this long means the bot is cut off.
STALE_AFTER = 120.0
#: Answers that mean the bot cannot work although the API answered: the token is rejected (401; 404 for a token
#: Telegram does not know) or another instance is polling, or a webhook is set (409).
REJECTED = frozenset({401, 404, 409})
#: Rejections of the token itself: any later success of any method shows the token works again.
TOKEN_REJECTED = frozenset({401, 404})


class TokenRejected(NetworkError):
    """getUpdates was answered 401: retried with backoff like a network error (PTB would stop polling for good)."""


@dataclass
class ApiHealth:
    """When a Bot API call last got an answer that was not a server error, and which methods are being rejected."""

    last_ok: float | None = None
    last_ok_at: dt.datetime | None = None
    started: float = field(default_factory=time.monotonic)
    #: method → (status, since when) while that method's latest answer was a rejection (:data:`REJECTED`).
    rejected: dict[str, tuple[int, float]] = field(default_factory=dict)
    poison: PoisonLog = field(default_factory=PoisonLog)

    def ok(self) -> None:
        """Note a successful call now."""
        self.last_ok, self.last_ok_at = time.monotonic(), dt.datetime.now(dt.UTC)

    def answered(self, method: str, status: int) -> None:
        """Note the HTTP status of a call of ``method``: a success, a rejection, or a server error (ignored)."""
        if status >= 500:
            return
        if status in REJECTED:
            self.rejected.setdefault(method, (status, time.monotonic()))
            return
        self.rejected.pop(method, None)
        for other, (code, _) in list(self.rejected.items()):
            if code in TOKEN_REJECTED:  # this call went through, so the token works again
                del self.rejected[other]
        self.ok()

    def rejected_for(self, method: str) -> float | None:
        """Seconds since ``method`` started being rejected (None: its latest answer was not a rejection)."""
        found = self.rejected.get(method)
        return None if found is None else time.monotonic() - found[1]

    def age(self) -> float | None:
        """Seconds since the last successful call (None: none yet)."""
        return None if self.last_ok is None else time.monotonic() - self.last_ok


class TrackingRequest(AiohttpRequest):
    """The bot's HTTP client (:mod:`bot.telegram.aiohttp_request`) that reports every answered call to an :class:`ApiHealth`.

    For getUpdates it also screens out updates PTB cannot parse (:mod:`bot.telegram.poison`), and turns a 401 into
    :class:`TokenRejected`, which PTB's polling loop retries with backoff (an ``InvalidToken`` ends it for good);
    :func:`bot.telegram.lifecycle.serve_polling` gives up after ``SUMMITBOT_AUTH_RETRY_SECONDS``.
    """

    def __init__(self, health: ApiHealth, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._health = health

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make the call and note how the API answered it.

        The timeouts are passed on untouched; they are typed ``Any`` because PTB names their type only in a private
        module (``telegram._utils.types.ODVInput``).
        """
        status, payload = await super().do_request(url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout)
        api_method = url.rpartition("/")[2]
        self._health.answered(api_method, status)
        if api_method == "getUpdates":
            if status == 401:
                raise TokenRejected("the Bot API rejected the token (401 Unauthorized)")
            if status == 200:
                payload = screen_updates(payload, self._health.poison)
        return status, payload


async def health_report(api: ApiHealth, database: Callable[[], Awaitable[object]]) -> tuple[bool, dict[str, Any]]:
    """The health verdict and its details.

    Args:
        api: the Bot API tracker.
        database: a cheap query that raises when the database is unusable.

    Returns:
        (healthy, details as JSON-able values).
    """
    try:
        await database()
        db_ok = True
    except Exception as exc:  # any failure of the probe means unhealthy; the reason goes in the report
        log.warning("health: database check failed: %s", exc)
        db_ok = False
    age = api.age()
    recent = (age is not None and age < STALE_AFTER) or (age is None and time.monotonic() - api.started < STALE_AFTER)
    # A rejection (401, 409) is unhealthy at once: the API answers, but the bot cannot work until it stops.
    api_ok = recent and not api.rejected
    details = {
        "ok": db_ok and api_ok,
        "database": "ok" if db_ok else "error",
        "last_api_success": api.last_ok_at.isoformat(timespec="seconds") if api.last_ok_at else None,
        "seconds_since_api_success": None if age is None else round(age, 1),
        "api_rejected": {method: code for method, (code, _) in sorted(api.rejected.items())},
        "skipped_updates": api.poison.count,
    }
    return db_ok and api_ok, details


class HealthHandler(tornado.web.RequestHandler):
    """GET /healthz → 200 or 503 with a JSON report."""

    def initialize(self, report: Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]) -> None:
        """Tornado's per-request setup: keep the report function."""
        self._report = report

    async def get(self) -> None:
        """Answer the probe."""
        healthy, details = await self._report()
        self.set_status(200 if healthy else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(details))


def health_routes(report: Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]) -> list[Any]:
    """The route table entry for /healthz."""
    return [(r"/healthz", HealthHandler, {"report": report})]


def serve_health(report: Callable[[], Awaitable[tuple[bool, dict[str, Any]]]], port: int, address: str = "127.0.0.1") -> tornado.httpserver.HTTPServer:
    """Start a small HTTP server with only /healthz (polling mode).

    Args:
        report: the report function.
        port: the TCP port.
        address: where to listen (loopback by default; 0.0.0.0 inside a container).

    Returns:
        The running server (``stop()`` it at shutdown).
    """
    server = tornado.httpserver.HTTPServer(tornado.web.Application(health_routes(report)))
    server.listen(port, address=address)
    return server
