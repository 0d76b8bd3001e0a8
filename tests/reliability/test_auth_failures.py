"""The Bot API rejects the bot (issue 10, items 5, 11 and 20): 401 and 409 on getUpdates.

* item 5: a brief 401 is retried with backoff and the bot recovers; a 401 that lasts ``SUMMITBOT_AUTH_RETRY_SECONDS``
  ends ``summitbot run`` with exit code 1 and one line; SIGINT while it retries stops it at once and cleanly (before:
  polling died for good, the process lived on, and SIGINT hung on the database's worker thread);
* item 11: ``/healthz`` answers 503 while getUpdates is rejected with 401 or 409, and 200 again once it works;
* item 20: a user name and password inside ``TELEGRAM_API_URL`` never reach the log.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakeapi import FakeBotApi
from reliability_kit import TOKEN, RunningBot, run_bot, sent_text_ok

from bot.engine import Engine
from tests.conftest import REPO

pytestmark = pytest.mark.timeout(60)
PASSWORD = "s3cretPass"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def healthz(port: int) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient(timeout=5) as client:
        answer = await client.get(f"http://127.0.0.1:{port}/healthz")
    return answer.status_code, answer.json()


async def until_health(port: int, status: int, timeout: float = 8.0) -> dict[str, Any]:  # noqa: ASYNC109
    """Poll /healthz (every 0.1 s, bounded) until it answers ``status``."""
    async with asyncio.timeout(timeout):
        while True:
            code, report = await healthz(port)
            if code == status:
                return report
            await asyncio.sleep(0.1)


async def answered(bot: RunningBot, chat_id: int) -> str:
    bot.api.send_text("when was the wuzhen summit?", chat_id=chat_id, user_id=chat_id)
    return sent_text_ok(await bot.api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == chat_id, timeout=10))


async def test_a_brief_401_is_retried_and_the_bot_recovers(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    port = free_port()
    async with run_bot(api, tmp_path / "bot.sqlite3", engine, SUMMITBOT_HEALTH_PORT=str(port)) as bot:
        await api.wait_for("getUpdates", timeout=5)
        assert (await healthz(port))[0] == 200
        api.fail_next("getUpdates", error_code=401, times=1)  # the token is rejected for a moment
        report = await until_health(port, 503)
        assert report["api_rejected"] == {"getUpdates": 401}
        assert "8 November 2023" in await answered(bot, 51)  # polling came back by itself
        assert (await until_health(port, 200))["api_rejected"] == {}
        assert not bot.trap.records, bot.trap.describe()  # retried quietly: no ERROR, no traceback


async def test_healthz_is_503_while_getupdates_conflicts(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    port = free_port()
    async with run_bot(api, tmp_path / "bot.sqlite3", engine, SUMMITBOT_HEALTH_PORT=str(port)) as bot:
        await api.wait_for("getUpdates", timeout=5)
        api.fail_next("getUpdates", error_code=409, times=1000)  # another instance is polling with the same token
        report = await until_health(port, 503)
        assert report["api_rejected"] == {"getUpdates": 409} and report["database"] == "ok"
        api.clear_faults()
        assert "8 November 2023" in await answered(bot, 52)
        await until_health(port, 200)


async def run_process(api: FakeBotApi, tmp_path: Path, **env: str) -> asyncio.subprocess.Process:
    assert api.root is not None
    root = api.root.replace("http://", f"http://bot:{PASSWORD}@")  # item 20: credentials in the URL
    full = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": root, "SUMMITBOT_DB": str(tmp_path / "bot.sqlite3"), **env}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=REPO, env=full, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )


async def finish(proc: asyncio.subprocess.Process, timeout: float) -> tuple[int, str, str]:  # noqa: ASYNC109
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def database_ok(path: Path) -> None:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


async def test_a_lasting_401_ends_the_process_with_one_line(api: FakeBotApi, tmp_path: Path) -> None:
    api.fail_next("getUpdates", error_code=401, times=100_000)  # the token was revoked
    proc = await run_process(api, tmp_path, SUMMITBOT_AUTH_RETRY_SECONDS="1")
    code, out, err = await finish(proc, 30)
    logs = out + err
    assert code == 1, logs
    last = err.strip().splitlines()[-1]
    assert last.startswith("summitbot: the Bot API at http://***@127.0.0.1:") and "rejected TELEGRAM_BOT_TOKEN" in last, logs
    assert "Traceback" not in logs, logs
    assert "starting long polling against http://***@127.0.0.1:" in logs  # item 20: where it logs the URL
    assert PASSWORD not in logs and TOKEN.split(":")[1] not in logs
    database_ok(tmp_path / "bot.sqlite3")


async def test_sigint_while_401_is_retried_stops_cleanly(api: FakeBotApi, tmp_path: Path) -> None:
    api.fail_next("getUpdates", error_code=401, times=100_000)
    proc = await run_process(api, tmp_path)  # the default: retries for minutes
    try:
        await api.wait_until(lambda: any(c.status == 401 for c in api.calls_of("getUpdates")), timeout=30)
        await asyncio.sleep(0.3)
        proc.send_signal(signal.SIGINT)
    except BaseException:
        proc.kill()
        raise
    code, out, err = await finish(proc, 15)  # before: hung for ever on the database's worker thread
    assert code == 0, out + err
    assert "Traceback" not in out + err, out + err
    assert PASSWORD not in out + err
    database_ok(tmp_path / "bot.sqlite3")
