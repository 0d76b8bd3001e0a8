"""bot.engine.search (inline mode) and bot.engine.replies (named answers, re-telling in a chosen language)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.engine import LANGS, Engine
from bot.engine.replies import card_sources, chitchat, date_and_place, event_list
from bot.engine.search import search

NOW = dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC)


def test_empty_query_gives_every_card(engine: Engine) -> None:
    results = search(engine, "   ", "th", NOW)
    assert [r.event for r in results] == [e.id for e in engine.kb.events]
    assert all(r.kind == "summary" and r.lang == "th" for r in results)
    assert len(search(engine, "", "en", NOW, limit=2)) == 2
    assert search(engine, "", "en", NOW, limit=0) == []


def test_answer_first_then_matching_cards_without_duplicates(engine: Engine) -> None:
    results = search(engine, "how many IoT companies are in Wuxi?", "en", NOW)
    assert results[0].kind in ("facts", "topic") and "3,000" in " ".join(results[0].body)
    assert [(r.kind, r.event) for r in results[1:]] == [("summary", "world_iot_expo_2021")]
    # A bare name: the engine's answer is (or is next to) the card; the card appears once.
    names = search(engine, "WIOTC 2023", "en", NOW)
    assert [r.event for r in names if r.kind == "summary"] == ["wiotc_2023"]


def test_prefixes_aliases_and_languages(engine: Engine) -> None:
    assert [r.event for r in search(engine, "wuz", "en", NOW)] == ["wic_wuzhen_2023"]
    assert [r.event for r in search(engine, "อู๋", "en", NOW)] == ["world_iot_expo_2021"]
    assert search(engine, "อู๋", "en", NOW)[0].lang == "th"  # the query's language wins over the hint
    french = search(engine, "quel est le thème de la WIOTC 2023 ?", "en", NOW)
    # The theme: as the theme topic, or as the one fact on that topic.
    assert all(r.lang == "fr" for r in french) and (french[0].intent == "event_theme" or french[0].facts == ("wiotc_2023_theme",))


def test_ambiguous_query_gives_each_candidates_answer(engine: Engine) -> None:
    results = search(engine, "summit", "en", NOW)
    assert results and all(r.event for r in results)
    assert len({(r.kind, r.event, r.facts) for r in results}) == len(results)


def test_out_of_scope_and_limit(engine: Engine) -> None:
    assert search(engine, "what's the weather in Hanoi tomorrow", "en", NOW) == []
    assert len(search(engine, "internet", "en", NOW, limit=3)) <= 3
    assert search(engine, "x" * 10_000, "en", NOW) == []


def test_named_answers(engine: Engine) -> None:
    helped = chitchat(engine, "help", "vi", NOW, bot_name="Bot")
    assert helped is not None and helped.body[0].startswith("Tôi là Bot.")
    assert chitchat(engine, "event_when", "en", NOW) is None and chitchat(engine, "nope", "en", NOW) is None
    listing = event_list(engine, "fr", NOW)
    assert listing.body[0].startswith("Événements que je connais") and len(listing.body) == 6
    both = date_and_place(engine, "wic_wuzhen_2023", "en", NOW)
    assert both is not None and both.intent == "event_when"
    assert {"wic_wuzhen_2023_date", "wic_wuzhen_2023_place"} <= set(both.facts) and len(both.sources) == len(both.facts)
    sources = card_sources(engine, "wtisd_2021", "th", NOW)
    assert sources is not None and sources.sources and all(s.file == "002_9ac9868c79cd6dda.txt" and s.quote for s in sources.sources)
    assert date_and_place(engine, "nope", "en", NOW) is None and card_sources(engine, "nope", "en", NOW) is None


QUESTIONS = [
    "how many IoT companies are in Wuxi?", "hello", "thanks!", "when was the wuzhen summit 2019", "how much do tickets cost for wuzhen",
    "summit", "list events", "what is coming up next?", "and where?", "wuzhen", "who organized wiotc", "what is the weather",
    "is the world telecommunication day held every year?", "who spoke at wuzhen", "where was the itu digital world 2021",
]  # fmt: skip


@pytest.mark.parametrize("question", QUESTIONS)
def test_reply_lang_gives_the_same_answer_in_any_language(engine: Engine, question: str) -> None:
    answer = engine.answer(question, now=NOW, lang_hint="en")
    for lang in LANGS:
        told = engine.answer(question, now=NOW, lang_hint="en", reply_lang=lang)
        assert told.lang == lang
        same = (told.kind, told.event, told.facts, told.intent)
        assert same == (answer.kind, answer.event, answer.facts, answer.intent)
        assert [s.event_id for s in told.suggestions] == [s.event_id for s in answer.suggestions]
