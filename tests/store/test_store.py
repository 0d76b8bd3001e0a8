"""bot.store: versioned schema, WAL, transactions, users' languages and chats."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bot.store import MIGRATIONS, Migration, Store, StoreError
from bot.store.migrations import check_migrations

T0 = dt.datetime(2024, 5, 17, 8, 30, tzinfo=dt.UTC)


async def test_open_creates_folders_wal_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "bot.sqlite3"
    store = await Store.open(path, clock=lambda: T0)
    try:
        assert path.is_file() and await store.schema_version() == len(MIGRATIONS)
    finally:
        await store.close()
    await store.close()  # idempotent
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        applied = db.execute("SELECT version, name, applied_at FROM schema_migrations").fetchall()
        assert applied == [(m.version, m.name, "2024-05-17T08:30:00+00:00") for m in MIGRATIONS]


async def test_user_lang(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "bot.db")
    try:
        assert await store.get_user_lang(1) is None
        await store.set_user_lang(1, "th")
        await store.set_user_lang(2, "fr")
        await store.set_user_lang(2, None)
        assert (await store.get_user_lang(1), await store.get_user_lang(2)) == ("th", None)
        for bad in ("", "english", "TH", "t'h"):
            with pytest.raises(ValueError):
                await store.set_user_lang(1, bad)
        assert await store.get_user_lang(1) == "th"
    finally:
        await store.close()
    reopened = await Store.open(tmp_path / "bot.db")
    try:
        assert await reopened.get_user_lang(1) == "th"
    finally:
        await reopened.close()


@pytest.mark.parametrize("cache_size", [1, 2, 50_000])
async def test_user_langs_are_right_whether_or_not_they_all_fit_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_size: int) -> None:
    # Every stored choice is read at open when they fit (then an unknown user needs no query); when they do not,
    # or once the cache has dropped one, a user missing from memory is looked up in the database.
    path = tmp_path / "bot.db"
    store = await Store.open(path)
    try:
        for user, lang in ((1, "th"), (2, "vi"), (3, "fr")):
            await store.set_user_lang(user, lang)
    finally:
        await store.close()
    monkeypatch.setattr("bot.store.store.LANG_CACHE_SIZE", cache_size)
    reopened = await Store.open(path)
    try:
        assert [await reopened.get_user_lang(u) for u in (3, 1, 4, 2, 1)] == ["fr", "th", None, "vi", "th"]
        await reopened.set_user_lang(4, "en")
        assert [await reopened.get_user_lang(u) for u in (4, 2, 3)] == ["en", "vi", "fr"]
    finally:
        await reopened.close()


async def test_chats_and_migration(tmp_path: Path) -> None:
    store = await Store.open(":memory:")
    try:
        await store.record_chat(-5, "group", "Fans", "member")
        await store.record_chat(-5, "group", None, "kicked")  # a missing title keeps the known one
        await store.record_chat(-6, "group", "Other", "member")
        await store.record_chat(9, "private", None, "member")
        with pytest.raises(ValueError):
            await store.record_chat(1, "group", "x", "administrator")
        assert [(c.chat_id, c.title, c.status) for c in await store.chats("kicked")] == [(-5, "Fans", "kicked")]
        await store.migrate_chat(-6, -1006)
        await store.migrate_chat(-6, -1006, title="Other (super)")  # announced twice: harmless
        old, new = await store.chat(-6), await store.chat(-1006)
        assert old is not None and (old.status, old.migrated_to) == ("left", -1006)
        assert new is not None and (new.type, new.title, new.status, new.migrated_to) == ("supergroup", "Other (super)", "member", None)
        await store.migrate_chat(-7, -1007)  # a group the bot never recorded
        assert (await store.chat(-1007)) is not None and (await store.chat(-7)).migrated_to == -1007  # type: ignore[union-attr]
        assert [c.chat_id for c in await store.chats()] == [-1007, -1006, -7, -6, -5, 9]
        assert await store.chat(12345) is None
    finally:
        await store.close()


async def test_later_migrations_are_applied_in_order_and_atomically(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    store = await Store.open(path)  # the shipped schema
    await store.close()
    n = len(MIGRATIONS)
    audit = Migration(n + 1, "audit", ("CREATE TABLE audit (id INTEGER PRIMARY KEY)",))
    broken = (*MIGRATIONS, audit, Migration(n + 2, "bad", ("CREATE TABLEX nope",)))
    with pytest.raises(sqlite3.Error):
        await Store.open(path, migrations=broken)
    store = await Store.open(path)
    try:
        assert await store.schema_version() == n  # the failed batch left nothing behind (audit was rolled back too)
    finally:
        await store.close()
    extended = (*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "audit", ("CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL)",)))
    store = await Store.open(path, migrations=extended)
    try:
        assert await store.schema_version() == n + 1
    finally:
        await store.close()
    with pytest.raises(StoreError, match="newer than this code"):
        await Store.open(path)


def test_migration_list_must_be_numbered_in_order() -> None:
    check_migrations(MIGRATIONS)
    with pytest.raises(ValueError):
        check_migrations([Migration(2, "x", ("SELECT 1",))])
    with pytest.raises(ValueError):
        check_migrations([Migration(1, "x", ())])


async def test_unanswered_questions_keep_their_numbers_and_can_be_left_out(tmp_path: Path) -> None:
    from bot.store.knowledge import KnowledgeLog
    from bot.store.knowledge_records import Unanswered

    store = await Store.open(tmp_path / "bot.db")
    try:
        log = KnowledgeLog(store)
        for question, user in (("where to park", 1), ("hotel prices", 2), ("where to park", 3), ("answered", 4)):
            await log.log_question("2026-11-22", "en", question != "answered", None, None, question, user)
        park, hotel = Unanswered(1, "where to park", 2), Unanswered(2, "hotel prices", 1)
        assert await log.unanswered(15) == [park, hotel]
        assert await log.unanswered(1) == [park]
        assert await log.unanswered(1, skip={"where to park"}) == [hotel]  # e.g. attached to a fact meanwhile
        await log.log_question("2026-11-23", "en", True, None, None, "hotel prices", 5)
        await log.log_question("2026-11-23", "en", True, None, None, "hotel prices", 6)
        assert await log.unanswered(15) == [Unanswered(2, "hotel prices", 3), park]  # new questions renumber nothing
        assert await log.logged_question(2) == await log.logged_question(6) == Unanswered(2, "hotel prices", 3)
        assert await log.logged_question(4) is None and await log.logged_question(99) is None  # answered, unknown
    finally:
        await store.close()
