"""The bot's HTTP client for the Bot API: python-telegram-bot's :class:`~telegram.request.BaseRequest` on aiohttp.

Why not PTB's default (httpx): per call, httpx/httpcore cost about as much CPU as everything else the front end
does — httpcore checks every pooled connection on each request, and PTB sends parameters URL-encoded (a Thai
character becomes nine bytes). aiohttp parses HTTP in C and its pool is O(1) per request; parameters go as a JSON
body, which the Bot API accepts for every method except uploads (those go as multipart, as PTB sends them).
``bench/bench_telegram.py`` shows the difference. The interface is PTB's public one for custom networking
backends: ``initialize``, ``shutdown``, ``read_timeout`` and ``do_request``; errors map to PTB's ``TimedOut``
and ``NetworkError`` as :class:`~telegram.request.HTTPXRequest` maps httpx's.
"""

from __future__ import annotations

import json
import ssl
from typing import Any

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

#: PTB's own defaults for HTTPXRequest (seconds), so that nothing else changes with the client.
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0
#: The type of PTB's "not given" sentinel, named through the public ``BaseRequest.DEFAULT_NONE``.
_DEFAULT = type(BaseRequest.DEFAULT_NONE)


def _given(value: Any, default: float | None) -> float | None:
    """A timeout argument, or the client's default when the caller did not give one."""
    return default if isinstance(value, _DEFAULT) else value


class AiohttpRequest(BaseRequest):
    """Bot API calls over one :class:`aiohttp.ClientSession` (opened in ``initialize``, closed in ``shutdown``).

    Args:
        connection_pool_size: at most this many connections at once (further calls wait up to the pool timeout).
        read_timeout, write_timeout, connect_timeout, pool_timeout: seconds (None: no limit), as in PTB.
        media_write_timeout: the write timeout of uploads.
    """

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = READ_TIMEOUT,
        write_timeout: float | None = WRITE_TIMEOUT,
        connect_timeout: float | None = CONNECT_TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
        media_write_timeout: float | None = MEDIA_WRITE_TIMEOUT,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self.pool_size = connection_pool_size
        self._read, self._write, self._connect, self._pool = read_timeout, write_timeout, connect_timeout, pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds the long-polling time to it for getUpdates)."""
        return self._read

    async def initialize(self) -> None:
        """Open the session (idempotent); it needs the running event loop, hence not in ``__init__``."""
        if self._session is not None and not self._session.closed:
            return
        # certifi's CA bundle, as PTB's httpx client uses: the same roots whatever the image's system store holds.
        connector = aiohttp.TCPConnector(limit=self.pool_size, ssl=ssl.create_default_context(cafile=certifi.where()))
        # trust_env: HTTPS_PROXY and friends are honoured, as httpx honours them.
        self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT}, trust_env=True)

    async def shutdown(self) -> None:
        """Close the session and its connections (idempotent)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

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
        """Make one call; the status and the body of the answer (PTB reads both).

        The timeouts are typed ``Any`` because PTB names their type only in a private module.

        Raises:
            RuntimeError: before ``initialize`` or after ``shutdown``.
            TimedOut: no connection from the pool, no connection, or no answer in time.
            NetworkError: any other failure to get an answer.
        """
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = request_data is not None and request_data.contains_files
        read = _given(read_timeout, self._read)
        write = _given(write_timeout, self._media_write if uploads else self._write)
        pool, connect = _given(pool_timeout, self._pool), _given(connect_timeout, self._connect)
        # aiohttp has no write timeout of its own: the whole call is bounded by the sum of the four instead.
        parts = (read, write, pool, connect)
        total = None if None in parts else sum(p for p in parts if p is not None)
        wait_for_pool = None if pool is None and connect is None else (pool or 0.0) + (connect or 0.0)
        timeout = aiohttp.ClientTimeout(total=total, connect=wait_for_pool, sock_connect=connect, sock_read=read)
        body: aiohttp.FormData | bytes | None = None
        headers: dict[str, str] = {}
        if request_data is not None and uploads:
            body = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                body.add_field(name, value)
            for name, (filename, content, mime_type) in request_data.multipart_data.items():
                body.add_field(name, content, filename=filename, content_type=mime_type)
        elif request_data is not None:
            body, headers = json.dumps(request_data.parameters, ensure_ascii=False).encode(), {"Content-Type": "application/json"}
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's timeouts are asyncio's (= the builtin) TimeoutError
            raise TimedOut(f"aiohttp: no answer from {method} in time") from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
