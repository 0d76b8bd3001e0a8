"""The store's schema, as an ordered list of migrations; a new feature appends one, never edits one.

Each migration runs once, inside the transaction that records it in ``schema_migrations``. To add
tables (a knowledge overlay, an audit log, an outbox...), append ``Migration(N + 1, "name", (...))``
to :data:`MIGRATIONS`; databases created by older versions pick it up at the next :meth:`Store.open`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Chat statuses as the store records them (Telegram's member/administrator/creator are all "member").
CHAT_STATUSES: tuple[str, ...] = ("member", "left", "kicked")


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its version (1, 2, 3...), a name, and the statements it runs."""

    version: int
    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "users_and_chats",
        (
            """
            CREATE TABLE user_settings (
                user_id    INTEGER PRIMARY KEY,
                lang       TEXT NULL,              -- NULL: automatic (follow the language of each message)
                updated_at TEXT NOT NULL
            )
            """,
            f"""
            CREATE TABLE chats (
                chat_id     INTEGER PRIMARY KEY,
                type        TEXT NOT NULL,
                title       TEXT NULL,
                status      TEXT NOT NULL CHECK (status IN ({", ".join(repr(s) for s in CHAT_STATUSES)})),
                migrated_to INTEGER NULL REFERENCES chats (chat_id) ON DELETE SET NULL,
                updated_at  TEXT NOT NULL
            )
            """,
            "CREATE INDEX chats_by_status ON chats (status)",
        ),
    ),
    Migration(
        2,
        "knowledge_edits",
        (
            # Every admin edit, with who, when, where, and the entry's state before and after it, as JSON:
            # NULL = the entry had no edit (the YAML baseline applies); the JSON text 'null' = deleted.
            # A batch groups the changes one command made (an event field and the fact that sources it).
            """
            CREATE TABLE kb_changes (
                change_id   INTEGER PRIMARY KEY AUTOINCREMENT,
                batch_id    INTEGER NOT NULL,
                at          TEXT NOT NULL,
                user_id     INTEGER NOT NULL,
                chat_id     INTEGER NULL,
                action      TEXT NOT NULL,
                entity      TEXT NOT NULL CHECK (entity IN ('fact', 'event')),
                entity_id   TEXT NOT NULL,
                event_id    TEXT NOT NULL,
                before_json TEXT NULL,
                after_json  TEXT NULL,
                summary     TEXT NOT NULL,
                undone_by   INTEGER NULL REFERENCES kb_changes (change_id)
            )
            """,
            "CREATE INDEX kb_changes_by_event ON kb_changes (event_id, change_id)",
            # The current state of every edited entry: the overlay applied on top of the YAML.
            """
            CREATE TABLE kb_overlay (
                entity    TEXT NOT NULL CHECK (entity IN ('fact', 'event')),
                entity_id TEXT NOT NULL,
                event_id  TEXT NOT NULL,
                data_json TEXT NOT NULL,
                change_id INTEGER NOT NULL REFERENCES kb_changes (change_id),
                PRIMARY KEY (entity, entity_id)
            )
            """,
        ),
    ),
    Migration(
        3,
        "question_log",
        (
            # Questions for /unanswered and /stats: no user or chat id is kept, only the normalized text.
            """
            CREATE TABLE question_log (
                id       INTEGER PRIMARY KEY AUTOINCREMENT,
                day      TEXT NOT NULL,
                lang     TEXT NOT NULL,
                fallback INTEGER NOT NULL,
                intent   TEXT NULL,
                event    TEXT NULL,
                question TEXT NOT NULL
            )
            """,
            "CREATE INDEX question_log_unanswered ON question_log (fallback, question)",
            "CREATE INDEX question_log_by_day ON question_log (day)",
        ),
    ),
    Migration(
        4,
        "announcements",
        (
            # Chats that receive announcements and reminders: their language and the kinds of event they follow.
            """
            CREATE TABLE subscriptions (
                chat_id    INTEGER PRIMARY KEY,
                chat_type  TEXT NOT NULL,
                lang       TEXT NOT NULL,
                kinds      TEXT NOT NULL,          -- comma-separated event kinds: summit,iot-expo,itu-event
                user_id    INTEGER NULL,           -- who subscribed the chat
                updated_at TEXT NOT NULL
            )
            """,
            # A broadcast (an admin's text) or an event reminder; its deliveries are rows of the outbox.
            """
            CREATE TABLE announcements (
                id                  INTEGER PRIMARY KEY AUTOINCREMENT,
                kind                TEXT NOT NULL CHECK (kind IN ('broadcast', 'reminder')),
                state               TEXT NOT NULL CHECK (state IN ('draft', 'scheduled', 'sending', 'done', 'cancelled')),
                text                TEXT NOT NULL,  -- broadcast: the admin's plain text; reminder: what it is about
                event_id            TEXT NULL,
                send_at             TEXT NOT NULL,
                created_by          INTEGER NULL,
                admin_chat_id       INTEGER NULL,   -- where the progress message and the final report go
                progress_message_id INTEGER NULL,
                created_at          TEXT NOT NULL,
                finished_at         TEXT NULL
            )
            """,
            "CREATE INDEX announcements_by_state ON announcements (state, send_at)",
            # One row per (announcement, chat). 'sending' is committed before the HTTP call and 'sent' right after,
            # so after a crash only rows left in 'sending' can have been delivered without being recorded.
            """
            CREATE TABLE outbox (
                id              INTEGER PRIMARY KEY AUTOINCREMENT,
                announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
                chat_id         INTEGER NOT NULL,
                chat_type       TEXT NOT NULL,
                lang            TEXT NOT NULL,
                body            TEXT NOT NULL,      -- the HTML message
                state           TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
                attempts        INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT NOT NULL,
                last_error      TEXT NULL,
                message_id      INTEGER NULL,
                updated_at      TEXT NOT NULL,
                UNIQUE (announcement_id, chat_id)
            )
            """,
            "CREATE INDEX outbox_by_state ON outbox (state, next_attempt_at)",
            # Event reminders already handled (sent, or skipped because a closer one was due): never twice.
            """
            CREATE TABLE reminders_sent (
                event_id        TEXT NOT NULL,
                occurs_on       TEXT NOT NULL,
                days_before     INTEGER NOT NULL,
                outcome         TEXT NOT NULL CHECK (outcome IN ('sent', 'skipped')),
                announcement_id INTEGER NULL REFERENCES announcements (id),
                at              TEXT NOT NULL,
                PRIMARY KEY (event_id, occurs_on, days_before)
            )
            """,
        ),
    ),
    Migration(
        5,
        "question_log_authors",
        (
            # Whose words each logged question is, so that forget-user can delete them (never shown by the bot).
            "ALTER TABLE question_log ADD COLUMN user_id INTEGER NULL",
            "CREATE INDEX question_log_by_user ON question_log (user_id)",
            # Questions logged before this version cannot be attributed to anyone, so they could never be forgotten:
            # their texts go; the counts for /stats stay.
            "UPDATE question_log SET question = '' WHERE user_id IS NULL",
        ),
    ),
    Migration(
        6,
        "user_names",
        (
            # The names of the admins who change the knowledge, as Telegram last showed them: /history names
            # people, and kb_changes keeps only ids. Written when an admin acts; forget-user deletes the row.
            """
            CREATE TABLE user_names (
                user_id    INTEGER PRIMARY KEY,
                first_name TEXT NOT NULL,
                username   TEXT NULL,
                updated_at TEXT NOT NULL
            )
            """,
        ),
    ),
    Migration(
        7,
        "announcement_languages_and_topics",
        (
            # A forum group subscribed from inside a topic gets its announcements in that topic.
            "ALTER TABLE subscriptions ADD COLUMN thread_id INTEGER NULL",
            "ALTER TABLE outbox ADD COLUMN thread_id INTEGER NULL",
            # A broadcast's text per language, as JSON {"en": "...", "th": "..."}; NULL: ``text`` for every chat.
            "ALTER TABLE announcements ADD COLUMN texts TEXT NULL",
        ),
    ),
)


def check_migrations(migrations: Sequence[Migration]) -> None:
    """Make sure the list is numbered 1, 2, 3... without gaps, so the order is unambiguous.

    Args:
        migrations: the list to check.

    Raises:
        ValueError: when a version is missing, repeated or out of order, or a migration is empty.
    """
    for position, migration in enumerate(migrations, start=1):
        if migration.version != position:
            raise ValueError(f"migration {migration.name!r} has version {migration.version}, expected {position}")
        if not migration.statements:
            raise ValueError(f"migration {migration.version} ({migration.name}) has no statements")


check_migrations(MIGRATIONS)
