"""Whether a text shows anything: a fact or name made only of invisible characters is no text at all."""

from __future__ import annotations

import unicodedata

#: Letters (category Lo) and symbols that render as blank space: Hangul fillers and the blank Braille pattern.
BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible(text: str) -> bool:
    """True when at least one character would show.

    ``str.strip`` and ``str.split`` leave format characters such as the zero-width space (U+200B), the word
    joiner and the byte-order mark in place, so a text of only those passes an emptiness check yet shows nothing.
    Separators (Z*), controls, format and unassigned characters (C*) and the blank glyphs above do not count.

    Args:
        text: the text.

    Returns:
        Whether it has a visible character.
    """
    return any(ch not in BLANK_GLYPHS and unicodedata.category(ch)[0] not in "ZC" for ch in text)
