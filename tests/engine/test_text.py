"""Normalization: accents folded for Latin only, Thai kept intact, Buddhist-era years read as CE."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.text import Normalized, char_ngrams, fold, normalize, words


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Hội nghị Ô Trấn", "hoi nghi o tran"),
        ("Đà Nẵng", "da nang"),
        ("Pékin, Côte d'Ivoire", "pekin, cote d'ivoire"),
        ("Œuvre", "oeuvre"),
        ("WUXI", "wuxi"),
    ],
)
def test_fold_strips_latin_accents(raw: str, folded: str) -> None:
    assert fold(normalize(raw)) == folded


def test_thai_marks_survive_folding() -> None:
    thai = "งานอู๋ซีจัดเมื่อไหร่"
    assert fold(normalize(thai)) == thai
    # rapidfuzz's default_process would strip these combining vowels and tone marks.
    assert "ื" in fold(normalize(thai)) and "๋" in fold(normalize(thai))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("World IoT Expo 2564", "world iot expo 2021"),
        ("ปี ๒๕๖๖", "ปี 2023"),
        ("รายงาน 2563-2564", "รายงาน 2020-2021"),
        ("2500 บาท", "2500 บาท"),  # outside 2543–2643: a price, not a year
        ("code 25649", "code 25649"),
        ("year 2700", "year 2700"),
    ],
)
def test_buddhist_era_years_become_ce(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_invisible_characters_and_spacing_are_removed() -> None:
    assert normalize("wu\u200bzhen \u00ad  summit\n") == "wuzhen summit"


def test_thai_run_is_one_word_and_digits_split_off() -> None:
    assert words(normalize("งานอู๋ซี2021ครับ")) == ["งานอู๋ซี", "2021", "ครับ"]


def test_ngrams_pad_word_edges() -> None:
    assert char_ngrams("iot", (3,)) == [" io", "iot", "ot "]


@given(st.text(max_size=300))
def test_normalization_is_idempotent_and_total(text: str) -> None:
    once = Normalized.of(text)
    assert normalize(once.exact) == once.exact
    assert fold(once.folded) == once.folded
    assert len(once.exact_words) == len(once.folded_words)
