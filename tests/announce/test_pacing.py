"""The pacer never exceeds Telegram's limits, whatever the order of chats, and wastes no time doing so."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.announce.pacing import Limits, Pacer


def simulate(chats: list[tuple[int, bool]], limits: Limits) -> list[tuple[float, int, bool]]:
    """Greedy delivery: always send next to the chat that may go earliest."""
    pacer, now, sent = Pacer(limits), 0.0, []
    pending = list(chats)
    while pending:
        slots = [(pacer.earliest(c, g, now), i) for i, (c, g) in enumerate(pending)]
        at, i = min(slots)
        chat, group = pending.pop(i)
        now = at
        pacer.record(chat, group, at)
        sent.append((at, chat, group))
    return sent


def violations(sent: list[tuple[float, int, bool]], limits: Limits) -> list[str]:
    found = []
    times = [t for t, _, _ in sent]
    for t in times:
        if sum(1 for u in times if t - 1.0 < u <= t) > limits.global_per_second:
            found.append(f"global at {t}")
    per_chat: dict[int, list[float]] = {}
    for t, c, g in sent:
        per_chat.setdefault(c, []).append(t)
        ts = per_chat[c]
        if len(ts) > 1 and ts[-1] - ts[-2] < limits.per_chat_interval:
            found.append(f"chat {c} at {t}")
        if g and sum(1 for u in ts if t - 60.0 < u <= t) > limits.group_per_minute:
            found.append(f"group {c} at {t}")
    return found


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 40), st.booleans()), min_size=1, max_size=300))
def test_limits_always_hold(chats: list[tuple[int, bool]]) -> None:
    # One chat id is either a group or not, as in Telegram.
    kinds: dict[int, bool] = {}
    chats = [(c, kinds.setdefault(c, g)) for c, g in chats]
    limits = Limits()
    assert violations(simulate(chats, limits), limits) == []


def test_broadcast_close_to_theoretical_minimum() -> None:
    limits = Limits()
    chats = [(i, False) for i in range(300)] + [(-i, True) for i in range(1, 61)]
    sent = simulate(chats, limits)
    duration = sent[-1][0]
    budget = limits.global_per_second - limits.reply_reserve  # the rest of the global window is left to replies
    minimum = (len(chats) - budget) / budget  # the first 27 go at t=0
    assert duration <= minimum * 1.08, (duration, minimum)  # the windows' 20 ms margins and the sliding window


def test_pause_holds_back_only_that_chat() -> None:
    pacer = Pacer()
    pacer.pause(7, until=30.0)
    assert pacer.earliest(7, False, 0.0) == 30.0
    assert pacer.earliest(8, False, 0.0) == 0.0
