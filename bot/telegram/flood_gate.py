"""The per-user message window behind flood control (pure: the clock is passed in)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

WINDOW = 60.0
#: Users tracked at most (the quietest are forgotten first when there are more).
MAX_USERS = 50_000


@dataclass
class FloodGate:
    """Sliding one-minute windows per user; pure apart from the clock passed in."""

    per_minute: int
    _sent: dict[int, deque[float]] = field(default_factory=dict)
    _noticed: dict[int, float] = field(default_factory=dict)

    def check(self, user_id: int, now: float) -> tuple[bool, bool]:
        """Count one message from a user.

        Args:
            user_id: the sender.
            now: a monotonic time in seconds.

        Returns:
            (allowed, notify): whether to handle it, and whether to send the one "slow down" notice of this window.
        """
        sent = self._sent.setdefault(user_id, deque())
        while sent and sent[0] <= now - WINDOW:
            sent.popleft()
        if len(sent) < self.per_minute:
            sent.append(now)
            self._noticed.pop(user_id, None)
            return True, False
        first = user_id not in self._noticed
        if first:
            self._noticed[user_id] = now
        if len(self._sent) > MAX_USERS:
            self._prune(now)
        return False, first

    def _prune(self, now: float) -> None:
        for user in [u for u, q in self._sent.items() if not q or q[-1] <= now - WINDOW]:
            del self._sent[user]
            self._noticed.pop(user, None)
