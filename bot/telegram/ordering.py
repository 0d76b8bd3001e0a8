"""Update processing: different conversations concurrently, one conversation strictly in arrival order.

PTB processes updates one at a time by default, so one slow request (a retry after 429, a timeout) stalls every
chat. Fully concurrent processing would let "and where?" overtake the question it follows. This processor takes
the middle road: an ``asyncio.Lock`` per chat (per user for inline queries), acquired in arrival order.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

#: At most this many updates are handled at once (the rest wait, in order). Eight keep the bot above Telegram's
#: ~30 messages/s global limit up to ~250 ms per request, while httpcore's pool (whose cost grows with the number of
#: open connections) stays small.
MAX_CONCURRENT_UPDATES = 8
OrderKey = tuple[str, int]


def order_key(update: object) -> OrderKey | None:
    """What an update must stay in order with: its chat, else its user (inline queries), else nothing.

    Args:
        update: an update (or anything else put in the update queue).

    Returns:
        ("chat", id) or ("user", id), or None for updates that need no ordering.
    """
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class PerChatOrder(BaseUpdateProcessor):
    """Concurrent across chats, sequential within a chat; locks exist only while a chat has updates in flight."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[OrderKey, asyncio.Lock] = {}
        self._pending: Counter[OrderKey] = Counter()

    @property
    def chats_in_flight(self) -> int:
        """How many chats have updates being handled or waiting."""
        return len(self._locks)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handlers for one update once the updates before it in the same chat are done."""
        key = order_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._pending[key] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._pending[key] -= 1
            if not self._pending[key]:
                del self._pending[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
