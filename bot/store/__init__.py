"""Persistence in SQLite (aiosqlite): a versioned schema and the bot's few tables."""

from __future__ import annotations

from bot.store.migrations import CHAT_STATUSES, MIGRATIONS, Migration
from bot.store.store import ChatRecord, Store, StoreError

__all__ = ["CHAT_STATUSES", "MIGRATIONS", "ChatRecord", "Migration", "Store", "StoreError"]
