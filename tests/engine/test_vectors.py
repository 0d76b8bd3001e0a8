"""TF-IDF space: accents optional but an exact-diacritic match wins; typos still match; budgets bound work."""

from __future__ import annotations

from bot.engine.text import Normalized
from bot.engine.vectors import VectorSpace, features


def space(*texts: str) -> VectorSpace:
    return VectorSpace.build([features(Normalized.of(t)) for t in texts])


def cosines(sp: VectorSpace, query: str) -> list[float]:
    return sp.scores(sp.vector(features(Normalized.of(query))))[0]


def test_exact_diacritics_beat_stripped_ones() -> None:
    sp = space("bán hàng", "bàn ghế", "ban nhạc")
    with_accent = cosines(sp, "bán")
    assert with_accent[0] > with_accent[1] and with_accent[0] > with_accent[2]
    without = cosines(sp, "ban")
    assert without[0] > 0 and without[1] > 0  # still found with no accents typed


def test_typo_still_shares_ngrams() -> None:
    sp = space("wuxi companies", "beijing convention")
    scores = cosines(sp, "wuxii compnies")
    assert scores[0] > 0.3 > scores[1]


def test_thai_without_spaces_matches_by_ngrams() -> None:
    sp = space("งานจัดที่ไหน", "มีกี่บริษัท")
    scores = cosines(sp, "งานอู๋ซีจัดที่ไหนครับ")
    assert scores[0] > scores[1]


def test_budget_skips_only_common_features() -> None:
    sp = space(*(f"common words {i}" for i in range(200)), "rare zebra")
    full = cosines(sp, "common rare zebra")
    bounded = sp.scores(sp.vector(features(Normalized.of("common rare zebra"))), budget=20)[0]
    assert bounded.index(max(bounded)) == full.index(max(full)) == 200
