"""Chat shorthand of Vietnamese and French users ("ko", "dc", "j"; "koi", "qd", "c"), spelled out before matching.

People type "trien lam ky dc bn du an" or "c koi le theme": no curated text and few training questions use these
forms, and the sentence encoder reads "ko" as noise where it understands "không". Like the Buddhist-era years of
bot/engine/text.py this is a property of how people write, not knowledge: the table is a module constant, applied
only to text detected as that language (French "j" is "je", Vietnamese "j" is "gì"), and each entry is a form
chat dictionaries of the language give a single reading. tests/engine/test_shorthand.py pins them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from bot.engine.text import fold

SHORTHAND: Mapping[str, Mapping[str, str]] = {
    "vi": {
        "ko": "không", "k": "không", "kh": "không", "hok": "không", "hông": "không", "khum": "không", "hem": "không",
        "dc": "được", "đc": "được", "j": "gì", "ntn": "như thế nào", "cty": "công ty", "ng": "người", "mn": "mọi người",
        "vs": "với", "bnhiu": "bao nhiêu", "nhiu": "nhiêu", "bik": "biết", "trc": "trước", "ms": "mới", "z": "vậy",
        "tks": "cảm ơn", "thks": "cảm ơn",
    },
    "fr": {
        "koi": "quoi", "pk": "pourquoi", "pq": "pourquoi", "qd": "quand", "ds": "dans", "pr": "pour", "bcp": "beaucoup",
        "auj": "aujourd'hui", "ajd": "aujourd'hui", "qqn": "quelqu'un", "qqch": "quelque chose", "ki": "qui", "kel": "quel",
        "kelle": "quelle", "c": "c'est", "jsp": "je sais pas", "slt": "salut", "mrc": "merci", "dsl": "désolé", "tkt": "t'inquiète",
    },
}  # fmt: skip
#: Vietnamese "bn" is "bao nhiêu" (how many) after the words that ask a count, else "bạn" (you: "cho hỏi bn ơi").
_BN_COUNT = re.compile(r"(?<![\w'])(có|co|được|duoc|dc|đc|khoảng|khoang|mất|mat|tốn|ton|giá|gia|là|la|năm|nam|hết|het)\s+bn(?![\w'])")
_BN = re.compile(r"(?<![\w'])bn(?![\w'])")


@cache
def _pattern(lang: str) -> re.Pattern[str] | None:
    words = SHORTHAND.get(lang)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    # Whole words only: "c'est", "j'ai", "k-pop" and "cntt-tt" stay as they are.
    return re.compile(rf"(?<![\w'\-])(?:{alternatives})(?![\w'\-])")


def spell_out(text: str, lang: str) -> str:
    """The text with the chat shorthand of its language written in full.

    Args:
        text: normalized text (lower case, as bot/engine/text.py's ``normalize`` gives it).
        lang: the language it was detected as.

    Returns:
        The text, unchanged when nothing in it is shorthand of that language.
    """
    pattern = _pattern(lang)
    if pattern is None:
        return text
    # Written in the text's own style: "cong nghe moi nao dc nhac den" gets "duoc", not one accented word among
    # unaccented ones (the encoder read such a mix worse than the shorthand).
    plain = fold(text) == text
    style = fold if plain else _same
    if lang == "vi":
        text = _BN.sub(style("bạn"), _BN_COUNT.sub(lambda m: f"{m.group(1)} {style('bao nhiêu')}", text))
    words = SHORTHAND[lang]
    return pattern.sub(lambda m: style(words[m.group(0)]), text)


def _same(text: str) -> str:
    return text
