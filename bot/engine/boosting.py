"""Stage two's model: gradient-boosted trees of depth two that give P(the best unit is right) from its features.

A logistic regression weighs each signal on its own; whether an answer is right depends on signals together (a
close labelled neighbour says much when the message names no other event, and little when it does; a high score
with no word of an event means something else than with its name). Small trees learn such pairs from the training
rows. Measured against the logistic model on the dev split and on fresh blind sets (README, "Answer or decline").

Fitting is Newton boosting on the log-loss (as XGBoost and LightGBM do): each tree splits at quantiles of the
training rows and its leaves take one Newton step each. The number of trees is chosen by cross-validation on the
training rows; the other settings below are fixed, each with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Each tree weighs two signals together. Depth one cannot (tests/engine/test_boosting.py); depth three fitted no
#: better on dev and worse on the fresh blind sets (README).
DEPTH = 2
#: Each tree's step is shrunk so that many small trees share the work (the usual 0.1; the number of trees adapts).
LEARNING_RATE = 0.1
#: No leaf for fewer training rows than this: a leaf of a handful of questions would learn them, not a pattern.
MIN_LEAF = 20
#: Split points per feature, at quantiles of the training rows: finer splits only separate near-equal cosines.
BINS = 32
#: Ridge on each leaf's Newton step, so a leaf of nearly pure rows gets a finite value.
LEAF_L2 = 1.0
#: Candidate numbers of trees; the one with the best cross-validated log-loss is kept.
ROUNDS = (25, 50, 100, 200, 300, 400)
FOLDS = 5


@dataclass(frozen=True)
class Trees:
    """Boosted trees as flat node arrays: a node splits on ``feature`` (go left when the value is below
    ``threshold``) or is a leaf (feature -1, its children itself) worth ``value``."""

    base: float
    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]
    roots: tuple[int, ...]

    def __post_init__(self) -> None:
        n = len(self.feature)
        if not (len(self.threshold) == len(self.left) == len(self.right) == len(self.value) == n):
            raise ValueError("tree node arrays differ in length")
        if any(not 0 <= i < n for i in (*self.left, *self.right, *self.roots)):
            raise ValueError("a tree node points outside the node arrays")

    @cached_property
    def _arrays(self) -> tuple[IntArray, FloatArray, IntArray, IntArray, FloatArray, IntArray]:
        """The node tuples as arrays, made once: every answer evaluates the trees (thousands of nodes)."""
        return (np.asarray(self.feature), np.asarray(self.threshold), np.asarray(self.left), np.asarray(self.right),
                np.asarray(self.value), np.asarray(self.roots))  # fmt: skip

    def logit(self, rows: FloatArray) -> FloatArray:
        """The model's log-odds for each row.

        Args:
            rows: shape (n, features).

        Returns:
            Shape (n,).
        """
        feature, threshold, left, right, value, roots = self._arrays
        node = np.broadcast_to(roots, (len(rows), len(roots))).copy()
        for _ in range(DEPTH):
            f = feature[node]
            split = f >= 0
            below = np.take_along_axis(rows, np.where(split, f, 0), axis=1) < threshold[node]
            node = np.where(split, np.where(below, left[node], right[node]), node)
        return np.asarray(self.base + value[node].sum(axis=1), dtype=np.float64)


def _edges(x: FloatArray) -> list[FloatArray]:
    return [np.unique(np.quantile(x[:, j], np.linspace(0, 1, BINS + 1)[1:-1])) for j in range(x.shape[1])]


class _Builder:
    """Grows trees on binned rows, appending their nodes to flat lists."""

    def __init__(self, x: FloatArray, edges: list[FloatArray]) -> None:
        self.edges = edges
        # bins[i, j] <= k exactly when x[i, j] < edges[j][k]
        self.bins = np.stack([np.searchsorted(edges[j], x[:, j], side="right") for j in range(x.shape[1])], axis=1)
        self.nodes: list[tuple[int, float, int, int, float]] = []

    def grow(self, rows: IntArray, grad: FloatArray, hess: FloatArray, depth: int) -> int:
        g, h = grad[rows], hess[rows]
        here = len(self.nodes)
        self.nodes.append((-1, 0.0, here, here, float(-LEARNING_RATE * g.sum() / (h.sum() + LEAF_L2))))
        if depth == 0 or len(rows) < 2 * MIN_LEAF:
            return here
        best = None
        total_g, total_h = g.sum(), h.sum()
        parent = total_g**2 / (total_h + LEAF_L2)
        for j, cuts in enumerate(self.edges):
            if len(cuts) == 0:
                continue
            b = self.bins[rows, j]
            left_g = np.cumsum(np.bincount(b, g, len(cuts) + 1))[:-1]
            left_h = np.cumsum(np.bincount(b, h, len(cuts) + 1))[:-1]
            count = np.cumsum(np.bincount(b, None, len(cuts) + 1))[:-1]
            gain = left_g**2 / (left_h + LEAF_L2) + (total_g - left_g) ** 2 / (total_h - left_h + LEAF_L2) - parent
            gain[(count < MIN_LEAF) | (len(rows) - count < MIN_LEAF)] = -np.inf
            k = int(np.argmax(gain))
            if gain[k] > 1e-9 and (best is None or gain[k] > best[0]):
                best = (float(gain[k]), j, k)
        if best is None:
            return here
        _, j, k = best
        go_left = self.bins[rows, j] <= k
        lo = self.grow(rows[go_left], grad, hess, depth - 1)
        hi = self.grow(rows[~go_left], grad, hess, depth - 1)
        self.nodes[here] = (j, float(self.edges[j][k]), lo, hi, 0.0)
        return here


def _boost(x: FloatArray, y: FloatArray, rounds: int, held: FloatArray | None = None) -> tuple[Trees, list[FloatArray]]:
    """Fit ``rounds`` trees; also the held-out rows' log-odds after each round (for choosing the number)."""
    rate = float(np.clip(y.mean(), 1e-3, 1 - 1e-3))
    base = float(np.log(rate / (1 - rate)))
    builder = _Builder(x, _edges(x))
    z = np.full(len(x), base)
    roots, trail = [], []
    z_held = np.full(len(held), base) if held is not None else None
    for _ in range(rounds):
        p = 1.0 / (1.0 + np.exp(-z))
        roots.append(builder.grow(np.arange(len(x)), p - y, p * (1 - p), DEPTH))
        tree = _trees(base, builder.nodes, [roots[-1]])
        z += tree.logit(x) - base
        if held is not None and z_held is not None:
            z_held = z_held + tree.logit(held) - base
            trail.append(z_held.copy())
    return _trees(base, builder.nodes, roots), trail


def _trees(base: float, nodes: list[tuple[int, float, int, int, float]], roots: list[int]) -> Trees:
    f, t, lo, hi, v = zip(*nodes, strict=True) if nodes else ((), (), (), (), ())
    return Trees(base, tuple(f), tuple(t), tuple(lo), tuple(hi), tuple(v), tuple(roots))


def _log_loss(z: FloatArray, y: FloatArray) -> float:
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def fit_trees(x: FloatArray, labels: npt.NDArray[np.bool_]) -> tuple[Trees, int]:
    """Fit the trees, choosing how many by cross-validated log-loss among :data:`ROUNDS`.

    Args:
        x: one row per training query (stage two's features of its best unit).
        labels: whether that unit was right.

    Returns:
        (the trees fitted on all rows, how many were chosen).
    """
    y = np.asarray(labels, dtype=np.float64)
    folds = np.arange(len(x)) % FOLDS
    loss = np.zeros(max(ROUNDS))
    for fold in range(FOLDS):
        kept, held = folds != fold, folds == fold
        _, trail = _boost(x[kept], y[kept], max(ROUNDS), x[held])
        loss += np.array([_log_loss(z, y[held]) for z in trail])
    rounds = min(ROUNDS, key=lambda r: (round(float(loss[r - 1]), 6), r))
    return _boost(x, y, rounds)[0], rounds
