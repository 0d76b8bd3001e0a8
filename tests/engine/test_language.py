"""Language detection: script and letters first, then words; the hint only when the text does not tell."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.engine.language import detect_language
from bot.engine.text import Normalized


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
