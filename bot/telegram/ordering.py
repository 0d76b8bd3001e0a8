"""Update processing: different conversations concurrently, one conversation strictly in arrival order.

PTB processes updates one at a time by default, so one slow request (a retry after 429, a timeout) stalls every
chat. Fully concurrent processing would let "and where?" overtake the question it follows. This processor takes
the middle road: an ``asyncio.Lock`` per chat (per user for inline queries), acquired in arrival order.

Fairness: an update takes one of the shared processing slots only once it is its chat's turn, and gives it back
while it merely waits (a reply sitting out a 429 or a retry back-off, see :func:`wait_out`). PTB's own semaphore,
which :meth:`BaseUpdateProcessor.process_update` takes *before* handing the update over, is therefore unbounded:
bounded, it would be held by a chat's queued updates while they wait for their turn, and twenty questions from one
user would hold every slot the other chats need.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from collections.abc import Awaitable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

#: At most this many updates are handled at once (the rest wait, in order). Eight keep the bot above Telegram's
#: ~30 messages/s global limit up to ~250 ms per request, while the number of open connections stays small.
MAX_CONCURRENT_UPDATES = 8
#: PTB's semaphore: never the limit (see the module docstring); updates wait for their chat, then for a slot.
UNBOUNDED = sys.maxsize
OrderKey = tuple[str, int]


@dataclass
class _Slot:
    """The processing slot of the update running in this task, so that a wait can hand it back."""

    slots: asyncio.Semaphore
    owner: asyncio.Task[Any] | None
    held: bool = False


#: The running update's slot. A context variable, because an update's handlers run in that update's own task.
_SLOT: ContextVar[_Slot | None] = ContextVar("summitbot_update_slot", default=None)


async def wait_out(seconds: float) -> None:
    """Sleep without holding a processing slot (outside update processing: a plain sleep).

    A handler waiting for Telegram's ``retry_after`` needs no capacity; other chats may use its slot meanwhile. The
    chat's own order is unaffected: the update keeps its chat's lock.

    Args:
        seconds: how long to wait.
    """
    slot = _SLOT.get()
    # A task started from a handler inherits the handler's context, not its slot: only the owner hands it back.
    if slot is None or not slot.held or slot.owner is not asyncio.current_task():
        await asyncio.sleep(seconds)
        return
    slot.slots.release()
    slot.held = False
    await asyncio.sleep(seconds)
    await slot.slots.acquire()
    slot.held = True


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
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be at least 1")
        super().__init__(UNBOUNDED)
        self.slots = max_concurrent_updates
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[OrderKey, asyncio.Lock] = {}
        self._pending: Counter[OrderKey] = Counter()
        self._running = 0

    @property
    def chats_in_flight(self) -> int:
        """How many chats have updates being handled or waiting."""
        return len(self._locks)

    @property
    def running(self) -> int:
        """How many updates are being handled (their chat's turn came), including those waiting out a retry."""
        return self._running

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handlers for one update once the updates before it in the same chat are done."""
        key = order_key(update)
        if key is None:
            await self._run(coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._pending[key] += 1
        try:
            async with lock:  # waiting for the chat's turn holds nothing the other chats need
                await self._run(coroutine)
        finally:
            self._pending[key] -= 1
            if not self._pending[key]:
                del self._pending[key], self._locks[key]

    async def _run(self, coroutine: Awaitable[Any]) -> None:
        """Run the handlers in a processing slot (given back during :func:`wait_out`)."""
        slot = _Slot(self._slots, asyncio.current_task())
        await self._slots.acquire()
        slot.held = True
        self._running += 1
        token = _SLOT.set(slot)
        try:
            await coroutine
        finally:
            _SLOT.reset(token)
            self._running -= 1
            if slot.held:
                self._slots.release()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
