"""Read and write the fitted ranker (``model/ranker.json``): data in the repo, refitted by ``summitbot train``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.curated.problems import CurationError, Problem
from bot.engine.ranker import CONFIDENCE_FEATURES, FEATURES, RankerModel, RankerParams

VERSION = 1


def _params(raw: Any, file: str, entry: str) -> RankerParams:
    if not isinstance(raw, dict):
        raise CurationError([Problem(file, entry, "must be a mapping with features, coef, intercept, threshold")])
    if raw.get("features") != list(FEATURES) or raw.get("confidence_features") != list(CONFIDENCE_FEATURES):
        raise CurationError([Problem(file, entry, "was fitted for other features than this code computes: run `summitbot train`")])
    try:
        return RankerParams(
            tuple(float(c) for c in raw["coef"]),
            float(raw["intercept"]),
            tuple(float(c) for c in raw["confidence_coef"]),
            float(raw["confidence_intercept"]),
            float(raw["threshold"]),
        )
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
    return RankerModel(full=full, lexical=_params(doc.get("lexical"), path.name, "lexical"), encoder_name=str(doc.get("encoder", "")))


def save_ranker(path: Path, model: RankerModel, notes: dict[str, Any]) -> None:
    """Write the fitted parameters.

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
            "confidence_coef": [round(c, 6) for c in p.confidence_coef],
            "confidence_intercept": round(p.confidence_intercept, 6),
            "threshold": p.threshold,
        }

    doc = {"version": VERSION, "encoder": model.encoder_name, "fitted": notes, "full": params(model.full), "lexical": params(model.lexical)}
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
