"""Fitting the ranker's stage one, a conditional logit (which unit is meant); stage two is bot/engine/boosting.py.

Newton's method in numpy on standardized features; ``summitbot train`` (bot/training.py) calls it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.engine.ranker import FEATURES, FloatArray

#: L2 strength of the fit; only keeps weights finite when the training data separate perfectly.
L2 = 0.1


def _scale(rows: Sequence[FloatArray]) -> tuple[FloatArray, FloatArray]:
    """Column means and spreads, so one L2 strength treats a cosine and a 0/1 flag alike."""
    stacked = np.vstack(rows)
    spread = stacked.std(axis=0)
    return stacked.mean(axis=0), np.where(spread > 1e-9, spread, 1.0)


def fit_choice(rows: Sequence[FloatArray], labels: Sequence[npt.NDArray[np.bool_]], *, iterations: int = 60) -> tuple[tuple[float, ...], float]:
    """Fit stage one as a choice among each query's units (conditional logit), by damped Newton steps.

    It maximizes the probability mass of the right units within each query, which is what ranking
    needs; queries with no right unit (to decline) say nothing about which unit wins and are left to
    stage two.

    Args:
        rows: one feature matrix per training query.
        labels: per query, which units are right answers.
        iterations: Newton steps at most.

    Returns:
        (weights, 0.0): a constant shift changes no ranking, so the intercept is zero.
    """
    mean, spread = _scale(rows)
    pairs = [((x - mean) / spread, np.asarray(y, dtype=bool)) for x, y in zip(rows, labels, strict=True) if np.any(y)]
    dim = pairs[0][0].shape[1] if pairs else len(FEATURES)
    w = np.zeros(dim)

    def loss(w: FloatArray) -> float:
        total = L2 / 2 * float(w @ w)
        for x, y in pairs:
            z = x @ w
            top, top_right = z.max(), z[y].max()
            total -= float(np.log(np.exp(z[y] - top_right).sum()) + top_right - np.log(np.exp(z - top).sum()) - top)
        return total

    current = loss(w)
    for _ in range(iterations):
        grad = L2 * w
        hess = np.eye(dim) * L2
        for x, y in pairs:
            z = x @ w
            e = np.exp(z - z.max())
            p_all = e / e.sum()
            # Shifted by the best right unit's score, not the best unit's: far behind, exp() would round them all to 0.
            e_right = np.zeros_like(z)
            e_right[y] = np.exp(z[y] - z[y].max())
            p_pos = e_right / e_right.sum()
            mean_all = p_all @ x
            grad += mean_all - p_pos @ x
            centered = x - mean_all
            hess += (centered * p_all[:, None]).T @ centered
        step = np.linalg.solve(hess, grad)
        # Halve the step until the loss goes down: the curvature used ignores the right units' spread.
        for _ in range(20):
            trial = w - step
            value = loss(trial)
            if value <= current:
                break
            step /= 2
        w, improvement, current = trial, current - value, value
        if improvement < 1e-7:
            break
    return tuple(float(v) for v in w / spread), 0.0
