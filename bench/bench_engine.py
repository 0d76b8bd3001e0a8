"""Answer latency (p50/p99) and memory of the engine at the shipped size and scaled ×10, ×100, ×1000 facts.

Run: .venv/bin/python bench/bench_engine.py [--scales 1 10 100 1000] [--queries N]
Synthetic facts are made by recombining the words of real facts with new numbers, so the vocabulary
and n-gram statistics stay realistic while the index grows. Every query of tests/data/eval.yaml is
answered at every size; all figures come from the same run, so their ratios are comparable.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import datetime as dt
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.curated import load  # noqa: E402
from bot.engine import Engine, KnowledgeBase  # noqa: E402
from bot.engine.model import LocalText  # noqa: E402
from bot.evaluation import load_labelled  # noqa: E402

NOW = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)


def scaled(kb: KnowledgeBase, factor: int, seed: int = 7) -> KnowledgeBase:
    """The knowledge base with ``factor`` times as many facts (the real ones plus synthetic ones)."""
    if factor == 1:
        return kb
    rng = random.Random(seed)
    events = []
    for event in kb.events:
        words = {lang: [w for f in event.facts for w in (f.text.get(lang) or "").split()] for lang in ("en", "th", "vi", "fr")}
        extra = []
        for i in range(len(event.facts) * (factor - 1)):
            base = event.facts[i % len(event.facts)]
            texts = {lang: " ".join(rng.sample(pool, min(len(pool), 14))) + f" {rng.randint(2, 99_999)}" for lang, pool in words.items() if pool}
            extra.append(dataclasses.replace(base, id=f"{base.id}_syn{i}", text=LocalText.of(texts)))
        events.append(dataclasses.replace(event, facts=(*event.facts, *extra)))
    return dataclasses.replace(kb, events=tuple(events))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_mib() -> float:
    """Resident memory of this process now (Linux /proc), in MiB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def release_freed_memory() -> None:
    """Hand freed heap back to the OS (glibc), so RSS shows what the index keeps, not the build's garbage."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def measure(factor: int, rounds: int) -> dict[str, float]:
    """Build the engine at one scale and time every eval query; run in its own process for clean memory."""
    kb = scaled(load(ROOT / "intents", ROOT / "knowledge"), factor)
    queries = [q.text for q in load_labelled(ROOT / "tests" / "data" / "eval.yaml")]
    gc.collect()
    release_freed_memory()
    before = rss_mib()
    started = time.perf_counter()
    engine = Engine(kb)
    build = time.perf_counter() - started
    gc.collect()
    release_freed_memory()
    index_mb = rss_mib() - before
    for q in queries[:20]:  # warm-up
        engine.answer(q, now=NOW)
    latencies = []
    for _ in range(rounds):
        for q in queries:
            t0 = time.perf_counter()
            engine.answer(q, now=NOW)
            latencies.append((time.perf_counter() - t0) * 1000)
    return {
        "factor": factor,
        "facts": sum(len(e.facts) for e in kb.events),
        "queries": len(latencies),
        "build_s": build,
        "index_mb": index_mb,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the queries per size")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one scale, print JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.rounds)))
        return
    rows = []
    for factor in args.scales:
        done = subprocess.run([sys.executable, __file__, "--one", str(factor), "--rounds", str(args.rounds)], capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout))
        print(f"  measured ×{factor}", file=sys.stderr, flush=True)
    base = rows[0]
    print(f"engine latency, {base['queries']} answers per scale (the eval queries × {args.rounds}), Python {sys.version.split()[0]}")
    print("| scale | facts | index build | index kept in memory | peak RSS (build) | p50 ms | p99 ms | max ms | p99 vs shipped |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| ×{r['factor']} | {r['facts']:,} | {r['build_s']:.1f} s | {r['index_mb']:.0f} MiB | {r['peak_mb']:.0f} MiB | "
            f"{r['p50']:.2f} | {r['p99']:.2f} | {r['max']:.1f} | {r['p99'] / base['p99']:.1f}× |"
        )
    print("targets: p99 ≤ 2 ms at the shipped size; p99 ≤ 20 ms at ~10,000 facts (×100); growth no worse than linear")


if __name__ == "__main__":
    main()
