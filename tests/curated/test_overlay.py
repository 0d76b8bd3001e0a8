"""Admin edits over the YAML baseline: export round trip, add/edit/delete by id, re-seed keeps edits."""

from __future__ import annotations

import dataclasses

import yaml

from bot.curated.export import dump_yaml, event_to_doc
from bot.curated.overlay import Overlay, apply_overlay
from bot.curated.parse import parse_event
from bot.engine import KnowledgeBase


def admin_fact(fact_id: str, event_id: str, text: str, lang: str = "en") -> tuple[str, dict[str, object]]:
    doc = {"id": fact_id, "topics": ["background"], "text": {lang: text}, "source": "admin", "quote": text, "origin": "admin"}
    return event_id, doc


def test_export_round_trips_every_event(kb: KnowledgeBase) -> None:
    for event in kb.events:
        problems: list = []  # type: ignore[type-arg]
        assert parse_event(yaml.safe_load(dump_yaml(event_to_doc(event))), "x", problems) == event
        assert problems == []


def test_empty_overlay_is_the_baseline(kb: KnowledgeBase) -> None:
    assert apply_overlay(kb, Overlay()) == (kb, [])


def test_add_edit_delete_by_id(kb: KnowledgeBase) -> None:
    edited_text = "The WIOTC 2023 theme, as edited by an admin."
    theme = kb.event("wiotc_2023").fact("wiotc_2023_theme")  # type: ignore[union-attr]
    assert theme is not None
    edit = {**event_to_doc(kb.event("wiotc_2023"))["facts"][0], "id": "wiotc_2023_theme", "text": {"en": edited_text}, "origin": "admin"}  # type: ignore[arg-type]
    overlay = Overlay(
        facts={
            "wiotc_2023_extra": admin_fact("wiotc_2023_extra", "wiotc_2023", "Nouveau fait ajouté par un admin.", "fr"),
            "wiotc_2023_theme": ("wiotc_2023", {**edit, "topics": ["theme"]}),
            "wtisd_2021_closing_wishes": ("wtisd_2021", None),
        }
    )
    merged, problems = apply_overlay(kb, overlay)
    assert problems == []
    wiotc = merged.event("wiotc_2023")
    assert wiotc is not None
    assert wiotc.fact("wiotc_2023_extra") is not None and wiotc.fact("wiotc_2023_extra").text.get("fr")  # type: ignore[union-attr]
    assert wiotc.fact("wiotc_2023_theme").text.pick("en")[0] == edited_text  # type: ignore[union-attr]
    assert merged.event("wtisd_2021").fact("wtisd_2021_closing_wishes") is None  # type: ignore[union-attr]


def test_reseed_keeps_edits_and_reports_orphans(kb: KnowledgeBase) -> None:
    overlay = Overlay(facts={"gone_event_fact": admin_fact("gone_event_fact", "wtisd_2021", "An admin fact.")})
    # The YAML changes under the overlay: an unrelated fact disappears from the baseline, and later the event too.
    wtisd = kb.event("wtisd_2021")
    assert wtisd is not None
    smaller = dataclasses.replace(kb, events=tuple(dataclasses.replace(e, facts=e.facts[:-1]) if e is wtisd else e for e in kb.events))
    merged, problems = apply_overlay(smaller, overlay)
    assert merged.event("wtisd_2021").fact("gone_event_fact") is not None and problems == []  # type: ignore[union-attr]
    without = dataclasses.replace(kb, events=tuple(e for e in kb.events if e is not wtisd))
    merged, problems = apply_overlay(without, overlay)
    assert merged.event("wtisd_2021") is None
    assert any("no longer exists" in p.message for p in problems)


def test_deleting_a_referenced_fact_is_a_problem(kb: KnowledgeBase) -> None:
    _, problems = apply_overlay(kb, Overlay(facts={"wiotc_2023_place": ("wiotc_2023", None)}))
    assert any("place.fact" in p.entry for p in problems)
