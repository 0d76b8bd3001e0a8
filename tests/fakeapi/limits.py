"""Sliding-window flood limits modelled on Telegram's documented bot limits."""

from __future__ import annotations

import math
from collections import deque

from .models import ChatId


class _Window:
    """Timestamps of accepted sends within one sliding window."""

    def __init__(self, limit: int, span: float) -> None:
        self.limit = limit
        self.span = span
        self.stamps: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0 if it fits now)."""
        while self.stamps and self.stamps[0] <= now - self.span:
            self.stamps.popleft()
        if self.limit <= 0 or len(self.stamps) < self.limit:
            return 0.0
        return self.stamps[len(self.stamps) - self.limit] + self.span - now


class RateLimiter:
    """Global, per-chat and per-group sliding windows over a monotonic clock."""

    def __init__(self, *, global_per_second: int, per_chat_per_second: int, per_group_per_minute: int) -> None:
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.per_group_per_minute = per_group_per_minute
        self._global = _Window(global_per_second, 1.0)
        self._chats: dict[ChatId, _Window] = {}
        self._groups: dict[ChatId, _Window] = {}

    def _windows(self, chat_id: ChatId | None, is_group: bool) -> list[_Window]:
        """Return every window that a send to chat_id must fit in."""
        windows = [self._global]
        if chat_id is not None:
            windows.append(self._chats.setdefault(chat_id, _Window(self.per_chat_per_second, 1.0)))
            if is_group:
                windows.append(self._groups.setdefault(chat_id, _Window(self.per_group_per_minute, 60.0)))
        return windows

    def retry_after(self, chat_id: ChatId | None, is_group: bool, now: float) -> int | None:
        """Return whole seconds to wait (at least 1) if a send now would exceed a limit."""
        wait = max(w.wait(now) for w in self._windows(chat_id, is_group))
        if wait <= 0:
            return None
        return max(1, math.ceil(wait))

    def record(self, chat_id: ChatId | None, is_group: bool, now: float) -> None:
        """Count one accepted send at time now."""
        for window in self._windows(chat_id, is_group):
            window.stamps.append(now)
