"""Domain values: events, facts, intents and the bot's own sentences, all immutable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

LANGS: tuple[str, ...] = ("en", "th", "vi", "fr")
DEFAULT_LANG = "en"
EVENT_KINDS: tuple[str, ...] = ("summit", "iot-expo", "itu-event")
TOPICS: tuple[str, ...] = (
    "when",
    "where",
    "organizers",
    "speakers",
    "theme",
    "figures",
    "program",
    "initiatives",
    "recurrence",
    "participants",
    "background",
)
IntentKind = Literal["chitchat", "event_topic", "event_summary", "list_events", "upcoming", "out_of_scope"]
INTENT_KINDS: tuple[str, ...] = ("chitchat", "event_topic", "event_summary", "list_events", "upcoming", "out_of_scope")


@dataclass(frozen=True)
class LocalText:
    """One text in several languages; missing languages fall back to English, then to any."""

    items: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, values: Mapping[str, str]) -> LocalText:
        """Build from a mapping, keeping the canonical language order.

        Args:
            values: language code → text; empty texts are dropped.

        Returns:
            The LocalText.
        """
        ordered = [(lang, values[lang]) for lang in LANGS if values.get(lang)]
        extra = [(k, v) for k, v in values.items() if k not in LANGS and v]
        return cls(tuple(ordered + extra))

    def get(self, lang: str) -> str | None:
        """The text in exactly this language, or None."""
        return next((text for code, text in self.items if code == lang), None)

    def pick(self, lang: str) -> tuple[str, str]:
        """The best text for a reader of ``lang``.

        Args:
            lang: the wanted language.

        Returns:
            (text, language of that text): the wanted one, else English, else the first there is.
        """
        for want in (lang, DEFAULT_LANG):
            text = self.get(want)
            if text is not None:
                return text, want
        return (self.items[0][1], self.items[0][0]) if self.items else ("", lang)

    def texts(self) -> Iterable[tuple[str, str]]:
        """All (language, text) pairs."""
        return iter(self.items)


@dataclass(frozen=True)
class Fact:
    """One atomic, sourced statement about an event."""

    id: str
    event_id: str
    topics: tuple[str, ...]
    text: LocalText
    source: str
    quote: str
    keywords: tuple[str, ...] = ()
    origin: str = "curated"  # or "admin": added in Telegram, may exist in one language only
    #: Alternate questions per language that this fact answers (like QnA Maker's), where it is hard to find.
    questions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: For an admin's fact: the day it was added in Telegram (None for curated facts, or when not recorded).
    added: dt.date | None = None


@dataclass(frozen=True)
class Article:
    """What a reader needs to know about a source article (knowledge/sources.yaml): only what the article gives."""

    file: str
    lang: str
    title: str | None = None
    outlet: str | None = None
    published: dt.date | None = None


@dataclass(frozen=True)
class EventDates:
    """When an event took place, as precisely as its article says."""

    start: dt.date | None
    end: dt.date | None
    precision: Literal["day", "month", "year"]
    fact: str


@dataclass(frozen=True)
class Recurrence:
    """What the article says about the event repeating."""

    rule: Literal["annual", "annual_fixed_date", "unknown"]
    since: int | None = None
    month_day: tuple[int, int] | None = None
    fact: str | None = None


@dataclass(frozen=True)
class Sourced:
    """A short localized value (place, theme, a name) with the fact that sources it."""

    text: LocalText
    fact: str
    role: LocalText | None = None


@dataclass(frozen=True)
class Event:
    """An event with its names, structured fields, summary and facts."""

    id: str
    kind: str
    year: int
    names: Mapping[str, tuple[str, ...]]
    summary: LocalText
    facts: tuple[Fact, ...]
    source: str = ""
    edition: int | None = None
    aliases: tuple[str, ...] = ()
    dates: EventDates | None = None
    place: Sourced | None = None
    recurrence: Recurrence = field(default_factory=lambda: Recurrence("unknown"))
    theme: Sourced | None = None
    organizers: tuple[Sourced, ...] = ()
    people: tuple[Sourced, ...] = ()
    origin: str = "curated"  # or "admin": added in Telegram
    #: Alternate questions per language that the event's card answers.
    questions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def name(self, lang: str) -> str:
        """Display name in a language, falling back to English.

        Args:
            lang: the reader's language.

        Returns:
            The first listed name in that language (or English, or the id).
        """
        for want in (lang, DEFAULT_LANG):
            if self.names.get(want):
                return self.names[want][0]
        return self.id

    def fact(self, fact_id: str) -> Fact | None:
        """The fact with this id, or None."""
        return next((f for f in self.facts if f.id == fact_id), None)


@dataclass(frozen=True)
class Intent:
    """A curated intent: how people ask, and for chitchat what the bot says."""

    id: str
    kind: IntentKind
    examples: Mapping[str, tuple[str, ...]]
    responses: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    topic: str | None = None


@dataclass(frozen=True)
class Messages:
    """The bot's own sentences per language (fallbacks, labels, month names...)."""

    table: Mapping[str, LocalText]
    months: Mapping[str, tuple[str, ...]]

    def get(self, key: str, lang: str, /, **values: object) -> str:
        """A sentence in a language, with placeholders filled.

        Args:
            key: the key of a text in intents/ (declared in bot/curated/text_catalog.py).
            lang: the reader's language (English when that one is missing).
            **values: placeholder values.

        Returns:
            The formatted sentence.

        Raises:
            KeyError: when there is no such text; the loader refuses a knowledge base without every declared text,
                so this is a key missing from the catalog (a bug), and never shown to a user as a raw key.
        """
        entry = self.table.get(key)
        if entry is None:
            raise KeyError(f"no text {key!r} in intents/ (declare it in bot/curated/text_catalog.py)")
        text, _ = entry.pick(lang)
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text


def labelled(label: str, value: str, lang: str) -> str:
    """ "Label: value", with the colon French typography wants (a no-break space before it).

    Args:
        label: the localized label.
        value: the value.
        lang: the reader's language.

    Returns:
        The joined text.
    """
    return f"{label}\u00a0: {value}" if lang == "fr" else f"{label}: {value}"


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything curated: events, intents and messages, as loaded and validated."""

    events: tuple[Event, ...]
    intents: tuple[Intent, ...]
    messages: Messages
    #: Source file name → its metadata.
    articles: Mapping[str, Article] = field(default_factory=dict)

    def event(self, event_id: str) -> Event | None:
        """The event with this id, or None."""
        return next((e for e in self.events if e.id == event_id), None)
