"""Admin edits of the knowledge in SQLite: the overlay, the change history with undo, and the question log."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from bot.curated.edits import Edit
from bot.curated.overlay import Overlay
from bot.store.knowledge_records import Change, StaleKnowledge, Stats, Unanswered, UndoError
from bot.store.privacy import mask_contacts
from bot.store.store import Store

_CHANGE_COLUMNS = "change_id, batch_id, at, user_id, chat_id, action, entity, entity_id, event_id, before_json, after_json, summary, undone_by"
MAX_QUESTION = 300


def _dump(data: Mapping[str, Any] | None) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


class KnowledgeLog:
    """The knowledge tables of a :class:`Store` (which owns the connection and the transactions)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def overlay(self) -> Overlay:
        """Every edited entry's current state, to apply on top of the YAML.

        Returns:
            The overlay.
        """
        rows = await self._store.query("SELECT entity, entity_id, event_id, data_json FROM kb_overlay ORDER BY change_id")
        events: dict[str, Mapping[str, Any] | None] = {}
        facts: dict[str, tuple[str, Mapping[str, Any] | None]] = {}
        for entity, entity_id, event_id, data_json in rows:
            data = json.loads(data_json)
            if entity == "event":
                events[entity_id] = data
            else:
                facts[entity_id] = (event_id, data)
        return Overlay(events, facts)

    async def generation(self) -> int:
        """The id of the latest change (0: none yet): the version of the stored knowledge.

        Changes are only ever appended, so two equal generations mean the same overlay. The running bot compares
        it with the generation its index was built from to pick up a ``kb import`` made from the shell.
        """
        rows = await self._store.query("SELECT COALESCE(MAX(change_id), 0) FROM kb_changes")
        return int(rows[0][0])

    async def apply(self, edits: Sequence[Edit], *, user_id: int, chat_id: int | None, expect: int | None = None) -> list[Change]:
        """Store edits as one batch, in one transaction.

        Args:
            edits: what one command changes.
            user_id: who made the change.
            chat_id: where.
            expect: the :meth:`generation` the edits were computed from (None: not checked).

        Returns:
            The stored changes.

        Raises:
            StaleKnowledge: when the stored knowledge is no longer at ``expect`` (nothing is stored).
        """
        rows = [(e.action, e.entity, e.entity_id, e.event_id, _dump(e.data), e.summary) for e in edits]
        return await self._write(rows, user_id, chat_id, expect=expect)

    async def _write(
        self,
        rows: Sequence[tuple[str, str, str, str, str | None, str]],
        user_id: int,
        chat_id: int | None,
        undoes: int | None = None,
        expect: int | None = None,
    ) -> list[Change]:
        """Record changes (after_json None: back to the baseline) and update the overlay, atomically."""
        at, ids = self._store.timestamp(), []
        async with self._store.transaction() as db:
            if expect is not None:
                # Inside BEGIN IMMEDIATE: no other connection can write between this check and the commit.
                found = await db.execute_fetchall("SELECT COALESCE(MAX(change_id), 0) FROM kb_changes")
                if int(next(iter(found))[0]) != expect:
                    raise StaleKnowledge("the knowledge was changed meanwhile (kb import or another admin); nothing stored")
            batch: int | None = None
            for action, entity, entity_id, event_id, after, summary in rows:
                found = await db.execute_fetchall("SELECT data_json FROM kb_overlay WHERE entity = ? AND entity_id = ?", (entity, entity_id))
                before = next(iter(found), (None,))[0]
                cursor = await db.execute(
                    "INSERT INTO kb_changes (batch_id, at, user_id, chat_id, action, entity, entity_id, event_id, before_json, after_json, summary) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (batch or 0, at, user_id, chat_id, action, entity, entity_id, event_id, before, after, summary),
                )
                change_id = int(cursor.lastrowid or 0)
                if batch is None:  # the batch is named after its first change
                    batch = change_id
                    await db.execute("UPDATE kb_changes SET batch_id = ? WHERE change_id = ?", (batch, change_id))
                ids.append(change_id)
                if after is None:
                    await db.execute("DELETE FROM kb_overlay WHERE entity = ? AND entity_id = ?", (entity, entity_id))
                else:
                    await db.execute(
                        "INSERT INTO kb_overlay (entity, entity_id, event_id, data_json, change_id) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (entity, entity_id) DO UPDATE SET event_id = excluded.event_id, data_json = excluded.data_json, "
                        "change_id = excluded.change_id",
                        (entity, entity_id, event_id, after, change_id),
                    )
            if undoes is not None:  # in the same transaction: a crash never leaves a reverted batch unmarked
                await db.execute("UPDATE kb_changes SET undone_by = ? WHERE batch_id = ?", (ids[0], undoes))
            marks = ",".join("?" * len(ids))
            changed = await db.execute_fetchall(f"SELECT {_CHANGE_COLUMNS} FROM kb_changes WHERE change_id IN ({marks}) ORDER BY change_id", ids)
        return [Change(*row) for row in changed]

    async def history(self, event_id: str | None = None, limit: int = 20) -> list[Change]:
        """The most recent changes, newest first.

        Args:
            event_id: only changes of this event (None: all).
            limit: how many at most.

        Returns:
            The changes.
        """
        where, params = ("WHERE event_id = ?", [event_id]) if event_id else ("", [])
        rows = await self._store.query(f"SELECT {_CHANGE_COLUMNS} FROM kb_changes {where} ORDER BY change_id DESC LIMIT ?", [*params, limit])
        return [Change(*row) for row in rows]

    async def undone_by(self, undo_batches: Collection[int]) -> list[Change]:
        """The changes that undos reverted (the rows an undo batch marked), to say what each undo undid.

        Args:
            undo_batches: batch ids of undo changes.

        Returns:
            The reverted changes, by change id.
        """
        if not undo_batches:
            return []
        marks = ",".join("?" * len(undo_batches))
        rows = await self._store.query(f"SELECT {_CHANGE_COLUMNS} FROM kb_changes WHERE undone_by IN ({marks}) ORDER BY change_id", list(undo_batches))
        return [Change(*row) for row in rows]

    async def undo(self, change_id: int | None, *, user_id: int, chat_id: int | None) -> list[Change]:
        """Revert a change's whole batch to exactly the state before it, as a new batch of changes.

        Args:
            change_id: the change (None: the latest one not undone).
            user_id: who undoes.
            chat_id: where.

        Returns:
            The undo changes.

        Raises:
            UndoError: when there is nothing to undo, the change is unknown or already undone, or a later
                change touched the same entry (undo that one first).
            StaleKnowledge: when another connection changed the knowledge during the checks (nothing stored).
        """
        expect = await self.generation()  # the checks below read this state; the write refuses if it moved on
        if change_id is None:
            rows = await self._store.query("SELECT change_id FROM kb_changes WHERE undone_by IS NULL AND action != 'undo' ORDER BY change_id DESC LIMIT 1")
            if not rows:
                raise UndoError("nothing")
            change_id = int(rows[0][0])
        rows = await self._store.query(f"SELECT {_CHANGE_COLUMNS} FROM kb_changes WHERE change_id = ?", (change_id,))
        if not rows:
            raise UndoError("unknown", id=change_id)
        target = Change(*rows[0])
        if target.undone_by is not None:
            raise UndoError("already", id=change_id, by=target.undone_by)
        if target.action == "undo":
            raise UndoError("is_undo", id=change_id)
        batch = [
            Change(*r) for r in await self._store.query(f"SELECT {_CHANGE_COLUMNS} FROM kb_changes WHERE batch_id = ? ORDER BY change_id", (target.batch_id,))
        ]
        for change in batch:
            later = await self._store.query(
                "SELECT MIN(change_id) FROM kb_changes WHERE entity = ? AND entity_id = ? AND change_id > ? AND action != 'undo' AND undone_by IS NULL",
                (change.entity, change.entity_id, change.change_id),
            )
            if later and later[0][0] is not None:
                raise UndoError("overtaken", entity=f"{change.entity} {change.entity_id}", by=later[0][0], id=change.change_id)
        undo_rows = [("undo", c.entity, c.entity_id, c.event_id, c.before_json, f"undo #{c.change_id}: {c.summary}") for c in reversed(batch)]
        done = await self._write(undo_rows, user_id, chat_id, undoes=target.batch_id, expect=expect)
        return done

    async def log_question(self, day: str, lang: str, fallback: bool, intent: str | None, event: str | None, question: str, user_id: int | None = None) -> None:
        """Count a question for /unanswered and /stats.

        What is kept (README, Security and privacy): the text with contact details masked
        (:func:`bot.store.privacy.mask_contacts`), and whose words they are, only so that ``forget-user`` can
        delete them; no chat id, and the bot never shows the user id.

        Args:
            day: the date (ISO) it was asked.
            lang: the reply language.
            fallback: whether the bot had no answer.
            intent: the intent matched, if any.
            event: the event answered about, if any.
            question: the question, normalized (casefolded, single spaces); masked, then cut to 300 characters.
            user_id: who wrote the question (None or 0: unknown, then the text is not kept).
        """
        text = mask_contacts(question)[:MAX_QUESTION] if user_id else ""
        async with self._store.transaction() as db:
            await db.execute(
                "INSERT INTO question_log (day, lang, fallback, intent, event, question, user_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (day, lang, int(fallback), intent, event, text, user_id or None),
            )

    async def unanswered(self, limit: int = 15, skip: Collection[str] = ()) -> list[Unanswered]:
        """The questions that most often got the fallback.

        Args:
            limit: how many at most.
            skip: questions left out (e.g. those attached to a fact meanwhile), compared as stored.

        Returns:
            The questions, most frequent first.
        """
        left_out = set(skip)
        rows = await self._store.query(
            "SELECT MIN(id), question, COUNT(*) AS n FROM question_log WHERE fallback = 1 AND question != '' "
            "GROUP BY question ORDER BY n DESC, question LIMIT ?",
            (limit + len(left_out),),  # at most len(skip) of them are left out
        )
        found = [Unanswered(int(i), str(q), int(n)) for i, q, n in rows if q not in left_out]
        return found[:limit]

    async def logged_question(self, question_id: int) -> Unanswered | None:
        """An unanswered question by the number /unanswered shows for it.

        Args:
            question_id: the id of any logged row of that question (/unanswered shows its first).

        Returns:
            The question with its first row's id and count, or None when no such unanswered question is logged.
        """
        rows = await self._store.query("SELECT question FROM question_log WHERE id = ? AND fallback = 1 AND question != ''", (question_id,))
        if not rows:
            return None
        question = str(rows[0][0])
        first, count = (await self._store.query("SELECT MIN(id), COUNT(*) FROM question_log WHERE fallback = 1 AND question = ?", (question,)))[0]
        return Unanswered(int(first), question, int(count))

    async def stats(self, since_day: str) -> Stats:
        """Question statistics since a day.

        Args:
            since_day: ISO date of the first day counted.

        Returns:
            The figures.
        """
        per = await self._store.query("SELECT day, lang, COUNT(*) FROM question_log WHERE day >= ? GROUP BY day, lang ORDER BY day, lang", (since_day,))
        totals = await self._store.query("SELECT COUNT(*), COALESCE(SUM(fallback), 0) FROM question_log WHERE day >= ?", (since_day,))
        events = await self._store.query(
            "SELECT event, COUNT(*) AS n FROM question_log WHERE day >= ? AND event IS NOT NULL GROUP BY event ORDER BY n DESC LIMIT 5",
            (since_day,),
        )
        return Stats(
            tuple((str(d), str(lang), int(n)) for d, lang, n in per),
            int(totals[0][0]),
            int(totals[0][1]),
            tuple((str(e), int(n)) for e, n in events),
        )
