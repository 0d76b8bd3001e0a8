"""Telegram's sending limits as a pure scheduler: when may the next message to a chat go out?

Limits (Bot API FAQ): about 30 messages per second overall, 20 per minute in one group, and about one per
second in one chat. A 429 answer pauses only the chat it was about, for its ``retry_after``.
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
    margin: float = 0.02  # seconds added to every window, so clock jitter never makes us one message too fast


@dataclass
class Pacer:
    """Remembers recent sends and answers the earliest moment the next one to a chat is allowed."""

    limits: Limits = field(default_factory=Limits)
    _recent: deque[float] = field(default_factory=deque)
    _last_in_chat: dict[int, float] = field(default_factory=dict)
    _group_sends: dict[int, deque[float]] = field(default_factory=dict)
    _paused_until: dict[int, float] = field(default_factory=dict)

    def earliest(self, chat_id: int, is_group: bool, now: float) -> float:
        """The first moment, at or after ``now``, a message to this chat stays within every limit.

        Args:
            chat_id: the chat.
            is_group: whether it is a group or supergroup (the per-minute limit applies).
            now: the current time on the pacer's clock (seconds).

        Returns:
            That moment on the same clock.
        """
        lim = self.limits
        at = max(now, self._paused_until.get(chat_id, now))
        last = self._last_in_chat.get(chat_id)
        if last is not None:
            at = max(at, last + lim.per_chat_interval + lim.margin)
        if is_group:
            sends = self._group_sends.get(chat_id)
            if sends and len(sends) >= lim.group_per_minute:
                at = max(at, sends[-lim.group_per_minute] + 60.0 + lim.margin)
        if len(self._recent) >= lim.global_per_second:
            at = max(at, self._recent[-lim.global_per_second] + 1.0 + lim.margin)
        return at

    def record(self, chat_id: int, is_group: bool, at: float) -> None:
        """Note a send that was made at ``at``.

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
            sends = self._group_sends.setdefault(chat_id, deque())
            sends.append(at)
            while len(sends) > self.limits.group_per_minute:
                sends.popleft()

    def pause(self, chat_id: int, until: float) -> None:
        """Hold one chat back (after a 429 with ``retry_after``); other chats are not affected.

        Args:
            chat_id: the chat.
            until: the pacer-clock moment it may be sent to again.
        """
        self._paused_until[chat_id] = max(until, self._paused_until.get(chat_id, until))
