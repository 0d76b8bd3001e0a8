"""Unit tests of the ranking's parts: text groups, lexical and semantic indexes, event spelling, units, the fits."""

from __future__ import annotations

import numpy as np
import pytest

from bot.engine import KnowledgeBase
from bot.engine.compose import Composer
from bot.engine.events import EventMatcher
from bot.engine.fitting import fit, fit_choice
from bot.engine.index import Index
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


def test_event_spelling_tolerates_typos_and_short_queries_are_not_inside_names(kb: KnowledgeBase) -> None:
    matcher = EventMatcher.build(kb.events)
    typo = matcher.similarity(Normalized.of("wuzhen sumit"))
    assert max(typo, key=lambda e: typo[e][1]) == "wic_wuzhen_2023"
    assert matcher.similarity(Normalized.of("when"))["wic_wuzhen_2023"][0] == 0.0  # "when" is not inside "wuzhen"


def test_a_name_without_its_small_words_is_still_the_name(kb: KnowledgeBase) -> None:
    matcher = EventMatcher.build(kb.events)
    for text, event in (("quand a eu lieu la convention mondiale iot", "wiotc_2023"), ("world internet things expo 2021", "world_iot_expo_2021")):
        assert [(h.event_id, h.named) for h in matcher.match(Normalized.of(text)).hits] == [(event, True)], text
    # One content word left is not a name: "the iot" names no event.
    assert not any(h.named for h in matcher.match(Normalized.of("what about the iot")).hits)


@pytest.mark.parametrize(
    ("text", "event", "residual"),
    [
        ("trien lam iot vo tick o dau", "world_iot_expo_2021", "o dau"),  # a typo in a syllable too short to fix alone
        ("triển lãm iot thế giới vô tick", "world_iot_expo_2021", ""),  # one name right, the next misspelled
        ("où est l'expo iot de wuxy", "world_iot_expo_2021", "où est l"),  # a four-letter word inside a longer name
        ("quand a eu lieu la convension mondialle de l'iot", "wiotc_2023", "quand a eu lieu la"),
        ("งานอู๋ชีจัดที่ไหน", "world_iot_expo_2021", "จัดที่ไหน"),  # Thai: the name run together with the question
    ],
)
def test_a_several_word_name_with_a_typo_is_still_the_name(kb: KnowledgeBase, text: str, event: str, residual: str) -> None:
    match = Index.build(kb).events.match(Normalized.of(text))
    assert [(h.event_id, h.named) for h in match.hits] == [(event, True)] and match.residual == residual, match


@pytest.mark.parametrize("text", ["toi vo tinh gap ban", "vô ích thôi", "world robot conference", "mobile world congress", "อยากกินข้าวมันไก่"])
def test_a_known_word_one_letter_from_a_name_is_not_taken_for_it(kb: KnowledgeBase, text: str) -> None:
    # "vô tình" (by chance) and "vô ích" (useless) are one letter from "vô tích" but spelled right: not Wuxi.
    assert not any(h.named for h in Index.build(kb).events.match(Normalized.of(text)).hits), text


def test_without_the_curated_words_every_unknown_run_may_be_a_misspelled_name(kb: KnowledgeBase) -> None:
    # The same phrase with and without the vocabulary: the known-word guard is what keeps "vo tinh" out.
    assert EventMatcher.build(kb.events).match(Normalized.of("toi vo tinh gap ban")).hits[0].event_id == "world_iot_expo_2021"


def test_a_thai_name_with_latin_words_is_taken_out_whole(kb: KnowledgeBase) -> None:
    match = EventMatcher.build(kb.events).match(Normalized.of("การประชุมiotโลกจัดที่ไหน"))
    assert match.hits[0].event_id == "wiotc_2023" and match.hits[0].named and match.residual == "จัดที่ไหน"


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


def test_the_binary_fit_is_calibrated_on_average() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(400, 3))
    y = rng.random(400) < 1 / (1 + np.exp(-(2 * x[:, 0] - 1)))
    coef, intercept = fit([x], [y])
    p = 1 / (1 + np.exp(-(x @ np.asarray(coef) + intercept)))
    assert abs(float(p.mean()) - float(y.mean())) < 0.02 and coef[0] > 1.0


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
