"""Helpers for the announcement tests: a clock the test moves, bulk subscriptions, counting deliveries."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from fakeapi import Call, FakeBotApi
from harness import ADMIN, Harness, buttons, plain

from bot.engine import Engine
from bot.engine.model import EVENT_KINDS
from bot.telegram.announce.service import Announcer
from bot.telegram.app import build_application, running

WAIT = 10.0  # seconds: the longest a whole (small) broadcast may take in these tests


class Clock:
    """Real time plus an offset the test moves forward (retries and pacing keep flowing, schedules jump)."""

    def __init__(self, at: dt.datetime | None = None) -> None:
        self.offset = (at - dt.datetime.now(dt.UTC)) if at else dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += dt.timedelta(**delta)

    def set(self, at: dt.datetime) -> None:
        self.offset = at - dt.datetime.now(dt.UTC)


@asynccontextmanager
async def clocked_announcer(api: FakeBotApi, db: Path, engine: Engine, clock: Clock) -> AsyncIterator[Announcer]:
    """The bot running in Asia/Bangkok on the test's clock (reminders go out at 09:00 local time): its announcer."""
    assert api.root is not None
    from harness import make_settings

    settings = make_settings(api.root, db, SUMMITBOT_TIMEZONE="Asia/Bangkok")
    async with running(build_application(settings, engine), poll_timeout=1) as app:
        svc = app.bot_data.services
        assert svc is not None and svc.announcer is not None
        svc.clock = clock
        yield svc.announcer


def announcer(bot: Harness) -> Announcer:
    found = bot.services.announcer
    assert found is not None
    return found


async def subscribe(bot: Harness, chats: Iterable[int], lang: str = "en", kinds: tuple[str, ...] = EVENT_KINDS) -> list[int]:
    """Subscribe chats through the store (private for positive ids, groups for negative ones)."""
    done = []
    for chat in chats:
        kind = "private" if chat > 0 else ("supergroup" if str(chat).startswith("-100") else "group")
        await announcer(bot).subscriptions.subscribe(chat, kind, lang, kinds, None)
        done.append(chat)
    return done


def received(api: FakeBotApi, text: str) -> Counter[int]:
    """How many times each chat was sent a message containing ``text`` (successful sends only, previews left out)."""
    return Counter(int(c.params["chat_id"]) for c in api.calls_of("sendMessage") if c.ok and text in plain(c) and not plain(c).startswith("Preview"))


async def wait_received(api: FakeBotApi, chats: Iterable[int], text: str, timeout: float = WAIT) -> Counter[int]:  # noqa: ASYNC109
    """Wait (bounded) until every chat got ``text`` at least once; returns the counts."""
    wanted = set(chats)
    await api.wait_until(lambda: wanted <= set(received(api, text)), timeout)
    return received(api, text)


async def announce(bot: Harness, text: str) -> int:
    """/announce as the admin, then press Send; returns the announcement's id."""
    bot.api.send_text(f"/announce {text}", chat_id=ADMIN, user_id=ADMIN)
    preview = await bot.reply(ADMIN, lambda c: any(d.startswith("v1|an|send|") for _, d in buttons(c)))
    data = next(d for _, d in buttons(preview) if d.startswith("v1|an|send|"))
    bot.api.press_button(preview, data, user_id=ADMIN)
    return int(data.rsplit("|", 1)[1])


async def report(bot: Harness, announcement_id: int, timeout: float = WAIT) -> Call:  # noqa: ASYNC109
    """The final report of a broadcast, sent to the admin."""
    return await bot.api.wait_for(
        "sendMessage", lambda c: c.ok and c.params["chat_id"] == ADMIN and plain(c).startswith(f"Announcement #{announcement_id}:"), timeout
    )


def statuses(api: FakeBotApi) -> Counter[int]:
    """HTTP statuses of every call the fake server answered."""
    return Counter(c.status for c in api.calls)
