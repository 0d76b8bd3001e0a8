"""Chats subscribed to announcements and reminders (migration 4), on the connection of a :class:`Store`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from bot.store.store import Store

_COLUMNS = "chat_id, chat_type, lang, kinds, user_id, updated_at, thread_id"


def iso(moment: dt.datetime) -> str:
    """A moment as the announcement tables store it: ISO 8601 in UTC, to the microsecond (sorts as text)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def from_iso(text: str) -> dt.datetime:
    """A stored moment back as an aware datetime."""
    return dt.datetime.fromisoformat(text)


@dataclass(frozen=True)
class Subscription:
    """A chat that receives announcements, in its language, and reminders about some kinds of event."""

    chat_id: int
    chat_type: str
    lang: str
    kinds: tuple[str, ...]
    user_id: int | None
    updated_at: str
    thread_id: int | None = None  # the forum topic it was subscribed from (announcements go there)

    @property
    def is_group(self) -> bool:
        """Whether Telegram's per-group limit applies to it."""
        return self.chat_type in ("group", "supergroup")


def _subscription(row: Sequence[object]) -> Subscription:
    chat_id, chat_type, lang, kinds, user_id, updated_at, thread_id = row
    return Subscription(int(str(chat_id)), str(chat_type), str(lang), tuple(filter(None, str(kinds).split(","))),
                        None if user_id is None else int(str(user_id)), str(updated_at),
                        None if thread_id is None else int(str(thread_id)))  # fmt: skip


async def move_subscription(db: aiosqlite.Connection, old_id: int, new_id: int) -> None:
    """Inside a transaction: a group's subscription follows it to the supergroup it became.

    Args:
        db: the connection, in a transaction.
        old_id: the group's id.
        new_id: the supergroup's id (a subscription it already has is kept).
    """
    await db.execute_fetchall(
        "INSERT OR IGNORE INTO subscriptions (chat_id, chat_type, lang, kinds, user_id, updated_at, thread_id) "
        "SELECT ?, 'supergroup', lang, kinds, user_id, updated_at, thread_id FROM subscriptions WHERE chat_id = ?",
        (new_id, old_id),
    )
    await db.execute_fetchall("DELETE FROM subscriptions WHERE chat_id = ?", (old_id,))


class Subscriptions:
    """The ``subscriptions`` table of a :class:`Store` (which owns the connection and the transactions)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def subscribe(self, chat_id: int, chat_type: str, lang: str, kinds: Sequence[str], user_id: int | None, thread_id: int | None = None) -> Subscription:
        """Subscribe a chat, or change its language, kinds and topic.

        Args:
            chat_id: the chat.
            chat_type: private, group or supergroup.
            lang: the language of its announcements.
            kinds: the kinds of event it gets reminders about (at least one).
            user_id: who subscribed it.
            thread_id: the forum topic announcements go to (None: the chat itself, or a forum's General topic).

        Returns:
            The subscription as stored.

        Raises:
            ValueError: when no kind is given or a kind contains a comma.
        """
        if not kinds or any("," in k or not k for k in kinds):
            raise ValueError(f"kinds must be non-empty names without commas, got {kinds!r}")
        async with self._store.transaction() as db:
            await db.execute_fetchall(
                f"INSERT INTO subscriptions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET "
                "chat_type = excluded.chat_type, lang = excluded.lang, kinds = excluded.kinds, user_id = excluded.user_id, "
                "updated_at = excluded.updated_at, thread_id = excluded.thread_id",
                (chat_id, chat_type, lang, ",".join(kinds), user_id, self._store.timestamp(), thread_id),
            )
        found = await self.get(chat_id)
        assert found is not None
        return found

    async def unsubscribe(self, chat_id: int) -> bool:
        """Stop a chat's announcements.

        Args:
            chat_id: the chat.

        Returns:
            Whether it was subscribed.
        """
        async with self._store.transaction() as db, db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)) as cursor:
            return cursor.rowcount > 0

    async def get(self, chat_id: int) -> Subscription | None:
        """A chat's subscription.

        Args:
            chat_id: the chat.

        Returns:
            The subscription, or None.
        """
        rows = await self._store.query(f"SELECT {_COLUMNS} FROM subscriptions WHERE chat_id = ?", (chat_id,))
        return _subscription(rows[0]) if rows else None

    async def all(self, kind: str | None = None) -> list[Subscription]:
        """The subscribed chats.

        Args:
            kind: only those following this kind of event; None for all.

        Returns:
            The subscriptions, by chat id.
        """
        rows = await self._store.query(
            f"SELECT {_COLUMNS} FROM subscriptions WHERE ? IS NULL OR instr(',' || kinds || ',', ',' || ? || ',') > 0 ORDER BY chat_id",
            (kind, kind),
        )
        return [_subscription(row) for row in rows]

    async def count(self) -> int:
        """How many chats are subscribed.

        Returns:
            The number.
        """
        rows = await self._store.query("SELECT COUNT(*) FROM subscriptions")
        return int(rows[0][0])

    async def move(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its subscription follows it.

        Args:
            old_id: the group's id.
            new_id: the supergroup's id.
        """
        async with self._store.transaction() as db:
            await move_subscription(db, old_id, new_id)
