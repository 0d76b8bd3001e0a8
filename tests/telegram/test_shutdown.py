"""SIGTERM: the update in flight is still answered, the database is closed cleanly, the process exits 0."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest
from fakeapi import FakeBotApi
from harness import TOKEN, plain

from tests.conftest import REPO

pytestmark = pytest.mark.timeout(60)


async def test_sigterm_finishes_the_update_in_flight(api: FakeBotApi, tmp_path: Path) -> None:
    assert api.root is not None
    db = tmp_path / "bot.sqlite3"
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.root, "SUMMITBOT_DB": str(db), "SUMMITBOT_LOG_LEVEL": "INFO"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        await api.wait_for("setMyCommands", timeout=30)
        api.delay_next("sendMessage", 2.0)  # the answer is on its way when SIGTERM arrives
        api.send_text("when was the wuzhen summit?", chat_id=64, user_id=64)
        await asyncio.sleep(1.0)  # long polling hands the update over at once; the reply is held for 2 s
        assert not api.calls_of("sendMessage")
        proc.send_signal(signal.SIGTERM)
        reply = await api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == 64, timeout=10)
        assert "8 November 2023" in plain(reply)
        code = await asyncio.wait_for(proc.wait(), timeout=20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    output = (await proc.stdout.read()).decode() if proc.stdout else ""
    assert code == 0, output
    assert TOKEN not in output
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
