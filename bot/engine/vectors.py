"""Sparse TF-IDF vectors over words and character n-grams, with an inverted index.

Character n-grams give typo tolerance and handle Thai, which is written without spaces: an
unsegmented Thai run is compared by its n-grams. Folded words make accents optional; the exact
(accented) word is an extra feature, so an exact-diacritic match scores above a stripped one.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.engine.text import Normalized, char_ngrams, is_thai

WORD_WEIGHT = 1.0
EXACT_WEIGHT = 0.35
GRAM_WEIGHT = 0.3
THAI_GRAM_WEIGHT = 0.6
#: Postings visited per query at most; rare (high-idf) features are visited first, so the cap only
#: drops the commonest n-grams, which carry almost no weight anyway.
POSTINGS_BUDGET = 12_000

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


def inverse_document_frequency(docs: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Smoothed idf of every feature of a collection.

    Args:
        docs: the documents' features.

    Returns:
        feature → idf.
    """
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.keys())
    return idf_from_counts(df, len(docs))


def idf_from_counts(df: Mapping[str, int], n: int) -> dict[str, float]:
    """Smoothed idf from document frequencies.

    Args:
        df: feature → number of documents that have it.
        n: number of documents.

    Returns:
        feature → idf.
    """
    return {f: math.log((n + 1) / (c + 0.5)) for f, c in df.items()}


@dataclass(frozen=True)
class VectorSpace:
    """An immutable collection of documents with their idf and a compact inverted index."""

    idf: Mapping[str, float]
    postings: Mapping[str, tuple[array[int], array[float]]]  # feature → (document numbers, weights)
    size: int

    @classmethod
    def build(cls, docs: Sequence[Mapping[str, float]], idf: Mapping[str, float] | None = None) -> VectorSpace:
        """Index documents given as raw feature weights.

        Args:
            docs: one feature mapping per document; the position is the document number.
            idf: weights computed over a larger collection that these documents are part of
                (default: computed from these documents).

        Returns:
            The space.
        """
        idf = idf if idf is not None else inverse_document_frequency(docs)
        n = len(docs)
        numbers: dict[str, array[int]] = {}
        weights: dict[str, array[float]] = {}
        for i, doc in enumerate(docs):
            for feature, weight in _normalized({f: w * idf[f] for f, w in doc.items()}).items():
                if feature not in numbers:
                    numbers[feature], weights[feature] = array("i"), array("f")
                numbers[feature].append(i)
                weights[feature].append(weight)
        return cls(idf, {f: (numbers[f], weights[f]) for f in numbers}, n)

    def vector(self, raw: Mapping[str, float]) -> dict[str, float]:
        """Weight a query's raw features by idf (unknown features are dropped) and normalize.

        Args:
            raw: the query's features.

        Returns:
            The unit-length query vector.
        """
        return _normalized({f: w * self.idf[f] for f, w in raw.items() if f in self.idf})

    def scores(self, query: Vector, total: float | None = None, budget: int = POSTINGS_BUDGET, *, coverage: bool = True) -> tuple[list[float], list[float]]:
        """Cosine similarity and query coverage of every document.

        Coverage is the share of the query's weight found in the document, whatever the document's
        length: a long fact that contains every word of a short question covers it fully, while its
        cosine stays low.

        Args:
            query: a vector from :meth:`vector`.
            total: the query weight coverage is a share of (default: the query's own total).
            budget: postings to visit at most; the rarest features are visited first, so only the
                commonest (lowest-idf) ones are skipped when a query hits it. It bounds latency as
                the knowledge base grows.
            coverage: also compute coverages (the second list is empty when False: intents need cosines only).

        Returns:
            (cosines, coverages), each a list indexed by document number, values in [0, 1].
        """
        cos = [0.0] * self.size
        cov = [0.0] * self.size if coverage else []
        total = total or sum(query.values()) or 1.0
        for feature, qw in sorted(query.items(), key=lambda kv: -self.idf.get(kv[0], 0.0)):
            found = self.postings.get(feature)
            if found is None:
                continue
            numbers, weights = found
            budget -= len(numbers)
            if budget < 0:
                break
            if not coverage:
                for doc, dw in zip(numbers, weights, strict=True):
                    cos[doc] += qw * dw
                continue
            share = qw / total
            for doc, dw in zip(numbers, weights, strict=True):
                cos[doc] += qw * dw
                cov[doc] += share
        return cos, cov
