"""Labelled questions as neighbours: how close a query is to questions already known to want each unit.

``summitbot train`` keeps the training split's questions with the units that answer them (``model/examples.json``);
the encoder embeds them once (cached like every other text). A new question's nearest labelled questions are a
signal of their own, as intent examples are in Rasa or alternate questions in QnA Maker, but learned from the data
instead of curated: which unit the closest questions wanted, and whether the closest ones were to be declined.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from bot.engine.semantic import Encoder, FloatArray, Int8Array, cosines, quantize
from bot.engine.text import Normalized
from bot.engine.units import UnitTable


@dataclass(frozen=True)
class Example:
    """A labelled question: the units that answer it, none for a question to decline."""

    text: str
    units: tuple[str, ...] = ()


@dataclass(frozen=True)
class Neighbours:
    """How close one query is to the labelled questions."""

    unit: npt.NDArray[np.float64]  # per unit, the cosine of the closest question it answers (else the farthest of all)
    declined: float  # the closest question to decline, less the closest question to answer
    answered: float  # the closest question to answer


@dataclass(frozen=True)
class ExampleIndex:
    """The labelled questions embedded, and which units answer each."""

    codes: Int8Array
    scales: FloatArray
    texts: tuple[str, ...]
    pair_example: npt.NDArray[np.intp]  # (example, unit) pairs: one per unit that answers an example
    pair_unit: npt.NDArray[np.intp]
    declines: npt.NDArray[np.bool_]  # examples no unit answers

    @classmethod
    def build(cls, encoder: Encoder, examples: Sequence[Example], table: UnitTable, vectors: FloatArray | None = None) -> ExampleIndex | None:
        """Embed the examples whose units exist in this table.

        Args:
            encoder: the sentence encoder.
            examples: the labelled questions (``model/examples.json``).
            table: the units of the knowledge base in use.
            vectors: their embeddings by this encoder, one row per example, when shipped with them (``examples.npz``).

        Returns:
            The index, or None without examples. An example whose units were all deleted by an admin is dropped, not
            turned into a question to decline.
        """
        number = {u.key: i for i, u in enumerate(table.units)}
        kept = [(i, e, [number[k] for k in e.units if k in number]) for i, e in enumerate(examples)]
        kept = [(i, e, units) for i, e, units in kept if units or not e.units]
        if not kept:
            return None
        if vectors is not None and len(vectors) == len(examples):
            matrix = vectors[[i for i, _, _ in kept]]
        else:
            # Embedded as queries are (bot/engine/signals.py): the same normalized text on the same e5 side.
            matrix = encoder.queries([Normalized.of(e.text).exact for _, e, _ in kept])
        codes, scales = quantize(matrix.astype(np.float32))
        pairs = [(i, u) for i, (_, _, units) in enumerate(kept) for u in units]
        return cls(
            np.ascontiguousarray(codes),
            scales,
            tuple(e.text for _, e, _ in kept),
            np.array([i for i, _ in pairs], dtype=np.intp),
            np.array([u for _, u in pairs], dtype=np.intp),
            np.array([not units for _, _, units in kept], dtype=bool),
        )

    def neighbours(self, query: FloatArray, units: int, leave_out: str | None = None, unseen: Sequence[int] = ()) -> Neighbours:
        """The query's closeness to the labelled questions.

        Args:
            query: the query's unit-length vector.
            units: how many units the table has.
            leave_out: a text whose own example is ignored (training ranks each labelled question without itself,
                as a new question will be).
            unseen: unit numbers whose examples are all ignored (training: as if nobody had asked for them yet).

        Returns:
            The per-unit and query-level closeness.
        """
        cos = cosines(self.codes, self.scales, query)
        valid = np.ones(len(cos), dtype=bool)
        valid[list(self.positions.get(leave_out, ()) if leave_out is not None else ())] = False
        if len(unseen):
            valid[self.pair_example[np.isin(self.pair_unit, unseen)]] = False
        if not valid.any():
            return Neighbours(np.zeros(units), 0.0, 0.0)
        # A unit no close question wants gets the farthest cosine of all: "no neighbour" is far, not 0.
        floor = float(cos[valid].min())
        per_unit = np.full(units, floor, dtype=np.float64)
        pairs = valid[self.pair_example]
        np.maximum.at(per_unit, self.pair_unit[pairs], cos[self.pair_example[pairs]])
        answered = cos[valid & ~self.declines]
        declined = cos[valid & self.declines]
        top_answered = float(answered.max()) if len(answered) else floor
        top_declined = float(declined.max()) if len(declined) else floor
        return Neighbours(per_unit, top_declined - top_answered, top_answered)

    @cached_property
    def positions(self) -> dict[str, tuple[int, ...]]:
        """Each text's examples (a text may be labelled twice)."""
        found: dict[str, list[int]] = {}
        for i, text in enumerate(self.texts):
            found.setdefault(text, []).append(i)
        return {text: tuple(ix) for text, ix in found.items()}

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return int(self.codes.nbytes + self.scales.nbytes + self.pair_example.nbytes + self.pair_unit.nbytes + self.declines.nbytes)
