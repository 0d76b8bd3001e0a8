"""Announcements (broadcasts and event reminders) and how they become outbox rows, one per subscribed chat."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from bot.announce.subscriptions import iso
from bot.store.store import Store

_COLUMNS = "id, kind, state, text, event_id, send_at, created_by, admin_chat_id, progress_message_id, created_at, finished_at, texts"
_OUTBOX_INSERT = "INSERT INTO outbox (announcement_id, chat_id, chat_type, lang, body, state, attempts, next_attempt_at, updated_at, thread_id) "
_SUBSCRIBED = "SELECT ?, chat_id, chat_type, lang, ?, 'pending', 0, ?, ?, thread_id FROM subscriptions"
ReminderKey = tuple[str, str, int]


@dataclass(frozen=True)
class Announcement:
    """A broadcast or a reminder. States: draft → (scheduled →) sending → done; or cancelled."""

    id: int
    kind: str
    state: str
    text: str
    event_id: str | None
    send_at: str
    created_by: int | None
    admin_chat_id: int | None
    progress_message_id: int | None
    created_at: str
    finished_at: str | None
    texts: Mapping[str, str] = field(default_factory=dict)  # a broadcast's text per language; empty: ``text`` for all

    def text_for(self, lang: str) -> str:
        """The text a chat in this language receives: its language's, else the default one (``text``)."""
        return self.texts.get(lang, self.text)


def _announcement(row: Sequence[object]) -> Announcement:
    def number(value: object) -> int | None:
        return None if value is None else int(str(value))

    def text(value: object) -> str | None:
        return None if value is None else str(value)

    id_, kind, state, body, event_id, send_at, created_by, admin_chat, progress, created_at, finished_at, texts = row
    return Announcement(
        int(str(id_)),
        str(kind),
        str(state),
        str(body),
        text(event_id),
        str(send_at),
        number(created_by),
        number(admin_chat),
        number(progress),
        str(created_at),
        text(finished_at),
        json.loads(str(texts)) if texts else {},
    )


class Announcements:
    """The ``announcements`` and ``reminders_sent`` tables of a :class:`Store`."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def create(
        self, text: str, *, send_at: dt.datetime, created_by: int, admin_chat_id: int, scheduled: bool, texts: Mapping[str, str] | None = None
    ) -> Announcement:
        """Record an admin's broadcast: a draft awaiting Send, or scheduled for ``send_at``.

        Args:
            text: the admin's text (plain; escaped when sent), the default-language one when there are several.
            texts: the text per language, when the admin gave several (chats in other languages get ``text``).
            send_at: when it is to go out.
            created_by: the admin's user id.
            admin_chat_id: where the preview, the progress and the report go.
            scheduled: True for /schedule, False for an /announce draft.

        Returns:
            The announcement.
        """
        state = "scheduled" if scheduled else "draft"
        async with (
            self._store.transaction() as db,
            db.execute(
                "INSERT INTO announcements (kind, state, text, send_at, created_by, admin_chat_id, created_at, texts) "
                "VALUES ('broadcast', ?, ?, ?, ?, ?, ?, ?)",
                (state, text, iso(send_at), created_by, admin_chat_id, self._store.timestamp(), json.dumps(dict(texts), ensure_ascii=False) if texts else None),
            ) as cursor,
        ):
            new_id = cursor.lastrowid
        assert new_id is not None
        found = await self.get(new_id)
        assert found is not None
        return found

    async def get(self, announcement_id: int) -> Announcement | None:
        """One announcement.

        Args:
            announcement_id: its id.

        Returns:
            It, or None.
        """
        rows = await self._store.query(f"SELECT {_COLUMNS} FROM announcements WHERE id = ?", (announcement_id,))
        return _announcement(rows[0]) if rows else None

    async def in_state(self, *states: str, limit: int = 1000) -> list[Announcement]:
        """Announcements in some states, the most recent first.

        Args:
            *states: e.g. "scheduled", "sending".
            limit: the most to return.

        Returns:
            The announcements.
        """
        marks = ", ".join("?" * len(states))
        rows = await self._store.query(f"SELECT {_COLUMNS} FROM announcements WHERE state IN ({marks}) ORDER BY id DESC LIMIT ?", (*states, limit))
        return [_announcement(row) for row in rows]

    async def due(self, now: dt.datetime) -> list[Announcement]:
        """Scheduled broadcasts whose time has come.

        Args:
            now: the current time.

        Returns:
            Them, oldest first.
        """
        rows = await self._store.query(f"SELECT {_COLUMNS} FROM announcements WHERE state = 'scheduled' AND send_at <= ? ORDER BY send_at, id", (iso(now),))
        return [_announcement(row) for row in rows]

    async def set_progress_message(self, announcement_id: int, chat_id: int, message_id: int) -> None:
        """Remember the admin's message that shows a broadcast's progress.

        Args:
            announcement_id: the announcement.
            chat_id: the admin's chat.
            message_id: the message edited as the broadcast goes.
        """
        async with self._store.transaction() as db:
            await db.execute_fetchall(
                "UPDATE announcements SET admin_chat_id = ?, progress_message_id = ? WHERE id = ?", (chat_id, message_id, announcement_id)
            )

    async def confirm_schedule(self, announcement_id: int) -> bool:
        """A previewed /schedule was confirmed: the draft waits for its time.

        Args:
            announcement_id: the announcement.

        Returns:
            Whether it was a draft (a second press, or one after Cancel, changes nothing).
        """
        async with (
            self._store.transaction() as db,
            db.execute("UPDATE announcements SET state = 'scheduled' WHERE id = ? AND state = 'draft'", (announcement_id,)) as cursor,
        ):
            return cursor.rowcount > 0

    async def drafts_of(self, user_id: int, chat_id: int) -> list[Announcement]:
        """The previews an admin has not sent or cancelled yet in a chat (what /cancel aborts).

        Args:
            user_id: the admin.
            chat_id: the chat the previews were shown in.

        Returns:
            The drafts, the most recent first.
        """
        rows = await self._store.query(
            f"SELECT {_COLUMNS} FROM announcements WHERE state = 'draft' AND created_by = ? AND admin_chat_id = ? ORDER BY id DESC", (user_id, chat_id)
        )
        return [_announcement(row) for row in rows]

    async def start_broadcast(self, announcement_id: int, bodies: Mapping[str, str], default: str, now: dt.datetime) -> int | None:
        """Send a draft or scheduled broadcast: one outbox row per subscribed chat, in one transaction.

        Args:
            announcement_id: the announcement.
            bodies: the HTML message per language, for the chats subscribed in it.
            default: the HTML message for a chat in any other language.
            now: the current time.

        Returns:
            How many chats it goes to, or None when it is not a draft or scheduled any more (already sent, cancelled).
        """
        async with self._store.transaction() as db:
            async with db.execute(
                "UPDATE announcements SET state = 'sending', send_at = ? WHERE id = ? AND state IN ('draft', 'scheduled')", (iso(now), announcement_id)
            ) as cursor:
                if cursor.rowcount == 0:
                    return None
            chats = 0
            for lang, body in bodies.items():
                params = (announcement_id, body, iso(now), iso(now), lang)
                async with db.execute(f"{_OUTBOX_INSERT} {_SUBSCRIBED} WHERE lang = ? ORDER BY chat_id", params) as cursor:
                    chats += max(0, cursor.rowcount)
            others = f"WHERE lang NOT IN ({', '.join('?' * len(bodies))})" if bodies else ""
            async with db.execute(
                f"{_OUTBOX_INSERT} {_SUBSCRIBED} {others} ORDER BY chat_id", (announcement_id, default, iso(now), iso(now), *bodies)
            ) as cursor:
                return chats + max(0, cursor.rowcount)

    async def enqueue_reminder(
        self, key: ReminderKey, kind: str, bodies: Mapping[str, str], skipped: Sequence[ReminderKey], now: dt.datetime
    ) -> tuple[int, int] | None:
        """Record a reminder and enqueue it for the chats following its kind of event, each in its language.

        Args:
            key: (event id, occurrence date, days before).
            kind: the event's kind.
            bodies: the HTML message per language.
            skipped: due reminders of the same occurrence overtaken by this one (recorded, never sent).
            now: the current time.

        Returns:
            (announcement id, chats) or None when this reminder was already handled (e.g. before a restart).
        """
        event_id, occurs_on, days = key
        async with self._store.transaction() as db:
            done = await db.execute_fetchall(
                "SELECT 1 FROM reminders_sent WHERE event_id = ? AND occurs_on = ? AND days_before = ?", (event_id, occurs_on, days)
            )
            if list(done):
                return None
            async with db.execute(
                "INSERT INTO announcements (kind, state, text, event_id, send_at, created_at) VALUES ('reminder', 'sending', ?, ?, ?, ?)",
                (f"{event_id} on {occurs_on}, {days} day(s) before", event_id, iso(now), self._store.timestamp()),
            ) as cursor:
                new_id = cursor.lastrowid
            chats = 0
            for lang, body in bodies.items():
                async with db.execute(
                    f"{_OUTBOX_INSERT} {_SUBSCRIBED} WHERE lang = ? AND instr(',' || kinds || ',', ',' || ? || ',') > 0 ORDER BY chat_id",
                    (new_id, body, iso(now), iso(now), lang, kind),
                ) as cursor:
                    chats += max(0, cursor.rowcount)
            rows = [(event_id, occurs_on, days, "sent", new_id), *((e, o, d, "skipped", None) for e, o, d in skipped)]
            await db.executemany(
                "INSERT OR IGNORE INTO reminders_sent (event_id, occurs_on, days_before, outcome, announcement_id, at) VALUES (?, ?, ?, ?, ?, ?)",
                [(*row, iso(now)) for row in rows],
            )
        assert new_id is not None
        return new_id, chats

    async def reminders_done(self) -> set[ReminderKey]:
        """Reminders already sent or skipped.

        Returns:
            Their keys.
        """
        rows = await self._store.query("SELECT event_id, occurs_on, days_before FROM reminders_sent")
        return {(str(e), str(o), int(d)) for e, o, d in rows}

    async def reminders_of(self, announcement_ids: Collection[int]) -> dict[int, ReminderKey]:
        """Which reminder each of these announcements is (so a listing can describe it in the reader's language).

        Args:
            announcement_ids: announcements of any kind (a broadcast has no reminder).

        Returns:
            {announcement id: (event id, occurrence date ISO, days before)} for the reminders among them.
        """
        marks = ", ".join("?" * len(announcement_ids))
        sql = f"SELECT announcement_id, event_id, occurs_on, days_before FROM reminders_sent WHERE announcement_id IN ({marks})"
        rows = await self._store.query(sql, tuple(announcement_ids)) if announcement_ids else []
        return {int(a): (str(e), str(o), int(d)) for a, e, o, d in rows}

    async def cancel(self, announcement_id: int, now: dt.datetime) -> tuple[str, int] | None:
        """Cancel a draft or scheduled broadcast, or the deliveries not yet made of one being sent.

        Args:
            announcement_id: the announcement.
            now: the current time.

        Returns:
            (its state before, outbox rows cancelled), or None when there is no such announcement. A finished or
            already cancelled announcement is left as it is.
        """
        async with self._store.transaction() as db:
            rows = list(await db.execute_fetchall("SELECT state FROM announcements WHERE id = ?", (announcement_id,)))
            if not rows:
                return None
            state = str(rows[0][0])
            if state in ("done", "cancelled"):
                return state, 0
            await db.execute_fetchall("UPDATE announcements SET state = 'cancelled', finished_at = ? WHERE id = ?", (iso(now), announcement_id))
            async with db.execute(
                "UPDATE outbox SET state = 'cancelled', updated_at = ? WHERE announcement_id = ? AND state = 'pending'", (iso(now), announcement_id)
            ) as cursor:
                return state, max(0, cursor.rowcount)

    async def finish(self, announcement_id: int, now: dt.datetime) -> bool:
        """Mark a broadcast whose every delivery is settled as done.

        Args:
            announcement_id: the announcement.
            now: the current time.

        Returns:
            Whether it was being sent (a cancelled one stays cancelled).
        """
        async with (
            self._store.transaction() as db,
            db.execute("UPDATE announcements SET state = 'done', finished_at = ? WHERE id = ? AND state = 'sending'", (iso(now), announcement_id)) as cursor,
        ):
            return cursor.rowcount > 0
