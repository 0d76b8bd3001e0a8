"""One query's ranking: every unit scored, with the features it was scored from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.engine.ranker import FEATURE_INDEX
from bot.engine.units import Unit


@dataclass(frozen=True)
class Ranking:
    """All units of one query, scored."""

    units: tuple[Unit, ...]
    x: npt.NDArray[np.float64]
    p: npt.NDArray[np.float64]  # stage one: how much each unit looks like the answer meant
    order: npt.NDArray[np.intp]  # unit numbers, most likely first
    confidence_x: npt.NDArray[np.float64]  # stage two's features
    confidence: float  # stage two: P(the best unit is right)
    named: tuple[str, ...]  # events named by a whole name or alias
    years: frozenset[int]
    in_context: bool = False  # the conversation's event took part (no event was named)
    mentioned: frozenset[str] = frozenset()  # events the message points at, even by one common word ("iot")
    bare: bool = False  # the message is nothing but an event's name

    def points_at(self, i: int) -> bool:
        """Whether anything in the message or the conversation points at unit i's event: a word of its names,
        the whole message spelling a name (even misspelt), or the conversation's event.

        A name merely resembling part of the message (``name_inside``) does not count: "when?" resembles "Wuzhen".
        """
        row = self.x[i]
        return self.units[i].event_id in self.mentioned or any(row[FEATURE_INDEX[name]] > 0 for name in ("event", "name_whole_card", "context"))

    def top(self, k: int = 1) -> list[tuple[Unit, float]]:
        """The k most likely units with their probabilities."""
        return [(self.units[i], float(self.p[i])) for i in self.order[:k]]
