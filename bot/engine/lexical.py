"""Lexical similarity: TF-IDF over words and character n-grams in flat numpy postings.

The features are those of :func:`bot.engine.vectors.features` (folded words, accented words, Latin
character n-grams for typos, Thai character n-grams for unsegmented Thai). Postings are kept in a few
flat arrays per index instead of dicts of lists, so 10,000 facts fit in tens of megabytes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.engine.semantic import Groups
from bot.engine.text import Normalized
from bot.engine.vectors import features

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]


def _weighted(raw: Mapping[str, float], idf: Mapping[str, float]) -> dict[str, float]:
    """Sublinear tf times idf, unit length; features the index has never seen are dropped."""
    vec = {f: (1.0 + math.log(w)) * idf[f] if w > 1 else w * idf[f] for f, w in raw.items() if f in idf}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {f: v / norm for f, v in vec.items()} if norm else {}


@dataclass(frozen=True)
class LexicalIndex:
    """Documents grouped by owner; :meth:`group_scores` gives each group its best document's cosine."""

    idf: Mapping[str, float]
    feature_ids: Mapping[str, int]
    starts: IntArray  # feature id → first posting (length features + 1)
    docs: IntArray  # postings: document numbers (stored order), grouped by feature
    weights: FloatArray  # postings: weights
    groups: Groups

    @classmethod
    def build(cls, texts: Sequence[tuple[int, str]], groups: int) -> LexicalIndex:
        """Index texts that belong to numbered groups.

        Args:
            texts: (group number, text) pairs; a group may own several texts (languages, questions).
            groups: the number of groups (a group without texts always scores 0).

        Returns:
            The index.
        """
        layout = Groups.of([g for g, _ in texts], groups)
        ordered = [texts[i][1] for i in layout.order]
        # Two passes over the texts (document frequencies, then weights) rather than every text's features
        # held at once: at 10,000 facts those dicts alone would take gigabytes.
        df: dict[str, int] = {}
        for text in ordered:
            for f in features(Normalized.of(text)):
                df[f] = df.get(f, 0) + 1
        n = len(ordered)
        raw = (features(Normalized.of(text)) for text in ordered)
        idf = {f: math.log((n + 1) / (c + 0.5)) for f, c in df.items()}
        feature_ids = {f: i for i, f in enumerate(sorted(df))}
        # Postings are gathered as arrays, one document at a time, and sorted once: lists of Python tuples
        # would take gigabytes at 10,000 facts.
        feat_parts, doc_parts, weight_parts = [], [], []
        for d, doc in enumerate(raw):
            weighted = _weighted(doc, idf)
            feat_parts.append(np.fromiter((feature_ids[f] for f in weighted), dtype=np.int32, count=len(weighted)))
            doc_parts.append(np.full(len(weighted), d, dtype=np.int32))
            weight_parts.append(np.fromiter(weighted.values(), dtype=np.float32, count=len(weighted)))
        feats = np.concatenate(feat_parts) if feat_parts else np.zeros(0, dtype=np.int32)
        docs = np.concatenate(doc_parts) if doc_parts else np.zeros(0, dtype=np.int32)
        weights = np.concatenate(weight_parts) if weight_parts else np.zeros(0, dtype=np.float32)
        order = np.lexsort((docs, feats))
        feats, docs, weights = feats[order], docs[order], weights[order]
        starts = np.searchsorted(feats, np.arange(len(feature_ids) + 1, dtype=np.int32)).astype(np.int32)
        return cls(
            idf=idf,
            feature_ids=feature_ids,
            starts=starts,
            docs=docs,
            weights=weights,
            groups=layout,
        )

    def group_scores(self, text: Normalized, content: Mapping[str, float] | None = None) -> tuple[FloatArray, FloatArray, FloatArray, float]:
        """Each group's best cosine with the query, its best coverage of the query, and of the query's content.

        Coverage is the share of the query's weight found in a text, whatever the text's length: a long
        fact that contains every specific word of a short question covers it fully while its cosine
        stays low. Content coverage counts each query feature by how specific it is (``content``, 1 for
        a word no question uses, near 0 for "when", "khi nào", "combien"), so a generic question covers
        no fact's content.

        Args:
            text: the normalized query (or the part of it that matters).
            content: feature → specificity in [0, 1] (absent: 1).

        Returns:
            (cosines, coverages, content coverages) per group, and the content share of the query in [0, 1].
        """
        n = len(self.groups.order)
        vector = _weighted(features(text), self.idf)
        total = sum(vector.values()) or 1.0
        weights = {f: qw * (content.get(f, 1.0) if content is not None else 1.0) for f, qw in vector.items()}
        content_total = sum(weights.values())
        fids = [self.feature_ids[f] for f in vector]
        spans = [(int(self.starts[fid]), int(self.starts[fid + 1])) for fid in fids]
        if spans:
            # Every posting of the query's features at once: one bincount per sum instead of a fancy-indexed
            # addition per feature (at 10,000 facts a common word has thousands of postings).
            docs = np.concatenate([self.docs[lo:hi] for lo, hi in spans])
            lengths = [hi - lo for lo, hi in spans]
            per_feature = np.repeat(np.asarray(list(vector.values()), dtype=np.float32), lengths)
            postings = np.concatenate([self.weights[lo:hi] for lo, hi in spans])
            cosines = np.bincount(docs, weights=per_feature * postings, minlength=n).astype(np.float32)
            covered = np.bincount(docs, weights=per_feature / np.float32(total), minlength=n).astype(np.float32)
            shares = [weights[f] / content_total if content_total > 0 else 0.0 for f in vector]
            specific = np.bincount(docs, weights=np.repeat(np.asarray(shares, dtype=np.float32), lengths), minlength=n).astype(np.float32)
        else:
            cosines, covered, specific = (np.zeros(n, dtype=np.float32) for _ in range(3))
        best, best_cover, best_specific = self.groups.best(cosines, 0.0), self.groups.best(covered, 0.0), self.groups.best(specific, 0.0)
        # float32 rounding can push a cosine of identical texts a hair past 1.
        one = np.float32(1.0)
        return np.minimum(best, one), np.minimum(best_cover, one), np.minimum(best_specific, one), content_total / total

    def specificity(self, texts: Sequence[str]) -> dict[str, float]:
        """How specific each feature is, judged by how many of these question texts use it.

        Args:
            texts: the intents' examples (how people ask, whatever the event).

        Returns:
            feature → idf among those texts over the largest such idf, in [0, 1]; features no example uses
            are left out (they count fully).
        """
        df: dict[str, int] = {}
        for text in texts:
            for f in features(Normalized.of(text)):
                df[f] = df.get(f, 0) + 1
        idf = {f: math.log((len(texts) + 1) / (c + 0.5)) for f, c in df.items()}
        top = max(idf.values(), default=1.0) or 1.0
        return {f: max(0.0, v) / top for f, v in idf.items()}

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays (the dicts of feature names come on top)."""
        return int(self.starts.nbytes + self.docs.nbytes + self.weights.nbytes + self.groups.order.nbytes)
