"""Search for inline mode: the answer to a query plus the cards of the events it names."""

from __future__ import annotations

import datetime as dt

from bot.engine.answer import Answer
from bot.engine.engine import MAX_QUERY_CHARS, Engine
from bot.engine.text import Normalized, is_thai

#: A query this short (folded) is matched as the beginning of an event's name or alias ("wuz" → Wuzhen).
MIN_PREFIX = 2


def _key(answer: Answer) -> tuple[str, str | None, str | None, tuple[str, ...]]:
    """What makes two results the same: a card per event, otherwise the facts shown."""
    if answer.kind == "summary":
        return ("summary", answer.event, None, ())
    return (answer.kind, answer.event, answer.intent, answer.facts)


def _prefix_matches(engine: Engine, query: Normalized) -> list[str]:
    """Events with a name or alias word that starts with the query (as people type it, letter by letter)."""
    typed = query.folded
    if len(typed) < MIN_PREFIX:
        return []
    found = []
    for event in engine.kb.events:
        labels = [n for names in event.names.values() for n in names] + list(event.aliases)
        for label in labels:
            folded = Normalized.of(label).folded
            if folded.startswith(typed) or f" {typed}" in folded or (is_thai(typed) and typed in folded):
                found.append(event.id)
                break
    return found


def search(engine: Engine, query: str, lang: str, now: dt.datetime, limit: int = 10, reply_lang: str | None = None) -> list[Answer]:
    """Results for an inline query.

    Args:
        engine: the engine.
        query: what the user typed after the bot's name (any length, any characters).
        lang: the user's language (Telegram's ``language_code``); the query's own language wins when it tells.
        now: the current time.
        limit: the most results to return.
        reply_lang: show every result in this language (the user's /lang choice), whatever the query's.

    Returns:
        Every event's card for an empty query; otherwise the engine's answer when it is not a fallback (an
        ambiguous question gives the answer for each candidate event), then the cards of the events whose
        names or aliases match (also as a prefix), without duplicates, at most ``limit``.
    """
    if limit <= 0:
        return []
    query = query.strip()[:MAX_QUERY_CHARS]
    if not query:
        cards = (engine.event_card(e.id, reply_lang or lang, now) for e in engine.kb.events)
        return [c for c in cards if c is not None][:limit]
    answer = engine.answer(query, now=now, lang_hint=lang, reply_lang=reply_lang)
    shown = answer.lang
    results: list[Answer] = []
    if answer.kind == "did_you_mean":
        picks = (engine.intent_answer(s.event_id, s.intent_id, shown, now) for s in answer.suggestions)
        results += [a for a in picks if a is not None]
    elif not answer.fallback:
        results.append(answer)
    norm = Normalized.of(query)
    named = [hit.event_id for hit in engine.index.events.match(norm).hits]
    for event_id in dict.fromkeys(named + _prefix_matches(engine, norm)):
        card = engine.event_card(event_id, shown, now)
        if card is not None:
            results.append(card)
    unique: dict[tuple[str, str | None, str | None, tuple[str, ...]], Answer] = {}
    for result in results:
        unique.setdefault(_key(result), result)
    return list(unique.values())[:limit]
