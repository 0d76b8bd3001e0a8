"""Pure, synchronous answer engine: normalize, detect language, match, compose (no Telegram, no I/O)."""

from __future__ import annotations

from bot.engine.answer import CONTEXT_TTL, MAX_MESSAGE, Answer, Context, SourceRef, Suggestion
from bot.engine.engine import Engine
from bot.engine.model import LANGS, Event, Fact, Intent, KnowledgeBase, LocalText
from bot.engine.ranker import RankerModel

__all__ = [
    "CONTEXT_TTL", "LANGS", "MAX_MESSAGE", "Answer", "Context", "Engine", "Event", "Fact",
    "Intent", "KnowledgeBase", "LocalText", "RankerModel", "SourceRef", "Suggestion",
]  # fmt: skip
