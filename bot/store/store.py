"""SQLite persistence (aiosqlite): users' language choices and the chats the bot is in."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import sqlite3
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.migrations import CHAT_STATUSES, MIGRATIONS, Migration, check_migrations

log = logging.getLogger(__name__)
_LANG_RE = re.compile(r"^[a-z]{2,3}$")
MEMORY = ":memory:"
#: Users whose language choice is kept in memory (least recently used dropped first).
LANG_CACHE_SIZE = 50_000


class StoreError(RuntimeError):
    """The database cannot be used (e.g. it was written by a newer version of the bot)."""


@dataclass(frozen=True)
class ChatRecord:
    """One chat as the store knows it."""

    chat_id: int
    type: str
    title: str | None
    status: str
    migrated_to: int | None
    updated_at: str


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """The bot's database; open with :meth:`open`, close with :meth:`close`.

    One connection, used by one coroutine at a time (an ``asyncio.Lock``), so explicit transactions on it never
    interleave. Every write runs in its own transaction. Users' language choices, read for every message, are
    cached in memory (write-through): this assumes one bot process per database, as long polling requires.
    """

    def __init__(self, db: aiosqlite.Connection, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self._db = db
        self._clock = clock
        self._lock = asyncio.Lock()
        self._langs: OrderedDict[int, str | None] = OrderedDict()
        # True while _langs holds every stored choice: a user not in it then has none, and needs no query (the
        # first message of each new user would otherwise cost a database round trip, most of a reply's CPU).
        self._langs_complete = False

    def _remember_lang(self, user_id: int, lang: str | None) -> None:
        self._langs[user_id] = lang
        self._langs.move_to_end(user_id)
        while len(self._langs) > LANG_CACHE_SIZE:
            self._langs.popitem(last=False)
            self._langs_complete = False

    async def _load_langs(self) -> None:
        """Read every stored /lang choice into the cache, when they fit in it."""
        rows = await self._query("SELECT user_id, lang FROM user_settings ORDER BY updated_at LIMIT ?", (LANG_CACHE_SIZE + 1,))
        if len(rows) > LANG_CACHE_SIZE:
            return
        for user_id, lang in rows:
            self._remember_lang(int(user_id), None if lang is None else str(lang))
        self._langs_complete = True

    @classmethod
    async def open(cls, path: Path | str, *, clock: Callable[[], dt.datetime] = _utc_now, migrations: Sequence[Migration] = MIGRATIONS) -> Store:
        """Open (creating if needed) the database and bring its schema up to date.

        Args:
            path: the SQLite file (parent folders are created), or ``":memory:"``.
            clock: the current time, for ``updated_at`` columns.
            migrations: the schema steps (default: :data:`bot.store.migrations.MIGRATIONS`).

        Returns:
            The open store, with WAL journaling and foreign keys on.

        Raises:
            StoreError: when the database's schema is newer than this code knows.
            sqlite3.Error: when the file cannot be opened or migrated.
        """
        check_migrations(migrations)
        if str(path) != MEMORY:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; every transaction below is explicit.
        db = await aiosqlite.connect(str(path), isolation_level=None)
        try:
            for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000"):
                await db.execute_fetchall(pragma)
            store = cls(db, clock)
            await store._migrate(migrations)
            await store._load_langs()
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        """Close the connection (idempotent)."""
        async with self._lock:
            await self._db.close()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` when the block raises."""
        async with self._lock:
            await self._db.execute_fetchall("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.execute_fetchall("ROLLBACK")
                raise
            await self._db.execute_fetchall("COMMIT")

    def transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), for the store's other modules."""
        return self._transaction()

    async def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Run a read query outside any transaction.

        Args:
            sql: the statement.
            params: its parameters.

        Returns:
            The rows.
        """
        return await self._query(sql, params)

    def timestamp(self) -> str:
        """The store clock's current time as stored (ISO 8601, UTC, seconds)."""
        return self._now()

    async def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self._lock:
            return list(await self._db.execute_fetchall(sql, tuple(params)))

    def _now(self) -> str:
        return self._clock().astimezone(dt.UTC).isoformat(timespec="seconds")

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        """Apply every migration newer than the database, all in one transaction."""
        async with self._transaction() as db:
            await db.execute_fetchall(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            rows = await db.execute_fetchall("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            current = int(next(iter(rows))[0])
            if current > len(migrations):
                known = len(migrations)
                raise StoreError(f"the database has schema version {current}, newer than this code knows ({known}); upgrade the bot")
            for migration in migrations[current:]:
                for statement in migration.statements:
                    await db.execute_fetchall(statement)
                await db.execute_fetchall(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, self._now()),
                )
                log.info("store: applied migration %d (%s)", migration.version, migration.name)

    async def schema_version(self) -> int:
        """The latest migration applied to this database.

        Returns:
            Its version number (0 for an empty database).
        """
        rows = await self._query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(rows[0][0])

    async def get_user_lang(self, user_id: int) -> str | None:
        """The reply language a user chose with /lang.

        Args:
            user_id: the Telegram user id.

        Returns:
            The language code, or None for automatic (also for users who never chose).
        """
        if user_id in self._langs:
            self._langs.move_to_end(user_id)
            return self._langs[user_id]
        if self._langs_complete:
            return None
        rows = await self._query("SELECT lang FROM user_settings WHERE user_id = ?", (user_id,))
        lang = str(rows[0][0]) if rows and rows[0][0] is not None else None
        self._remember_lang(user_id, lang)
        return lang

    async def set_user_lang(self, user_id: int, lang: str | None) -> None:
        """Remember a user's reply language.

        Args:
            user_id: the Telegram user id.
            lang: a language code such as ``"th"``, or None for automatic.

        Raises:
            ValueError: when ``lang`` is not a 2–3 letter lowercase code.
        """
        if lang is not None and not _LANG_RE.match(lang):
            raise ValueError(f"not a language code: {lang!r}")
        async with self._transaction() as db:
            await db.execute_fetchall(
                "INSERT INTO user_settings (user_id, lang, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang, updated_at = excluded.updated_at",
                (user_id, lang, self._now()),
            )
        self._remember_lang(user_id, lang)

    async def record_chat(self, chat_id: int, type: str, title: str | None, status: str) -> None:
        """Remember a chat the bot joined, left or was removed from.

        Args:
            chat_id: the Telegram chat id.
            type: private, group, supergroup or channel.
            title: the chat's title (None for private chats).
            status: member, left or kicked.

        Raises:
            ValueError: for an unknown status.
        """
        if status not in CHAT_STATUSES:
            raise ValueError(f"chat status must be one of {CHAT_STATUSES}, got {status!r}")
        async with self._transaction() as db:
            await db.execute_fetchall(
                "INSERT INTO chats (chat_id, type, title, status, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (chat_id) DO UPDATE SET type = excluded.type, title = COALESCE(excluded.title, chats.title), "
                "status = excluded.status, updated_at = excluded.updated_at",
                (chat_id, type, title, status, self._now()),
            )

    async def migrate_chat(self, old_id: int, new_id: int, *, title: str | None = None) -> None:
        """Follow a group that became a supergroup: the new id takes over, the old one points to it.

        Idempotent: Telegram announces a migration twice (in the old and in the new chat).

        Args:
            old_id: the group's id.
            new_id: the supergroup's id.
            title: the supergroup's title, when known (else the group's is kept).
        """
        now = self._now()
        async with self._transaction() as db:
            rows = await db.execute_fetchall("SELECT title, status FROM chats WHERE chat_id = ?", (old_id,))
            old = next(iter(rows), None)
            old_title = old[0] if old is not None else None
            status = old[1] if old is not None and old[1] != "left" else "member"
            await db.execute_fetchall(
                "INSERT INTO chats (chat_id, type, title, status, updated_at) VALUES (?, 'supergroup', ?, ?, ?) "
                "ON CONFLICT (chat_id) DO UPDATE SET type = 'supergroup', title = COALESCE(excluded.title, chats.title), "
                "updated_at = excluded.updated_at",
                (new_id, title or old_title, status, now),
            )
            await db.execute_fetchall(
                "INSERT INTO chats (chat_id, type, title, status, migrated_to, updated_at) VALUES (?, 'group', ?, 'left', ?, ?) "
                "ON CONFLICT (chat_id) DO UPDATE SET status = 'left', migrated_to = excluded.migrated_to, updated_at = excluded.updated_at",
                (old_id, old_title, new_id, now),
            )

    async def chat(self, chat_id: int) -> ChatRecord | None:
        """One chat.

        Args:
            chat_id: the Telegram chat id.

        Returns:
            The record, or None when the bot never recorded this chat.
        """
        rows = await self._query("SELECT chat_id, type, title, status, migrated_to, updated_at FROM chats WHERE chat_id = ?", (chat_id,))
        return ChatRecord(*rows[0]) if rows else None

    async def chats(self, status: str | None = None) -> list[ChatRecord]:
        """The chats the bot knows, optionally only those with one status.

        Args:
            status: member, left or kicked; None for all.

        Returns:
            The records, ordered by chat id.
        """
        sql = "SELECT chat_id, type, title, status, migrated_to, updated_at FROM chats"
        if status:
            rows = await self._query(f"{sql} WHERE status = ? ORDER BY chat_id", (status,))
        else:
            rows = await self._query(f"{sql} ORDER BY chat_id")
        return [ChatRecord(*row) for row in rows]
