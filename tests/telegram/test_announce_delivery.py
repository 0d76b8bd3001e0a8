"""Broadcast delivery through the outbox: exactly once per chat within the limits, 429, 403, migration, retries."""

from __future__ import annotations

import itertools

import pytest
from announce_kit import announce, announcer, received, report, statuses, subscribe, wait_received
from harness import ADMIN, Harness, plain

from bot.announce.retry import RetryPolicy

pytestmark = [pytest.mark.timeout(40), pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]  # PTB 22 RetryAfter
PRIVATE = list(range(1001, 1041))  # 40 private chats
GROUPS = [-(2001 + i) for i in range(10)]  # 10 groups


async def test_every_chat_gets_each_announcement_once_within_the_limits(bot: Harness) -> None:
    bot.api.enforce_limits = True
    chats = await subscribe(bot, [*PRIVATE, *GROUPS, ADMIN])
    first = await announce(bot, "First <news> & more")
    second = await announce(bot, "Second piece of news")
    got_first = await wait_received(bot.api, chats, "First <news> & more")
    got_second = await wait_received(bot.api, chats, "Second piece of news")
    assert set(got_first.values()) == {1} and set(got_second.values()) == {1}
    sent = [c for c in bot.api.calls_of("sendMessage") if c.ok and c.params["chat_id"] == PRIVATE[0]]
    assert "&lt;news&gt; &amp; more" in sent[0].params["text"]  # the admin's text is escaped, shown as written
    for announcement_id in (first, second):
        final = await report(bot, announcement_id)
        assert f"delivered to all {len(chats)} chat(s)" in plain(final)
    assert statuses(bot.api)[429] == 0, [(c.method, c.params.get("chat_id"), plain(c)[:40]) for c in bot.api.calls if c.status == 429]
    counts = await announcer(bot).outbox.counts([first, second])
    assert counts[first].sent == counts[second].sent == len(chats) and counts[first].remaining == 0


async def test_a_429_pauses_only_its_chat_and_delivery_stays_exactly_once(bot: Harness) -> None:
    chats = await subscribe(bot, [*PRIVATE[:20], *GROUPS[:5]])
    slow = PRIVATE[3]
    bot.api.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=slow)
    bot.api.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=GROUPS[1], times=2)
    announcement_id = await announce(bot, "Flood control test")
    got = await wait_received(bot.api, chats, "Flood control test")
    assert set(got.values()) == {1}
    calls = [c for c in bot.api.calls_of("sendMessage") if "Flood control test" in str(c.params.get("text"))]
    refused = next(c for c in calls if c.status == 429 and c.params["chat_id"] == slow)
    delivered = next(c for c in calls if c.ok and c.params["chat_id"] == slow)
    assert delivered.at - refused.at >= 0.95  # waited retry_after…
    others = [c.at for c in calls if c.ok and c.params["chat_id"] not in (slow, GROUPS[1])]
    assert max(others) < delivered.at and max(others) - refused.at < 0.9  # …while the other chats kept flowing
    assert "delivered to all 25 chat(s)" in plain(await report(bot, announcement_id))


async def test_a_blocked_chat_is_unsubscribed_and_reported(bot: Harness) -> None:
    chats = await subscribe(bot, [*PRIVATE[:5], GROUPS[0]])
    bot.api.block_chat(PRIVATE[1])
    bot.api.block_chat(GROUPS[0])
    announcement_id = await announce(bot, "Blocked test")
    final = plain(await report(bot, announcement_id))
    assert "delivered to 4 of 6 chat(s); 2 failed" in final
    assert f"{PRIVATE[1]}: 403 Forbidden: bot was blocked by the user" in final
    assert f"{GROUPS[0]}: 403 Forbidden: bot was kicked from the group chat" in final
    assert set(received(bot.api, "Blocked test")) == set(chats) - {PRIVATE[1], GROUPS[0]}
    subscribed = {s.chat_id for s in await announcer(bot).subscriptions.all()}
    assert subscribed == set(chats) - {PRIVATE[1], GROUPS[0]}
    record = await bot.services.store.chat(PRIVATE[1])
    assert record is not None and record.status == "kicked"


async def test_a_migrated_group_gets_it_at_its_new_id(bot: Harness) -> None:
    old, new = -3001, -1003001
    await subscribe(bot, [PRIVATE[0], old], lang="fr", kinds=("summit",))
    bot.api.fail_next("sendMessage", error_code=400, migrate_to_chat_id=new, chat_id=old)
    announcement_id = await announce(bot, "Migration test")
    got = await wait_received(bot.api, [PRIVATE[0], new], "Migration test")
    assert got == {PRIVATE[0]: 1, new: 1}
    assert "delivered to all 2 chat(s)" in plain(await report(bot, announcement_id))
    subs = announcer(bot).subscriptions
    assert await subs.get(old) is None
    moved = await subs.get(new)
    assert moved is not None and (moved.chat_type, moved.lang, moved.kinds) == ("supergroup", "fr", ("summit",))
    record = await bot.services.store.chat(old)
    assert record is not None and record.migrated_to == new


async def test_5xx_timeouts_and_dropped_connections_are_retried(bot: Harness) -> None:
    ann = announcer(bot)
    ann.delivery.policy = RetryPolicy(max_attempts=3, first_delay=0.05, timeout=0.5)
    chats = await subscribe(bot, PRIVATE[:8])
    bot.api.fail_http_5xx("sendMessage", 502, times=2, chat_id=PRIVATE[0])
    bot.api.fail_http_5xx("sendMessage", 500, chat_id=PRIVATE[1])
    bot.api.delay_next("sendMessage", 3.0, chat_id=PRIVATE[2])  # longer than the 0.5 s timeout
    bot.api.drop_connection_next("sendMessage", chat_id=PRIVATE[3])
    bot.api.fail_http_5xx("sendMessage", 503, times=3, chat_id=PRIVATE[4])  # every attempt fails
    announcement_id = await announce(bot, "Retry test")
    final = plain(await report(bot, announcement_id))
    assert "delivered to 7 of 8 chat(s); 1 failed" in final and "(after 3 attempts)" in final
    got = received(bot.api, "Retry test")
    assert got == {chat: 1 for chat in chats if chat != PRIVATE[4]}
    attempts = [c for c in bot.api.calls_of("sendMessage") if c.params.get("chat_id") == PRIVATE[4]]
    assert len(attempts) == 3  # each retry waits for its backoff and for the chat's 1 s slot
    assert ann.delivery.stats["retried"] == 2 + 1 + 1 + 1 + 2


async def test_progress_message_is_edited_then_reported(bot: Harness) -> None:
    bot.api.enforce_limits = True
    chats = await subscribe(bot, range(5001, 5101))  # 100 chats: a few seconds at 30 messages/s
    announcement_id = await announce(bot, "Progress test")
    final = await report(bot, announcement_id)
    edits = [c for c in bot.api.calls_of("editMessageText") if c.ok and c.params["chat_id"] == ADMIN]
    texts = [plain(c) for c in edits]
    assert texts[0].startswith(f"Sending announcement #{announcement_id} to 100 chat(s)")
    assert any("Sending… sent" in t for t in texts[1:-1]) and "Finished: sent 100/100 · failed 0 · pending 0" in texts[-1]
    gaps = [b.at - a.at for a, b in itertools.pairwise(edits[1:-1])]
    assert all(gap >= 1.9 for gap in gaps), [(round(e.at, 2), plain(e)) for e in edits]  # throttled to one edit per 2 s
    assert "delivered to all 100 chat(s)" in plain(final)
    assert set(received(bot.api, "Progress test").values()) == {1} and len(chats) == 100


async def test_the_progress_and_the_report_are_in_the_admins_language(bot: Harness) -> None:
    await bot.services.store.set_user_lang(ADMIN, "fr")  # the admin's /lang choice
    chats = await subscribe(bot, PRIVATE[:3])
    announcement_id = await announce(bot, "Nouvelles du jour")
    await wait_received(bot.api, chats, "Nouvelles du jour")
    final = await bot.api.wait_for(
        "sendMessage", lambda c: c.ok and c.params["chat_id"] == ADMIN and plain(c).startswith(f"Annonce n° {announcement_id} :"), 20
    )
    assert plain(final) == f"Annonce n° {announcement_id} : remise aux 3 conversation(s)."
    edits = [plain(c) for c in bot.api.calls_of("editMessageText") if c.ok and c.params.get("chat_id") == ADMIN]
    assert any("Terminée : envoyés 3/3 · échecs 0 · en attente 0" in text for text in edits), edits
