"""Which of en/th/vi/fr a text is written in.

Script and letters decide when they can (Thai script; letters only Vietnamese or only French use).
Otherwise a small naive Bayes over words and character trigrams, trained on the curated texts of each
language with accents folded, so "khi nao dien ra" is recognized as Vietnamese.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.engine.model import DEFAULT_LANG, LANGS
from bot.engine.text import Normalized, char_ngrams, is_thai

_VI_ONLY = set("ăđơưạảãấầẩẫậắằẳẵặẹẻẽếềểễệỉĩịọỏõốồổỗộớờởỡợụủũứừửữựỳỵỷỹ")
_FR_ONLY = set("çœæëïîûÿ")
_LATIN_LANGS = ("en", "vi", "fr")
#: Below this log-likelihood margin the text is too short or mixed to tell; the hint decides.
MIN_MARGIN = 1.5


@dataclass(frozen=True)
class LanguageModel:
    """Word and trigram log-probabilities per Latin-script language."""

    word_logp: Mapping[str, Mapping[str, float]]
    gram_logp: Mapping[str, Mapping[str, float]]
    word_unseen: Mapping[str, float]
    gram_unseen: Mapping[str, float]

    @classmethod
    def train(cls, texts: Iterable[tuple[str, str]]) -> LanguageModel:
        """Fit on (language, text) pairs.

        Args:
            texts: curated texts with their language; non-Latin languages are ignored.

        Returns:
            The model.
        """
        words: dict[str, Counter[str]] = {lang: Counter() for lang in _LATIN_LANGS}
        grams: dict[str, Counter[str]] = {lang: Counter() for lang in _LATIN_LANGS}
        for lang, text in texts:
            if lang in words:
                for word in Normalized.of(text).folded_words:
                    words[lang][word] += 1
                    grams[lang].update(char_ngrams(word, (3,)))

        def logp(counts: Counter[str]) -> tuple[dict[str, float], float]:
            total = sum(counts.values()) + len(counts) + 1
            return {k: math.log((v + 1) / total) for k, v in counts.items()}, math.log(1 / total)

        wl = {lang: logp(words[lang]) for lang in _LATIN_LANGS}
        gl = {lang: logp(grams[lang]) for lang in _LATIN_LANGS}
        return cls(
            {k: v[0] for k, v in wl.items()},
            {k: v[0] for k, v in gl.items()},
            {k: v[1] for k, v in wl.items()},
            {k: v[1] for k, v in gl.items()},
        )

    def gram_informative(self, word: str) -> bool:
        """Whether a word unseen as a whole still looks like one language (its trigrams are not shared by all)."""
        if word in self.word_logp["en"] and word in self.word_logp["vi"] and word in self.word_logp["fr"]:
            return False
        if any(word in self.word_logp[lang] for lang in _LATIN_LANGS):
            return True
        return not word.isdigit() and not is_thai(word) and len(word) > 3

    def scores(self, folded_words: Iterable[str]) -> dict[str, float]:
        """Log-likelihood of the words under each Latin language.

        Args:
            folded_words: the query's words, accents folded.

        Returns:
            language → score (higher is likelier).
        """
        out = dict.fromkeys(_LATIN_LANGS, 0.0)
        for word in folded_words:
            if is_thai(word) or word.isdigit():
                continue
            for lang in _LATIN_LANGS:
                wp = self.word_logp[lang].get(word, self.word_unseen[lang])
                grams = char_ngrams(word, (3,))
                gp = sum(self.gram_logp[lang].get(g, self.gram_unseen[lang]) for g in grams) / len(grams)
                out[lang] += wp + gp
        return out


def detect_language(text: Normalized, model: LanguageModel, hint: str | None = None, *, name_only: bool = False) -> str:
    """The language to answer in.

    Args:
        text: the normalized query.
        model: the trained language model.
        hint: the user's Telegram ``language_code`` or stored choice, used when the text does not tell.
        name_only: the text is nothing but an event's name. The English names ("World IoT Expo") are what people
            write in every language, so one tells nothing and the hint decides; a name in Thai, Vietnamese or French
            words still does.

    Returns:
        One of en, th, vi, fr.
    """
    hint = hint.split("-")[0].lower() if hint else None
    fallback = hint if hint in LANGS else DEFAULT_LANG
    found = _detect(text, model, fallback)
    return fallback if name_only and found == "en" else found


def _detect(text: Normalized, model: LanguageModel, fallback: str) -> str:
    letters = [ch for ch in text.exact if ch.isalpha()]
    if not letters:
        return fallback
    thai = sum(1 for ch in letters if "\u0e00" <= ch <= "\u0e7f")
    if thai and thai >= 0.2 * len(letters):
        return "th"
    chars = set(text.exact)
    if chars & _VI_ONLY:
        return "vi"
    if chars & _FR_ONLY:
        return "fr"
    informative = [w for w in text.folded_words if 0 < sum(w in model.word_logp[lang] for lang in _LATIN_LANGS) < len(_LATIN_LANGS)]
    if not informative and not any(model.gram_informative(w) for w in text.folded_words):
        return fallback
    scores = model.scores(text.folded_words)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best, second = ranked[0], ranked[1]
    if best[1] - second[1] < MIN_MARGIN and (fallback not in scores or scores[fallback] >= second[1]):
        return fallback
    return best[0]
