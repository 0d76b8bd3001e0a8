"""The outbox: one row per (announcement, chat), from pending through sending to sent or failed.

A row is marked ``sending`` in a committed transaction before its HTTP call and ``sent`` right after it, so a crash
can leave only the rows then in flight unrecorded; :meth:`Outbox.requeue_in_flight` sends those again at start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.announce.subscriptions import from_iso, iso, move_subscription
from bot.store.store import Store

MAX_ERROR = 300


@dataclass(frozen=True)
class Delivery:
    """One message of an announcement to one chat."""

    id: int
    announcement_id: int
    chat_id: int
    chat_type: str
    lang: str
    body: str
    attempts: int
    next_attempt_at: dt.datetime
    event_id: str | None  # a reminder's event (its card buttons go with the message)
    thread_id: int | None = None  # the forum topic the chat subscribed from

    @property
    def is_group(self) -> bool:
        """Whether Telegram's per-group limit applies."""
        return self.chat_type in ("group", "supergroup")


def _delivery(r: Sequence[object]) -> Delivery:
    event_id, thread_id = r[8], r[9]
    return Delivery(
        int(str(r[0])),
        int(str(r[1])),
        int(str(r[2])),
        str(r[3]),
        str(r[4]),
        str(r[5]),
        int(str(r[6])),
        from_iso(str(r[7])),
        None if event_id is None else str(event_id),
        None if thread_id is None else int(str(thread_id)),
    )


@dataclass(frozen=True)
class Counts:
    """How an announcement's deliveries stand."""

    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def remaining(self) -> int:
        """Deliveries not settled yet (pending or in flight)."""
        return self.pending + self.sending

    @property
    def total(self) -> int:
        """Every delivery."""
        return self.pending + self.sending + self.sent + self.failed + self.cancelled


class Outbox:
    """The ``outbox`` table of a :class:`Store`, as the delivery worker uses it."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def requeue_in_flight(self, now: dt.datetime) -> int:
        """At start: rows left in ``sending`` by a crash go back to pending (they may have been delivered already).

        Rows of an announcement cancelled meanwhile are cancelled instead.

        Args:
            now: the current time.

        Returns:
            How many rows were requeued.
        """
        async with self._store.transaction() as db:
            await db.execute_fetchall(
                "UPDATE outbox SET state = 'cancelled', updated_at = ? WHERE state = 'sending' "
                "AND announcement_id IN (SELECT id FROM announcements WHERE state = 'cancelled')",
                (iso(now),),
            )
            async with db.execute(
                "UPDATE outbox SET state = 'pending', next_attempt_at = ?, updated_at = ? WHERE state = 'sending'", (iso(now), iso(now))
            ) as cursor:
                return max(0, cursor.rowcount)

    async def pending(self, limit: int = 500) -> list[Delivery]:
        """Rows waiting to be sent, the earliest due first (then in enqueue order).

        Args:
            limit: the most to return.

        Returns:
            The rows.
        """
        rows = await self._store.query(
            "SELECT o.id, o.announcement_id, o.chat_id, o.chat_type, o.lang, o.body, o.attempts, o.next_attempt_at, a.event_id, o.thread_id "
            "FROM outbox o JOIN announcements a ON a.id = o.announcement_id WHERE o.state = 'pending' ORDER BY o.next_attempt_at, o.id LIMIT ?",
            (limit,),
        )
        return [_delivery(r) for r in rows]

    async def claim(self, row_id: int, now: dt.datetime) -> bool:
        """Mark a row ``sending`` (committed) just before its HTTP call, counting the attempt.

        Args:
            row_id: the row.
            now: the current time.

        Returns:
            False when it is not pending any more (cancelled meanwhile): do not send it.
        """
        async with (
            self._store.transaction() as db,
            db.execute(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'pending'", (iso(now), row_id)
            ) as cursor,
        ):
            return cursor.rowcount > 0

    async def sent(self, row_id: int, message_id: int, now: dt.datetime) -> None:
        """Record a delivery, right after Telegram accepted it.

        Args:
            row_id: the row.
            message_id: the message's id in its chat.
            now: the current time.
        """
        await self._settle(row_id, "state = 'sent', message_id = ?, last_error = NULL", (message_id,), now)

    async def retry(self, row_id: int, at: dt.datetime, error: str, now: dt.datetime, *, counted: bool = True) -> None:
        """Put a row back in the queue, to be tried again at ``at``.

        Args:
            row_id: the row.
            at: the earliest next attempt.
            error: why this attempt failed.
            now: the current time.
            counted: False when the attempt does not count towards the cap (a 429: nothing was wrong with the row).
        """
        undo = 0 if counted else 1
        await self._settle(row_id, "state = 'pending', next_attempt_at = ?, last_error = ?, attempts = attempts - ?", (iso(at), error[:MAX_ERROR], undo), now)

    async def failed(self, row_id: int, error: str, now: dt.datetime, *, unsubscribe: int | None = None) -> None:
        """Give up on a row; optionally unsubscribe its chat in the same transaction (the bot was blocked or kicked).

        Args:
            row_id: the row.
            error: why.
            now: the current time.
            unsubscribe: the chat to unsubscribe, if any; its other pending rows fail too.
        """
        async with self._store.transaction() as db:
            await db.execute_fetchall("UPDATE outbox SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?", (error[:MAX_ERROR], iso(now), row_id))
            if unsubscribe is not None:
                await db.execute_fetchall("DELETE FROM subscriptions WHERE chat_id = ?", (unsubscribe,))
                await db.execute_fetchall(
                    "UPDATE outbox SET state = 'failed', last_error = ?, updated_at = ? WHERE chat_id = ? AND state = 'pending'",
                    (error[:MAX_ERROR], iso(now), unsubscribe),
                )

    async def migrated(self, row_id: int, old_chat: int, new_chat: int, now: dt.datetime) -> None:
        """A group became a supergroup: move its subscription and its queued rows to the new id, this one to resend now.

        A row whose announcement already has a row for the new id is cancelled instead (no second copy).

        Args:
            row_id: the row that Telegram refused with ``migrate_to_chat_id``.
            old_chat: the group's id.
            new_chat: the supergroup's id.
            now: the current time.
        """
        note = f"moved to {new_chat}"
        async with self._store.transaction() as db:
            await move_subscription(db, old_chat, new_chat)
            await db.execute_fetchall("UPDATE outbox SET state = 'pending', attempts = attempts - 1 WHERE id = ?", (row_id,))
            await db.execute_fetchall(
                "UPDATE outbox SET chat_id = ?, chat_type = 'supergroup', next_attempt_at = ?, last_error = ?, updated_at = ? "
                "WHERE chat_id = ? AND state = 'pending' AND NOT EXISTS "
                "(SELECT 1 FROM outbox o WHERE o.announcement_id = outbox.announcement_id AND o.chat_id = ?)",
                (new_chat, iso(now), note, iso(now), old_chat, new_chat),
            )
            await db.execute_fetchall(
                "UPDATE outbox SET state = 'cancelled', last_error = ?, updated_at = ? WHERE chat_id = ? AND state = 'pending'",
                (f"{note}, which has its own copy", iso(now), old_chat),
            )

    async def _settle(self, row_id: int, assignments: str, params: Sequence[object], now: dt.datetime) -> None:
        async with self._store.transaction() as db:
            await db.execute_fetchall(f"UPDATE outbox SET {assignments}, updated_at = ? WHERE id = ?", (*params, iso(now), row_id))

    async def counts(self, announcement_ids: Iterable[int]) -> dict[int, Counts]:
        """How the deliveries of some announcements stand.

        Args:
            announcement_ids: the announcements.

        Returns:
            Counts per announcement (all zero for one without rows).
        """
        ids = list(announcement_ids)
        found = {i: Counts() for i in ids}
        if not ids:
            return found
        marks = ", ".join("?" * len(ids))
        rows = await self._store.query(f"SELECT announcement_id, state, COUNT(*) FROM outbox WHERE announcement_id IN ({marks}) GROUP BY 1, 2", ids)
        per: dict[int, dict[str, int]] = {}
        for announcement_id, state, count in rows:
            per.setdefault(int(announcement_id), {})[str(state)] = int(count)
        for announcement_id, states in per.items():
            found[announcement_id] = Counts(**states)
        return found

    async def failures(self, announcement_id: int, limit: int = 50) -> list[tuple[int, str, str | None]]:
        """The chats an announcement could not reach, and why.

        Args:
            announcement_id: the announcement.
            limit: the most to return.

        Returns:
            (chat id, error, chat title if the bot knows it), by chat id.
        """
        rows = await self._store.query(
            "SELECT o.chat_id, COALESCE(o.last_error, ''), c.title FROM outbox o LEFT JOIN chats c ON c.chat_id = o.chat_id "
            "WHERE o.announcement_id = ? AND o.state = 'failed' ORDER BY o.chat_id LIMIT ?",
            (announcement_id, limit),
        )
        return [(int(chat), str(error), None if title is None else str(title)) for chat, error, title in rows]

    async def in_state(self, state: str) -> int:
        """How many rows are in a state (``sending`` after a crash: the sends that may be repeated).

        Args:
            state: pending, sending, sent, failed or cancelled.

        Returns:
            The number.
        """
        rows = await self._store.query("SELECT COUNT(*) FROM outbox WHERE state = ?", (state,))
        return int(rows[0][0])
