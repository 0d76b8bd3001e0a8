"""One knowledge base for the running bot, live edits and ``kb import`` from the shell.

``summitbot kb import`` writes the same SQLite tables as the admins' commands, from another process. The bot
picks it up (rather than refusing imports while it runs, which would need a lock that a crashed bot leaves
behind, and would make every import a restart): the stored knowledge has a *generation*, the id of its latest
change. The bot remembers the generation its index was built from and

* checks it every :data:`SYNC_SECONDS` (one indexed ``MAX`` query), rebuilding the index when it moved on, so
  questions get the imported knowledge within about a second;
* checks it again before computing an admin's edit, so ``/fact_add`` numbers its fact after the imported ones and
  ``/fact_edit`` starts from the imported text;
* stores every edit on condition that the generation is still the one the edit was computed from (checked inside
  the write transaction). If an import slipped in between, nothing is stored: the bot rebuilds and computes the
  edit again from the new state. ``kb import`` stores its batch on the same condition.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.curated.edits import Edit, EditError, dated
from bot.curated.overlay import Overlay, apply_overlay
from bot.engine.index import Index
from bot.engine.model import KnowledgeBase
from bot.engine.render import shorten
from bot.store.knowledge_records import Change, StaleKnowledge, UndoError
from bot.store.user_names import remember_name
from bot.telegram.services import Services, SummitContext

log = logging.getLogger(__name__)
#: How often the running bot looks for knowledge changed by another process.
SYNC_SECONDS = 1.0
#: Attempts at storing one edit while other writers keep changing the knowledge.
MAX_ATTEMPTS = 3
#: Problems shown at most when an edit would not validate.
MAX_PROBLEMS = 10
MakeEdits = Callable[[KnowledgeBase, Index], list[Edit]]


Reason = tuple[str, Mapping[str, object]]  # a text's key (intents/admin_messages.yaml) and its placeholder values


class Refused(Exception):
    """Nothing was stored: the text ``head`` and ``reasons`` say why (the admin reads them in their language);
    ``details`` are validation problems, shown as the curated checks word them (file: entry: message)."""

    def __init__(self, head: str, reasons: Sequence[Reason], details: Sequence[str] = (), *, bad_input: bool = False) -> None:
        super().__init__(head, *(key for key, _ in reasons), *details)
        self.head, self.reasons, self.details, self.bad_input = head, list(reasons), list(details), bad_input


@dataclass(frozen=True)
class Stored:
    """Edits stored as one batch and live in the index."""

    changes: list[Change]
    edits: list[Edit]
    before: KnowledgeBase  # the knowledge they were computed from


async def rebuild(svc: Services) -> list[str]:
    """Rebuild the index from the baseline and the stored overlay; the caller holds ``svc.reload_lock``.

    Returns:
        The edits that could not be applied (as text).
    """
    generation = await svc.knowledge.generation()  # read first: a change after it only causes one more rebuild
    kb, problems = await asyncio.to_thread(apply_overlay, svc.baseline, await svc.knowledge.overlay())
    await asyncio.to_thread(svc.engine.swap, kb)
    svc.kb_generation = generation
    return [str(p) for p in problems]


async def sync(svc: Services) -> bool:
    """Rebuild when the stored knowledge changed since the index was built; the caller holds ``svc.reload_lock``.

    Returns:
        Whether it rebuilt.
    """
    before = svc.kb_generation
    if await svc.knowledge.generation() == before:
        return False
    problems = await rebuild(svc)
    log.info("knowledge changed outside the bot (generation %d → %d): index rebuilt", before, svc.kb_generation)
    for problem in problems:
        log.warning("admin edit not applied: %s", problem)
    return True


async def sync_job(context: SummitContext) -> None:
    """Job: pick up knowledge changed by ``kb import`` (or any other process)."""
    svc = context.bot_data.services
    if svc is None or svc.reload_lock.locked():
        return  # an edit, undo or reload is under way: it syncs itself
    async with svc.reload_lock:
        await sync(svc)


def _with_edits(overlay: Overlay, edits: Sequence[Edit]) -> Overlay:
    events, facts = dict(overlay.events), dict(overlay.facts)
    for edit in edits:
        if edit.entity == "event":
            events[edit.entity_id] = edit.data
        else:
            facts[edit.entity_id] = (edit.event_id, edit.data)
    return Overlay(events, facts)


async def store_edits(svc: Services, make: MakeEdits, *, user_id: int, chat_id: int | None) -> Stored:
    """The one path of every knowledge edit: compute it, check the result validates, store it as one batch, swap the index.

    Args:
        svc: the services.
        make: computes the edits from the knowledge as stored now (a kb import may have changed it), never an older index.
        user_id: who edits.
        chat_id: where.

    Returns:
        What was stored.

    Raises:
        Refused: when ``make`` raises :class:`EditError` (``bad_input``), the result would not validate, or other
            writers kept changing the knowledge; nothing is stored then.
    """
    async with svc.reload_lock:
        for _ in range(MAX_ATTEMPTS):
            await sync(svc)
            kb, index, generation = svc.engine.kb, svc.engine.index, svc.kb_generation
            try:
                edits = dated(make(kb, index), svc.now().date())
            except EditError as exc:
                raise Refused("admin_nothing_changed", [(exc.key, exc.values)], bad_input=True) from None
            overlay = await svc.knowledge.overlay()
            before = {str(p) for p in (await asyncio.to_thread(apply_overlay, svc.baseline, overlay))[1]}
            merged, problems = await asyncio.to_thread(apply_overlay, svc.baseline, _with_edits(overlay, edits))
            fresh = [str(p) for p in problems if str(p) not in before]
            if fresh:
                raise Refused("admin_invalid_result", [], [shorten(p, 300) for p in fresh[:MAX_PROBLEMS]])
            try:
                changes = await svc.knowledge.apply(edits, user_id=user_id, chat_id=chat_id, expect=generation)
            except StaleKnowledge:
                continue  # an import committed between our read and our write: compute the edit again
            svc.kb_generation = changes[-1].change_id
            await asyncio.to_thread(svc.engine.swap, merged)
            await name_author(svc, user_id)
            log.info("admin %s: %s", user_id, "; ".join(c.summary for c in changes))
            return Stored(changes, edits, kb)
    raise Refused("admin_nothing_changed", [("admin_busy", {})])


async def undo_changes(svc: Services, change_id: int | None, *, user_id: int, chat_id: int | None) -> tuple[list[Change], list[str]]:
    """Revert a change's batch (the latest by default) and rebuild the index: the one path of /undo and Undo buttons.

    Returns:
        The undo changes, and the edits that could not be applied afterwards (as text).

    Raises:
        Refused: when it cannot be undone (unknown, already undone, overtaken) or the knowledge moved meanwhile.
    """
    async with svc.reload_lock:
        try:
            changes = await svc.knowledge.undo(change_id, user_id=user_id, chat_id=chat_id)
        except UndoError as exc:
            raise Refused("admin_nothing_changed", [(exc.key, exc.values)]) from None
        except StaleKnowledge:
            raise Refused("admin_nothing_changed", [("stale_knowledge", {})]) from None
        await name_author(svc, user_id)
        return changes, await rebuild(svc)


async def name_author(svc: Services, user_id: int) -> None:
    """Store the name of an admin whose change was just stored, so /history names them.

    Only then: a refused command changes nothing in the database, not even who tried it.
    """
    name = svc.admin_names.get(user_id)
    if name is not None:
        await remember_name(svc.store, user_id, *name)
