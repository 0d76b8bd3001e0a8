"""Crash: ``python -m bot run`` in a subprocess, SIGKILLed in the middle of a stream of admin edits.

The fake Bot API runs in the test process; the bot runs as ``summitbot run`` does (TELEGRAM_API_URL pointing at the
fake, SUMMITBOT_DB in tmp_path, SUMMITBOT_ADMINS set). The admin edits in a group, so every acknowledgement is
threaded to the command it acknowledges. After each SIGKILL the SQLite file is checked on its own (integrity, the
knowledge tables, ``summitbot kb history``); after a restart, every acknowledged change is there and the restarted bot
serves it (``/facts``).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fakeapi import Call, FakeBotApi
from reliability_kit import ADMIN, TOKEN, check_knowledge_tables, sent_text_ok

from tests.conftest import INTENTS, KNOWLEDGE

pytestmark = pytest.mark.timeout(120)

HERE = Path(__file__).resolve().parent
GROUP = -4242  # the admins' group: replies there are threaded to the command
START = 30.0  # seconds a subprocess may take to start answering
ACK = re.compile(r"^#(\d+) ", re.MULTILINE)


def bot_env(api: FakeBotApi, db: Path) -> dict[str, str]:
    assert api.root is not None
    return {
        **os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.root, "SUMMITBOT_DB": str(db),
        "SUMMITBOT_ADMINS": str(ADMIN), "SUMMITBOT_LOG_LEVEL": "INFO", "SUMMITBOT_INTENTS_DIR": str(INTENTS),
        "SUMMITBOT_KNOWLEDGE_DIR": str(KNOWLEDGE), "SUMMITBOT_REMINDER_DAYS": "none",
    }  # fmt: skip


@asynccontextmanager
async def bot_process(api: FakeBotApi, db: Path, log: Path, *prefix: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot run`` (or ``python <prefix…> run``); killed on the way out if still alive."""
    args = [*prefix, "run"] if prefix else ["-m", "bot", "run"]
    with log.open("ab") as err:
        proc = await asyncio.create_subprocess_exec(sys.executable, *args, cwd=db.parent, env=bot_env(api, db), stdout=err, stderr=err)
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
        await asyncio.wait_for(proc.wait(), 10)


async def sigkill(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGKILL)
    assert await asyncio.wait_for(proc.wait(), 10) == -signal.SIGKILL


def replies_to(api: FakeBotApi, message_id: int) -> list[Call]:
    return [
        c for c in api.calls_of("sendMessage")
        if c.ok and c.params.get("chat_id") == GROUP and (c.params.get("reply_parameters") or {}).get("message_id") == message_id
    ]  # fmt: skip


def command(api: FakeBotApi, text: str) -> int:
    """An admin's command in the group; returns its message id."""
    return int(api.send_text(text, chat_id=GROUP, user_id=ADMIN, chat_type="group")["message"]["message_id"])


async def kb_history(db: Path, api: FakeBotApi) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "kb", "history", "--limit", "1000", cwd=db.parent, env=bot_env(api, db),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    return out.decode()


def change_ids(db: Path) -> dict[int, str]:
    con = sqlite3.connect(db)
    try:
        return {int(i): str(s) for i, s in con.execute("SELECT change_id, summary FROM kb_changes")}
    finally:
        con.close()


async def check_after_crash(db: Path, api: FakeBotApi, acked: dict[int, str]) -> dict[str, int]:
    """The database as the SIGKILL left it: consistent, readable by the CLI, holding every acknowledged change."""
    counts = check_knowledge_tables(db)
    stored = change_ids(db)
    missing = {cid: s for cid, s in acked.items() if cid not in stored}
    assert not missing, f"acknowledged changes missing after the crash: {missing}"
    history = await kb_history(db, api)
    assert len(history.splitlines()) == len(stored)
    assert all(f"#{cid} " in history for cid in acked)
    return counts


@dataclass
class Stream:
    """Admin commands sent so far: message id → text, and what the bot acknowledged."""

    sent: dict[int, str] = field(default_factory=dict)
    acked: dict[int, str] = field(default_factory=dict)  # change id → summary line, from "Done:"/"Undone:" replies
    acked_commands: set[int] = field(default_factory=set)  # command message ids acknowledged that way
    answered: set[int] = field(default_factory=set)  # command message ids that got any reply

    def collect(self, api: FakeBotApi) -> None:
        for mid in self.sent:
            for call in replies_to(api, mid):
                self.answered.add(mid)
                text = sent_text_ok(call)
                if text.startswith(("Done:", "Undone:")):
                    self.acked_commands.add(mid)
                    self.acked.update({int(m.group(1)): line for m in ACK.finditer(text) for line in [text[m.start() :].splitlines()[0]]})


def nth_command(tag: str, i: int) -> str:
    if i % 5 == 3:
        return f"/event_set wiotc place | Crash place {tag}{i}"  # one batch: the event and the fact citing the place
    if i % 5 == 4:
        return "/undo"
    return f"/fact_add wuzhen | Crash marker {tag}{i}: the summit showed {i} robots. | topics=figures"


async def started(api: FakeBotApi, starts: int) -> None:
    """Wait until the new process polls: PTB calls deleteWebhook once per start, right before its first getUpdates."""
    await api.wait_until(lambda: len(api.calls_of("deleteWebhook")) > starts, timeout=START)


async def edit_then_kill(api: FakeBotApi, proc: asyncio.subprocess.Process, stream: Stream, tag: str, rng: random.Random) -> int:
    """Send an admin command every 0.4 s (a little faster than the bot applies them) and SIGKILL the bot mid-way."""
    acks_before = len(stream.acked_commands)
    kill_after = rng.randint(4, 7)  # acknowledged commands
    extra = rng.uniform(0.0, 0.8)  # then a little later, wherever the bot is
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START
    i = 0
    while True:
        stream.collect(api)
        if len(stream.acked_commands) - acks_before >= kill_after:
            break
        assert loop.time() < deadline, "the bot acknowledged too few edits"
        assert proc.returncode is None, "the bot died on its own"
        if i < 40:
            stream.sent[command(api, nth_command(tag, i))] = nth_command(tag, i)
            i += 1
        await asyncio.sleep(0.4)
    await asyncio.sleep(extra)
    await sigkill(proc)
    stream.collect(api)
    return i


async def test_sigkill_during_admin_edits_keeps_the_database_consistent(api: FakeBotApi, tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    db, log = tmp_path / "data" / "bot.sqlite3", tmp_path / "bot.log"
    db.parent.mkdir()
    stream = Stream()
    counts: list[dict[str, int]] = []
    for cycle in "ab":  # two crashes, each followed by a restart on the same database
        starts = len(api.calls_of("deleteWebhook"))
        async with bot_process(api, db, log) as proc:
            await started(api, starts)
            await edit_then_kill(api, proc, stream, cycle, rng)
        counts.append(await check_after_crash(db, api, stream.acked))

    # Restart once more: the leftovers still queued at the fake server are handled; then /facts shows the knowledge.
    async with bot_process(api, db, log) as proc:
        facts = command(api, "/facts wuzhen")
        sentinel = command(api, "/history wiotc")
        await api.wait_until(lambda: bool(replies_to(api, sentinel)), timeout=START)
        stream.collect(api)
        # /facts may take several messages (only the first is threaded); they all come before the sentinel's reply.
        first, last = api.calls.index(replies_to(api, facts)[0]), api.calls.index(replies_to(api, sentinel)[0])
        parts = [c for c in api.calls[first:last] if c.method == "sendMessage" and c.ok and c.params.get("chat_id") == GROUP]
        listing = "\n".join(sent_text_ok(c) for c in parts)
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 20) == 0
    final = check_knowledge_tables(db)
    stored = change_ids(db)
    assert set(stream.acked) <= set(stored)

    con = sqlite3.connect(db)
    try:
        overlay = {i: d for i, d in con.execute("SELECT entity_id, data_json FROM kb_overlay WHERE entity = 'fact'")}
    finally:
        con.close()
    # Every edit took effect at most once: a marker is in one fact at most (a command applied twice would add two).
    markers = [m for data in overlay.values() for m in set(re.findall(r"Crash marker (\w+):", data))]
    assert len(markers) == len(set(markers)), f"an edit was applied twice: {sorted(markers)}"
    # The restarted bot serves every admin fact of the overlay that is not deleted.
    for fact_id, data in overlay.items():
        if fact_id.startswith("wic_wuzhen_2023_admin") and data != "null":
            assert fact_id in listing, f"{fact_id} is in the database but not in /facts"
    lost = [text for mid, text in stream.sent.items() if mid not in stream.answered]
    print(
        f"\ncrash (seed {seed}): {len(stream.sent)} commands, {len(stream.acked_commands)} acknowledged ({len(stream.acked)} changes),"
        " all present after 2 SIGKILLs;"
        f" tables after each crash {counts}, final {final}; {len(lost)} commands never answered (fetched and confirmed, then killed)"
    )


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="weakness: PTB confirms a getUpdates batch (next offset) as soon as it is fetched, before the updates are "
    "handled; a crash loses every fetched-but-unhandled update for good (at-most-once delivery)",
)
async def test_commands_fetched_before_a_crash_are_not_lost(api: FakeBotApi, tmp_path: Path) -> None:
    db, log = tmp_path / "data" / "bot.sqlite3", tmp_path / "bot.log"
    db.parent.mkdir()
    commands = [command(api, f"/fact_add wtisd | Queued fact number {i} before the crash.") for i in range(5)]
    async with bot_process(api, db, log) as proc:  # the five arrive in one getUpdates batch; one edit takes ~1 s
        await api.wait_until(lambda: bool(replies_to(api, commands[0])), timeout=START)
        await sigkill(proc)
    assert api.pending_updates() == 0  # the fake server considers all five delivered
    async with bot_process(api, db, log) as proc:
        sentinel = command(api, "/history")
        await api.wait_until(lambda: bool(replies_to(api, sentinel)), timeout=START)
    unanswered = [i for i, mid in enumerate(commands) if not replies_to(api, mid)]
    assert not unanswered, f"commands {unanswered} were fetched by the killed bot and never handled"
