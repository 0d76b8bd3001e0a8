"""Updates per second, per-update latency and CPU cost of the real bot, side by side with a bare PTB echo bot.

Run: .venv/bin/python bench/bench_telegram.py [--updates 500] [--users 50] [--json]

Both applications run in this process against the fake Bot API (tests/fakeapi) on 127.0.0.1, with the same
harness: long polling (poll_interval 0), private chats, one question per update. Three phases per application:

* latency — closed loop: send one update, wait for its reply, repeat (p50/p99 from push to reply);
* throughput — a burst: queue every update at once, time until every reply has been sent, and the process's CPU
  time per update meanwhile (both bots, the fake server and SQLite's thread: the same harness for both);
* throughput with API latency — the same burst while the fake server holds every sendMessage for --rtt seconds,
  as the real Bot API does (a loopback server answers in microseconds, which no real deployment sees).

The bot is the application ``summitbot run`` builds (engine, SQLite store on a temporary file, handlers, its aiohttp
client for the Bot API: bot/telegram/aiohttp_request.py); the echo bot is a bare PTB application replying to each
text with the text, over PTB's default httpx client. The echo bot handles updates one at a time
and the bot concurrently, so wall-clock throughput favours the bot; CPU time per update is the fair cost. The
front end's cost is the bot's CPU per update less ``engine.answer`` alone on the same questions (measured apart,
lexical engine), as a multiple of the echo bot's: target ≤ 1.5×.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakeapi import FakeBotApi  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, MessageHandler, filters  # noqa: E402

from bot.curated import load  # noqa: E402
from bot.curated.ranker_file import load_ranker  # noqa: E402
from bot.engine import Answer, Engine  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.telegram.app import BotApp, build_application, running  # noqa: E402
from bot.telegram.services import SummitContext  # noqa: E402

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
QUESTIONS = [
    "how many IoT companies are in Wuxi?", "งานอู๋ซีจัดที่ไหน", "hoi nghi o tran to chuc khi nao",
    "quel est le thème de la WIOTC 2023 ?", "when was the Wuzhen summit?", "and where?", "who organized the WIOTC 2023?",
    "hello", "what events do you know about?", "is world telecommunication day held every year?",
    "Vô Tích có bao nhiêu doanh nghiệp IoT", "qui a pris la parole au sommet de Wuzhen ?",
]  # fmt: skip
WARMUP = 20
WAIT = 60.0
#: The front end's CPU per update (the bot's less its engine's) at most this multiple of the bare echo bot's.
FRONT_END_TARGET = 1.5

AppFactory = Callable[[FakeBotApi, Path], BotApp]


class TimedEngine(Engine):
    """The real engine, adding up the CPU time its answers take inside the running bot (the front end's cost is
    what remains of the bot's)."""

    cpu_seconds = 0.0

    def answer(self, text: str, **kwargs: Any) -> Answer:
        started = time.process_time()
        try:
            return super().answer(text, **kwargs)
        finally:
            self.cpu_seconds += time.process_time() - started


def summitbot_app(api: FakeBotApi, tmp: Path, engine: Engine) -> BotApp:
    """The real bot, as ``summitbot run`` builds it (TELEGRAM_API_URL pointing at the fake server)."""
    assert api.root is not None
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.root, "SUMMITBOT_DB": str(tmp / "bench.sqlite3")}
    return build_application(Settings.from_env(environ=env, dotenv=None), engine)


def echo_app(api: FakeBotApi, tmp: Path) -> BotApp:
    """A bare PTB application replying to every text with the same text."""

    async def echo(update: Update, context: SummitContext) -> None:
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


async def burst(make: AppFactory, tmp: Path, updates: int, users: int, rtt: float, engine: TimedEngine | None = None) -> tuple[float, float, float]:
    """For a burst of ``updates`` queued at once, the API answering after ``rtt`` seconds: updates per second, CPU
    milliseconds per update, and the engine's share of them (0 without ``engine``)."""
    async with FakeBotApi(TOKEN) as api, running(make(api, tmp), poll_timeout=1):
        for i in range(WARMUP):
            api.send_text(QUESTIONS[i % len(QUESTIONS)], chat_id=1000 + i % users, user_id=1000 + i % users)
        await replies(api, WARMUP)
        if rtt > 0:
            api.delay_next("sendMessage", rtt, times=updates)
        for i in range(updates):  # queued without yielding to the loop: the bot sees none of them yet
            user = 2000 + i % users
            api.send_text(QUESTIONS[i % len(QUESTIONS)], chat_id=user, user_id=user)
        engine_before = engine.cpu_seconds if engine is not None else 0.0
        started, cpu = time.perf_counter(), time.process_time()
        await replies(api, WARMUP + updates)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        engine_cpu = engine.cpu_seconds - engine_before if engine is not None else 0.0
        assert all(c.ok for c in api.calls_of("sendMessage")), "a reply was refused by the fake server"
    return updates / elapsed, cpu / updates * 1000, engine_cpu / updates * 1000


async def measure(make: AppFactory, updates: int, users: int, rtt: float, rtt_updates: int, engine: TimedEngine | None = None) -> dict[str, float]:
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
        throughput, cpu_ms, engine_ms = await burst(make, Path(tmp) / "burst", updates, users, 0.0, engine)
        with_rtt, _, _ = await burst(make, Path(tmp) / "rtt", rtt_updates, users, rtt)
    return {
        "updates_per_s": throughput,
        "cpu_ms_per_update": cpu_ms,
        "engine_cpu_ms_per_update": engine_ms,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "updates_per_s_with_rtt": with_rtt,
    }


def front_end_ratio(results: dict[str, dict[str, float]]) -> float:
    """The bot's CPU per update less its engine's, as a multiple of the echo bot's."""
    bot = results["summitbot"]
    return (bot["cpu_ms_per_update"] - bot["engine_cpu_ms_per_update"]) / results["echo"]["cpu_ms_per_update"]


def table(results: dict[str, dict[str, float]], rtt: float) -> str:
    """The side-by-side table, the ratios and the front end's cost per update without the engine."""
    echo, bot = results["echo"], results["summitbot"]
    api = f"{rtt * 1000:.0f} ms API upd/s"
    rows = [f"{'application':<24}{'loopback upd/s':>16}{'CPU ms/upd':>12}{'p50 ms':>9}{'p99 ms':>9}{api:>20}"]
    for name, label in (("echo", "bare PTB echo"), ("summitbot", "summitbot")):
        r = results[name]
        rows.append(
            f"{label:<24}{r['updates_per_s']:>16.0f}{r['cpu_ms_per_update']:>12.2f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['updates_per_s_with_rtt']:>20.0f}"
        )
    ratio = bot["updates_per_s"] / echo["updates_per_s"]
    rtt_ratio = bot["updates_per_s_with_rtt"] / echo["updates_per_s_with_rtt"]
    cpu = bot["cpu_ms_per_update"] / echo["cpu_ms_per_update"]
    lat = f"{echo['p50_ms'] / bot['p50_ms']:>9.2f}{echo['p99_ms'] / bot['p99_ms']:>9.2f}"
    rows.append(f"{'ratio summitbot/echo':<24}{ratio:>16.2f}{cpu:>12.2f}{lat}{rtt_ratio:>20.2f}  (latency columns: echo/summitbot)")
    front, engine = front_end_ratio(results), bot["engine_cpu_ms_per_update"]
    verdict = "PASS" if front <= FRONT_END_TARGET else "ABOVE TARGET"
    rows.append(
        f"front end: {bot['cpu_ms_per_update'] - engine:.2f} CPU ms/update without engine.answer ({engine:.2f} ms of it) vs echo's"
        f" {echo['cpu_ms_per_update']:.2f} → {front:.2f}× echo's cost; target ≤ {FRONT_END_TARGET:.2f}× → {verdict}"
    )
    return "\n".join(rows)


async def main_async(args: argparse.Namespace, engine: TimedEngine) -> dict[str, dict[str, float]]:
    return {
        "echo": await measure(echo_app, args.updates, args.users, args.rtt, args.rtt_updates),
        "summitbot": await measure(lambda api, tmp: summitbot_app(api, tmp, engine), args.updates, args.users, args.rtt, args.rtt_updates, engine),
    }


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
    # Lexical engine: its cost is taken out of the front end's anyway, and the encoder would only add noise.
    engine = TimedEngine(load(ROOT / "intents", ROOT / "knowledge"), load_ranker(ROOT / "model" / "ranker.json"))
    results = asyncio.run(main_async(args, engine))
    print(f"{args.updates} updates per loopback phase, {args.rtt_updates} with API latency, {args.users} users, long polling\n")
    print(table(results, args.rtt))
    if args.json:
        print(json.dumps({**results, "front_end_ratio": front_end_ratio(results)}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
