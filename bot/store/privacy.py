"""What the bot stores about a person, and forgetting it (``summitbot forget-user <id>``)."""

from __future__ import annotations

import re

from bot.store.store import Store

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@\w{4,}")
# A run of digits with the usual separators; a phone number when it has 9 digits or more, or 7 after a "+"
# (a date such as 2023-11-08 has 8 and stays: /unanswered needs it more than it identifies anyone).
_DIGITS = re.compile(r"\+?\d[\d\s().-]*\d")

#: (table, statement) pairs run for a user id; private chats have the user's id as chat id.
FORGET: tuple[tuple[str, str], ...] = (
    ("user_settings", "DELETE FROM user_settings WHERE user_id = :id"),
    ("user_names", "DELETE FROM user_names WHERE user_id = :id"),
    ("subscriptions", "DELETE FROM subscriptions WHERE chat_id = :id"),
    ("subscriptions (subscribed by)", "UPDATE subscriptions SET user_id = NULL WHERE user_id = :id"),
    ("outbox", "DELETE FROM outbox WHERE chat_id = :id"),
    ("announcements (created by)", "UPDATE announcements SET created_by = NULL WHERE created_by = :id"),
    ("announcements (admin chat)", "UPDATE announcements SET admin_chat_id = NULL WHERE admin_chat_id = :id"),
    ("chats", "UPDATE chats SET migrated_to = NULL WHERE migrated_to = :id"),
    ("chats", "DELETE FROM chats WHERE chat_id = :id"),
    # The user's own words: every question they wrote (asked themselves, or quoted by someone's /ask).
    ("question_log", "DELETE FROM question_log WHERE user_id = :id"),
    # Knowledge edits keep their content (the bot's knowledge) but no longer say who made them or where.
    ("kb_changes (author)", "UPDATE kb_changes SET user_id = 0 WHERE user_id = :id"),
    ("kb_changes (chat)", "UPDATE kb_changes SET chat_id = NULL WHERE chat_id = :id"),
)


async def forget_user(store: Store, user_id: int) -> dict[str, int]:
    """Delete or anonymize everything stored about one Telegram user, in one transaction.

    The question log's rows of this user (their words) are deleted. Conversation contexts, the language cache and
    the questions not yet written live in the running bot's memory: run this while the bot is stopped.

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


def _phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group())
    return "<phone>" if digits >= 9 or (match.group().startswith("+") and digits >= 7) else match.group()


def mask_contacts(text: str) -> str:
    """The text with e-mail addresses, phone numbers and @usernames replaced by ``<email>``, ``<phone>``, ``<user>``.

    What the question log keeps of a question: enough for /unanswered to show what people ask, not how to reach
    them. Names cannot be recognized reliably; those go when their author is forgotten.

    Args:
        text: a question.

    Returns:
        The masked text.
    """
    return _DIGITS.sub(_phone, _HANDLE.sub("<user>", _EMAIL.sub("<email>", text)))
