"""Stage two's boosted trees: they learn what a linear model cannot, stay calibrated, and survive the ranker file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.curated.ranker_file import load_ranker, save_ranker
from bot.engine import boosting
from bot.engine.boosting import Trees, fit_trees
from bot.engine.ranker import RankerModel, RankerParams
from tests.conftest import ranker


def _pairs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose label depends on two features together (right when both are high or both low), plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 4))
    y = (x[:, 0] > 0) == (x[:, 1] > 0)
    flip = rng.random(n) < 0.05
    return x, y ^ flip


def test_trees_learn_two_signals_together() -> None:
    x, y = _pairs(2000, 1)
    trees, _ = fit_trees(x, y)
    test_x, test_y = _pairs(1000, 2)
    accuracy = float(((trees.logit(test_x) > 0) == test_y).mean())
    assert accuracy > 0.9  # no weighting of the features one by one gets past about 0.5 on this


def test_depth_one_cannot_and_that_is_why_it_is_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boosting, "DEPTH", 1)
    x, y = _pairs(2000, 1)
    trees, _ = fit_trees(x, y)
    test_x, test_y = _pairs(1000, 2)
    assert float(((trees.logit(test_x) > 0) == test_y).mean()) < 0.7


def test_probabilities_are_calibrated_on_average() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3000, 3))
    y = rng.random(3000) < 1 / (1 + np.exp(-(2 * x[:, 0] - 1)))
    trees, _ = fit_trees(x, y)
    p = 1 / (1 + np.exp(-trees.logit(x)))
    assert abs(float(p.mean()) - float(y.mean())) < 0.02
    high, low = p[x[:, 0] > 1.5], p[x[:, 0] < -1.5]
    assert high.mean() > 0.8 and low.mean() < 0.1


def test_pure_noise_gets_few_trees_and_the_base_rate() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1500, 5))
    y = rng.random(1500) < 0.3
    trees, rounds = fit_trees(x, y)
    assert rounds <= 50  # cross-validation stops before the trees learn the noise
    p = 1 / (1 + np.exp(-trees.logit(x)))
    assert abs(float(np.median(p)) - 0.3) < 0.08


def _leaf(trees: Trees, root: int, row: np.ndarray) -> int:
    node = root
    while trees.feature[node] >= 0:
        node = trees.left[node] if row[trees.feature[node]] < trees.threshold[node] else trees.right[node]
    return node


def _smallest_leaf(trees: Trees, x: np.ndarray) -> int:
    smallest = len(x)
    for root in trees.roots:
        counts: dict[int, int] = {}
        for row in x:
            leaf = _leaf(trees, root, row)
            counts[leaf] = counts.get(leaf, 0) + 1
        smallest = min(smallest, *counts.values())
    return smallest


def test_no_leaf_is_fitted_to_a_few_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = _pairs(400, 5)
    x[:5, 2], y[:5] = 100.0, ~y[:5]  # five outliers, labelled against the pattern: worth a leaf of their own
    assert _smallest_leaf(fit_trees(x, y)[0], x) >= boosting.MIN_LEAF == 20
    monkeypatch.setattr(boosting, "MIN_LEAF", 1)
    assert _smallest_leaf(fit_trees(x, y)[0], x) < 20  # without the floor, the outliers get their leaf


def test_malformed_trees_are_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        Trees(0.0, (-1,), (0.0,), (3,), (0,), (0.0,), (0,))
    with pytest.raises(ValueError, match="differ"):
        Trees(0.0, (-1, -1), (0.0,), (0,), (0,), (0.0,), (0,))


def test_the_ranker_file_keeps_the_trees(tmp_path: Path) -> None:
    shipped = ranker()
    assert shipped.full is not None
    target = tmp_path / "ranker.json"
    save_ranker(target, RankerModel(shipped.full, shipped.lexical, shipped.encoder_name), {"note": "test"})
    again = load_ranker(target)
    assert again.full is not None
    row = np.linspace(-1, 1, 60)[: max(shipped.full.confidence.feature) + 1]
    assert again.full.p_right(row) == pytest.approx(shipped.full.p_right(row), abs=1e-5)
    nodes = len(shipped.full.confidence.feature) + len(shipped.lexical.confidence.feature)
    assert len(target.read_text().splitlines()) < 200 + nodes  # one line per node at most


def test_a_ranker_of_other_features_is_refused() -> None:
    shipped = ranker()
    trees = Trees(0.0, (999, -1, -1), (0.0, 0.0, 0.0), (1, 1, 2), (2, 1, 2), (0.0, 1.0, -1.0), (0,))
    with pytest.raises(ValueError, match="beyond"):
        RankerParams(shipped.lexical.coef, 0.0, trees, 0.5)
