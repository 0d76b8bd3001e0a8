"""The one way a message leaves the bot: every sendMessage (replies, notices, broadcasts, reminders, progress
reports) takes its slot from one shared :class:`~bot.announce.pacing.Pacer`, and every 429 pauses that chat in it.

Replies and broadcasts see each other's sends: a broadcast to a chat waits while replies to it use its budget, and a
429 Telegram gave a reply holds the broadcast to that chat back as well (and the other way round). Waiting for a
slot never holds a processing slot other chats need (:func:`~bot.telegram.ordering.wait_out`).
"""

from __future__ import annotations

import datetime as dt
import time
import warnings
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.announce.pacing import Limits, Pacer
from bot.telegram.ordering import wait_out

T = TypeVar("T")
#: Telegram's limits, with a wider safety margin than the pacer's default: a send's arrival at the server jitters.
SEND_LIMITS = Limits(margin=0.05)
#: The longest the bot's own notices (flood notice, a deferred apology) wait for a slot in the handler: the chat's
#: second; beyond it (a group's minute is used up) they are deferred to a job instead.
NOTICE_WAIT = 1.5


class SlotBusy(Exception):
    """No slot within the wait the caller accepts: ``seconds`` until there is one (the caller may defer the send)."""

    def __init__(self, chat_id: int, seconds: float) -> None:
        super().__init__(f"chat {chat_id}: no send slot for {seconds:.1f} s")
        self.seconds = seconds


def retry_seconds(exc: RetryAfter | SlotBusy) -> float:
    """The seconds to wait after a 429 (PTB 22 gives an int or a timedelta, and warns about the int) or a busy slot."""
    if isinstance(exc, SlotBusy):
        return exc.seconds
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class Outgoing:
    """The bot's sending budget, shared by every path that sends a message."""

    def __init__(self, limits: Limits = SEND_LIMITS) -> None:
        self.pacer = Pacer(limits)

    async def slot(self, chat_id: int, is_group: bool, *, bulk: bool = False, max_wait: float | None = None) -> None:
        """Wait until a message to this chat fits Telegram's limits, and count it.

        Args:
            chat_id: the chat about to be written to.
            is_group: whether it is a group (the per-minute limit applies).
            bulk: a bot-initiated send — broadcast, reminder, report (also held to the global and strict per-chat limits).
            max_wait: the longest wait accepted (None: any).

        Raises:
            SlotBusy: when the slot is further away than ``max_wait`` (nothing is counted).
        """
        while True:
            now = time.monotonic()
            at = self.pacer.earliest(chat_id, is_group, now, bulk=bulk)
            if at <= now:
                self.pacer.record(chat_id, is_group, now)
                return
            if max_wait is not None and at - now > max_wait:
                raise SlotBusy(chat_id, at - now)
            await wait_out(at - now)

    def pause(self, chat_id: int, seconds: float) -> None:
        """Telegram answered 429 about this chat: hold every send to it back for ``seconds``."""
        self.pacer.pause(chat_id, time.monotonic() + seconds)

    async def send(
        self, call: Callable[[], Awaitable[T]], chat_id: int, is_group: bool, *, bulk: bool = False, slot_taken: bool = False, max_wait: float | None = None
    ) -> T:
        """Make one Bot API send within the limits, reporting a 429 to the pacer (the caller decides about retrying).

        Args:
            call: makes the request.
            chat_id: the chat it writes to.
            is_group: whether it is a group.
            bulk: a bot-initiated send.
            slot_taken: the caller already waited for this send's slot (the delivery worker picks rows by slot).
            max_wait: the longest wait for a slot accepted (None: any).

        Returns:
            The call's result.

        Raises:
            RetryAfter: Telegram's 429 (the chat is paused for its ``retry_after``).
            SlotBusy: no slot within ``max_wait``.
        """
        if not slot_taken:
            await self.slot(chat_id, is_group, bulk=bulk, max_wait=max_wait)
        try:
            return await call()
        except RetryAfter as exc:
            self.pause(chat_id, retry_seconds(exc))
            raise

    def paced(
        self, call: Callable[[], Awaitable[T]], chat_id: int, is_group: bool, *, bulk: bool = False, max_wait: float | None = None
    ) -> Callable[[], Awaitable[T]]:
        """``call`` made through :meth:`send` (for the helpers that retry or defer a call they are given)."""

        async def paced_call() -> T:
            return await self.send(call, chat_id, is_group, bulk=bulk, max_wait=max_wait)

        return paced_call
