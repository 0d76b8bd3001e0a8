"""What the bot stores about a person, and forgetting it (``summitbot forget-user <id>``)."""

from __future__ import annotations

from bot.store.store import Store

#: (table, statement) pairs run for a user id; private chats have the user's id as chat id.
FORGET: tuple[tuple[str, str], ...] = (
    ("user_settings", "DELETE FROM user_settings WHERE user_id = :id"),
    ("subscriptions", "DELETE FROM subscriptions WHERE chat_id = :id"),
    ("subscriptions (subscribed by)", "UPDATE subscriptions SET user_id = NULL WHERE user_id = :id"),
    ("outbox", "DELETE FROM outbox WHERE chat_id = :id"),
    ("announcements (created by)", "UPDATE announcements SET created_by = NULL WHERE created_by = :id"),
    ("announcements (admin chat)", "UPDATE announcements SET admin_chat_id = NULL WHERE admin_chat_id = :id"),
    ("chats", "UPDATE chats SET migrated_to = NULL WHERE migrated_to = :id"),
    ("chats", "DELETE FROM chats WHERE chat_id = :id"),
    # Knowledge edits keep their content (the bot's knowledge) but no longer say who made them or where.
    ("kb_changes (author)", "UPDATE kb_changes SET user_id = 0 WHERE user_id = :id"),
    ("kb_changes (chat)", "UPDATE kb_changes SET chat_id = NULL WHERE chat_id = :id"),
)


async def forget_user(store: Store, user_id: int) -> dict[str, int]:
    """Delete or anonymize everything stored about one Telegram user, in one transaction.

    The question log never holds user or chat ids, so it needs nothing. Conversation contexts and the language
    cache live in the running bot's memory: restart it (or run this while it is stopped) to drop those too.

    Args:
        store: the open store.
        user_id: the Telegram user id.

    Returns:
        Rows changed per table.
    """
    counts: dict[str, int] = {}
    async with store.transaction() as db:
        for table, sql in FORGET:
            cursor = await db.execute(sql, {"id": user_id})
            counts[table] = counts.get(table, 0) + max(cursor.rowcount, 0)
    return counts
