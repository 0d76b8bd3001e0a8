"""What the knowledge log hands out and raises: changes of the history, unanswered questions, statistics."""

from __future__ import annotations

from dataclasses import dataclass


class UndoError(ValueError):
    """The change cannot be undone (unknown, already undone, or overtaken by a later change).

    ``key`` names the text saying why (``undo_<key>`` in intents/admin_messages.yaml), ``values`` fill it.
    """

    def __init__(self, name: str, /, **values: object) -> None:
        super().__init__(name, values)
        self.key, self.values = f"undo_{name}", values


class StaleKnowledge(RuntimeError):
    """Someone else (``kb import``, another process) changed the knowledge since the caller read it.

    The caller's edits were computed from an older state and storing them could overwrite that change, so
    nothing was stored: read the knowledge again and recompute them.
    """


@dataclass(frozen=True)
class Change:
    """One stored change: who, when, where, what, and the entry's state before and after (JSON, see migration 2)."""

    change_id: int
    batch_id: int
    at: str
    user_id: int
    chat_id: int | None
    action: str
    entity: str
    entity_id: str
    event_id: str
    before_json: str | None
    after_json: str | None
    summary: str
    undone_by: int | None


@dataclass(frozen=True)
class Unanswered:
    """A question that got the fallback: the id of its first log row (its number in /unanswered), text, count."""

    question_id: int
    question: str
    count: int


@dataclass(frozen=True)
class Stats:
    """Questions per language and day, the fallback rate, and the busiest events."""

    per_day_lang: tuple[tuple[str, str, int], ...]
    total: int
    fallbacks: int
    events: tuple[tuple[str, int], ...]
