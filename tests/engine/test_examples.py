"""Labelled questions as neighbours: the index, leaving a question out, deleted units, the shipped examples, both modes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.curated import CurationError
from bot.curated.ranker_file import examples_path, load_ranker, save_ranker, stale_examples
from bot.engine import Engine, KnowledgeBase
from bot.engine.examples import Example, ExampleIndex
from bot.engine.ranker import FEATURES
from bot.engine.text import Normalized
from bot.engine.units import build_units
from bot.labelled import Labelled
from bot.training import labelled_examples
from tests.conftest import NOW, RANKER_FILE, encoder, ranker

THEME = "fact:wtisd_2021:wtisd_2021_theme"
COLUMNS = [FEATURES.index(n) for n in ("sem_example", "sem_example_gap", "sem_example_declined", "sem_example_answered")]


def vector(text: str) -> np.ndarray:
    return encoder().queries([Normalized.of(text).exact])[0]


def index_of(kb: KnowledgeBase, examples: list[Example]) -> tuple[ExampleIndex, list[str]]:
    table = build_units(kb)
    built = ExampleIndex.build(encoder(), examples, table)
    assert built is not None
    return built, [u.key for u in table.units]


def test_a_question_is_nearest_to_its_own_unit_unless_left_out(kb: KnowledgeBase) -> None:
    theme_q = "what was the theme of telecom day 2021"
    built, keys = index_of(kb, [Example(theme_q, (THEME,)), Example("where can i buy cheap flights", ())])
    near = built.neighbours(vector(theme_q), len(keys))
    assert near.unit[keys.index(THEME)] == pytest.approx(1.0, abs=0.01)
    assert near.unit.argmax() == keys.index(THEME)
    assert near.declined < 0 and near.answered == pytest.approx(1.0, abs=0.01)
    # Training ranks a labelled question as a new one: its own example no longer counts.
    alone = built.neighbours(vector(theme_q), len(keys), leave_out=theme_q)
    assert alone.unit[keys.index(THEME)] < 0.99
    assert alone.declined == pytest.approx(0.0)  # only the question to decline is left: it is both nearest and the floor
    # Training also ranks some questions as if nobody had asked for their answer yet (an admin's new fact).
    unseen = built.neighbours(vector(theme_q), len(keys), unseen=[keys.index(THEME)])
    assert unseen.unit[keys.index(THEME)] == pytest.approx(alone.unit[keys.index(THEME)])
    flights = built.neighbours(vector("cheap flights to buy?"), len(keys))
    assert flights.declined > 0  # nearer the question to decline than the one to answer


def test_units_gone_from_the_knowledge_base_are_dropped_not_declined(kb: KnowledgeBase) -> None:
    built, keys = index_of(kb, [Example("q one", (THEME, "fact:wtisd_2021:no_such_fact")), Example("q two", ("fact:gone:gone",))])
    assert built.texts == ("q one",)
    assert list(built.pair_unit) == [keys.index(THEME)] and not built.declines.any()
    assert ExampleIndex.build(encoder(), [Example("q two", ("fact:gone:gone",))], build_units(kb)) is None


def test_labelled_examples_skip_follow_ups_and_keep_declines(kb: KnowledgeBase) -> None:
    queries = [
        Labelled("what was the 2021 theme of telecom day?", "en", "answer", "wtisd_2021", topic="theme"),
        Labelled("and where?", "en", "answer", "wtisd_2021", topic="where", context=("telecom day 2021",)),
        Labelled("best pizza in hanoi", "en", "out_of_scope"),
    ]
    examples = labelled_examples(kb, queries)
    assert [e.text for e in examples] == [queries[0].text, queries[2].text]
    assert THEME in examples[0].units and examples[1].units == ()


def test_the_shipped_examples_load_and_name_only_existing_units(kb: KnowledgeBase) -> None:
    examples = ranker().examples
    assert len(examples) > 1000
    assert stale_examples(kb, examples) == []
    assert stale_examples(kb, [Example("x", ("fact:gone:gone",))])[0].entry == "examples[0]"


def test_both_files_round_trip_and_a_bad_entry_is_named(tmp_path: Path) -> None:
    target = tmp_path / "ranker.json"
    model = replace(ranker(), examples=(Example("a question", (THEME,)), Example("to decline", ())))
    save_ranker(target, model, {"train": "test"})
    assert load_ranker(target).examples == model.examples
    examples_path(target).write_text(json.dumps({"version": 1, "examples": [{"text": "ok", "units": []}, {"text": 3}]}))
    with pytest.raises(CurationError) as raised:
        load_ranker(target)
    assert raised.value.problems[0].entry == "examples[1]"


def test_neighbour_features_only_with_the_encoder(engine: Engine, lexical_engine: Engine) -> None:
    query = "what was the theme of world telecommunication day 2021"
    assert np.abs(engine.rank(query, now=NOW).x[:, COLUMNS]).sum() > 0
    assert not lexical_engine.rank(query, now=NOW).x[:, COLUMNS].any()


def test_other_examples_rebuild_the_index(kb: KnowledgeBase) -> None:
    engine = Engine(kb, ranker(), encoder())
    before = engine.index
    engine.reweight(replace(ranker(), examples=ranker().examples[:10]))
    assert engine.index is not before and engine.index.examples is not None and len(engine.index.examples.texts) <= 10
    same = engine.index
    engine.reweight(replace(ranker(), examples=ranker().examples[:10]))
    assert engine.index is same
    assert RANKER_FILE.with_name("examples.json").is_file()


def test_shipped_vectors_are_the_encoders_own(kb: KnowledgeBase) -> None:
    model = ranker()
    assert model.example_vectors is not None and model.example_vectors.shape == (len(model.examples), 384)
    fresh = encoder().queries([Normalized.of(e.text).exact for e in model.examples[:20]])
    assert np.all(np.sum(fresh * model.example_vectors[:20], axis=1) > 0.999)


def test_vectors_of_another_encoder_or_other_examples_are_not_used(tmp_path: Path) -> None:
    target = tmp_path / "ranker.json"
    examples = (Example("a question", (THEME,)), Example("to decline", ()))
    vectors = encoder().queries([Normalized.of(e.text).exact for e in examples])
    save_ranker(target, replace(ranker(), examples=examples, example_vectors=vectors), {"train": "test"})
    loaded = load_ranker(target).example_vectors
    assert loaded is not None and np.allclose(loaded, vectors, atol=0.01)
    save_ranker(target, replace(ranker(), examples=examples, example_vectors=vectors, encoder_name="another-model"), {})
    doc = json.loads(target.read_text())
    doc["encoder"] = ranker().encoder_name
    target.write_text(json.dumps(doc))
    assert load_ranker(target).example_vectors is None  # made by another model: embedded again instead
    save_ranker(target, replace(ranker(), examples=examples[:1], example_vectors=None), {})
    assert load_ranker(target).example_vectors is None and not target.with_name("examples.npz").exists()
