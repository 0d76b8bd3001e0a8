"""Load: many chats × several messages through the real bot and the fake Bot API; nothing lost, nothing doubled.

Run: .venv/bin/python bench/bench_load.py [--chats 1000] [--messages 5] [--rtt 0.03] [--rate 150] [--json]

The bot is the application ``summitbot run`` builds (``build_application``: engine, SQLite store on a temporary
file, handlers, per-chat ordering with 8 updates at once), long polling ``tests/fakeapi`` on 127.0.0.1. Half the chats
are private chats, half are groups asking with ``/ask`` or an @mention. Every reply is matched to its question: in
groups by the message it is threaded to, in private chats by order (the k-th reply of a chat answers its k-th
question) and checked against the answer the same question got alone (calibration). Phases, each on a fresh server
and database:

* burst — every message queued at once, rounds interleaved (chat 1 msg 1, chat 2 msg 1, …, chat 1 msg 2, …);
* burst, API latency — the same while the fake server holds every sendMessage for --rtt seconds (as a real Bot API
  does; a loopback server answers in microseconds);
* paced — messages arrive at --rate per second (open loop), latency at a load the bot sustains.

Latency is from the moment a message is queued at the fake server to the moment the bot's sendMessage for it
arrives there; throughput counts from the end of queueing (burst) or from the first message (paced) to the last
reply. Every wait is bounded (--timeout per phase); a phase that times out reports what was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "reliability")]

from fakeapi import FakeBotApi  # noqa: E402
from reliability_kit import BOT, QUESTIONS, TOKEN, calibrate, run_bot, sent_text_ok  # noqa: E402

from bot.curated import load  # noqa: E402
from bot.engine import Engine  # noqa: E402


@dataclass
class Result:
    phase: str
    messages: int
    rtt_ms: float
    seconds: float
    throughput: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    answered_once: int
    lost: int
    doubled: int
    wrong: int
    errors: int


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def chat_of(index: int) -> tuple[int, int, str]:
    """(chat id, user id, type): even → private, odd → group."""
    if index % 2 == 0:
        return 1_000_000 + index, 1_000_000 + index, "private"
    return -(2_000_000 + index), 3_000_000 + index, "group"


async def phase(name: str, engine: Engine, tmp: Path, chats: int, per_chat: int, rtt: float, rate: float | None, limit: float) -> Result:
    async with FakeBotApi(TOKEN, bot_username=BOT) as api, run_bot(api, tmp / f"{name}.sqlite3", engine) as bot:
        expected = await calibrate(bot)
        before = api.method_counts["sendMessage"]
        total = chats * per_chat
        if rtt > 0:
            api.delay_next("sendMessage", rtt, times=total)
        pushed: dict[tuple[int, int], float] = {}  # (chat, k) → when queued
        group_k: dict[tuple[int, int], int] = {}  # (group chat, message id) → k
        questions: dict[tuple[int, int], str] = {}
        order = [(index, k) for k in range(per_chat) for index in range(chats)]
        loop = asyncio.get_running_loop()
        first = loop.time()
        for n, (index, k) in enumerate(order):
            if rate is not None:
                delay = first + n / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            chat_id, user_id, kind = chat_of(index)
            question, lang = QUESTIONS[(index * 3 + k) % len(QUESTIONS)]
            text = question if kind == "private" else (f"/ask {question}" if k % 2 == 0 else f"@{BOT} {question}")
            update = api.send_text(text, chat_id=chat_id, user_id=user_id, chat_type=kind, language_code=lang)
            pushed[(chat_id, k)] = loop.time()
            questions[(chat_id, k)] = question
            if kind == "group":
                group_k[(chat_id, update["message"]["message_id"])] = k
        started = first if rate is not None else loop.time()
        try:
            await api.wait_until(lambda: api.method_counts["sendMessage"] >= before + total, timeout=limit)
            await bot.settle(timeout=limit)
        except TimeoutError:
            pass  # reported below as lost
        replies = [c for c in api.calls_of("sendMessage")[before:] if c.ok]
        last = max((c.at for c in replies), default=loop.time())
        seen: Counter[tuple[int, int]] = Counter()
        latencies: list[float] = []
        wrong = 0
        nth: dict[int, int] = defaultdict(int)
        for call in replies:
            chat_id = call.params["chat_id"]
            if chat_id < 0:
                k = group_k.get((chat_id, (call.params.get("reply_parameters") or {}).get("message_id", 0)), -1)
            else:
                k, nth[chat_id] = nth[chat_id], nth[chat_id] + 1
            key = (chat_id, k)
            if key not in pushed:
                wrong += 1
                continue
            seen[key] += 1
            if seen[key] == 1:
                latencies.append((call.at - pushed[key]) * 1000)  # both clocks are time.monotonic
                wrong += sent_text_ok(call) != expected[questions[key]]
        once = sum(1 for key in pushed if seen[key] == 1)
        return Result(
            name, total, rtt * 1000, last - started, once / max(last - started, 1e-9), percentile(latencies, 50),
            percentile(latencies, 99), max(latencies, default=float("nan")), once, sum(1 for key in pushed if seen[key] == 0),
            sum(1 for key in pushed if seen[key] > 1), wrong, len(bot.errors) + len(bot.trap.records),
        )  # fmt: skip


def table(results: list[Result], chats: int, per_chat: int) -> str:
    kinds = f"{chats - chats // 2} private, {chats // 2} groups"
    head = f"bench_load — {chats:,} chats × {per_chat} messages ({kinds}), long polling, Python {platform.python_version()}"
    rows = [
        head,
        "| phase | messages | API latency | throughput msg/s | p50 ms | p99 ms | max ms | answered once | lost | doubled | wrong | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {r.phase} | {r.messages:,} | {r.rtt_ms:.0f} ms | {r.throughput:,.0f} | {r.p50_ms:,.1f} | {r.p99_ms:,.1f} | {r.max_ms:,.1f} "
            f"| {r.answered_once:,} | {r.lost} | {r.doubled} | {r.wrong} | {r.errors} |"
        )
    ok = all(r.answered_once == r.messages and not (r.lost or r.doubled or r.wrong or r.errors) for r in results)
    rows.append("every message answered exactly once, in order, with the right answer: " + ("YES" if ok else "NO"))
    return "\n".join(rows)


async def main_async(args: argparse.Namespace, engine: Engine) -> list[Result]:
    plan = [("burst", 0.0, None), (f"burst, API {args.rtt * 1000:.0f} ms", args.rtt, None), (f"paced {args.rate:g}/s", 0.0, args.rate)]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (name, rtt, rate) in enumerate(plan):
            if args.phases and str(n + 1) not in args.phases.split(","):
                continue
            results.append(await phase(f"p{n}", engine, Path(tmp), args.chats, args.messages, rtt, rate, args.timeout))
            results[-1].phase = name
            print(f"  {name}: done in {results[-1].seconds:.1f}s", file=sys.stderr)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1000, help="chats (default 1000; half private, half groups)")
    parser.add_argument("--messages", type=int, default=5, help="messages per chat (default 5)")
    parser.add_argument("--rtt", type=float, default=0.03, help="simulated Bot API latency per sendMessage in the second phase, seconds (default 0.03)")
    parser.add_argument("--rate", type=float, default=150.0, help="arrival rate of the paced phase, messages/s (default 150)")
    parser.add_argument("--timeout", type=float, default=120.0, help="longest wait per phase, seconds (default 120)")
    parser.add_argument("--phases", default="", help="only these phases, e.g. 1,3 (default: all three)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    args = parser.parse_args(argv)
    engine = Engine(load(ROOT / "intents", ROOT / "knowledge"))
    started = time.perf_counter()
    results = asyncio.run(main_async(args, engine))
    print(table(results, args.chats, args.messages))
    print(f"(wall time {time.perf_counter() - started:.0f} s; latency: queued at the fake server → the bot's sendMessage arrives there)")
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    ok = all(r.answered_once == r.messages and not (r.lost or r.doubled or r.wrong or r.errors) for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
