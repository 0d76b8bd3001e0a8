"""One structured log line per update: who, what kind, the answer's language/intent/event/confidence, latency.

The line is JSON on the ``summitbot.updates`` logger. Handlers add what they learn (the engine's answer) to the
update's note through :func:`note`; the note lives in a context variable, so concurrent updates never mix.
"""

from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar
from typing import Any

from telegram import Update

from bot.engine import Answer
from bot.telegram.services import SummitContext

log = logging.getLogger("summitbot.updates")
_NOTE: ContextVar[dict[str, Any] | None] = ContextVar("summitbot_update_note", default=None)


def note(**fields: Any) -> None:
    """Add fields to the current update's log line (no-op outside an update)."""
    current = _NOTE.get()
    if current is not None:
        current.update(fields)


def note_answer(answer: Answer) -> None:
    """Record the engine's answer on the current update's log line."""
    note(lang=answer.lang, kind=answer.kind, intent=answer.intent, event=answer.event, confidence=round(answer.confidence, 3))


def _kind(update: Update) -> str:
    for name in ("message", "edited_message", "callback_query", "inline_query", "my_chat_member", "chat_member"):
        if getattr(update, name, None) is not None:
            return name
    return "other"


async def on_update_start(update: Update, context: SummitContext) -> None:
    """Group -2: open the update's log line."""
    chat, user = update.effective_chat, update.effective_user
    fields = {"update": update.update_id, "type": _kind(update), "chat": chat.id if chat else None, "user": user.id if user else None}
    _NOTE.set(fields | {"_t0": time.perf_counter()})


async def on_update_done(update: Update, context: SummitContext) -> None:
    """Last group: write the update's log line."""
    finish()


def finish() -> None:
    """Write the current update's log line now (also for updates stopped before the last group)."""
    current = _NOTE.get()
    if current is None:
        return
    _NOTE.set(None)
    if not log.isEnabledFor(logging.INFO):  # the JSON costs more than the rest of this module: only when written
        return
    started = current.pop("_t0", None)
    if started is not None:
        current["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    log.info(json.dumps(current, ensure_ascii=False, default=str))
