"""FakeBotApi: an aiohttp server on 127.0.0.1 that speaks the Telegram Bot API over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus
from types import TracebackType
from typing import Any

from aiohttp import web

from .faults import FaultInjector
from .feed import UpdateFeed
from .injector import UpdateInjector
from .limits import RateLimiter
from .methods import Methods
from .models import ApiError, Call, ChatId, JsonDict, UploadedFile, normalize_chat_id
from .state import BotState
from .wire import CANONICAL, KNOWN_METHODS, read_params

DEFAULT_TOKEN = "123456:TEST-TOKEN"
LOOPBACK = "127.0.0.1"


def _phrase(status: int) -> str:
    """Return the HTTP reason phrase for status (or "Error")."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class FakeBotApi(UpdateInjector, FaultInjector):
    """A fake Telegram Bot API for tests: inject updates, observe calls, inject faults."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "summit_test_bot",
        bot_id: int | None = None,
        bot_first_name: str = "Summit Test Bot",
        enforce_limits: bool = False,
        global_per_second: int = 30,
        per_chat_per_second: int = 1,
        per_group_per_minute: int = 20,
    ) -> None:
        prefix = token.split(":", 1)[0]
        bot_id = bot_id or (int(prefix) if prefix.isdigit() else 123456)
        state = BotState(bot_id=bot_id, bot_username=bot_username, bot_first_name=bot_first_name)
        UpdateInjector.__init__(self, state, UpdateFeed())
        FaultInjector.__init__(self)
        self.token = token
        self.limiter = RateLimiter(
            global_per_second=global_per_second,
            per_chat_per_second=per_chat_per_second,
            per_group_per_minute=per_group_per_minute,
        )
        self.methods = Methods(self.state, self.feed, self.limiter if enforce_limits else None)
        self.calls: list[Call] = []
        self.uploads: list[UploadedFile] = []
        self.stats: Counter[str] = Counter()
        self.method_counts: Counter[str] = Counter()
        self.root: str | None = None
        self._consumed: set[int] = set()
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None

    @property
    def enforce_limits(self) -> bool:
        """Whether flood limits are enforced (switchable at any time)."""
        return self.methods.limiter is not None

    @enforce_limits.setter
    def enforce_limits(self, value: bool) -> None:
        self.methods.limiter = self.limiter if value else None

    @property
    def bot_id(self) -> int:
        """The fake bot's user id."""
        return self.state.bot_id

    @property
    def base_url(self) -> str:
        """Value for PTB's base_url (…/bot; PTB appends the token)."""
        return f"{self._require_root()}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for PTB's base_file_url (…/file/bot)."""
        return f"{self._require_root()}/file/bot"

    def _require_root(self) -> str:
        """Return the root URL or fail if the server is not running."""
        if self.root is None:
            raise RuntimeError("FakeBotApi is not started")
        return self.root

    async def start(self, port: int = 0) -> str:
        """Listen on a loopback port (default: a free one) and return the root URL (http://127.0.0.1:PORT)."""
        if self.root is not None:
            return self.root
        app = web.Application(client_max_size=64 * 1024 * 1024)
        for verb in ("GET", "POST"):
            app.router.add_route(verb, "/bot{token}/{method}", self._handle)
            app.router.add_route(verb, "/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, LOOPBACK, port).start()
        self._runner = runner
        port = runner.addresses[0][1]
        self.root = f"http://{LOOPBACK}:{port}"
        return self.root

    async def stop(self) -> None:
        """Release long polls and delays, then shut the server down."""
        self._closing.set()
        self.feed.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self.root = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def calls_of(self, method: str) -> list[Call]:
        """Every recorded call of method, oldest first."""
        return [call for call in self.calls if call.method == method]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Call:
        """Return the oldest matching call not returned by an earlier wait_for, waiting if needed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index, call in enumerate(self.calls):
                if index in self._consumed or call.method != method:
                    continue
                try:
                    matched = predicate is None or predicate(call)
                except (KeyError, IndexError):
                    matched = False
                if matched:
                    self._consumed.add(index)
                    return call
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = ", ".join(f"{c.method}:{c.status}" for c in self.calls[-15:])
                raise TimeoutError(f"no matching {method} call within {timeout}s (last: {seen})")
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until condition() holds, re-checking after each recorded call (cheap: no scan of calls)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout}s")
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """Commands set with setMyCommands for exactly this scope and language."""
        return list(self.state.commands.get(self.state.command_key(scope, language_code), []))

    def description(self, language_code: str = "", *, short: bool = False) -> str:
        """The description (or short description) set for exactly this language ("" when none)."""
        return self.state.descriptions.get(("short_description" if short else "description", language_code), "")

    def _record(self, call: Call) -> None:
        """Store a finished call and wake wait_for()."""
        self.calls.append(call)
        self.method_counts[call.method] += 1
        self.stats["requests"] += 1
        self.stats[str(call.status)] += 1
        self._changed.set()
        self._changed = asyncio.Event()

    def _error(self, call: Call, error: ApiError) -> web.Response:
        """Answer with a Telegram-shaped error."""
        call.status = error.error_code
        call.error = error.payload()
        return web.json_response(call.error, status=error.error_code)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Serve /bot<token>/<method>, recording the call whatever happens."""
        raw = request.match_info["method"]
        call = Call(CANONICAL.get(raw.lower(), raw), {}, time.monotonic())
        try:
            call.params, call.files = await read_params(request)
            self.uploads.extend(call.files.values())
            return await self._answer(request, call)
        finally:
            self._record(call)

    async def _answer(self, request: web.Request, call: Call) -> web.StreamResponse:
        """Apply token check, faults and the method itself."""
        if request.match_info["token"] != self.token:
            return self._error(call, ApiError(401, "Unauthorized"))
        if call.method not in KNOWN_METHODS:
            return self._error(call, ApiError(404, "Not Found"))
        chat_id = normalize_chat_id(call.params.get("chat_id"))
        if self.take_fault("drop", call.method, chat_id):
            return self._drop(request)
        http = self.take_fault("http", call.method, chat_id)
        if http is not None:
            call.status = http.status
            body = f"<html><body><h1>{http.status} {_phrase(http.status)}</h1></body></html>"
            return web.Response(status=http.status, text=body, content_type="text/html")
        if self.take_fault("garble", call.method, chat_id):
            call.status, call.error = 200, {"garbled": True}  # not ok: the call had no effect
            return web.Response(status=200, text='{"ok": true, "result": {"message_id', content_type="application/json")
        delay = self.take_fault("delay", call.method, chat_id)
        if delay is not None:
            await self._sleep(delay.seconds)
        failure = self.take_fault("error", call.method, chat_id)
        if failure is not None and failure.error is not None:
            return self._error(call, failure.error)
        try:
            result: Any = await self.methods.dispatch(call.method, call.params, call.files)
        except ApiError as exc:
            return self._error(call, exc)
        call.status, call.result = 200, result
        if self.take_fault("drop_after", call.method, chat_id):
            return self._drop(request)  # done, but the answer is lost on the way back
        return web.json_response({"ok": True, "result": result})

    def _drop(self, request: web.Request) -> web.StreamResponse:
        """Abort the TCP connection so the client sees no response at all."""
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake early when the server stops."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """Serve /file/bot<token>/<path> downloads of stored files."""
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        path = request.match_info["path"]
        for file_path, data in self.state.files.values():
            if file_path == path:
                return web.Response(body=data, content_type="application/octet-stream")
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)

    def chat_status(self, chat_id: ChatId, user_id: int) -> str:
        """The status getChatMember will report for (chat_id, user_id)."""
        return self.state.status_of(chat_id, user_id)
