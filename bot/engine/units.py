"""Every answer the bot can give, as one flat list of units to rank, and the text groups they are matched by.

A unit is a fact, an event's card, an event's answer on one topic (which may be "my sources don't say"),
a chit-chat intent, the event list or upcoming events. Texts are grouped by what they describe (a fact's
four translations and alternate questions, an intent's examples, an event's alternate questions);
a unit is scored by its groups, so a topic's examples are matched once for every event.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt

from bot.engine.model import Event, KnowledgeBase
from bot.engine.slots import SLOTS, card_slots, fact_slots, topic_slots

UnitKind = Literal["fact", "card", "topic", "chitchat", "list", "upcoming"]
UNIT_KINDS: tuple[UnitKind, ...] = ("fact", "card", "topic", "chitchat", "list", "upcoming")
_INTENT_UNIT: dict[str, UnitKind] = {"chitchat": "chitchat", "list_events": "list", "upcoming": "upcoming"}
_YEAR = re.compile(r"(?<!\d)(19[9]\d|20\d\d|25\d\d)(?!\d)")
#: Groups per unit at most (a card: the summary intent and the event's own questions).
MAX_GROUPS = 2
#: Topics per fact at most that count for topic similarity.
MAX_TOPICS = 3


@dataclass(frozen=True)
class Unit:
    """One answer candidate."""

    kind: UnitKind
    event_id: str | None = None
    intent_id: str | None = None  # the topic intent, the chit-chat intent, event_summary for a card
    fact_id: str | None = None
    topic: str | None = None
    has_answer: bool = True  # False for a topic the sources say nothing about ("my sources don't say")

    @property
    def key(self) -> str:
        """A stable name, used in logs, evaluation reports and training labels."""
        return ":".join(p for p in (self.kind, self.event_id, self.fact_id or self.intent_id) if p)


@dataclass(frozen=True)
class TextGroup:
    """Texts that describe one thing: matched as questions (examples) or statements (fact texts)."""

    questions: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()  # lexical only: single words say little to a sentence encoder


@dataclass(frozen=True)
class UnitTable:
    """The units, their groups, and per-unit arrays the ranker computes features from."""

    units: tuple[Unit, ...]
    groups: tuple[TextGroup, ...]
    unit_groups: npt.NDArray[np.int32]  # (units, MAX_GROUPS), padded with the empty group (index len(groups))
    topic_groups: npt.NDArray[np.int32]  # (units, MAX_TOPICS): a fact's topics' intent groups, padded likewise
    oos_group: int  # the out-of-scope examples' group (the empty group when there are none)
    event_ids: tuple[str, ...]
    event_years: tuple[int, ...]  # event number → the year of the edition the sources cover
    unit_event: npt.NDArray[np.int32]  # unit → event number, -1 for units about no event
    unit_years: tuple[frozenset[int], ...]  # years a unit's texts mention (another edition may be asked about)
    #: The kinds of detail each unit gives (bot/engine/slots.py: a day, a count, a person's name...).
    unit_slots: tuple[frozenset[str], ...] = ()

    @property
    def empty_group(self) -> int:
        """The group index that stands for "no group" (always scores 0)."""
        return len(self.groups)

    # Per-unit arrays every query's features read: built once per table, not once per query (at 10,000 facts a
    # list comprehension over the units per query cost more than the scoring itself).
    @cached_property
    def kinds(self) -> npt.NDArray[np.str_]:
        """Each unit's kind."""
        return np.array([u.kind for u in self.units])

    @cached_property
    def empty_topic(self) -> npt.NDArray[np.bool_]:
        """Units that are topics the sources say nothing about."""
        return np.array([not u.has_answer for u in self.units], dtype=bool)

    @cached_property
    def unit_event_year(self) -> npt.NDArray[np.int32]:
        """Each unit's edition year (0 for units about no event)."""
        years = np.asarray([*self.event_years, 0], dtype=np.int32)
        return years[self.unit_event]  # -1 indexes the trailing 0

    @cached_property
    def mentions(self) -> dict[int, npt.NDArray[np.bool_]]:
        """Year → which units' texts mention it."""
        found: dict[int, npt.NDArray[np.bool_]] = {}
        for i, years in enumerate(self.unit_years):
            for year in years:
                found.setdefault(year, np.zeros(len(self.units), dtype=bool))[i] = True
        return found

    @cached_property
    def slot_matrix(self) -> npt.NDArray[np.bool_]:
        """(units, len(SLOTS)): which kinds of detail each unit gives."""
        given = np.zeros((len(self.units), len(SLOTS)), dtype=bool)
        for i, slots in enumerate(self.unit_slots):
            for slot in slots:
                given[i, SLOTS.index(slot)] = True
        return given

    def mentioning(self, year: int) -> npt.NDArray[np.bool_]:
        """Which units' texts mention ``year``."""
        found = self.mentions.get(year)
        return found if found is not None else np.zeros(len(self.units), dtype=bool)

    def per_unit(self, by_event: Mapping[int, float]) -> npt.NDArray[np.float64]:
        """A value per event number spread over the units (0 for other events and units about none)."""
        lut = np.zeros(len(self.event_ids) + 1)
        for event, value in by_event.items():
            lut[event] = value
        return lut[self.unit_event]  # -1 indexes the trailing 0


def _years(texts: Sequence[str]) -> frozenset[int]:
    found = {int(m.group(1)) for t in texts for m in _YEAR.finditer(t)}
    return frozenset(y - 543 if y >= 2500 else y for y in found)


def build_units(kb: KnowledgeBase) -> UnitTable:
    """Lay out the units and text groups of a knowledge base.

    Args:
        kb: the knowledge base.

    Returns:
        The table; its order is deterministic (knowledge order), so fitted weights and tests are stable.
    """
    groups: list[TextGroup] = []
    intent_group: dict[str, int] = {}
    for intent in kb.intents:
        intent_group[intent.id] = len(groups)
        groups.append(TextGroup(questions=tuple(x for xs in intent.examples.values() for x in xs)))
    topic_intents = {i.topic: i.id for i in kb.intents if i.kind == "event_topic" and i.topic}
    empty = -1  # replaced by len(groups) once every group is known
    units: list[Unit] = []
    rows: list[list[int]] = []
    topic_rows: list[list[int]] = []
    years: list[frozenset[int]] = []
    slots: list[frozenset[str]] = []
    event_ids = tuple(e.id for e in kb.events)

    def add(unit: Unit, unit_groups: list[int], topics: Sequence[int] = (), texts: Sequence[str] = (), gives: frozenset[str] = frozenset()) -> None:
        units.append(unit)
        slots.append(gives)
        rows.append((unit_groups + [empty] * MAX_GROUPS)[:MAX_GROUPS])
        topic_rows.append((list(topics) + [empty] * MAX_TOPICS)[:MAX_TOPICS])
        years.append(_years(texts))

    for event in kb.events:
        for fact in event.facts:
            texts = tuple(t for _, t in fact.text.texts())
            gid = len(groups)
            groups.append(TextGroup(tuple(q for qs in fact.questions.values() for q in qs), texts, fact.keywords))
            topics = [intent_group[topic_intents[t]] for t in fact.topics if t in topic_intents]
            unit = Unit("fact", event.id, fact_id=fact.id, topic=fact.topics[0] if fact.topics else None)
            add(unit, [gid], topics, texts, fact_slots(event, fact, kb.messages.months))
        card_groups = [intent_group["event_summary"]] if "event_summary" in intent_group else []
        questions = tuple(q for qs in event.questions.values() for q in qs)
        if questions:
            card_groups.append(len(groups))
            groups.append(TextGroup(questions=questions))
        add(Unit("card", event.id, intent_id="event_summary"), card_groups, gives=card_slots(event))
        for intent in kb.intents:
            if intent.kind == "event_topic" and intent.topic:
                has_answer = _has_topic(event, intent.topic)
                unit = Unit("topic", event.id, intent.id, topic=intent.topic, has_answer=has_answer)
                add(unit, [intent_group[intent.id]], gives=topic_slots(event, intent.topic, has_answer))
    for intent in kb.intents:
        if intent.kind in _INTENT_UNIT:
            add(Unit(_INTENT_UNIT[intent.kind], intent_id=intent.id), [intent_group[intent.id]])
    pad = len(groups)
    event_number = {e: i for i, e in enumerate(event_ids)}
    return UnitTable(
        units=tuple(units),
        groups=tuple(groups),
        unit_groups=np.asarray([[pad if g == empty else g for g in r] for r in rows], dtype=np.int32).reshape(len(units), MAX_GROUPS),
        topic_groups=np.asarray([[pad if g == empty else g for g in r] for r in topic_rows], dtype=np.int32).reshape(len(units), MAX_TOPICS),
        oos_group=next((intent_group[i.id] for i in kb.intents if i.kind == "out_of_scope"), pad),
        event_ids=event_ids,
        event_years=tuple(e.year for e in kb.events),
        unit_event=np.asarray([event_number[u.event_id] if u.event_id else -1 for u in units], dtype=np.int32),
        unit_years=tuple(years),
        unit_slots=tuple(slots),
    )


def _has_topic(event: Event, topic: str) -> bool:
    """Whether the sources say anything on a topic (the recurrence answer always says what is known)."""
    return topic == "recurrence" or any(topic in f.topics for f in event.facts)
