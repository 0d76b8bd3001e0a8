"""Sparse TF-IDF vectors over words and character n-grams, with an inverted index.

Character n-grams give typo tolerance and handle Thai, which is written without spaces: an
unsegmented Thai run is compared by its n-grams. Folded words make accents optional; the exact
(accented) word is an extra feature, so an exact-diacritic match scores above a stripped one.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.engine.text import Normalized, char_ngrams, is_thai

WORD_WEIGHT = 1.0
EXACT_WEIGHT = 0.35
GRAM_WEIGHT = 0.3
THAI_GRAM_WEIGHT = 0.6
#: Postings visited per query at most; rare (high-idf) features are visited first, so the cap only
#: drops the commonest n-grams, which carry almost no weight anyway.
POSTINGS_BUDGET = 60_000

Vector = Mapping[str, float]


def features(text: Normalized, stop: frozenset[str] = frozenset()) -> dict[str, float]:
    """Raw weighted feature counts of a text.

    Args:
        text: the normalized text.
        stop: folded words to leave out (used to mask matched event names).

    Returns:
        feature → weight before idf.
    """
    out: dict[str, float] = defaultdict(float)
    for exact, folded in zip(text.exact_words, text.folded_words, strict=False):
        if folded in stop:
            continue
        if is_thai(folded):
            out[f"t:{folded}"] += WORD_WEIGHT
            for gram in char_ngrams(folded, (2, 3)):
                out[f"c:{gram}"] += THAI_GRAM_WEIGHT
            continue
        out[f"w:{folded}"] += WORD_WEIGHT
        if exact != folded:
            out[f"x:{exact}"] += EXACT_WEIGHT
        for gram in char_ngrams(folded):
            out[f"c:{gram}"] += GRAM_WEIGHT
    return out


def _normalized(vec: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {k: v / norm for k, v in vec.items()} if norm else {}


@dataclass(frozen=True)
class VectorSpace:
    """An immutable collection of documents with their idf and inverted index."""

    idf: Mapping[str, float]
    postings: Mapping[str, tuple[tuple[int, float], ...]]
    size: int

    @classmethod
    def build(cls, docs: Sequence[Mapping[str, float]]) -> VectorSpace:
        """Index documents given as raw feature counts.

        Args:
            docs: one feature counter per document; the position is the document number.

        Returns:
            The space.
        """
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(doc.keys())
        n = len(docs)
        idf = {f: math.log((n + 1) / (c + 0.5)) for f, c in df.items()}
        lists: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            for feature, weight in _normalized({f: w * idf[f] for f, w in doc.items()}).items():
                lists[feature].append((i, weight))
        return cls(idf, {f: tuple(p) for f, p in lists.items()}, n)

    def vector(self, raw: Mapping[str, float]) -> dict[str, float]:
        """Weight a query's raw features by idf (unknown features are dropped) and normalize.

        Args:
            raw: the query's features.

        Returns:
            The unit-length query vector.
        """
        return _normalized({f: w * self.idf[f] for f, w in raw.items() if f in self.idf})

    def similarities(self, query: Vector, allowed: Iterable[int] | None = None) -> dict[int, float]:
        """Cosine similarity of the query with every document sharing a feature.

        Args:
            query: a vector from :meth:`vector`.
            allowed: restrict to these document numbers (None: all).

        Returns:
            document number → similarity in [0, 1].
        """
        return {doc: cos for doc, (cos, _) in self.scores(query, allowed).items()}

    def scores(self, query: Vector, allowed: Iterable[int] | None = None, total: float | None = None) -> dict[int, tuple[float, float]]:
        """Cosine similarity and query coverage of every document sharing a feature with the query.

        Coverage is the share of the query's weight found in the document, whatever the document's
        length: a long fact that contains every word of a short question covers it fully, while its
        cosine stays low.

        Args:
            query: a vector from :meth:`vector`.
            allowed: restrict to these document numbers (None: all).
            total: the query weight coverage is a share of (default: the query's own total).

        Returns:
            document number → (cosine, coverage), both in [0, 1].
        """
        keep = None if allowed is None else set(allowed)
        cos: dict[int, float] = defaultdict(float)
        cov: dict[int, float] = defaultdict(float)
        total = total or sum(query.values()) or 1.0
        budget = POSTINGS_BUDGET
        for feature, qw in sorted(query.items(), key=lambda kv: -self.idf.get(kv[0], 0.0)):
            plist = self.postings.get(feature, ())
            budget -= len(plist)
            if budget < 0:
                break
            share = qw / total
            for doc, dw in plist:
                if keep is None or doc in keep:
                    cos[doc] += qw * dw
                    cov[doc] += share
        return {doc: (c, cov[doc]) for doc, c in cos.items()}

    def coverage(self, raw: Mapping[str, float]) -> float:
        """Share of the query's weight on features this space has seen at all.

        Args:
            raw: the query's raw features.

        Returns:
            A number in [0, 1]; 1 when every feature is known.
        """
        total = sum(raw.values())
        return sum(w for f, w in raw.items() if f in self.idf) / total if total else 0.0
