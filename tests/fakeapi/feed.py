"""The queue of pending updates behind getUpdates, with offsets and long polling."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from .models import ApiError, JsonDict
from .updates import update_kind

_CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


def _int(value: Any, default: int) -> int:
    """Convert a request parameter to int, falling back to default."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class UpdateFeed:
    """Holds unconfirmed updates in id order and serves getUpdates like Telegram."""

    def __init__(self) -> None:
        self.updates: list[JsonDict] = []
        self.delivered = 0
        self._next_id = 1
        self._generation = 0
        self._closing = False
        self._wakeup = asyncio.Event()

    def next_id(self) -> int:
        """Allocate the next (monotonically increasing) update id."""
        value = self._next_id
        self._next_id += 1
        return value

    @property
    def last_id(self) -> int:
        """The highest update_id queued so far (0 before the first update)."""
        return self._next_id - 1

    def push(self, upd: JsonDict) -> JsonDict:
        """Queue an update, assigning an update_id if it has none, and wake long polls."""
        if "update_id" not in upd:
            upd = {"update_id": self.next_id(), **upd}
        else:
            self._next_id = max(self._next_id, int(upd["update_id"]) + 1)
        self.updates.append(upd)
        self.updates.sort(key=lambda u: int(u["update_id"]))
        self._wake()
        return upd

    def clear(self) -> None:
        """Drop every pending update (drop_pending_updates=True)."""
        self.updates.clear()

    def close(self) -> None:
        """Make every waiting and future long poll return at once."""
        self._closing = True
        self._wake()

    def _wake(self) -> None:
        """Release every coroutine waiting in get_updates."""
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    def confirm(self, offset: int) -> None:
        """Forget updates below offset; a negative offset keeps only the last -offset."""
        if offset > 0:
            self.updates = [u for u in self.updates if int(u["update_id"]) >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def _select(self, limit: int, allowed: list[str] | None) -> list[JsonDict]:
        """Pick up to limit pending updates whose kind is allowed."""
        chosen = [u for u in self.updates if not allowed or update_kind(u) in allowed]
        return chosen[:limit]

    async def get_updates(self, params: JsonDict) -> list[JsonDict]:
        """Answer getUpdates: confirm by offset, then return updates or wait up to timeout."""
        self.confirm(_int(params.get("offset"), 0))
        limit = min(100, max(1, _int(params.get("limit"), 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        allowed = params.get("allowed_updates") or None
        self._generation += 1
        generation = self._generation
        self._wake()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._generation:
                raise ApiError(409, _CONFLICT)
            ready = self._select(limit, allowed)
            remaining = deadline - loop.time()
            if ready or self._closing or remaining <= 0:
                self.delivered += len(ready)
                return ready
            event = self._wakeup
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
