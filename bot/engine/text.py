"""Text normalization shared by indexing and matching.

Thai is never passed through rapidfuzz's ``default_process``: its vowel and tone marks are combining
characters that such processors strip. We fold only the Latin combining accents (U+0300–U+036F),
which is what Vietnamese and French need, and leave Thai marks untouched.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Letters that do not decompose under NFD but that people type without their accent.
_LATIN_EXTRA = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "æ": "ae", "œ": "oe"})
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
# Word characters, keeping Thai combining marks inside a word (\w does not cover all of them).
# A Latin combining accent continues a word ("0\u0300" + "0" is one word, as "00" is once accents are folded away).
_WORD = re.compile(r"[\u0e00-\u0e7f]+|[^\W_\u0e00-\u0e7f](?:[^\W_\u0e00-\u0e7f]|[\u0300-\u036f])*", re.UNICODE)
_THAI_CHAR = re.compile(r"[\u0e00-\u0e7f]")
# "wic2566", "expo2021": a year glued to a name, as people type it without spaces.
_GLUED_YEAR = re.compile(r"(?<=[a-z])(?=(?:19|20|25)\d\d(?!\d))")
_BE_YEAR = re.compile(r"(?<!\d)(25[0-9]{2})(?!\d)")
_THAI_RUN = re.compile(r"[\u0e00-\u0e7f]+")
_LATIN_ACCENTS = re.compile(r"[\u0300-\u036f]+")

#: Buddhist-era years in this range are read as CE (2564 → 2021); outside it a 25xx number is left alone.
BE_MIN, BE_MAX = 2543, 2643
BE_OFFSET = 543


def _be_to_ce(match: re.Match[str]) -> str:
    year = int(match.group(1))
    return str(year - BE_OFFSET) if BE_MIN <= year <= BE_MAX else match.group(1)


def normalize(text: str) -> str:
    """Canonical form of a text: NFC, casefolded, Thai digits and Buddhist-era years converted.

    Args:
        text: any user or curated text.

    Returns:
        The text in NFC, casefolded, without invisible characters, with single spaces.
    """
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text)).casefold()
    text = _BE_YEAR.sub(_be_to_ce, _GLUED_YEAR.sub(" ", text.translate(_THAI_DIGITS)))
    return " ".join(text.split())


def fold(text: str) -> str:
    """Strip Latin diacritics from normalized text, leaving Thai marks intact.

    Args:
        text: text already passed through :func:`normalize`.

    Returns:
        The text with accents removed from Latin letters ("hội nghị" → "hoi nghi").
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text.translate(_LATIN_EXTRA))
    return unicodedata.normalize("NFC", _LATIN_ACCENTS.sub("", decomposed))


def words(text: str) -> list[str]:
    """Split normalized text into words; a run of Thai letters counts as one word.

    Args:
        text: normalized (and possibly folded) text.

    Returns:
        The words in order, punctuation dropped.
    """
    return _WORD.findall(text)


def is_thai(word: str) -> bool:
    """Whether a word contains Thai script.

    Args:
        word: one word from :func:`words`.

    Returns:
        True if any character is Thai.
    """
    return bool(_THAI_CHAR.search(word))


def thai_runs(text: str) -> list[str]:
    """The maximal runs of Thai characters in a text.

    Args:
        text: normalized text.

    Returns:
        Each run of consecutive Thai characters.
    """
    return _THAI_RUN.findall(text)


def char_ngrams(word: str, sizes: tuple[int, ...] = (3, 4)) -> list[str]:
    """Character n-grams of one word padded with spaces, so word edges count.

    Args:
        word: a single word (Thai words are whole unsegmented runs).
        sizes: the n-gram lengths to produce.

    Returns:
        All n-grams of the padded word; a word shorter than the smallest size yields itself padded.
    """
    padded = f" {word} "
    grams = [padded[i : i + n] for n in sizes for i in range(len(padded) - n + 1)]
    return grams or [padded]


@dataclass(frozen=True)
class Normalized:
    """A text in the forms the matcher compares: exact (accents kept) and folded."""

    raw: str
    exact: str
    folded: str
    exact_words: tuple[str, ...]
    folded_words: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Normalized:
        """Normalize a text once for all comparisons.

        Args:
            text: any text.

        Returns:
            Its exact and folded forms and their words.
        """
        return _normalized(text)


#: Texts whose normalized forms are kept: an index build normalizes each curated text two or three times, and an
#: admin edit rebuilds the index from texts nearly all of which are unchanged (they then cost nothing). The values
#: are immutable; 65,536 short texts take some tens of MB at most.
NORMALIZED_CACHE = 65_536


@functools.lru_cache(maxsize=NORMALIZED_CACHE)
def _normalized(text: str) -> Normalized:
    exact = normalize(text)
    folded = fold(exact)
    return Normalized(text, exact, folded, tuple(words(exact)), tuple(words(folded)))
