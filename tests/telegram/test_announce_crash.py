"""A bot killed (SIGKILL) in the middle of a broadcast finishes it after a restart, repeating at most the sends that
were in flight: the rows left in 'sending'."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from pathlib import Path

import pytest
from announce_kit import received
from fakeapi import FakeBotApi
from harness import ADMIN, TOKEN, plain

from bot.announce.announcements import Announcements
from bot.announce.outbox import Outbox
from bot.announce.subscriptions import Subscriptions
from bot.settings import REPO_ROOT
from bot.store import Store

pytestmark = pytest.mark.timeout(60)
TEXT = "Crash test broadcast"
CHATS = [*range(30001, 30121), *(-(40001 + i) for i in range(30))]  # 120 private chats and 30 groups


async def enqueue(db: Path) -> None:
    """A broadcast already enqueued for every chat, as /announce and Send leave it."""
    store = await Store.open(db)
    try:
        for chat in CHATS:
            await Subscriptions(store).subscribe(chat, "private" if chat > 0 else "group", "en", ("summit",), None)
        now = dt.datetime.now(dt.UTC)
        announcements = Announcements(store)
        draft = await announcements.create(TEXT, send_at=now, created_by=ADMIN, admin_chat_id=ADMIN, scheduled=False)
        assert await announcements.start_broadcast(draft.id, {}, TEXT, now) == len(CHATS)
    finally:
        await store.close()


async def rows(db: Path, state: str) -> int:
    store = await Store.open(db)
    try:
        return await Outbox(store).in_state(state)
    finally:
        await store.close()


async def start_bot(api: FakeBotApi, db: Path, log: Path) -> asyncio.subprocess.Process:
    assert api.root is not None
    env = {
        **os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.root, "SUMMITBOT_DB": str(db), "SUMMITBOT_ADMINS": str(ADMIN),
        "SUMMITBOT_INTENTS_DIR": str(REPO_ROOT / "intents"), "SUMMITBOT_KNOWLEDGE_DIR": str(REPO_ROOT / "knowledge"),
    }  # fmt: skip
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=db.parent, env=env, stdout=out, stderr=out)


async def test_killed_mid_broadcast_then_restarted(api: FakeBotApi, tmp_path: Path) -> None:
    api.enforce_limits = True  # 30 messages/s: the broadcast takes ~5 s, long enough to be killed in the middle
    db, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    await enqueue(db)
    proc = await start_bot(api, db, log)
    try:
        await api.wait_until(lambda: len(received(api, TEXT)) >= 50, timeout=30)
        proc.kill()  # SIGKILL: no clean-up at all
        await asyncio.wait_for(proc.wait(), 10)
    finally:
        if proc.returncode is None:
            proc.kill()
    in_flight, sent_before = await rows(db, "sending"), await rows(db, "sent")
    assert 50 <= sent_before + in_flight < len(CHATS), log.read_text()  # killed in the middle
    assert in_flight <= 16  # at most max_in_flight sends are ever under way

    proc = await start_bot(api, db, log)
    try:
        await api.wait_for("sendMessage", lambda c: c.ok and c.params["chat_id"] == ADMIN and plain(c).startswith("Announcement #1:"), 30)
        proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.wait(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    counts = received(api, TEXT)
    assert set(counts) >= set(CHATS), log.read_text()  # every chat got it…
    duplicates = sum(n - 1 for chat, n in counts.items() if chat in CHATS)
    assert duplicates <= in_flight  # …and only sends in flight at the kill may have been repeated
    assert await rows(db, "sent") == len(CHATS) and await rows(db, "sending") == 0
    assert "were being sent when the bot stopped" in log.read_text() or in_flight == 0
    print(f"killed with {sent_before} sent and {in_flight} in flight; {duplicates} duplicate(s) after the restart")
