"""People's names as Telegram last showed them (the admins who change the knowledge), so /history can name them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from bot.store.store import Store

MAX_NAME = 64  # Telegram allows 64 characters for a first name, 32 for a username


async def remember_name(store: Store, user_id: int, first_name: str, username: str | None) -> None:
    """Store a person's current first name and @username; a row that already says so is not rewritten.

    Args:
        store: the open store.
        user_id: the Telegram user id.
        first_name: their first name.
        username: their @username without the @, or None.
    """
    first, handle = first_name[:MAX_NAME], username[:MAX_NAME] if username else None
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    async with store.transaction() as db:
        await db.execute(
            "INSERT INTO user_names (user_id, first_name, username, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name, username = excluded.username, "
            "updated_at = excluded.updated_at WHERE first_name IS NOT excluded.first_name OR username IS NOT excluded.username",
            (user_id, first, handle, now),
        )


async def names_of(store: Store, user_ids: Collection[int]) -> dict[int, str]:
    """How to name each known person: "First (@username)", or the first name alone.

    Args:
        store: the open store.
        user_ids: the people wanted.

    Returns:
        user id → name, for those the bot has a name of (the others are left out).
    """
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    rows = await store.query(f"SELECT user_id, first_name, username FROM user_names WHERE user_id IN ({marks})", ids)
    return {int(r[0]): f"{r[1]} (@{r[2]})" if r[2] else str(r[1]) for r in rows}
