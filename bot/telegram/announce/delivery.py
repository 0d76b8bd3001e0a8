"""The delivery worker: sends outbox rows within Telegram's limits, records every outcome, retries what is transient.

One loop picks the row whose chat may be written to first (the bot's shared :class:`~bot.telegram.outgoing.Outgoing`
budget, which replies use too), claims it
(``sending``, committed), sends it in a task of its own (up to ``max_in_flight`` at once, one per chat), then records
``sent``. A 429 pauses only its chat; 403 fails the row and unsubscribes the chat; a migration moves the chat and
resends; network errors, timeouts and 5xx are retried with exponential backoff up to the policy's cap.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from functools import partial

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.announce.outbox import Delivery, Outbox
from bot.announce.retry import RetryPolicy
from bot.telegram.outgoing import Outgoing, retry_seconds
from bot.telegram.sending import NO_PREVIEW

log = logging.getLogger(__name__)
BATCH = 500  # pending rows held in memory at once
IDLE = 5.0  # seconds between looks at the outbox when nothing wakes the worker
NOT_RUNNING = 0.1  # seconds between checks while the application is not running (before start, after stop)


class DeliveryWorker:
    """Delivers the outbox; start with :meth:`start`, wake with :meth:`wake` after enqueuing, stop with :meth:`stop`."""

    def __init__(
        self,
        bot: Bot,
        outbox: Outbox,
        clock: Callable[[], dt.datetime],
        outgoing: Outgoing,
        *,
        policy: RetryPolicy | None = None,
        max_in_flight: int = 16,
        markup: Callable[[Delivery], InlineKeyboardMarkup | None] | None = None,
        on_migrated: Callable[[int, int], Awaitable[None]] | None = None,
        on_blocked: Callable[[int, str], Awaitable[None]] | None = None,
        on_settled: Callable[[int], None] | None = None,
        may_send: Callable[[], bool] | None = None,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.outgoing = outgoing
        self.stats: Counter[str] = Counter()
        self._bot, self._outbox, self._clock = bot, outbox, clock
        self._markup, self._on_migrated, self._on_blocked = markup, on_migrated, on_blocked
        self._on_settled, self._may_send = on_settled, may_send
        self._slots = asyncio.Semaphore(max_in_flight)
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._dirty = True
        self._loop: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the worker (it first requeues rows a crash left in ``sending``)."""
        if self._loop is None:
            self._loop = asyncio.create_task(self._run(), name="summitbot-delivery")

    async def stop(self, grace: float = 5.0) -> None:
        """Stop picking rows, let the sends in flight finish (at most ``grace`` seconds), cancel the rest.

        Args:
            grace: seconds to wait for sends in flight; a cancelled one stays ``sending`` and is resent at start.
        """
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
            self._loop = None
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    def wake(self) -> None:
        """Look at the outbox again now (rows were enqueued, cancelled or moved)."""
        self._dirty = True
        self._wake.set()

    @property
    def in_flight(self) -> int:
        """Sends under way."""
        return len(self._in_flight)

    async def _sleep(self, seconds: float) -> None:
        if not self._dirty:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, seconds))
        self._wake.clear()

    def _pick(self, queue: list[Delivery]) -> tuple[Delivery | None, float]:
        """The row that may be sent first (pacer and backoff), skipping chats with a send in flight."""
        wall, now = self._clock(), time.monotonic()
        best, best_at = None, float("inf")
        for row in queue:
            if row.chat_id in self._in_flight:
                continue
            due = now + (row.next_attempt_at - wall).total_seconds()
            at = max(due, self.outgoing.pacer.earliest(row.chat_id, row.is_group, now, bulk=True))
            if at < best_at:
                best, best_at = row, at
                if at <= now:
                    break  # rows come earliest-due first: nothing later in the list can beat "now"
        return best, best_at

    async def _run(self) -> None:
        try:
            requeued = await self._outbox.requeue_in_flight(self._clock())
        except Exception:
            log.exception("outbox: could not requeue the sends a stop interrupted (they stay 'sending' until the next start)")
            requeued = 0
        if requeued:
            log.warning("outbox: %d message(s) were being sent when the bot stopped; sending them again (they may arrive twice)", requeued)
        queue: list[Delivery] = []
        refreshed = float("-inf")
        while True:
            try:
                if self._dirty or not queue or time.monotonic() - refreshed > IDLE:
                    self._dirty = False
                    queue = await self._outbox.pending(BATCH)
                    refreshed = time.monotonic()
                row, at = self._pick(queue)
                if row is None or at > time.monotonic():
                    await self._sleep(IDLE if row is None else min(IDLE, at - time.monotonic()))
                    continue
                if self._may_send is not None and not self._may_send():
                    await asyncio.sleep(NOT_RUNNING)
                    continue
                await self._dispatch(row)
                queue.remove(row)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox worker: unexpected error; carrying on")
                await asyncio.sleep(1.0)
                self._dirty = True

    async def _dispatch(self, row: Delivery) -> None:
        """Claim a row (committed ``sending``), wait for its slot, then send it in a task of its own."""
        await self._slots.acquire()
        try:
            claimed = await self._outbox.claim(row.id, self._clock())
        except BaseException:
            self._slots.release()
            raise
        if not claimed:  # cancelled meanwhile
            self._slots.release()
            return
        self._in_flight.add(row.chat_id)
        try:
            await self.outgoing.slot(row.chat_id, row.is_group, bulk=True)
        except BaseException:
            self._in_flight.discard(row.chat_id)
            self._slots.release()
            raise
        task = asyncio.create_task(self._deliver(row), name=f"summitbot-send-{row.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, row: Delivery) -> None:
        try:
            await self._attempt(row)
        except Exception:
            log.exception("outbox: could not record the outcome of row %d (it stays 'sending' and is resent at start)", row.id)
        finally:
            self._in_flight.discard(row.chat_id)
            self._slots.release()
            self._wake.set()
        if self._on_settled is not None:
            self._on_settled(row.announcement_id)

    async def _attempt(self, row: Delivery) -> None:
        """Send one row and record what happened."""
        timeout = self.policy.timeout
        try:
            call = partial(
                self._bot.send_message, row.chat_id, row.body, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                reply_markup=self._markup(row) if self._markup else None, message_thread_id=row.thread_id,
                read_timeout=timeout, write_timeout=timeout, connect_timeout=timeout, pool_timeout=timeout,
            )  # fmt: skip
            sent = await self.outgoing.send(call, row.chat_id, row.is_group, bulk=True, slot_taken=True)
        except RetryAfter as exc:
            wait = retry_seconds(exc)
            self.stats["429"] += 1  # the chat is paused in the shared budget already (Outgoing.send)
            await self._outbox.retry(row.id, self._clock() + dt.timedelta(seconds=wait), f"429: {exc}", self._clock(), counted=False)
            self.wake()
        except ChatMigrated as exc:
            self.stats["migrated"] += 1
            await self._outbox.migrated(row.id, row.chat_id, exc.new_chat_id, self._clock())
            if self._on_migrated is not None:
                await self._on_migrated(row.chat_id, exc.new_chat_id)
            self.wake()
        except Forbidden as exc:
            self.stats["failed"] += 1
            log.info("outbox: chat %s cannot be written to any more (%s): unsubscribed", row.chat_id, exc.message)
            await self._outbox.failed(row.id, f"403 {exc.message}", self._clock(), unsubscribe=row.chat_id)
            if self._on_blocked is not None:
                await self._on_blocked(row.chat_id, row.chat_type)
            self.wake()
        except BadRequest as exc:
            self.stats["failed"] += 1
            await self._outbox.failed(row.id, f"400 {exc.message}", self._clock())
        except Exception as exc:  # NetworkError, TimedOut, 5xx (PTB raises NetworkError for them), anything unexpected
            await self._transient(row, exc)
        else:
            self.stats["sent"] += 1
            await self._outbox.sent(row.id, sent.message_id, self._clock())

    async def _transient(self, row: Delivery, exc: Exception) -> None:
        """Retry after a backoff, or fail the row once its attempts are used up."""
        attempts = row.attempts + 1  # the claim counted this attempt
        error = f"{type(exc).__name__}: {exc.message if isinstance(exc, TelegramError) else exc}"
        delay = self.policy.delay(attempts)
        if delay is None:
            self.stats["failed"] += 1
            log.warning("outbox: giving up on chat %s after %d attempts: %s", row.chat_id, attempts, error)
            await self._outbox.failed(row.id, f"{error} (after {attempts} attempts)", self._clock())
            return
        self.stats["retried"] += 1
        log.info("outbox: attempt %d to chat %s failed (%s); retrying in %.1f s", attempts, row.chat_id, error, delay)
        await self._outbox.retry(row.id, self._clock() + dt.timedelta(seconds=delay), error, self._clock())
        self.wake()
