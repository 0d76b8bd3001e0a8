"""Turn loaded YAML documents into domain values, collecting every problem on the way."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast

from bot.curated.problems import Problem
from bot.curated.reader import ADMIN, CURATED, ORIGINS, Reader, parse_date
from bot.engine.model import (
    EVENT_KINDS,
    INTENT_KINDS,
    TOPICS,
    Event,
    EventDates,
    Fact,
    Intent,
    IntentKind,
    LocalText,
    Recurrence,
    Sourced,
)


def parse_fact(reader: Reader, raw: object, entry: str, event_id: str) -> Fact | None:
    """One fact; None when it is unusable."""
    doc = reader.mapping(raw, entry)
    if doc.get("origin") == ADMIN and not reader.partial:
        reader = Reader(reader.file, reader.problems, partial=True)
    fact_id = reader.ident(doc.get("id"), f"{entry}.id")
    entry = f"fact {fact_id}" if fact_id else entry
    topics = tuple(str(t) for t in reader.seq(doc.get("topics"), f"{entry}.topics", required=True))
    for topic in topics:
        if topic not in TOPICS:
            reader.bad(f"{entry}.topics", f"unknown topic {topic!r} (use {', '.join(TOPICS)})")
    if not topics:
        reader.bad(f"{entry}.topics", "needs at least one topic")
    text = reader.local(doc.get("text"), f"{entry}.text")
    source = reader.text(doc.get("source"), f"{entry}.source")
    quote = reader.text(doc.get("quote"), f"{entry}.quote")
    keywords = tuple(k for k in (reader.text(v, f"{entry}.keywords") for v in reader.seq(doc.get("keywords"), f"{entry}.keywords")) if k)
    origin = str(doc.get("origin", CURATED))
    if origin not in ORIGINS:
        reader.bad(f"{entry}.origin", f"{origin!r} must be one of {', '.join(ORIGINS)}")
    added = parse_date(reader, doc.get("added"), f"{entry}.added")
    if fact_id is None or text is None or source is None or quote is None:
        return None
    questions = reader.phrases(doc["questions"], f"{entry}.questions", minimum=0) if doc.get("questions") is not None else {}
    return Fact(fact_id, event_id, topics, text, source, quote, keywords, origin, questions, added)


def _sourced(reader: Reader, raw: object, entry: str, *, role: bool = False) -> Sourced | None:
    doc = reader.mapping(raw, entry)
    text = reader.local(doc.get("text", doc.get("name")), f"{entry}.{'name' if 'name' in doc else 'text'}")
    fact = reader.ident(doc.get("fact"), f"{entry}.fact")
    role_text = reader.local(doc.get("role"), f"{entry}.role", required=False) if role else None
    return Sourced(text, fact, role_text) if text is not None and fact is not None else None


def _recurrence(reader: Reader, raw: object) -> Recurrence:
    doc = reader.mapping(raw, "recurrence", required=False)
    rule = doc.get("rule", "unknown")
    if rule not in ("annual", "annual_fixed_date", "unknown"):
        reader.bad("recurrence.rule", f"{rule!r} must be annual, annual_fixed_date or unknown")
        return Recurrence("unknown")
    fact = reader.ident(doc.get("fact"), "recurrence.fact") if rule != "unknown" else None
    since = doc.get("since")
    if since is not None and not isinstance(since, int):
        reader.bad("recurrence.since", f"{since!r} must be a year")
        since = None
    month_day: tuple[int, int] | None = None
    if rule == "annual_fixed_date":
        match = re.fullmatch(r"(\d{2})-(\d{2})", str(doc.get("month_day", "")))
        if match is None:
            reader.bad("recurrence.month_day", 'annual_fixed_date needs month_day as "MM-DD"')
            return Recurrence("unknown")
        month_day = (int(match.group(1)), int(match.group(2)))
    return Recurrence(rule, since, month_day, fact)


def _dates(reader: Reader, raw: object, year: int) -> EventDates | None:
    doc = reader.mapping(raw, "dates", required=False)
    if not doc:
        return None
    start, end = parse_date(reader, doc.get("start"), "dates.start"), parse_date(reader, doc.get("end"), "dates.end")
    precision = doc.get("precision", "day")
    if precision not in ("day", "month", "year"):
        reader.bad("dates.precision", f"{precision!r} must be day, month or year")
        precision = "year"
    if precision == "year" and (start or end):
        reader.bad("dates", "precision year means only the year is known: omit start and end instead of inventing a day")
    if precision != "year" and start is None:
        reader.bad("dates.start", f"precision {precision} needs a start date")
    if start and end and end < start:
        reader.bad("dates.end", "is before dates.start")
    if start and start.year != year:
        reader.bad("dates.start", f"year {start.year} differs from the event's year {year}")
    fact = reader.ident(doc.get("fact"), "dates.fact")
    return EventDates(start, end, precision, fact) if fact else None


def parse_event(doc: Mapping[str, Any], file: str, problems: list[Problem]) -> Event | None:
    """One knowledge file as an Event.

    Args:
        doc: the loaded YAML document.
        file: its file name, for problems.
        problems: where problems are appended.

    Returns:
        The Event, or None when it is too broken to use.
    """
    reader = Reader(file, problems, partial=doc.get("origin") == ADMIN)
    reader.version(doc)
    event_id = reader.ident(doc.get("id"), "id")
    kind = doc.get("kind")
    if kind not in EVENT_KINDS:
        reader.bad("kind", f"{kind!r} must be one of {', '.join(EVENT_KINDS)}")
    year = doc.get("year")
    if not isinstance(year, int) or not 1900 <= year <= 2200:
        reader.bad("year", f"{year!r} must be a CE year")
        year = 0
    edition = doc.get("edition")
    if edition is not None and not isinstance(edition, int):
        reader.bad("edition", f"{edition!r} must be a whole number or null")
        edition = None
    names = reader.phrases(doc.get("names"), "names")
    summary = reader.local(doc.get("summary"), "summary")
    facts = tuple(
        f for i, raw in enumerate(reader.seq(doc.get("facts"), "facts", required=True)) if (f := parse_fact(reader, raw, f"facts[{i}]", event_id or ""))
    )
    aliases = tuple(a for a in (reader.text(v, f"aliases[{i}]") for i, v in enumerate(reader.seq(doc.get("aliases"), "aliases"))) if a)
    place = _sourced(reader, doc["place"], "place") if doc.get("place") is not None else None
    theme = _sourced(reader, doc["theme"], "theme") if doc.get("theme") is not None else None
    organizers = tuple(s for i, r in enumerate(reader.seq(doc.get("organizers"), "organizers")) if (s := _sourced(reader, r, f"organizers[{i}]")))
    people = tuple(s for i, r in enumerate(reader.seq(doc.get("people"), "people")) if (s := _sourced(reader, r, f"people[{i}]", role=True)))
    event = Event(
        id=event_id or "",
        kind=str(kind),
        year=year,
        names=names,
        summary=summary or LocalText(()),
        facts=facts,
        source=str(doc.get("source", "")),
        edition=edition,
        aliases=aliases,
        dates=_dates(reader, doc.get("dates"), year),
        place=place,
        recurrence=_recurrence(reader, doc.get("recurrence")),
        theme=theme,
        organizers=organizers,
        people=people,
        origin=ADMIN if reader.partial else CURATED,
        questions=reader.phrases(doc["questions"], "questions", minimum=0) if doc.get("questions") is not None else {},
    )
    fact_ids = {f.id for f in facts}
    refs = [("dates.fact", event.dates.fact if event.dates else None), ("recurrence.fact", event.recurrence.fact)]
    refs += [("place.fact", place.fact if place else None), ("theme.fact", theme.fact if theme else None)]
    refs += [(f"organizers[{i}].fact", s.fact) for i, s in enumerate(organizers)]
    refs += [(f"people[{i}].fact", s.fact) for i, s in enumerate(people)]
    for entry, ref in refs:
        if ref is not None and ref not in fact_ids:
            reader.bad(entry, f"refers to fact {ref!r}, which this file does not define")
    return event if event_id and summary else None


def parse_intents(doc: Mapping[str, Any], file: str, problems: list[Problem]) -> list[Intent]:
    """The intents of one intents file.

    Args:
        doc: the loaded YAML document.
        file: its file name, for problems.
        problems: where problems are appended.

    Returns:
        The usable intents.
    """
    reader = Reader(file, problems)
    reader.version(doc)
    out: list[Intent] = []
    for i, raw in enumerate(reader.seq(doc.get("intents"), "intents", required=True)):
        entry = reader.mapping(raw, f"intents[{i}]")
        intent_id = reader.ident(entry.get("id"), f"intents[{i}].id")
        where = f"intent {intent_id}" if intent_id else f"intents[{i}]"
        kind = entry.get("kind")
        if kind not in INTENT_KINDS:
            reader.bad(f"{where}.kind", f"{kind!r} must be one of {', '.join(INTENT_KINDS)}")
            continue
        topic = entry.get("topic")
        if kind == "event_topic" and topic not in TOPICS:
            reader.bad(f"{where}.topic", f"{topic!r} must be one of {', '.join(TOPICS)}")
            continue
        examples = reader.phrases(entry.get("examples"), f"{where}.examples", minimum=3)
        responses = reader.phrases(entry.get("responses"), f"{where}.responses") if kind == "chitchat" else {}
        if intent_id:
            out.append(Intent(intent_id, cast(IntentKind, kind), examples, responses, topic if kind == "event_topic" else None))
    return out
