"""Answers a chat front end asks for by name (commands, buttons) rather than by matching a question.

Pure and synchronous, like the rest of the engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.engine.answer import Answer, AnswerKind, SourceRef
from bot.engine.compose import Composer
from bot.engine.engine import Engine


def _composer(engine: Engine, bot_name: str) -> Composer:
    return Composer(engine.kb, bot_name)


def chitchat(engine: Engine, intent_id: str, lang: str, now: dt.datetime, bot_name: str = "SummitBot") -> Answer | None:
    """A curated chitchat reply (``help``, ``about_bot``...) without matching any text.

    Args:
        engine: the engine (its current knowledge base).
        intent_id: a chitchat intent id.
        lang: the reader's language.
        now: the current time.
        bot_name: fills ``{bot}``.

    Returns:
        The answer, or None when there is no such chitchat intent.
    """
    intent = engine.index.intents.get(intent_id)
    if intent is None or intent.kind != "chitchat":
        return None
    return _composer(engine, bot_name).chitchat(intent, lang, 1.0, intent_id, now)


def event_list(engine: Engine, lang: str, now: dt.datetime) -> Answer:
    """Every event the bot knows, one line each.

    Args:
        engine: the engine.
        lang: the reader's language.
        now: the current time.

    Returns:
        A ``list`` answer.
    """
    return _composer(engine, "").list_events(lang, 1.0, now)


def date_and_place(engine: Engine, event_id: str, lang: str, now: dt.datetime) -> Answer | None:
    """When and where an event took place, in one answer (the card's "Date & place" button).

    Args:
        engine: the engine.
        event_id: the event.
        lang: the reader's language.
        now: the current time.

    Returns:
        The two topic answers merged (facts and sources of both), or None for an unknown event.
    """
    when = engine.intent_answer(event_id, "event_when", lang, now)
    where = engine.intent_answer(event_id, "event_where", lang, now)
    if when is None or where is None:
        return None
    facts = tuple(dict.fromkeys(when.facts + where.facts))
    kind: AnswerKind = "no_info" if when.kind == where.kind == "no_info" else "facts" if len(facts) == 1 else "topic"
    body = tuple(dict.fromkeys(when.body + where.body))
    return replace(when, kind=kind, body=body, facts=facts, sources=tuple(dict.fromkeys(when.sources + where.sources)))


def card_sources(engine: Engine, event_id: str, lang: str, now: dt.datetime) -> Answer | None:
    """Where an event card's statements come from (the card's "Source" button).

    Args:
        engine: the engine.
        event_id: the event.
        lang: the reader's language.
        now: the current time.

    Returns:
        The article's file name with the quotes behind the card's date, place and theme (the file alone when
        the card states none of them), or None for an unknown event.
    """
    event = engine.kb.event(event_id)
    card = engine.event_card(event_id, lang, now)
    if event is None or card is None:
        return None
    fact_ids = [f.fact for f in (event.dates, event.place, event.theme) if f is not None]
    facts = [fact for fact in (event.fact(i) for i in fact_ids) if fact is not None]
    refs = tuple(dict.fromkeys(SourceRef.of(f, engine.kb.articles) for f in facts)) or card.sources
    return replace(card, kind="facts", body=(), facts=tuple(f.id for f in facts), sources=refs)
