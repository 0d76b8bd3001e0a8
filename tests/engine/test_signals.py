"""Unit tests of the ranking's parts: text groups, lexical and semantic indexes, units, the fits (events: test_events.py)."""

from __future__ import annotations

import numpy as np

from bot.engine import KnowledgeBase
from bot.engine.compose import Composer
from bot.engine.fitting import fit_choice
from bot.engine.lexical import LexicalIndex
from bot.engine.ranker import FEATURES, confidence_features
from bot.engine.semantic import BLOCK, Groups, SemanticIndex, quantize
from bot.engine.text import Normalized
from bot.engine.units import build_units
from tests.conftest import encoder


def test_groups_take_the_best_text_of_each_group_and_mark_empty_ones() -> None:
    layout = Groups.of([2, 0, 2], 4)
    values = np.array([0.1, 0.9, 0.4], dtype=np.float32)[layout.order]
    assert layout.best(values, -1.0).tolist() == [np.float32(0.9), -1.0, np.float32(0.4), -1.0]


def test_lexical_index_cosine_coverage_and_content() -> None:
    index = LexicalIndex.build([(0, "wuxi has more than 3,000 iot companies"), (1, "the theme was a shared future"), (1, "beidou satellites")], 3)
    cos, cover, _, _ = index.group_scores(Normalized.of("wuxi has more than 3,000 iot companies"))
    assert abs(float(cos[0]) - 1.0) < 1e-5 and float(cover[0]) > 0.99 and float(cos[1]) < 0.2 and float(cos[2]) == 0.0
    # A question made only of general words covers no text's content.
    specific = index.specificity(["when was it", "when is it held", "where was it"])
    _, _, _, general = index.group_scores(Normalized.of("when was it"), specific)
    _, _, content, specific_share = index.group_scores(Normalized.of("beidou satellites"), specific)
    assert general < 0.6 and specific_share == 1.0 and abs(float(content[1]) - 1.0) < 1e-5


def test_semantic_index_finds_a_translation() -> None:
    texts = [(0, "Wuxi has more than 3,000 IoT companies."), (1, "Xi Jinping spoke by video link.")]
    index = SemanticIndex.build(encoder(), [], texts, 2)
    scores = index.group_scores(encoder().queries(["อู๋ซีมีบริษัท IoT กี่แห่ง"])[0])
    assert scores[0] > scores[1]


def test_int8_rows_keep_cosines_within_two_thousandths_across_blocks() -> None:
    rng = np.random.default_rng(3)
    rows = rng.standard_normal((BLOCK + 500, 384)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    query = rows[7] * 0.6 + rows[BLOCK + 3] * 0.8
    query /= np.linalg.norm(query)
    codes, scales = quantize(rows)
    assert codes.dtype == np.int8 and codes.nbytes * 4 == rows.nbytes
    index = SemanticIndex(codes, scales, Groups.of(list(range(len(rows))), len(rows)))
    exact = rows @ query
    assert float(np.abs(index.cosines(query) - exact).max()) < 0.002
    assert int(np.argmax(index.group_scores(query))) == int(np.argmax(exact)) == BLOCK + 3  # past the first block


def test_units_cover_every_answer_and_mark_silent_topics(kb: KnowledgeBase) -> None:
    table = build_units(kb)
    topics = [i for i in kb.intents if i.kind == "event_topic"]
    chat = [i for i in kb.intents if i.kind in ("chitchat", "list_events", "upcoming")]
    facts = sum(len(e.facts) for e in kb.events)
    assert len(table.units) == facts + len(kb.events) * (1 + len(topics)) + len(chat)
    silent = {(u.event_id, u.topic) for u in table.units if u.kind == "topic" and not u.has_answer}
    assert ("itu_digital_world_2021", "where") in silent  # its article names no place
    assert all(u.has_answer for u in table.units if u.kind == "topic" and u.topic == "recurrence")


def test_the_choice_fit_learns_which_feature_marks_the_right_unit() -> None:
    rng = np.random.default_rng(1)
    rows, labels = [], []
    for _ in range(60):
        x = rng.normal(size=(8, len(FEATURES)))
        right = np.zeros(8, dtype=bool)
        right[int(np.argmax(x[:, 3]))] = True  # column 3 decides
        rows.append(x)
        labels.append(right)
    coef, _ = fit_choice(rows, labels)
    assert int(np.argmax(coef)) == 3


def test_the_margin_is_over_the_best_unit_about_another_event() -> None:
    x = np.zeros((3, len(FEATURES)))
    z = np.array([5.0, 4.9, 1.0])
    row = confidence_features(x, z, np.array([0, 0, 1], dtype=np.int32))
    assert row[0] == 5.0 and row[1] == 4.0  # the fact and the topic answer of one event are not rivals


def test_the_event_list_gives_date_and_city(kb: KnowledgeBase) -> None:
    lines = Composer(kb).event_lines("en")
    assert any("8 November 2023" in line and "Wuzhen" in line.split("—")[1] for line in lines)
    assert any(line.endswith(", Beijing") for line in lines)


def test_fit_choice_stays_finite_when_a_right_unit_is_far_behind() -> None:
    # One query whose right unit scores far below its best unit once the weights grow: exp() of that difference
    # rounds to 0, and the gradient must not become 0/0 (it did, and the refit wrote NaN weights).
    from bot.engine.fitting import fit_choice

    rng = np.random.default_rng(3)
    rows, labels = [], []
    for _ in range(40):
        x = rng.normal(size=(6, 2))
        x[0, 0] += 6.0  # the right unit is the one with a high first feature
        rows.append(x)
        labels.append(np.array([True, False, False, False, False, False]))
    odd = np.zeros((6, 2))
    odd[1, 0] = 1e6  # ...except here, where a wrong unit has it far higher
    rows.append(odd)
    labels.append(np.array([True, False, False, False, False, False]))
    weights, intercept = fit_choice(rows, labels)
    assert all(np.isfinite(weights)) and np.isfinite(intercept)
