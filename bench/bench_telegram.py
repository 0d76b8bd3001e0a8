"""Updates per second and per-update latency of the real bot, side by side with a bare PTB echo bot.

Run: .venv/bin/python bench/bench_telegram.py [--updates 500] [--users 50] [--json]

Both applications run in this process against the fake Bot API (tests/fakeapi) on 127.0.0.1, with the same
harness: long polling (poll_interval 0), private chats, one question per update. Three phases per application:

* latency — closed loop: send one update, wait for its reply, repeat (p50/p99 from push to reply);
* throughput — a burst: queue every update at once, time until every reply has been sent;
* throughput with API latency — the same burst while the fake server holds every sendMessage for --rtt seconds,
  as the real Bot API does (a loopback server answers in microseconds, which no real deployment sees).

The bot is the application ``summitbot run`` builds (engine, SQLite store on a temporary file, handlers); the echo
bot is a bare PTB application replying to each text with the text. The ratio summitbot/echo on loopback shows what
the bot's own work costs (target ≥ 0.8); the engine's share of it is measured separately (engine.answer alone).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakeapi import FakeBotApi  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.curated import load  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.telegram.app import BotApp, build_application, running  # noqa: E402

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
QUESTIONS = [
    "how many IoT companies are in Wuxi?", "งานอู๋ซีจัดที่ไหน", "hoi nghi o tran to chuc khi nao",
    "quel est le thème de la WIOTC 2023 ?", "when was the Wuzhen summit?", "and where?", "who organized the WIOTC 2023?",
    "hello", "what events do you know about?", "is world telecommunication day held every year?",
    "Vô Tích có bao nhiêu doanh nghiệp IoT", "qui a pris la parole au sommet de Wuzhen ?",
]  # fmt: skip
WARMUP = 20
WAIT = 60.0

AppFactory = Callable[[FakeBotApi, Path], BotApp]


def summitbot_app(api: FakeBotApi, tmp: Path, engine: Engine) -> BotApp:
    """The real bot, as ``summitbot run`` builds it (TELEGRAM_API_URL pointing at the fake server)."""
    assert api.root is not None
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.root, "SUMMITBOT_DB": str(tmp / "bench.sqlite3")}
    return build_application(Settings.from_env(environ=env, dotenv=None), engine)


def echo_app(api: FakeBotApi, tmp: Path) -> BotApp:
    """A bare PTB application replying to every text with the same text."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text is not None:
            await message.reply_text(message.text)

    app = ApplicationBuilder().token(TOKEN).base_url(api.base_url).base_file_url(api.base_file_url).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def replies(api: FakeBotApi, count: int) -> None:
    """Wait (bounded) until ``count`` sendMessage calls have been answered."""
    await api.wait_until(lambda: api.method_counts["sendMessage"] >= count, timeout=WAIT)


async def burst(make: AppFactory, tmp: Path, updates: int, users: int, rtt: float) -> float:
    """Updates per second for a burst of ``updates`` queued at once, the API answering after ``rtt`` seconds."""
    async with FakeBotApi(TOKEN) as api, running(make(api, tmp), poll_timeout=1):
        for i in range(WARMUP):
            api.send_text(QUESTIONS[i % len(QUESTIONS)], chat_id=1000 + i % users, user_id=1000 + i % users)
        await replies(api, WARMUP)
        if rtt > 0:
            api.delay_next("sendMessage", rtt, times=updates)
        for i in range(updates):  # queued without yielding to the loop: the bot sees none of them yet
            user = 2000 + i % users
            api.send_text(QUESTIONS[i % len(QUESTIONS)], chat_id=user, user_id=user)
        started = time.perf_counter()
        await replies(api, WARMUP + updates)
        elapsed = time.perf_counter() - started
        assert all(c.ok for c in api.calls_of("sendMessage")), "a reply was refused by the fake server"
    return updates / elapsed


async def measure(make: AppFactory, updates: int, users: int, rtt: float, rtt_updates: int) -> dict[str, float]:
    """The three phases for one application, each on a fresh fake server and database."""
    with tempfile.TemporaryDirectory() as tmp:
        latencies: list[float] = []
        async with FakeBotApi(TOKEN) as api, running(make(api, Path(tmp) / "latency"), poll_timeout=1):
            for i in range(WARMUP + updates):
                user = 1000 + i % users
                started = time.perf_counter()
                api.send_text(QUESTIONS[i % len(QUESTIONS)], chat_id=user, user_id=user)
                await replies(api, i + 1)
                if i >= WARMUP:
                    latencies.append(time.perf_counter() - started)
        throughput = await burst(make, Path(tmp) / "burst", updates, users, 0.0)
        with_rtt = await burst(make, Path(tmp) / "rtt", rtt_updates, users, rtt)
    return {
        "updates_per_s": throughput,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "updates_per_s_with_rtt": with_rtt,
    }


def engine_ms(engine: Engine, updates: int) -> float:
    """Mean milliseconds of engine.answer alone over the same questions (no Telegram, no store)."""
    now = dt.datetime.now(dt.UTC)
    for q in QUESTIONS:
        engine.answer(q, now=now, lang_hint="en")
    started = time.perf_counter()
    for i in range(updates):
        engine.answer(QUESTIONS[i % len(QUESTIONS)], now=now, lang_hint="en")
    return (time.perf_counter() - started) / updates * 1000


def table(results: dict[str, dict[str, float]], engine_cost: float, rtt: float) -> str:
    """The side-by-side table, the ratio and what the engine accounts for."""
    echo, bot = results["echo"], results["summitbot"]
    api = f"{rtt * 1000:.0f} ms API upd/s"
    rows = [f"{'application':<24}{'loopback upd/s':>16}{'p50 ms':>9}{'p99 ms':>9}{api:>20}"]
    for name, label in (("echo", "bare PTB echo"), ("summitbot", "summitbot")):
        r = results[name]
        rows.append(f"{label:<24}{r['updates_per_s']:>16.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['updates_per_s_with_rtt']:>20.0f}")
    ratio = bot["updates_per_s"] / echo["updates_per_s"]
    rtt_ratio = bot["updates_per_s_with_rtt"] / echo["updates_per_s_with_rtt"]
    lat = f"{echo['p50_ms'] / bot['p50_ms']:>9.2f}{echo['p99_ms'] / bot['p99_ms']:>9.2f}"
    rows.append(f"{'ratio summitbot/echo':<24}{ratio:>16.2f}{lat}{rtt_ratio:>20.2f}")
    verdict = "PASS" if ratio >= 0.8 else "BELOW TARGET"
    rows.append(f"target: loopback throughput ratio ≥ 0.80 → {verdict}  (latency columns: echo/summitbot)")
    per_bot, per_echo = 1000 / bot["updates_per_s"], 1000 / echo["updates_per_s"]
    front = per_bot - engine_cost
    rows.append(
        f"engine.answer alone: {engine_cost:.2f} ms/question of summitbot's {per_bot:.2f} ms/update (echo: {per_echo:.2f});"
        f" without it the front end runs at {per_echo / front:.2f}× echo's cost ratio"
    )
    return "\n".join(rows)


async def main_async(args: argparse.Namespace, engine: Engine) -> dict[str, dict[str, float]]:
    makers: dict[str, AppFactory] = {"echo": echo_app, "summitbot": lambda api, tmp: summitbot_app(api, tmp, engine)}
    results: dict[str, dict[str, float]] = {}
    for name, make in makers.items():
        results[name] = await measure(make, args.updates, args.users, args.rtt, args.rtt_updates)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=500, help="updates per phase and application (default 500)")
    parser.add_argument("--users", type=int, default=50, help="distinct private chats the updates come from")
    parser.add_argument("--rtt", type=float, default=0.03, help="simulated Bot API latency per sendMessage, seconds (default 0.03)")
    parser.add_argument("--rtt-updates", type=int, default=200, help="updates in the burst with API latency (default 200)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("sniffio") is None:
        print("note: sniffio is not installed, so httpcore retries importing it on every request (both bots run slower)\n")
    engine = Engine(load(ROOT / "intents", ROOT / "knowledge"))
    results = asyncio.run(main_async(args, engine))
    cost = engine_ms(engine, args.updates)
    print(f"{args.updates} updates per loopback phase, {args.rtt_updates} with API latency, {args.users} users, long polling\n")
    print(table(results, cost, args.rtt))
    if args.json:
        print(json.dumps({**results, "engine_ms_per_question": cost}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
