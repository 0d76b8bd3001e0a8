"""``summitbot eval`` and ``summitbot train``: measure the engine on the labelled splits, refit the ranker."""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.curated import load
from bot.curated.ranker_file import save_ranker
from bot.encoder import load_encoder
from bot.engine.engine import Engine
from bot.engine.ranker import untrained
from bot.engine.text import Normalized
from bot.evaluation import evaluate, format_reports
from bot.labelled import load_split
from bot.settings import REPO_ROOT, Settings
from bot.wiring import build_engine

EXIT_OK, EXIT_FAIL = 0, 1
SPLITS = ("train", "dev", "test")
#: Labelled questions are asked "now" = this fixed day, so answers about upcoming dates never drift.
EVAL_NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


def data_dir() -> Path:
    """tests/data of this checkout (where the splits live)."""
    here = Path.cwd() / "tests" / "data"
    return here if here.is_dir() else REPO_ROOT / "tests" / "data"


def add_arguments(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The eval and train sub-commands.

    Args:
        sub: the parser's sub-parsers.
    """
    ev = sub.add_parser("eval", help="accuracy on the labelled splits (train, dev, test) or given files")
    ev.add_argument("files", nargs="*", help="labelled query files (default: tests/data/{train,dev,test}.yaml)")
    ev.add_argument("--min", type=float, help="exit 1 when, on the last file, any language's accuracy or the decline rate is below this (0-1)")
    ev.add_argument("--threshold", type=float, help="report at this threshold instead of the fitted one")
    ev.add_argument("--lexical", action="store_true", help="without the sentence encoder")
    ev.add_argument("--show-failures", type=int, default=0, metavar="N", help="list the first N wrong answers per file")
    tr = sub.add_parser("train", help="refit the ranker on tests/data/train.yaml, choose thresholds on dev.yaml")
    tr.add_argument("--out", help="where to write the weights (default: model/ranker.json)")


def cmd_eval(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Score labelled queries; exit 1 when a floor is not met."""
    settings = replace(settings, encoder=settings.encoder and not args.lexical)
    engine = build_engine(settings)
    files = [Path(f) for f in args.files] or [data_dir() / f"{s}.yaml" for s in SPLITS if (data_dir() / f"{s}.yaml").is_file()]
    reports = [evaluate(engine, load_split(f), EVAL_NOW, f.stem, args.threshold) for f in files]
    mode = f"lexical + semantic ({engine.encoder_name})" if engine.semantic else "lexical only"
    out.write(format_reports(reports, failures=args.show_failures, mode=mode) + "\n")
    if args.min is None or not reports:
        return EXIT_OK
    worst = reports[-1].worst()
    if worst < args.min:
        out.write(f"FAIL: lowest rate on {files[-1].name} is {worst:.1%}, under --min {args.min:.1%}\n")
        return EXIT_FAIL
    out.write(f"PASS: on {files[-1].name} every language and the decline rate ≥ {args.min:.1%}\n")
    return EXIT_OK


def cmd_train(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Fit the ranker on the train split, choose thresholds on dev, write model/ranker.json."""
    from bot.training import labelled_examples, train

    kb = load(settings.intents_dir, settings.knowledge_dir)
    encoder = load_encoder(settings.embedding_cache) if settings.encoder else None
    train_split, dev = load_split(data_dir() / "train.yaml"), load_split(data_dir() / "dev.yaml")
    engine = Engine(kb, untrained(labelled_examples(kb, train_split)), encoder)
    lexical = Engine(kb, untrained())
    fitted = train(engine, lexical, train_split, dev, EVAL_NOW)
    if encoder is not None and fitted.model.examples:
        # Shipped with the weights, so that a new machine's first start does not embed thousands of questions.
        vectors = encoder.queries([Normalized.of(e.text).exact for e in fitted.model.examples])
        fitted = replace(fitted, model=replace(fitted.model, example_vectors=vectors))
    target = Path(args.out) if args.out else settings.ranker_path
    notes = {
        "train": f"{len(train_split)} queries, {fitted.rows} candidate rows, {fitted.positives} right",
        "dev": f"{len(dev)} queries",
        "confidence_trees": ", ".join(f"{mode} {n}" for mode, n in fitted.trees.items()),
    }
    save_ranker(target, fitted.model, notes)
    out.write(f"fitted on {notes['train']}; confidence trees (cross-validated): {notes['confidence_trees']}; thresholds chosen on dev ({len(dev)} queries)\n")
    for mode, sweep in fitted.dev_sweeps.items():
        params = fitted.model.full if mode == "full" else fitted.model.lexical
        chosen = params.threshold if params else 0.0
        out.write(f"\n{mode}: dev sweep  threshold  in-scope  declined\n")
        out.write("\n".join(f"{'':17}{t:9.2f}  {i:8.1%}  {d:8.1%}" + ("  ←" if t == chosen else "") for t, i, d in sweep) + "\n")
    out.write(f"\nwrote {target}\n")
    return EXIT_OK
