"""Golden questions in four languages, conversation context, ambiguity, honesty, and index swaps."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.engine import Context, Engine, KnowledgeBase
from bot.engine import engine as engine_module
from bot.engine.model import Fact, LocalText
from tests.conftest import NOW, fresh_engine

# (question, language of the reply, expected event, a fact id the answer must include or None, intent or None)
GOLDEN = [
    ("how many IoT companies are in Wuxi?", "en", "world_iot_expo_2021", "world_iot_expo_2021_wuxi_companies", None),
    ("When did the Wuzhen summit take place?", "en", "wic_wuzhen_2023", "wic_wuzhen_2023_date", None),
    ("tell me about wuzhen", "en", "wic_wuzhen_2023", None, "event_summary"),
    ("what was the theme of the WIOTC 2023", "en", "wiotc_2023", "wiotc_2023_theme", None),
    ("who organised itu digital world 2021", "en", "itu_digital_world_2021", "itu_digital_world_2021_organizers", None),
    ("how many iot conections worldwide by 2030 according to wiotc", "en", "wiotc_2023", "wiotc_2023_iot_connections_2030", None),
    ("งานอู๋ซีจัดที่ไหน", "th", "world_iot_expo_2021", "world_iot_expo_2021_place", None),
    ("การประชุมอูเจิ้นจัดวันไหน", "th", "wic_wuzhen_2023", "wic_wuzhen_2023_date", None),
    ("world iot expo 2564 มีการลงนามกี่โครงการ", "th", "world_iot_expo_2021", "world_iot_expo_2021_signed_projects", None),
    ("สรุปงาน WIOTC ให้หน่อย", "th", "wiotc_2023", None, "event_summary"),
    ("hoi nghi o tran to chuc khi nao", "vi", "wic_wuzhen_2023", "wic_wuzhen_2023_date", None),
    ("Hội nghị Ô Trấn tổ chức ở đâu?", "vi", "wic_wuzhen_2023", "wic_wuzhen_2023_place", None),
    ("chu de ngay vien thong the gioi 2021 la gi", "vi", "wtisd_2021", "wtisd_2021_theme", None),
    ("Vô Tích có bao nhiêu doanh nghiệp IoT", "vi", "world_iot_expo_2021", "world_iot_expo_2021_wuxi_companies", None),
    ("quel est le thème de la WIOTC 2023 ?", "fr", "wiotc_2023", "wiotc_2023_theme", None),
    ("combien de stations de base 5G en Chine selon la WIOTC", "fr", "wiotc_2023", "wiotc_2023_china_5g_base_stations", None),
    pytest.param(
        "ou se tenait la convention mondiale de l'iot",
        "fr",
        "wiotc_2023",
        "wiotc_2023_place",
        None,
        # Known limit: the Wuxi expo's alternate question "où se tenait la World IoT Expo ?" matches word for word
        # once names are set aside, and the WIOTC card (which shows the place) or that fact can outrank this one.
        marks=pytest.mark.xfail(reason="a generic alternate question of another event competes with the named one", strict=False),
    ),
    ("parle-moi du sommet de Wuzhen", "fr", "wic_wuzhen_2023", None, "event_summary"),
]

OUT_OF_SCOPE = [
    "what's the weather like in Bangkok tomorrow",
    "give me a good recipe for banana bread",
    "who won the champions league final",
    "how much is bitcoin worth right now",
    "when is CES 2025 in Las Vegas",
    "อากาศที่เชียงใหม่วันนี้เป็นยังไง",
    "gia vang hom nay bao nhieu",
    "quel temps fera-t-il à Lyon ce week-end",
    # "thủ đô" (capital) lies near "thành phố" (city) for the encoder: answered with Wuxi's "city of IoT" fact until the
    # training split had more questions to decline.
    "thủ đô của Peru là gì?",
    "how much does a ticket to the wuzhen summit cost",
    "when was the 2019 wuzhen summit",
]


@pytest.mark.parametrize(("question", "lang", "event", "fact", "intent"), GOLDEN)
def test_golden_questions(engine: Engine, question: str, lang: str, event: str, fact: str | None, intent: str | None) -> None:
    answer = engine.answer(question, now=NOW)
    assert not answer.fallback, answer
    assert answer.lang == lang
    assert answer.event == event
    if fact:
        assert fact in answer.facts
        source = engine.index.facts[fact]
        assert any(s.quote == source.quote and s.file == source.source for s in answer.sources)
    if intent:
        assert answer.intent == intent


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_gets_the_fallback(engine: Engine, question: str) -> None:
    answer = engine.answer(question, now=NOW)
    assert answer.fallback, answer
    assert not answer.facts


def test_fallback_says_what_the_bot_knows(engine: Engine, kb: KnowledgeBase) -> None:
    # Which questions are declined is test_out_of_scope_gets_the_fallback's job; this one checks the reply's content.
    answer = engine.answer(OUT_OF_SCOPE[1], now=NOW)
    assert answer.kind == "fallback"
    # One short sentence; every event is offered as a suggestion (a button opening its card).
    assert len(answer.body) == 1 and len(answer.body[0]) < 160
    assert [(s.label, s.event_id, s.intent_id) for s in answer.suggestions] == [(e.name("en"), e.id, "event_summary") for e in kb.events]
    for lang in ("th", "vi", "fr"):
        local = engine.answer(OUT_OF_SCOPE[1], now=NOW, reply_lang=lang)
        assert local.body == (kb.messages.get("fallback", lang),) and [s.label for s in local.suggestions] == [e.name(lang) for e in kb.events]


@pytest.mark.parametrize(("text", "intent"), [("👍", "reaction"), ("🎉🎉", "reaction"), ("…!", "reaction"), ("?", "nudge"), ("  ", "nudge"), ("", "nudge")])
def test_a_message_without_words_gets_a_small_reply(engine: Engine, kb: KnowledgeBase, text: str, intent: str) -> None:
    answer = engine.answer(text, now=NOW, lang_hint="fr")
    assert (answer.kind, answer.intent, answer.lang, answer.fallback) == ("chitchat", intent, "fr", False)
    assert answer.body == (kb.messages.get(f"reply_{intent}", "fr"),) and not answer.suggestions and not answer.facts


@pytest.mark.parametrize(("text", "lang"), [("ok", "en"), ("okay", "en"), ("thanks", "en"), ("โอเค", "th"), ("d'accord", "fr"), ("được rồi", "vi")])
def test_small_acknowledgements_get_a_small_reply(engine: Engine, text: str, lang: str) -> None:
    answer = engine.answer(text, now=NOW)
    assert (answer.kind, answer.intent, answer.lang) == ("chitchat", "thanks", lang) and len(answer.body[0]) < 80


def test_follow_up_uses_conversation_context(engine: Engine) -> None:
    first = engine.answer("When was the Wuzhen summit?", now=NOW)
    assert first.context is not None and first.context.event_id == "wic_wuzhen_2023"
    follow = engine.answer("and where?", now=NOW + dt.timedelta(minutes=1), context=first.context)
    assert follow.event == "wic_wuzhen_2023"
    assert "wic_wuzhen_2023_place" in follow.facts


def test_context_expires(engine: Engine) -> None:
    first = engine.answer("When was the Wuzhen summit?", now=NOW)
    later = engine.answer("and where?", now=NOW + dt.timedelta(minutes=30), context=first.context)
    assert later.event != "wic_wuzhen_2023"


def test_bare_when_without_context_asks_which_event(engine: Engine) -> None:
    answer = engine.answer("when?", now=NOW)
    assert answer.event is None
    assert not answer.facts


def test_a_question_that_fits_several_events_asks_which_one(engine: Engine) -> None:
    answer = engine.answer("and where?", now=NOW)
    assert answer.kind == "fallback" and len(answer.suggestions) == 5  # "which event?" with every event as a button
    assert all(s.intent_id == "event_where" for s in answer.suggestions)


def test_reply_language_follows_text_not_hint(engine: Engine) -> None:
    assert engine.answer("Hội nghị Ô Trấn tổ chức ở đâu?", now=NOW, lang_hint="en").lang == "vi"
    # A bare name says nothing about the language: the hint decides.
    assert engine.answer("wiotc", now=NOW, lang_hint="th").lang == "th"
    assert engine.answer("wiotc", now=NOW, lang_hint="fr-CA").lang == "fr"


def test_buddhist_era_year_matches_the_ce_edition(engine: Engine) -> None:
    be = engine.answer("world iot expo 2564 จัดที่ไหน", now=NOW)
    assert be.event == "world_iot_expo_2021" and not be.fallback


def test_next_annual_fixed_date_is_computed_from_now(engine: Engine) -> None:
    answer = engine.answer("when is the next world telecommunication day", now=NOW)
    assert answer.kind == "next"
    assert "17 May 2027" in answer.body[0]
    assert answer.sources and answer.sources[0].file.startswith("002_")


def test_unknown_next_edition_is_said_honestly(engine: Engine) -> None:
    answer = engine.answer("will the world iot expo in wuxi happen again?", now=NOW)
    assert answer.event == "world_iot_expo_2021"
    assert "don't say" in " ".join(answer.body)


def test_topic_missing_from_sources_is_said_honestly(engine: Engine) -> None:
    answer = engine.answer("where did ITU Digital World 2021 take place?", now=NOW)
    assert answer.kind == "no_info" and answer.event == "itu_digital_world_2021"


def test_swap_changes_answers_atomically(kb: KnowledgeBase) -> None:
    engine = fresh_engine(kb)
    event = kb.event("wtisd_2021")
    assert event is not None
    extra = Fact(
        id="wtisd_2021_mascot",
        event_id=event.id,
        topics=("background",),
        text=LocalText.of({"en": "The WTISD 2021 mascot was a purple zebra named Zuzu."}),
        source="admin",
        quote="purple zebra",
    )
    edited = dataclasses.replace(kb, events=tuple(dataclasses.replace(e, facts=(*e.facts, extra)) if e is event else e for e in kb.events))
    before = engine.answer("what was the wtisd 2021 mascot purple zebra called", now=NOW)
    old_index = engine.index
    engine.swap(edited)
    assert engine.index is not old_index
    after = engine.answer("what was the wtisd 2021 mascot purple zebra called", now=NOW)
    assert "wtisd_2021_mascot" not in before.facts
    assert "wtisd_2021_mascot" in after.facts
    # Asked in Vietnamese, the English-only fact is still found and shown with an untranslated note.
    vi = engine.answer("linh vật của ngày viễn thông thế giới 2021 tên là gì, con purple zebra?", now=NOW)
    assert "wtisd_2021_mascot" in vi.facts and vi.lang == "vi"
    assert "Zuzu" in vi.body[0] and vi.body[0] != extra.text.pick("en")[0]


def test_context_is_per_conversation_value(engine: Engine) -> None:
    ctx = Context("wiotc_2023", "event_when", NOW)
    answer = engine.answer("what was the theme?", now=NOW, context=ctx)
    assert answer.event == "wiotc_2023" and "wiotc_2023_theme" in answer.facts


@pytest.mark.parametrize("text", ["ฉั", "ค", "x", "zq"])
def test_a_letter_or_two_that_is_no_known_word_gets_the_invitation_to_ask(engine: Engine, text: str) -> None:
    answer = engine.answer(text, now=NOW)
    assert answer.kind == "chitchat" and answer.intent == "nudge" and not answer.facts, (text, answer.kind)


def test_known_short_words_are_still_read_and_the_limit_matters(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    assert engine.answer("hi", now=NOW).intent == "greeting"
    monkeypatch.setattr(engine_module, "TINY", 0)
    assert engine.answer("zq", now=NOW).intent != "nudge"
