"""Language detection: script and letters first, then words; the hint only when the text does not tell (or is a bare English name)."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.engine.language import detect_language
from bot.engine.text import Normalized
from tests.conftest import NOW


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("when is the summit", "en"),
        ("how many companies are there", "en"),
        ("งานจัดที่ไหนครับ", "th"),
        ("wuzhen จัดเมื่อไหร่", "th"),
        ("hội nghị diễn ra khi nào", "vi"),
        ("hoi nghi dien ra khi nao", "vi"),
        ("co bao nhieu doanh nghiep", "vi"),
        ("c'est quand la conférence", "fr"),
        ("ou se tient la convention", "fr"),
        ("quel est le theme", "fr"),
    ],
)
def test_detects_language(engine: Engine, text: str, lang: str) -> None:
    assert detect_language(Normalized.of(text), engine.index.language) == lang


@pytest.mark.parametrize("hint", ["en", "th", "vi", "fr"])
def test_hint_decides_for_names_and_numbers(engine: Engine, hint: str) -> None:
    for text in ("WIOTC", "2023", "🙂", ""):
        assert detect_language(Normalized.of(text), engine.index.language, hint) == hint


def test_unknown_hint_falls_back_to_english(engine: Engine) -> None:
    assert detect_language(Normalized.of("wuxi"), engine.index.language, "de") == "en"


@pytest.mark.parametrize("hint", ["th", "vi", "fr"])
def test_an_english_name_alone_defers_to_the_hint(engine: Engine, hint: str) -> None:
    """People write the events' English names in every language: a name alone does not say the reader wants English."""
    for text in ("World IoT Convention 2023", "Wuzhen Summit", "world internet conference"):
        assert detect_language(Normalized.of(text), engine.index.language, hint) == "en"  # as words, they are English
        assert detect_language(Normalized.of(text), engine.index.language, hint, name_only=True) == hint


@pytest.mark.parametrize(("text", "lang"), [("Triển lãm IoT Vô Tích", "vi"), ("Journée mondiale des télécommunications", "fr"), ("มหกรรมไอโอทีโลก", "th")])
def test_a_name_in_other_words_keeps_its_language(engine: Engine, text: str, lang: str) -> None:
    assert detect_language(Normalized.of(text), engine.index.language, "en", name_only=True) == lang


@pytest.mark.parametrize("hint", ["vi", "fr"])
def test_a_bare_english_name_gets_the_card_in_the_users_language(engine: Engine, hint: str) -> None:
    answer = engine.answer("World IoT Convention 2023", now=NOW, lang_hint=hint)
    assert (answer.kind, answer.event, answer.lang) == ("summary", "wiotc_2023", hint)
    asked = engine.answer("when was the World IoT Convention 2023", now=NOW, lang_hint=hint)
    assert asked.lang == "en"  # a question in English words is answered in English, whatever the hint
