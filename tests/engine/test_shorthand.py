"""Chat shorthand is spelled out in its own language only, as whole words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine import Engine
from bot.engine.shorthand import spell_out
from tests.conftest import NOW


@pytest.mark.parametrize(
    ("text", "lang", "spelled"),
    [
        ("trien lam iot 2021 ky dc bn du an", "vi", "trien lam iot 2021 ky duoc bao nhieu du an"),
        ("có bn ng đến dự", "vi", "có bao nhiêu người đến dự"),
        ("cho hoi bn oi, hoi nghi ntn", "vi", "cho hoi ban oi, hoi nghi nhu the nao"),
        ("ông ấy nói j về iot ko", "vi", "ông ấy nói gì về iot không"),
        ("c koi le theme de la wiotc", "fr", "c'est quoi le theme de la wiotc"),
        ("c'est qd et c ou", "fr", "c'est quand et c'est ou"),
        ("tu as vu ca ? pk", "fr", "tu as vu ca ? pourquoi"),
        ("j'ai une question pr toi", "fr", "j'ai une question pour toi"),
    ],
)
def test_shorthand_is_spelled_out(text: str, lang: str, spelled: str) -> None:
    assert spell_out(text, lang) == spelled


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("what is the theme, k?", "en"),  # English "k" is "okay": no table for English
        ("la c'est j'ai", "vi"),  # French words in a Vietnamese table's reach stay
        ("bộ tt&tt và cntt-tt", "fr"),  # no whole word: "tt" inside an acronym
        ("งานจัดที่ไหน", "th"),
    ],
)
def test_other_languages_and_parts_of_words_are_left(text: str, lang: str) -> None:
    assert spell_out(text, lang) == text


@given(st.text(max_size=80), st.sampled_from(["en", "th", "vi", "fr"]))
def test_spelling_out_never_fails_and_is_stable(text: str, lang: str) -> None:
    once = spell_out(text.casefold(), lang)
    assert spell_out(once, lang) == once  # what it writes out is never shorthand itself


def test_a_shorthand_question_finds_its_fact(engine: Engine) -> None:
    answer = engine.answer("trien lam iot vo tich ky dc bn du an vay", now=NOW, lang_hint="vi")
    assert "world_iot_expo_2021_signed_projects" in answer.facts and answer.lang == "vi"
