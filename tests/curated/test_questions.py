"""Attaching a question to a fact: the fact's full state plus the question; every edit keeps the questions."""

from __future__ import annotations

import pytest

from bot.curated.edits import EditError, event_set, fact_edit
from bot.curated.overlay import Overlay, apply_overlay
from bot.curated.questions import alternate_questions, attach_question, question_key
from bot.engine import Engine, Fact, KnowledgeBase


def merged_fact(kb: KnowledgeBase, edits: list, fact_id: str) -> Fact:  # type: ignore[type-arg]
    merged, problems = apply_overlay(kb, Overlay({}, {e.entity_id: (e.event_id, e.data) for e in edits}))
    assert problems == []
    found = next((f for e in merged.events for f in e.facts if f.id == fact_id), None)
    assert found is not None
    return found


def curated(kb: KnowledgeBase, fact_id: str) -> Fact:
    return next(f for e in kb.events for f in e.facts if f.id == fact_id)


def test_attach_adds_the_question_under_its_language_and_keeps_the_rest(engine: Engine) -> None:
    kb, before = engine.kb, curated(engine.kb, "wiotc_2023_countries")
    (edit,) = attach_question(kb, engine.index, "wiotc_2023_countries", "  c'était combien de  pays ? ")
    assert edit.action == "question_attach" and edit.entity == "fact" and edit.event_id == "wiotc_2023"
    assert edit.summary == "attached question (fr) to wiotc_2023_countries: c'était combien de pays ?"
    after = merged_fact(kb, [edit], "wiotc_2023_countries")
    assert after.questions["fr"] == (*before.questions["fr"], "c'était combien de pays ?")
    assert {k: v for k, v in after.questions.items() if k != "fr"} == {k: v for k, v in before.questions.items() if k != "fr"}
    assert (after.text, after.quote, after.topics, after.origin) == (before.text, before.quote, before.topics, before.origin)
    (thai,) = attach_question(kb, engine.index, "wiotc_2023_countries", "มีกี่ประเทศ", "th")
    assert "มีกี่ประเทศ" in merged_fact(kb, [thai], "wiotc_2023_countries").questions["th"]


def test_attach_refuses_what_it_cannot_do(engine: Engine) -> None:
    kb, index = engine.kb, engine.index
    taken = curated(kb, "wiotc_2023_countries").questions["en"][0]
    for fact_id, question, lang, message in (
        ("no_such_fact", "how many countries", None, "there is no fact 'no_such_fact'"),
        ("wiotc_2023_theme", taken.upper(), None, "is already an alternate question of fact wiotc_2023_countries"),
        ("wiotc_2023_theme", "\u200b ", None, "no visible characters"),
        ("wiotc_2023_theme", "x" * 301, None, "at most 300"),
        ("wiotc_2023_theme", "how many countries", "xx", "lang=xx is not one of"),
    ):
        with pytest.raises(EditError) as refused:
            attach_question(kb, index, fact_id, question, lang)
        assert message in kb.messages.get(refused.value.key, "en", **refused.value.values)


def test_every_question_has_one_owner(kb: KnowledgeBase) -> None:
    owners = alternate_questions(kb)
    total = sum(len(qs) for e in kb.events for qs in [*e.questions.values(), *(q for f in e.facts for q in f.questions.values())])
    assert len(owners) == total > 1000  # no two are the same (docs/data-format.md)
    assert question_key("  What  DAY was it? ") == "what day was it?"


def test_fact_edit_and_event_set_keep_the_questions(engine: Engine) -> None:
    kb, before = engine.kb, curated(engine.kb, "wiotc_2023_theme")
    assert before.questions and all(before.questions.values())
    edits = fact_edit(kb, engine.index, "wiotc_2023_theme | lang=en A new theme")
    assert merged_fact(kb, edits, "wiotc_2023_theme").questions == before.questions
    event = kb.event("wiotc_2023")
    assert event is not None and event.questions
    edits = event_set(kb, engine.index, "wiotc theme | lang=en A new theme")
    overlay = Overlay({e.entity_id: e.data for e in edits if e.entity == "event"}, {e.entity_id: (e.event_id, e.data) for e in edits if e.entity == "fact"})
    merged, problems = apply_overlay(kb, overlay)
    assert problems == [] and merged.event("wiotc_2023").questions == event.questions  # type: ignore[union-attr]
