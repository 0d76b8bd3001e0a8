"""People's names for /history: stored when an admin acts, replaced when Telegram shows a new one, forgotten on request."""

from __future__ import annotations

from pathlib import Path

from bot.store import Store
from bot.store.privacy import forget_user
from bot.store.user_names import names_of, remember_name


async def test_names_are_remembered_replaced_and_forgotten(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        assert await names_of(store, []) == {}
        await remember_name(store, 1, "Somchai", "somchai_k")
        await remember_name(store, 2, "Linh", None)
        await remember_name(store, 2, "Linh N.", "linh_n")  # the name as Telegram shows it now
        assert await names_of(store, [1, 2, 3]) == {1: "Somchai (@somchai_k)", 2: "Linh N. (@linh_n)"}
        counts = await forget_user(store, 1)
        assert counts["user_names"] == 1 and await names_of(store, [1, 2]) == {2: "Linh N. (@linh_n)"}
    finally:
        await store.close()
