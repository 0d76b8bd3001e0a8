"""Read and write the fitted ranker (``model/ranker.json``): data in the repo, refitted by ``summitbot train``."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.curated.problems import CurationError, Problem
from bot.engine.boosting import Trees
from bot.engine.examples import Example
from bot.engine.model import KnowledgeBase
from bot.engine.ranker import CONFIDENCE_FEATURES, FEATURES, RankerModel, RankerParams
from bot.engine.semantic import quantize
from bot.engine.units import build_units

VERSION = 1
#: The labelled questions of the neighbour features, written next to the weights they were fitted with, and their
#: embeddings (int8 with one scale per row, as the index keeps them: 1.3 MB instead of a minute of embedding).
EXAMPLES_FILE = "examples.json"
VECTORS_FILE = "examples.npz"


def examples_path(ranker: Path) -> Path:
    """Where the labelled examples of a ranker file are: beside it."""
    return ranker.with_name(EXAMPLES_FILE)


def _vectors(path: Path, count: int, encoder: str) -> npt.NDArray[np.float32] | None:
    """The shipped embeddings of the examples, or None when absent or made for other examples or another encoder."""
    if not path.is_file():
        return None
    try:
        with np.load(path) as data:
            codes, scales, made_by = data["codes"], data["scales"], str(data["encoder"])
    except (OSError, ValueError, KeyError) as exc:
        raise CurationError([Problem(path.name, "", f"cannot be read ({exc}); run `summitbot train`")]) from exc
    if made_by != encoder or len(codes) != count or len(scales) != count:
        return None  # embedded again through the cache instead: stale vectors would be wrong, not just slow
    return np.asarray(codes, dtype=np.float32) * np.asarray(scales, dtype=np.float32)[:, None]


def stale_examples(kb: KnowledgeBase, examples: Sequence[Example]) -> list[Problem]:
    """Labelled examples that name units the knowledge base no longer has (a curated fact renamed or removed).

    Args:
        kb: the curated knowledge base.
        examples: the ranker's labelled examples.

    Returns:
        One problem per such example; the engine ignores those units, but the weights were fitted with them.
    """
    keys = {u.key for u in build_units(kb).units}
    return [
        Problem(EXAMPLES_FILE, f"examples[{i}]", f"names {', '.join(missing)}, not in the knowledge base: run `summitbot train`")
        for i, e in enumerate(examples)
        if (missing := [k for k in e.units if k not in keys])
    ]


def _examples(path: Path) -> tuple[Example, ...]:
    """The labelled examples beside a ranker file (none when the file is absent: the features are then 0)."""
    if not path.is_file():
        return ()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CurationError([Problem(path.name, "", f"cannot be read ({exc}); run `summitbot train`")]) from exc
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("examples"), list):
        raise CurationError([Problem(path.name, "version", f"must be {VERSION}, with a list of examples")])
    out = []
    for i, raw in enumerate(doc["examples"]):
        ok = isinstance(raw, dict) and isinstance(raw.get("text"), str) and isinstance(raw.get("units"), list)
        if not ok or not all(isinstance(u, str) for u in raw["units"]):
            raise CurationError([Problem(path.name, f"examples[{i}]", "must have a text and a list of unit keys")])
        out.append(Example(raw["text"], tuple(raw["units"])))
    return tuple(out)


def _params(raw: Any, file: str, entry: str) -> RankerParams:
    if not isinstance(raw, dict):
        raise CurationError([Problem(file, entry, "must be a mapping with features, coef, intercept, threshold")])
    if raw.get("features") != list(FEATURES) or raw.get("confidence_features") != list(CONFIDENCE_FEATURES):
        raise CurationError([Problem(file, entry, "was fitted for other features than this code computes: run `summitbot train`")])
    try:
        trees = raw["confidence_trees"]
        nodes = [(int(f), float(t), int(lo), int(hi), float(v)) for f, t, lo, hi, v in trees["nodes"]]
        f, t, lo, hi, v = (tuple(column) for column in zip(*nodes, strict=True))
        confidence = Trees(float(trees["base"]), f, t, lo, hi, v, tuple(int(r) for r in trees["roots"]))
        return RankerParams(tuple(float(c) for c in raw["coef"]), float(raw["intercept"]), confidence, float(raw["threshold"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise CurationError([Problem(file, entry, f"unusable ({exc})")]) from exc


def load_ranker(path: Path) -> RankerModel:
    """The fitted parameters for both modes.

    Args:
        path: the JSON file.

    Returns:
        The model.

    Raises:
        CurationError: when the file is missing, malformed, or fitted for other features.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CurationError([Problem(path.name, "", f"cannot be read ({exc}); run `summitbot train`")]) from exc
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise CurationError([Problem(path.name, "version", f"must be {VERSION}")])
    full = _params(doc["full"], path.name, "full") if doc.get("full") is not None else None
    lexical = _params(doc.get("lexical"), path.name, "lexical")
    encoder, examples = str(doc.get("encoder", "")), _examples(examples_path(path))
    vectors = _vectors(path.with_name(VECTORS_FILE), len(examples), encoder)
    return RankerModel(full=full, lexical=lexical, encoder_name=encoder, examples=examples, example_vectors=vectors)


def _nodes(trees: Trees) -> zip[tuple[int, float, int, int, float]]:
    return zip(trees.feature, trees.threshold, trees.left, trees.right, trees.value, strict=True)


def save_ranker(path: Path, model: RankerModel, notes: dict[str, Any]) -> None:
    """Write the fitted parameters, and beside them the labelled examples (``examples.json``).

    Args:
        path: the JSON file.
        model: the model.
        notes: what it was fitted on (kept in the file for the reader).
    """

    def params(p: RankerParams | None) -> dict[str, Any] | None:
        if p is None:
            return None
        return {
            "features": list(FEATURES),
            "coef": [round(c, 6) for c in p.coef],
            "intercept": round(p.intercept, 6),
            "confidence_features": list(CONFIDENCE_FEATURES),
            "threshold": p.threshold,
            "confidence_trees": {
                "base": round(p.confidence.base, 6),
                "roots": list(p.confidence.roots),
                "nodes": [[f, round(t, 6), lo, hi, round(v, 6)] for f, t, lo, hi, v in _nodes(p.confidence)],
            },
        }

    doc = {"version": VERSION, "encoder": model.encoder_name, "fitted": notes, "full": params(model.full), "lexical": params(model.lexical)}
    # One line per list of numbers (a node, the weights): thousands of tree nodes would otherwise take a line per number.
    text = re.sub(r"\[\s*([-0-9.e,\s]*?)\s*\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", json.dumps(doc, indent=1, ensure_ascii=False))
    path.write_text(text + "\n", encoding="utf-8")
    examples = [{"text": e.text, "units": list(e.units)} for e in model.examples]
    lines = ",\n".join(json.dumps(e, ensure_ascii=False) for e in examples)
    # One example a line: a refit's diff shows which labelled questions changed.
    examples_path(path).write_text(f'{{"version": {VERSION}, "examples": [\n{lines}\n]}}\n', encoding="utf-8")
    vectors = path.with_name(VECTORS_FILE)
    if model.example_vectors is None:
        vectors.unlink(missing_ok=True)
        return
    codes, scales = quantize(np.asarray(model.example_vectors, dtype=np.float32))
    with vectors.open("wb") as out:
        np.savez_compressed(out, codes=codes, scales=scales, encoder=np.array(model.encoder_name))
