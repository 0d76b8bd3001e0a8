"""Webhook mode under attack (issue 10, items 3, 4, 10, 12): ``serve_webhook`` — what ``summitbot run --webhook-url``
runs — against the fake Bot API, requests sent to it over loopback HTTP by hand.

* item 3: a request without the right secret is refused (403) as soon as its headers are in, before any of its
  body is read; an authenticated body over the cap gets 413 at once (Content-Length) or is cut off (chunked);
* item 12: the secret is compared in constant time (``hmac.compare_digest``), non-ASCII header values included;
* item 10: a replayed update_id is acknowledged and not handled again;
* item 4 (webhook side): an update PTB cannot parse is acknowledged 200 (Telegram would resend it for ever),
  skipped, recorded, and its text is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import socket
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fakeapi import FakeBotApi, updates
from reliability_kit import NO_FLOOD, make_settings
from telegram import Update
from telegram.ext import TypeHandler

from bot.engine import Engine
from bot.telegram.app import ALLOWED_UPDATES, BotApp, build_application
from bot.telegram.lifecycle import serve_webhook
from bot.telegram.services import SummitContext

pytestmark = pytest.mark.timeout(40)
SECRET = "s3cret-Token_for-tests"
HOOK_URL = "https://bot.example.org/hook"
HUGE = 90 * 1024 * 1024  # what the attack sent: 90 MB per request
PHONE = "+66 81 234 5678"
#: A poll as an older Bot API server sends it: without ``allows_revoting``, which PTB 22.8 requires.
OLD_POLL = {
    "id": "p1",
    "question": f"call me at {PHONE}",
    "options": [{"text": "yes", "voter_count": 0}, {"text": "no", "voter_count": 0}],
    "total_voter_count": 0,
    "is_closed": False,
    "is_anonymous": True,
    "type": "regular",
    "allows_multiple_answers": False,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Hooked:
    api: FakeBotApi
    app: BotApp
    port: int
    handled: Counter[int]
    changed: asyncio.Event

    def update(self, update_id: int, chat_id: int, text: str) -> dict[str, object]:
        sender = updates.user(chat_id, language_code="en")
        return {"update_id": update_id, "message": updates.message(update_id, updates.chat(chat_id, "private"), sender, text=text)}

    async def post(self, body: object, secret: str | None = SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", timeout=5) as client:
            return await client.post("/hook", content=json.dumps(body), headers={"Content-Type": "application/json", **headers})

    async def until_handled(self, update_id: int) -> None:
        async with asyncio.timeout(5):
            while update_id not in self.handled:
                self.changed.clear()
                await self.changed.wait()


@pytest_asyncio.fixture
async def hooked(api: FakeBotApi, engine: Engine, tmp_path: Path) -> AsyncIterator[Hooked]:
    assert api.root is not None
    port = free_port()
    app = build_application(make_settings(api.root, tmp_path / "bot.sqlite3", **NO_FLOOD), engine)
    handled: Counter[int] = Counter()
    changed = asyncio.Event()

    async def observe(update: Update, context: SummitContext) -> None:
        handled[update.update_id] += 1
        changed.set()

    app.add_handler(TypeHandler(Update, observe), group=99)
    task = asyncio.create_task(serve_webhook(app, webhook_url=HOOK_URL, listen="127.0.0.1", port=port, secret=SECRET, allowed_updates=ALLOWED_UPDATES))
    try:
        await api.wait_for("setWebhook", timeout=10)
        yield Hooked(api, app, port, handled, changed)
    finally:
        task.cancel()  # serve_webhook waits for SIGTERM; cancelling it runs the same orderly shutdown
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def raw_request(port: int, head: str, body_chunks: int = 0, chunk: bytes = b"") -> bytes:
    """Send a request head (and, chunked, up to ``body_chunks`` chunks) by hand; return what the server answered.

    Stops sending as soon as the server has answered or closed the connection.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answer = asyncio.create_task(reader.read(4096))
    try:
        writer.write(head.encode("latin-1"))
        await writer.drain()
        with contextlib.suppress(ConnectionError):
            if body_chunks:
                for _ in range(body_chunks):
                    if answer.done():  # the server has answered (or closed): stop sending
                        break
                    writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    await writer.drain()
                    await asyncio.sleep(0)
                else:
                    writer.write(b"0\r\n\r\n")  # the whole body went through: end it properly
                    await writer.drain()
        with contextlib.suppress(ConnectionError, TimeoutError):
            return await asyncio.wait_for(answer, 3)
        return b""
    finally:
        answer.cancel()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def head(secret: str, length: int | None) -> str:
    size = f"Content-Length: {length}\r\n" if length is not None else "Transfer-Encoding: chunked\r\n"
    return f"POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: {secret}\r\n{size}\r\n"


async def test_secret_is_checked_before_the_body_is_read(hooked: Hooked) -> None:
    # Item 3: 90 MB announced, not one byte sent. The answer must come from the headers alone.
    answer = await raw_request(hooked.port, head("wrong", HUGE))
    assert answer.startswith(b"HTTP/1.1 403"), f"no early 403 for a wrong secret: {answer[:80]!r}"
    answer = await raw_request(hooked.port, head(SECRET, HUGE))
    assert answer.startswith(b"HTTP/1.1 413"), f"no early 413 for a 90 MB body: {answer[:80]!r}"


async def test_a_chunked_body_is_cut_off_at_the_cap(hooked: Hooked) -> None:
    # Item 3: no Content-Length to check beforehand; 8 MB offered in 64 KB chunks, the server stops it early.
    answer = await raw_request(hooked.port, head(SECRET, None), body_chunks=128, chunk=b" " * 65536)
    assert not answer.startswith(b"HTTP/1.1 200") and b"HTTP/1.1 5" not in answer[:12], answer[:80]
    assert not answer or answer.startswith(b"HTTP/1.1 413"), answer[:80]
    # ...and the server still serves the next, normal update.
    assert (await hooked.post(hooked.update(1, 31, "when was the wuzhen summit?"))).status_code == 200
    await hooked.until_handled(1)


async def test_the_secret_is_compared_in_constant_time(hooked: Hooked, monkeypatch: pytest.MonkeyPatch) -> None:
    # Item 12: the comparison goes through hmac.compare_digest (the real one, watched).
    seen: list[tuple[object, object]] = []
    real = hmac.compare_digest

    def watched(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", watched)
    assert (await hooked.post(hooked.update(1, 31, "hello"), secret="wrong")).status_code == 403
    assert (await hooked.post(hooked.update(2, 31, "hello"), secret=None)).status_code == 403
    assert any(SECRET.encode() in pair or SECRET in pair for pair in seen), "the secret was not compared with hmac.compare_digest"
    answer = await raw_request(hooked.port, head("sécret-é", 2) + "{}")  # a non-ASCII value: refused, not a crash
    assert answer.startswith(b"HTTP/1.1 403"), answer[:80]
    assert not hooked.handled


async def test_a_replayed_update_is_handled_once(hooked: Hooked) -> None:
    # Item 10: the same update_id twice (an admin's /fact_add would be applied twice).
    first = hooked.update(7, 31, "when was the wuzhen summit?")
    assert (await hooked.post(first)).status_code == 200
    assert (await hooked.post(first)).status_code == 200  # acknowledged, so that Telegram does not resend it
    assert (await hooked.post(hooked.update(8, 32, "when was the wuzhen summit?"))).status_code == 200
    await hooked.until_handled(7)
    await hooked.until_handled(8)
    await hooked.api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == 32, timeout=5)
    await asyncio.sleep(0.2)  # a second copy of update 7 would have been handled by now, next to update 8
    assert hooked.handled[7] == 1
    assert len([c for c in hooked.api.calls_of("sendMessage") if c.params.get("chat_id") == 31]) == 1


async def test_a_poison_update_is_skipped_and_its_text_never_logged(hooked: Hooked, caplog: pytest.LogCaptureFixture) -> None:
    # Item 4, webhook side: acknowledged (200), skipped, recorded; the next update is served.
    caplog.set_level(logging.DEBUG)
    poison = {"update_id": 5, "message": {**updates.message(5, updates.chat(33, "private"), updates.user(33)), "poll": OLD_POLL}}
    assert (await hooked.post(poison)).status_code == 200
    assert (await hooked.post(hooked.update(6, 34, "when was the wuzhen summit?"))).status_code == 200
    await hooked.api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == 34, timeout=5)
    assert 5 not in hooked.handled
    report = await hooked.app.bot_data.services.health()
    assert report[1]["skipped_updates"] == 1
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        assert PHONE not in text and "call me" not in text, f"{record.name} logged the update's text"
