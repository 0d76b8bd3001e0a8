"""The announcement tables (migration 4): subscriptions, broadcasts, reminders recorded once, the outbox's states."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from bot.announce.announcements import Announcements
from bot.announce.outbox import Counts, Outbox
from bot.announce.subscriptions import Subscriptions
from bot.curated.text_catalog import ADMIN_TEXTS
from bot.store import Store

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
ALL = ("summit", "iot-expo", "itu-event")


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "bot.sqlite3")
    yield opened
    await opened.close()


async def test_subscriptions(store: Store) -> None:
    subs = Subscriptions(store)
    await subs.subscribe(1, "private", "th", ALL, 1)
    await subs.subscribe(-2, "group", "en", ("summit",), 7)
    await subs.subscribe(-2, "group", "fr", ("itu-event", "summit"), 8)  # changed, not duplicated
    assert [(s.chat_id, s.lang, s.kinds) for s in await subs.all()] == [(-2, "fr", ("itu-event", "summit")), (1, "th", ALL)]
    assert [s.chat_id for s in await subs.all("iot-expo")] == [1]
    assert await subs.count() == 2
    await subs.subscribe(-1003, "supergroup", "vi", ALL, None)
    await subs.move(-2, -1003)  # the supergroup already had its own subscription: it is kept
    await subs.move(1, 100)
    assert [(s.chat_id, s.lang) for s in await subs.all()] == [(-1003, "vi"), (100, "th")]
    assert await subs.unsubscribe(100) and not await subs.unsubscribe(100)


async def test_broadcast_lifecycle(store: Store) -> None:
    subs, anns, outbox = Subscriptions(store), Announcements(store), Outbox(store)
    for chat in (1, 2, -3):
        await subs.subscribe(chat, "private" if chat > 0 else "group", "en", ALL, None)
    draft = await anns.create("Hello", send_at=NOW, created_by=9, admin_chat_id=9, scheduled=False)
    assert draft.state == "draft" and draft.kind == "broadcast"
    assert await anns.start_broadcast(draft.id, {}, "Hello", NOW) == 3
    assert await anns.start_broadcast(draft.id, {}, "Hello", NOW) is None  # a second Send changes nothing
    rows = await outbox.pending()
    assert [r.chat_id for r in rows] == [-3, 1, 2] and rows[0].is_group
    assert await outbox.claim(rows[0].id, NOW) and not await outbox.claim(rows[0].id, NOW)
    await outbox.sent(rows[0].id, 77, NOW)
    assert await outbox.claim(rows[1].id, NOW)
    await outbox.retry(rows[1].id, NOW + dt.timedelta(seconds=5), "429", NOW, counted=False)
    again = next(r for r in await outbox.pending() if r.id == rows[1].id)
    assert again.attempts == 0 and again.next_attempt_at == NOW + dt.timedelta(seconds=5)
    assert await outbox.claim(rows[2].id, NOW)  # left 'sending' as a crash would leave it
    assert (await outbox.counts([draft.id]))[draft.id] == Counts(pending=1, sending=1, sent=1)
    assert await outbox.requeue_in_flight(NOW) == 1
    assert await anns.cancel(draft.id, NOW) == ("sending", 2)  # the pending rows are dropped
    assert (await outbox.counts([draft.id]))[draft.id] == Counts(sent=1, cancelled=2)
    assert await anns.cancel(draft.id, NOW) == ("cancelled", 0) and await anns.cancel(999, NOW) is None
    assert not await anns.finish(draft.id, NOW)  # a cancelled one stays cancelled


async def test_blocked_and_migrated_chats(store: Store) -> None:
    subs, anns, outbox = Subscriptions(store), Announcements(store), Outbox(store)
    for chat in (5, -6, -1006):
        await subs.subscribe(chat, "private" if chat > 0 else "group", "en", ALL, None)
    first = await anns.create("One", send_at=NOW, created_by=9, admin_chat_id=9, scheduled=False)
    second = await anns.create("Two", send_at=NOW, created_by=9, admin_chat_id=9, scheduled=False)
    await anns.start_broadcast(first.id, {}, "One", NOW)
    await subs.unsubscribe(-1006)
    await anns.start_broadcast(second.id, {}, "Two", NOW)
    rows = {(r.announcement_id, r.chat_id): r for r in await outbox.pending()}
    await outbox.claim(rows[(first.id, 5)].id, NOW)
    await outbox.failed(rows[(first.id, 5)].id, "403 blocked", NOW, unsubscribe=5)
    assert await subs.get(5) is None
    assert (await outbox.failures(second.id)) == [(5, "403 blocked", None)]  # its other queued row failed too
    # -6 became -1006, which already has its own copy of the first announcement but not of the second.
    await outbox.claim(rows[(first.id, -6)].id, NOW)
    await outbox.migrated(rows[(first.id, -6)].id, -6, -1006, NOW)
    left = sorted((r.announcement_id, r.chat_id) for r in await outbox.pending())
    assert left == [(first.id, -1006), (second.id, -1006)]
    assert (await outbox.counts([first.id]))[first.id].cancelled == 1
    moved = await subs.get(-1006)
    assert moved is not None and moved.chat_type == "supergroup" and await subs.get(-6) is None


async def test_reminders_are_recorded_once(store: Store) -> None:
    subs, anns, outbox = Subscriptions(store), Announcements(store), Outbox(store)
    await subs.subscribe(1, "private", "th", ("itu-event",), None)
    await subs.subscribe(2, "private", "en", ("summit",), None)
    await subs.subscribe(3, "private", "fr", ALL, None)
    key = ("wtisd_2021", "2027-05-17", 1)
    bodies = {"en": "EN", "th": "TH", "vi": "VI", "fr": "FR"}
    enqueued = await anns.enqueue_reminder(key, "itu-event", bodies, [("wtisd_2021", "2027-05-17", 7)], NOW)
    assert enqueued is not None and enqueued[1] == 2
    assert sorted((r.chat_id, r.body, r.event_id) for r in await outbox.pending()) == [(1, "TH", "wtisd_2021"), (3, "FR", "wtisd_2021")]
    assert await anns.enqueue_reminder(key, "itu-event", bodies, [], NOW) is None
    assert await anns.reminders_done() == {key, ("wtisd_2021", "2027-05-17", 7)}


async def test_reminders_of_tells_which_reminder_each_announcement_is(store: Store) -> None:
    """/announcements describes a reminder from its key: found for the reminder sent, not for a broadcast or a skip."""
    anns = Announcements(store)
    broadcast = await anns.create("Hello", send_at=NOW, created_by=9, admin_chat_id=9, scheduled=False)
    week = await anns.enqueue_reminder(("wtisd_2021", "2027-05-17", 7), "itu-event", {}, [], NOW)
    day = await anns.enqueue_reminder(("wtisd_2021", "2027-05-17", 1), "itu-event", {}, [("wiotc_2023", "2027-09-01", 7)], NOW)
    assert week is not None and day is not None
    found = await anns.reminders_of([broadcast.id, week[0], day[0], 999])
    assert found == {week[0]: ("wtisd_2021", "2027-05-17", 7), day[0]: ("wtisd_2021", "2027-05-17", 1)}
    assert await anns.reminders_of([day[0]]) == {day[0]: ("wtisd_2021", "2027-05-17", 1)}
    assert await anns.reminders_of([]) == {}
    assert await anns.reminders_of([broadcast.id]) == {}


async def test_rows_in_flight_of_a_cancelled_announcement_are_not_resent(store: Store) -> None:
    subs, anns, outbox = Subscriptions(store), Announcements(store), Outbox(store)
    await subs.subscribe(1, "private", "en", ALL, None)
    draft = await anns.create("Hello", send_at=NOW, created_by=9, admin_chat_id=9, scheduled=False)
    await anns.start_broadcast(draft.id, {}, "Hello", NOW)
    [row] = await outbox.pending()
    assert await outbox.claim(row.id, NOW)
    assert await anns.cancel(draft.id, NOW) == ("sending", 0)  # its one row was already under way
    assert await outbox.requeue_in_flight(NOW) == 0  # after a crash: not sent again
    assert (await outbox.counts([draft.id]))[draft.id] == Counts(cancelled=1)


async def test_every_kind_and_state_the_table_allows_has_a_text_for_announcements(store: Store) -> None:
    """/announcements names each announcement's kind and state with a text of the catalog: none may be missing."""
    rows = await store.query("SELECT sql FROM sqlite_master WHERE name = 'announcements'")
    checks = re.findall(r"(kind|state)\s+TEXT NOT NULL CHECK \(\w+ IN \(([^)]*)\)\)", rows[0][0])
    allowed = {column: re.findall(r"'([a-z]+)'", values) for column, values in checks}
    assert allowed["kind"] == ["broadcast", "reminder"] and len(allowed["state"]) == 5
    keys = {f"announcement_{column}_{value}" for column, values in allowed.items() for value in values}
    assert keys <= set(ADMIN_TEXTS)
