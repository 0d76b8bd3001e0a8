"""Admin command arguments: every input gives edits or a clear EditError, never another exception."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.curated.edits import EditError, event_add, event_set, fact_add, fact_del, fact_edit, split_args
from bot.curated.overlay import Overlay, apply_overlay
from bot.engine import Engine

ARGS = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda a, b, c: f"{a} | {b} | {c}", st.sampled_from(["wiotc", "wuzhen", "atlantis", "wtisd_2021", ""]), st.text(max_size=80), st.text(max_size=40)
    ),
    st.builds(lambda f, v: f"wiotc {f} | {v}", st.sampled_from(["date", "place", "theme", "names", "summary", "nope"]), st.text(max_size=60)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=ARGS)
def test_commands_never_crash(engine: Engine, args: str) -> None:
    kb, index = engine.kb, engine.index
    for make in (
        lambda: fact_add(kb, index, args),
        lambda: fact_edit(kb, index, args),
        lambda: fact_del(kb, args),
        lambda: event_add(kb, index, args, dt.date(2026, 11, 22)),
        lambda: event_set(kb, index, args),
    ):
        try:
            edits = make()
        except EditError as exc:
            assert kb.messages.get(exc.key, "en", **exc.values)  # a text exists for every refusal, its placeholders filled
            continue
        # Whatever is accepted is a well-formed overlay: applying it never raises.
        overlay = Overlay(
            {e.entity_id: e.data for e in edits if e.entity == "event"},
            {e.entity_id: (e.event_id, e.data) for e in edits if e.entity == "fact"},
        )
        apply_overlay(kb, overlay)


def test_split_args() -> None:
    parsed = split_args("wiotc | some text | source=https://x | topics=when", 2)
    assert parsed.parts == ("wiotc", "some text") and parsed.options == {"source": "https://x", "topics": "when"}
    with pytest.raises(EditError) as parts:
        split_args("only one", 2)
    assert (parts.value.key, parts.value.values) == ("edit_parts", {"count": 2})
    with pytest.raises(EditError) as twice:
        split_args("a | b | source=1 | source=2", 2)
    assert (twice.value.key, twice.value.values) == ("edit_option_twice", {"key": "source"})


def test_fact_add_detects_language_and_names_the_event(engine: Engine) -> None:
    (edit,) = fact_add(engine.kb, engine.index, "Ô Trấn | Hội nghị năm nay có thêm khu trưng bày robot.")
    assert edit.event_id == "wic_wuzhen_2023" and edit.data is not None and list(edit.data["text"]) == ["vi"]
    with pytest.raises(EditError) as topics:
        fact_add(engine.kb, engine.index, "wiotc | text | topics=gossip")
    assert topics.value.key == "edit_bad_topics"


def test_event_set_date_validation(engine: Engine) -> None:
    edits = event_set(engine.kb, engine.index, "wiotc date | 2023-12-01..2023-12-03")
    event = next(e for e in edits if e.entity == "event")
    assert event.data is not None and event.data["dates"]["start"] == "2023-12-01" and event.data["dates"]["end"] == "2023-12-03"
    for bad in ("2023-13-01", "2023-12-03..2023-12-01", "soon"):
        with pytest.raises(EditError):
            event_set(engine.kb, engine.index, f"wiotc date | {bad}")
