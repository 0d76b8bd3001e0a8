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

from telegram.ext import ContextTypes

from bot.curated.overlay import apply_overlay
from bot.telegram.services import SERVICES_KEY, Services

log = logging.getLogger(__name__)
#: How often the running bot looks for knowledge changed by another process.
SYNC_SECONDS = 1.0
#: Attempts at storing one edit while other writers keep changing the knowledge.
MAX_ATTEMPTS = 3


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


async def sync_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: pick up knowledge changed by ``kb import`` (or any other process)."""
    svc = context.application.bot_data.get(SERVICES_KEY)
    if not isinstance(svc, Services) or svc.reload_lock.locked():
        return  # an edit, undo or reload is under way: it syncs itself
    async with svc.reload_lock:
        await sync(svc)
