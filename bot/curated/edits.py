"""Admin commands turned into edits of the knowledge: pure parsing and validation, no storage.

Each function takes the knowledge base in use and the command's argument text, and returns the
:class:`Edit` values to store, or raises :class:`EditError` with a message for the admin. An edit is the
full new state of one fact or of one event's fields, so storing, undoing and re-applying it is exact.
An edit written in one language sets that language's text; the others keep theirs (the reply says so).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from bot.curated.export import event_to_doc, fact_to_doc
from bot.curated.reader import ADMIN, ID_RE
from bot.curated.visible import has_visible
from bot.engine.index import Index
from bot.engine.language import detect_language
from bot.engine.model import EVENT_KINDS, LANGS, TOPICS, Event, Fact, KnowledgeBase
from bot.engine.text import Normalized

MAX_TEXT = 1000
MAX_NAME = 200
FIELDS = ("date", "place", "theme", "names", "summary")
_LANG_PREFIX = re.compile(r"^lang\s*=\s*([a-z]{2})\s+(.+)$", re.DOTALL)
_OPTION = re.compile(r"^(source|topics|lang|kind|year)\s*=\s*(.+)$", re.DOTALL)


class EditError(ValueError):
    """The command cannot be carried out as written: ``key`` names the text saying what is wrong (``edit_<key>`` in
    intents/admin_messages.yaml, in the admin's language), ``values`` fill its placeholders."""

    def __init__(self, name: str, /, **values: object) -> None:
        super().__init__(name, values)
        self.key, self.values = f"edit_{name}", values


@dataclass(frozen=True)
class Edit:
    """The new state of one entry (None: deleted), with what the change was."""

    action: str
    entity: Literal["fact", "event"]
    entity_id: str
    event_id: str
    data: Mapping[str, Any] | None
    summary: str


@dataclass(frozen=True)
class Parsed:
    """A command's parts: positional parts split on "|", and key=value options."""

    parts: tuple[str, ...]
    options: Mapping[str, str]


def split_args(text: str, positional: int) -> Parsed:
    """Split "a | b | key=value" into parts and options.

    Args:
        text: the command's argument text.
        positional: how many leading parts are required.

    Returns:
        The parts and options.

    Raises:
        EditError: when parts are missing or an option is unknown or repeated.
    """
    pieces = [p.strip() for p in text.split("|")]
    parts: list[str] = []
    options: dict[str, str] = {}
    for piece in pieces:
        match = _OPTION.match(piece) if len(parts) >= positional else None
        if match:
            key = match.group(1)
            if key in options:
                raise EditError("option_twice", key=key)
            options[key] = match.group(2).strip()
        elif piece or len(parts) < positional:
            parts.append(piece)
    if len(parts) < positional or any(not p for p in parts[:positional]):
        raise EditError("parts", count=positional)
    return Parsed(tuple(parts), options)


def _text_and_lang(text: str, index: Index, lang_option: str | None) -> tuple[str, str]:
    match = _LANG_PREFIX.match(text.strip())
    lang = lang_option
    if match:
        lang, text = match.group(1), match.group(2)
    text = " ".join(text.split())
    if not text:
        raise EditError("text_empty")
    if not has_visible(text):
        raise EditError("text_invisible")
    if len(text) > MAX_TEXT:
        raise EditError("text_long", length=len(text), limit=MAX_TEXT)
    if lang is not None and lang not in LANGS:
        raise EditError("bad_lang", lang=lang, langs=", ".join(LANGS))
    return text, lang or detect_language(Normalized.of(text), index.language)


def resolve_event(kb: KnowledgeBase, index: Index, ref: str) -> Event:
    """The event an admin means: its id, or any name or alias the bot recognizes.

    Args:
        kb: the knowledge base in use.
        index: its index.
        ref: what the admin wrote.

    Returns:
        The event.

    Raises:
        EditError: when nothing or more than one event matches.
    """
    event = kb.event(ref.strip())
    if event is not None:
        return event
    hits = [h for h in index.events.match(Normalized.of(ref)).hits if h.score >= 0.5]
    if not hits:
        raise EditError("no_event", ref=ref.strip(), ids=", ".join(e.id for e in kb.events))
    if len(hits) > 1 and hits[1].score >= 0.85 * hits[0].score:
        raise EditError("many_events", ref=ref.strip(), ids=", ".join(h.event_id for h in hits[:4]))
    found = kb.event(hits[0].event_id)
    assert found is not None
    return found


def find_fact(kb: KnowledgeBase, fact_id: str) -> tuple[Event, Fact]:
    """The fact with this id and its event.

    Raises:
        EditError: when there is none.
    """
    for event in kb.events:
        fact = event.fact(fact_id.strip())
        if fact is not None:
            return event, fact
    raise EditError("no_fact", id=fact_id.strip())


def _topics(value: str | None, default: list[str]) -> list[str]:
    if value is None:
        return default
    topics = [t.strip() for t in value.split(",") if t.strip()]
    bad = [t for t in topics if t not in TOPICS]
    if bad or not topics:
        raise EditError("bad_topics", topics=", ".join(TOPICS))
    return topics


def _source(value: str | None) -> str:
    source = (value or "admin").strip()
    if len(source) > MAX_NAME:
        raise EditError("source_long", limit=MAX_NAME)
    return source


def fact_add(kb: KnowledgeBase, index: Index, args: str) -> list[Edit]:
    """``/fact_add <event> | [lang=xx] <text> [| source=...] [| topics=a,b]``."""
    parsed = split_args(args, 2)
    event = resolve_event(kb, index, parsed.parts[0])
    text, lang = _text_and_lang(" | ".join(parsed.parts[1:]), index, parsed.options.get("lang"))
    taken = {f.id for e in kb.events for f in e.facts}
    number = next(n for n in range(1, len(taken) + 2) if f"{event.id}_admin_{n}" not in taken)
    fact_id = f"{event.id}_admin_{number}"
    data = {"id": fact_id, "topics": _topics(parsed.options.get("topics"), ["background"]), "text": {lang: text}}
    data |= {"source": _source(parsed.options.get("source")), "quote": text, "origin": ADMIN}
    return [Edit("fact_add", "fact", fact_id, event.id, data, f"added {fact_id} ({lang}): {text}")]


def fact_edit(kb: KnowledgeBase, index: Index, args: str) -> list[Edit]:
    """``/fact_edit <fact_id> | [lang=xx] <text> [| source=...] [| topics=a,b]``."""
    parsed = split_args(args, 2)
    event, fact = find_fact(kb, parsed.parts[0])
    text, lang = _text_and_lang(" | ".join(parsed.parts[1:]), index, parsed.options.get("lang"))
    data = fact_to_doc(fact)
    data["text"] = {**data["text"], lang: text}
    data["topics"] = _topics(parsed.options.get("topics"), list(fact.topics))
    data |= {"source": _source(parsed.options.get("source") or fact.source), "origin": ADMIN}
    if fact.origin == ADMIN or parsed.options.get("source"):
        data["quote"] = text
    return [Edit("fact_edit", "fact", fact.id, event.id, data, f"edited {fact.id} ({lang}): {text}")]


def fact_del(kb: KnowledgeBase, args: str) -> list[Edit]:
    """``/fact_del <fact_id>``."""
    event, fact = find_fact(kb, split_args(args, 1).parts[0])
    return [Edit("fact_del", "fact", fact.id, event.id, None, f"deleted {fact.id}: {fact.text.pick('en')[0]}")]


def event_add(kb: KnowledgeBase, index: Index, args: str, today: dt.date) -> list[Edit]:
    """``/event_add <id> | <name> [| kind=summit|iot-expo|itu-event] [| year=YYYY]``."""
    parsed = split_args(args, 2)
    event_id, name = parsed.parts[0].strip(), " ".join(" | ".join(parsed.parts[1:]).split())
    if not ID_RE.match(event_id) or len(event_id) > 64:
        raise EditError("bad_id", id=event_id)
    if kb.event(event_id) is not None:
        raise EditError("event_exists", id=event_id)
    if not name or len(name) > MAX_NAME or not has_visible(name):
        raise EditError("bad_name", limit=MAX_NAME)
    kind = parsed.options.get("kind", "summit")
    if kind not in EVENT_KINDS:
        raise EditError("bad_kind", kinds=", ".join(EVENT_KINDS))
    years = re.findall(r"(?<!\d)(?:19|20|21)\d{2}(?!\d)", f"{parsed.options.get('year', '')} {event_id} {name}")
    year = int(years[0]) if years else today.year
    lang = detect_language(Normalized.of(name), index.language)
    data = {"version": 1, "id": event_id, "origin": ADMIN, "kind": kind, "year": year, "names": {lang: [name]}, "summary": {lang: name}}
    return [Edit("event_add", "event", event_id, event_id, data | {"aliases": []}, f"added event {event_id} ({kind}, {year}): {name}")]


def _date_range(value: str) -> tuple[dt.date, dt.date | None]:
    parts = re.split(r"\s*(?:\.\.|/|–| to )\s*", value.strip())
    try:
        dates = [dt.date.fromisoformat(p) for p in parts if p]
    except ValueError:
        raise EditError("bad_date", value=value.strip()) from None
    if not 1 <= len(dates) <= 2 or (len(dates) == 2 and dates[1] < dates[0]):
        raise EditError("date_order")
    return dates[0], dates[1] if len(dates) == 2 else None


def event_set(kb: KnowledgeBase, index: Index, args: str) -> list[Edit]:
    """``/event_set <event> <field> | [lang=xx] <value>`` for date, place, theme, names (";"-separated), summary."""
    parsed = split_args(args, 2)
    head = parsed.parts[0].rsplit(maxsplit=1)
    if len(head) != 2 or head[1].lower() not in FIELDS:
        raise EditError("bad_field", fields=", ".join(FIELDS))
    event, field = resolve_event(kb, index, head[0]), head[1].lower()
    value, lang = _text_and_lang(" | ".join(parsed.parts[1:]), index, parsed.options.get("lang"))
    doc = event_to_doc(event, with_facts=False) | {"origin": ADMIN}
    fact_id = f"{event.id}_admin_{field}"
    topic = {"date": "when", "place": "where", "theme": "theme"}.get(field)
    edits: list[Edit] = []
    if field == "date":
        start, end = _date_range(value)
        doc["year"] = start.year
        doc["dates"] = {"start": start.isoformat(), "precision": "day", "fact": fact_id} | ({"end": end.isoformat()} if end else {})
    elif field in ("place", "theme"):
        old = doc.get(field, {}).get("text", {})
        doc[field] = {"text": {**old, lang: value}, "fact": fact_id}
    elif field == "names":
        names = [n.strip() for n in value.split(";") if n.strip()]
        if any(len(n) > MAX_NAME for n in names):
            raise EditError("name_long", limit=MAX_NAME)
        doc["names"] = {**doc["names"], lang: names}
    else:
        doc["summary"] = {**doc["summary"], lang: value}
    if topic is not None:
        existing = event.fact(fact_id)
        texts = {**(dict(existing.text.texts()) if existing else {}), lang: value}
        fact = {
            "id": fact_id,
            "topics": [topic],
            "text": texts,
            "source": _source(parsed.options.get("source")),
            "quote": value,
            "origin": ADMIN,
        }
        edits.append(Edit("event_set", "fact", fact_id, event.id, fact, f"{field} fact of {event.id} ({lang}): {value}"))
    edits.append(Edit("event_set", "event", event.id, event.id, doc, f"set {field} of {event.id} ({lang}): {value}"))
    return edits


def dated(edits: list[Edit], today: dt.date) -> list[Edit]:
    """The edits with each admin fact that has no ``added`` day yet stamped with today (readers see "added on").

    Args:
        edits: computed edits.
        today: the day they are stored.

    Returns:
        The edits; a fact keeps the day it was first added when it is edited again.
    """
    stamped = []
    for edit in edits:
        data = edit.data
        undated = edit.entity == "fact" and data is not None and data.get("origin") == ADMIN and not data.get("added")
        stamped.append(replace(edit, data={**data, "added": today.isoformat()}) if undated and data is not None else edit)
    return stamped
