"""Answers a chat front end asks for by name (commands, buttons), and an answer re-told in another language.

Pure and synchronous, like the rest of the engine. :func:`retell` exists because :meth:`Engine.answer` picks the
reply language from the text; a user who chose a language with /lang gets the same answer composed in that
language instead (matching does not depend on the language, only composing does).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace

from bot.engine.answer import Answer, AnswerKind, SourceRef
from bot.engine.compose import Composer
from bot.engine.engine import Engine
from bot.engine.model import Event

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


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
    refs = tuple(dict.fromkeys(SourceRef(f.source, f.quote) for f in facts)) or card.sources
    return replace(card, kind="facts", body=(), facts=tuple(f.id for f in facts), sources=refs)


def _asked_year(question: str, event: Event) -> int | None:
    years = [int(y) for y in _YEAR.findall(question) if 1990 <= int(y) <= 2100 and int(y) != event.year]
    return min(years) if years else None


def retell(engine: Engine, answer: Answer, lang: str, now: dt.datetime, *, question: str = "", bot_name: str = "SummitBot") -> Answer:
    """The same answer composed in another language.

    Args:
        engine: the engine that gave the answer.
        answer: the answer, in whatever language the question was written.
        lang: the language wanted (the user's /lang choice).
        now: the current time.
        question: the question the answer is for (chitchat varies with it; "other edition" answers name its year).
        bot_name: fills ``{bot}`` in chitchat.

    Returns:
        The answer in ``lang`` with the same kind, event, facts, sources and context; the answer itself when it
        is already in ``lang`` or cannot be re-composed (e.g. the knowledge base changed in between).
    """
    if answer.lang == lang:
        return answer
    kb, compose = engine.kb, _composer(engine, bot_name)
    intents = engine.index.intents
    event = kb.event(answer.event) if answer.event else None
    conf, kind = answer.confidence, answer.kind
    make: Callable[[str], Answer] | None = None
    chat_intent = intents.get(answer.intent or "")
    if kind == "chitchat" and chat_intent is not None:
        intent = chat_intent
        make = lambda to: compose.chitchat(intent, to, conf, question, now)  # noqa: E731
    elif kind == "summary" and event is not None:
        make = lambda to: compose.summary(event, to, conf, now, answer.intent or "event_summary")  # noqa: E731
    elif kind in ("facts", "topic") and event is not None:
        facts = [f for f in (event.fact(i) for i in answer.facts) if f is not None]
        make = lambda to: compose.facts(event, facts, to, answer.intent or "event_fact", conf, now)  # noqa: E731
    elif kind == "next" and event is not None:
        make = lambda to: compose.next(event, answer.intent or "event_next", to, conf, now)  # noqa: E731
    elif kind == "list":
        make = lambda to: compose.list_events(to, conf, now)  # noqa: E731
    elif kind == "upcoming":
        make = lambda to: compose.upcoming(to, conf, now)  # noqa: E731
    elif answer.suggestions:
        events = [e for e in (kb.event(s.event_id) for s in answer.suggestions) if e is not None]
        make = lambda to: compose.which_event(to, answer.suggestions[0].intent_id, conf, events)  # noqa: E731
    elif kind == "no_info" and event is not None:
        make = _no_info_maker(engine, compose, answer, event, question, now)
    elif kind == "fallback":
        make = lambda to: compose.fallback(to, conf, now, intent=answer.intent)  # noqa: E731
    if make is None:
        return answer
    return replace(make(lang), context=answer.context, debug=answer.debug)


def _no_info_maker(
    engine: Engine, compose: Composer, answer: Answer, event: Event, question: str, now: dt.datetime
) -> Callable[[str], Answer] | None:
    """Which of the three "my sources don't say" answers this is: found by composing each in its language."""
    conf = answer.confidence
    options: list[Callable[[str], Answer]] = []
    intent = engine.index.intents.get(answer.intent or "")
    if intent is not None and intent.topic:
        topic, intent_id = intent.topic, intent.id
        options.append(lambda to: compose.topic(event, topic, intent_id, to, conf, now))
    year = _asked_year(question, event)
    if year is not None:
        options.append(lambda to: compose.other_edition(event, year, to, conf, now))
    options.append(lambda to: compose.fallback(to, conf, now, event=event, intent=answer.intent))
    return next((make for make in options if make(answer.lang).body == answer.body), None)
