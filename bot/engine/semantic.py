"""Semantic similarity with a multilingual sentence encoder (multilingual-e5), behind a small protocol.

The engine never loads a model itself: the caller passes an :class:`Encoder` (see ``bot/encoder.py``),
which may cache embeddings on disk. Without one the engine runs on lexical signals alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
Int8Array = npt.NDArray[np.int8]

#: Rows scored per block: converting int8 to float32 a block at a time keeps the temporary small (8192 × 384 floats
#: = 12 MB) while each block is still one BLAS matrix-vector product.
BLOCK = 8192


@dataclass(frozen=True)
class Groups:
    """Which texts belong to which group, laid out so a per-group maximum is one ``reduceat``.

    Texts are stored sorted by group; ``starts`` are the first text of each group that has any.
    """

    order: npt.NDArray[np.intp]  # stored position → original text number
    starts: npt.NDArray[np.intp]
    owners: npt.NDArray[np.intp]  # the group of each start
    size: int

    @classmethod
    def of(cls, owners: Sequence[int], size: int) -> Groups:
        """Lay out texts owned by numbered groups.

        Args:
            owners: the group of each text, in text order.
            size: the number of groups.

        Returns:
            The layout.
        """
        raw = np.asarray(owners, dtype=np.intp)
        order = np.argsort(raw, kind="stable")
        sorted_owners = raw[order]
        starts = np.flatnonzero(np.r_[True, sorted_owners[1:] != sorted_owners[:-1]]) if len(raw) else np.zeros(0, dtype=np.intp)
        return cls(order, starts, sorted_owners[starts] if len(raw) else np.zeros(0, dtype=np.intp), size)

    def best(self, values: npt.NDArray[np.float32], empty: float) -> FloatArray:
        """The maximum per group of values given in stored order (``empty`` for groups without texts)."""
        out = np.full(self.size, empty, dtype=np.float32)
        if len(values):
            out[self.owners] = np.maximum.reduceat(values, self.starts)
        return out


class Encoder(Protocol):
    """Turns texts into unit-length vectors; e5 models embed queries and passages differently."""

    @property
    def name(self) -> str:
        """The model's name and version, part of every cache key."""
        ...

    def queries(self, texts: Sequence[str]) -> FloatArray:
        """Embed short questions (e5's ``query:`` side); one row per text, unit length."""
        ...

    def passages(self, texts: Sequence[str]) -> FloatArray:
        """Embed statements (e5's ``passage:`` side); one row per text, unit length."""
        ...


def quantize(matrix: FloatArray) -> tuple[Int8Array, FloatArray]:
    """Store unit vectors as int8 with one scale per row: a quarter of float32's memory.

    At 10,000 facts with their alternate questions the float32 matrix alone is ~260 MB; int8 is ~65 MB. The rounding
    error of a cosine is below 0.002 (half a step of 1/127 of each row's largest component, over 384 dimensions),
    far under the gaps the ranker relies on; ``tests/engine/test_vectors.py`` checks it against float32.
    numpy has no fast float16 product, but int8 → float32 conversion is vectorized, so scoring stays as fast.

    Args:
        matrix: one row per text.

    Returns:
        The int8 rows and each row's scale (value = int8 × scale).
    """
    peak = np.abs(matrix).max(axis=1) if len(matrix) else np.zeros(0, dtype=np.float32)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    codes = np.rint(matrix / scales[:, None]).clip(-127, 127).astype(np.int8)
    return codes, scales


def cosines(codes: Int8Array, scales: FloatArray, query: FloatArray) -> FloatArray:
    """A query's cosine with every row stored by :func:`quantize`, converted to float32 a block at a time.

    Args:
        codes: the int8 rows.
        scales: each row's scale.
        query: the query's unit-length vector.

    Returns:
        One cosine per row.
    """
    q = query.astype(np.float32)
    out = np.empty(len(codes), dtype=np.float32)
    for start in range(0, len(codes), BLOCK):
        block = slice(start, start + BLOCK)
        out[block] = codes[block].astype(np.float32) @ q
    return out * scales


@dataclass(frozen=True)
class SemanticIndex:
    """Embedded texts grouped by owner, like :class:`bot.engine.lexical.LexicalIndex`."""

    codes: Int8Array  # one quantized unit-length row per text, sorted by group (see :func:`quantize`)
    scales: FloatArray
    groups: Groups

    @classmethod
    def build(cls, encoder: Encoder, questions: Sequence[tuple[int, str]], statements: Sequence[tuple[int, str]], groups: int) -> SemanticIndex:
        """Embed the texts of every group.

        Args:
            encoder: the sentence encoder.
            questions: (group, text) pairs phrased as questions (intent examples, alternate questions).
            statements: (group, text) pairs phrased as statements (fact texts).
            groups: the number of groups.

        Returns:
            The index.
        """
        parts = [m for m in (encoder.queries([t for _, t in questions]) if questions else None,
                             encoder.passages([t for _, t in statements]) if statements else None) if m is not None]  # fmt: skip
        dim = parts[0].shape[1] if parts else 1
        matrix = np.vstack(parts).astype(np.float32) if parts else np.zeros((0, dim), dtype=np.float32)
        layout = Groups.of([g for g, _ in questions] + [g for g, _ in statements], groups)
        codes, scales = quantize(matrix[layout.order])
        return cls(np.ascontiguousarray(codes), scales, layout)

    def cosines(self, query: FloatArray) -> FloatArray:
        """The query's cosine with every stored text, in stored order.

        Args:
            query: the query's unit-length vector.

        Returns:
            One cosine per stored text.
        """
        return cosines(self.codes, self.scales, query)

    def group_scores(self, query: FloatArray) -> FloatArray:
        """Cosine of the query vector with each group's closest text (groups without texts get -1).

        Args:
            query: the query's unit-length vector.

        Returns:
            One score per group.
        """
        return self.groups.best(self.cosines(query), -1.0)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return int(self.codes.nbytes + self.scales.nbytes + self.groups.order.nbytes + self.groups.starts.nbytes)
