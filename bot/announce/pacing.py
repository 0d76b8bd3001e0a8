"""Telegram's sending limits as a pure scheduler: when may the next message to a chat go out?

Limits (Bot API FAQ): about 30 messages per second overall for bulk notifications, 20 per minute in one group, and
about one per second in one chat. Every send counts towards every window. A bulk send (a broadcast, a reminder, a
report to the admin) waits for all of them; a reply waits for its chat's second and its group's minute, not for the
global window (Telegram states it for bulk notifications), so a reply to a chat that was sent nothing recently goes
out at once, even while a broadcast fills the global window — and the broadcast yields: replies count in it, and
bulk sends leave a few of its messages (``reply_reserve``) to replies, so that one arriving mid-broadcast stays
within the overall limit.
A 429 answer pauses only the chat it was about, for its ``retry_after``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """Sliding-window limits; the defaults are Telegram's, with a small safety margin on the windows."""

    global_per_second: int = 30
    per_chat_interval: float = 1.0
    group_per_minute: int = 20
    reply_reserve: int = 3  # of the global window, left to replies: bulk sends fill at most global - reserve a second
    margin: float = 0.02  # seconds added to every window, so clock jitter never makes us one message too fast
    forget_after: float = 120.0  # seconds after which a quiet chat's history is dropped (memory stays bounded)


@dataclass
class Pacer:
    """Remembers recent sends and answers the earliest moment the next one to a chat is allowed."""

    limits: Limits = field(default_factory=Limits)
    _recent: deque[float] = field(default_factory=deque)
    _last_in_chat: dict[int, float] = field(default_factory=dict)
    _group_sends: dict[int, deque[float]] = field(default_factory=dict)
    _paused_until: dict[int, float] = field(default_factory=dict)
    _records: int = 0

    def earliest(self, chat_id: int, is_group: bool, now: float, *, bulk: bool = True) -> float:
        """The first moment, at or after ``now``, a message to this chat stays within every limit.

        Args:
            chat_id: the chat.
            is_group: whether it is a group or supergroup (the per-minute limit applies).
            now: the current time on the pacer's clock (seconds).
            bulk: a bot-initiated send (False: a reply, which the global window does not hold back).

        Returns:
            That moment on the same clock.
        """
        lim = self.limits
        at = max(now, self._paused_until.get(chat_id, now))
        last = self._last_in_chat.get(chat_id)
        if last is not None:
            at = max(at, last + lim.per_chat_interval + lim.margin)
        if is_group:
            group = self._group_sends.get(chat_id)
            if group and len(group) >= lim.group_per_minute:
                at = max(at, group[-lim.group_per_minute] + 60.0 + lim.margin)
        bulk_budget = max(1, lim.global_per_second - lim.reply_reserve)
        if bulk and len(self._recent) >= bulk_budget:
            at = max(at, self._recent[-bulk_budget] + 1.0 + lim.margin)
        return at

    def record(self, chat_id: int, is_group: bool, at: float) -> None:
        """Note a send that was made at ``at`` (a reply or a bulk send: both count in every window).

        Args:
            chat_id: the chat.
            is_group: whether it is a group.
            at: when it was sent (pacer clock).
        """
        self._recent.append(at)
        while len(self._recent) > self.limits.global_per_second:
            self._recent.popleft()
        self._last_in_chat[chat_id] = at
        if is_group:
            _push(self._group_sends.setdefault(chat_id, deque()), at, self.limits.group_per_minute)
        self._records += 1
        if self._records % 1024 == 0:
            self._forget(at)

    def pause(self, chat_id: int, until: float) -> None:
        """Hold one chat back (after a 429 with ``retry_after``); other chats are not affected.

        Args:
            chat_id: the chat.
            until: the pacer-clock moment it may be sent to again.
        """
        self._paused_until[chat_id] = max(until, self._paused_until.get(chat_id, until))

    @property
    def chats_remembered(self) -> int:
        """How many chats the pacer holds a history for."""
        return len(self._last_in_chat)

    def _forget(self, now: float) -> None:
        """Drop the history of chats sent nothing for a while: no window of theirs can hold a send back any more."""
        old = now - max(self.limits.forget_after, 60.0 + self.limits.margin)
        for chat in [c for c, last in self._last_in_chat.items() if last < old]:
            del self._last_in_chat[chat]
        for chat in [c for c, times in self._group_sends.items() if times[-1] < old]:
            del self._group_sends[chat]
        for chat in [c for c, until in self._paused_until.items() if until < now]:
            del self._paused_until[chat]


def _push(times: deque[float], at: float, keep: int) -> None:
    times.append(at)
    while len(times) > keep:
        times.popleft()
