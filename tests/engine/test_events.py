"""Event matching: names and aliases as phrases, typos in words and in whole names, look-alikes that are not names."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import KnowledgeBase
from bot.engine.events import EventMatcher
from bot.engine.index import Index
from bot.engine.text import Normalized


@pytest.fixture(scope="module")
def matcher(kb: KnowledgeBase) -> EventMatcher:
    """The matcher as the engine builds it (with the curated vocabulary that tells typos from words)."""
    return Index.build(kb).events


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
def test_a_several_word_name_with_a_typo_is_still_the_name(matcher: EventMatcher, text: str, event: str, residual: str) -> None:
    match = matcher.match(Normalized.of(text))
    assert [(h.event_id, h.named) for h in match.hits] == [(event, True)] and match.residual == residual, match


@pytest.mark.parametrize("text", ["toi vo tinh gap ban", "vô ích thôi", "world robot conference", "mobile world congress", "อยากกินข้าวมันไก่"])
def test_a_known_word_one_letter_from_a_name_is_not_taken_for_it(matcher: EventMatcher, text: str) -> None:
    # "vô tình" (by chance) and "vô ích" (useless) are one letter from "vô tích" but spelled right: not Wuxi.
    assert not any(h.named for h in matcher.match(Normalized.of(text)).hits), text


def test_without_the_curated_words_every_unknown_run_may_be_a_misspelled_name(kb: KnowledgeBase) -> None:
    # The same phrase with and without the vocabulary: the known-word guard is what keeps "vo tinh" out.
    assert EventMatcher.build(kb.events).match(Normalized.of("toi vo tinh gap ban")).hits[0].event_id == "world_iot_expo_2021"


def test_a_thai_name_with_latin_words_is_taken_out_whole(kb: KnowledgeBase) -> None:
    match = EventMatcher.build(kb.events).match(Normalized.of("การประชุมiotโลกจัดที่ไหน"))
    assert match.hits[0].event_id == "wiotc_2023" and match.hits[0].named and match.residual == "จัดที่ไหน"


# fmt: off
WORDS = st.sampled_from([
    "vo", "tich", "tick", "trien", "lam", "iot", "the", "gioi", "wuxi", "wuxy", "expo", "de", "l", "world", "o", "tran",
    "hoi", "nghi", "when", "où", "2021", "2564", "อู๋ชี", "อู๋ซี", "งาน", "ที่ไหน", "xyzq",
])
# fmt: on


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(WORDS, max_size=12), extra=st.text(max_size=60))
def test_a_match_names_known_events_and_leaves_only_the_querys_own_words(matcher: EventMatcher, kb: KnowledgeBase, words: list[str], extra: str) -> None:
    text = Normalized.of(" ".join(words) + " " + extra)
    match = matcher.match(text)
    assert {h.event_id for h in match.hits} <= {e.id for e in kb.events}
    # The residual is the query less the naming words: never a word the query does not have (Thai runs may be split
    # where a name was cut out of them, so Thai is checked as text).
    own = set(text.exact_words)
    thai = "".join(w for w in text.exact_words if any("\u0e00" <= c <= "\u0e7f" for c in w))
    for word in Normalized.of(match.residual).exact_words:
        assert word in own or word in thai, (word, text.raw)
    # An exact name stays found whatever surrounds it.
    assert "world_iot_expo_2021" in {h.event_id for h in matcher.match(Normalized.of(" ".join([*words, "world iot expo"]))).hits if h.named}
