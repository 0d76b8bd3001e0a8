"""Fairness: other chats' reply latency while one private chat bursts 20 messages, and while one group floods.

Run: .venv/bin/python bench/bench_fairness.py [--rtt 0.05] [--rounds 6] [--json]

The bot is the application ``summitbot run`` builds (engine, SQLite store on a temporary file, handlers, flood
control at its default of 20 messages per user per minute), long polling the fake Bot API (tests/fakeapi) on
127.0.0.1 with Telegram's limits enforced (30 messages/s in all, 1/s per chat, 20/min per group: a send over a limit
gets a 429 with ``retry_after``) and every sendMessage held for ``--rtt`` seconds, as the real Bot API's round trip.

Three scenarios, each on a fresh server and database:

* baseline — five other users each ask a question every 1.5 s (staggered), nothing else happens;
* private burst — the same, just after one user has sent 20 questions at once (within the flood limit);
* group flood — the same, just after eight members of one group have sent 40 questions at once (``@bot …`` and bare
  ``/ask …``, five each: nobody over the flood limit), twice what Telegram lets the bot post there in a minute.

Latency is from the moment a question is queued to the moment the fake server receives its answer. Target: the
other chats' p99 ≤ 1 s in every scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakeapi import FakeBotApi  # noqa: E402

from bot.settings import Settings  # noqa: E402
from bot.telegram.app import BotApp, build_application, running  # noqa: E402

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
BOT = "summit_test_bot"
QUESTIONS = [
    "how many IoT companies are in Wuxi?", "when was the Wuzhen summit?", "where was the WIOTC 2023 held?",
    "quel est le thème de la WIOTC 2023 ?", "hoi nghi o tran to chuc khi nao", "what is ITU Digital World 2021?",
    "is world telecommunication day held every year?", "Vô Tích có bao nhiêu doanh nghiệp IoT",
]  # fmt: skip
OTHERS = [3001, 3002, 3003, 3004, 3005]
BURSTER, GROUP = 4001, -4002
ASK_EVERY = 1.5  # seconds between two questions of one other user
TARGET = 1.0
WAIT = 10.0  # seconds after the last question that answers are waited for
SCENARIOS = {
    "baseline": "baseline (no burst)",
    "private": "private burst (20 messages)",
    "group": "group flood (40 messages, 8 members)",
}


@dataclass
class Result:
    """Other chats' latencies in one scenario, and what the bursting chat got."""

    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0
    burst_answered: int = 0
    burst_sent: int = 0


def build(api: FakeBotApi, tmp: Path) -> BotApp:
    """The real bot against the fake server (it loads intents/ and knowledge/ itself, as ``summitbot run`` does)."""
    assert api.root is not None
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.root, "SUMMITBOT_DB": str(tmp / "fair.sqlite3"),
        "SUMMITBOT_INTENTS_DIR": str(ROOT / "intents"), "SUMMITBOT_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "SUMMITBOT_LOG_LEVEL": "WARNING", "SUMMITBOT_REMINDER_DAYS": "none",
    }  # fmt: skip
    return build_application(Settings.from_env(environ=env, dotenv=None))


def burst(api: FakeBotApi, scenario: str) -> int:
    """Queue the scenario's burst (without yielding to the loop: the bot fetches it in one batch); its size."""
    if scenario == "private":
        for n in range(20):
            api.send_text(QUESTIONS[n % len(QUESTIONS)], chat_id=BURSTER, user_id=BURSTER)
        return 20
    if scenario == "group":
        for n in range(40):
            question = QUESTIONS[n % len(QUESTIONS)]
            text = f"/ask {question}" if n % 2 else f"@{BOT} {question}"
            api.send_text(text, chat_id=GROUP, user_id=5000 + n % 8, chat_type="group")
        return 40
    return 0


def answers_to(api: FakeBotApi, chat: int) -> list[float]:
    """When the fake server received each accepted message to a chat."""
    return [c.at for c in api.calls_of("sendMessage") if c.ok and c.params.get("chat_id") == chat]


async def run(scenario: str, rounds: int, rtt: float) -> Result:
    """One scenario: the burst, then ``rounds`` questions from each other user; latencies per question."""
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotApi(TOKEN, bot_username=BOT, enforce_limits=True) as api, running(build(api, Path(tmp)), poll_timeout=1):
            for chat in OTHERS:  # warm-up: one answered question per chat before measuring
                api.send_text(QUESTIONS[0], chat_id=chat, user_id=chat)
            await api.wait_until(lambda: all(answers_to(api, c) for c in OTHERS), timeout=30)
            await asyncio.sleep(1.0)  # the per-chat windows of the warm-up pass
            api.delay_next("sendMessage", rtt, times=100_000)
            burst_size = burst(api, scenario)
            asked: dict[int, list[float]] = {chat: [] for chat in OTHERS}
            for k in range(rounds):
                for chat in OTHERS:
                    asked[chat].append(time.monotonic())
                    api.send_text(QUESTIONS[(k + chat) % len(QUESTIONS)], chat_id=chat, user_id=chat)
                    await asyncio.sleep(ASK_EVERY / len(OTHERS))
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and any(len(answers_to(api, c)) < rounds + 1 for c in OTHERS):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            result = Result(burst_sent=burst_size)
            for chat, times in asked.items():
                got = answers_to(api, chat)[1:]  # after the warm-up answer; one chat's answers come in order
                result.latencies += [answer - sent for sent, answer in zip(times, got, strict=False)]
                result.unanswered += max(0, len(times) - len(got))
            burst_chat = BURSTER if scenario == "private" else GROUP
            result.burst_answered = len(answers_to(api, burst_chat))
            api.clear_faults()
            api.enforce_limits = False  # let the bursting chat's backlog drain quickly at shutdown
    return result


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def table(results: dict[str, Result], rtt: float) -> str:
    """One row per scenario: the other chats' p50/p99/max and the verdict."""
    rows = [f"{'scenario':<40}{'samples':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'unanswered':>12}{'burst answered':>16}  target"]
    for name, r in results.items():
        lat = r.latencies
        p99 = percentile(lat, 99) if lat else float("inf")
        verdict = "PASS" if p99 <= TARGET and not r.unanswered else "FAIL"
        answered = f"{r.burst_answered}/{r.burst_sent}" if r.burst_sent else "-"
        figures = f"{statistics.median(lat) * 1000:>9.0f}{p99 * 1000:>9.0f}{max(lat) * 1000:>9.0f}" if lat else f"{'n/a':>9}" * 3
        rows.append(f"{SCENARIOS[name]:<40}{len(lat):>8}{figures}{r.unanswered:>12}{answered:>16}  p99 ≤ {TARGET * 1000:.0f} ms {verdict}")
    rows.append(f"other chats: {len(OTHERS)} private users, one question each every {ASK_EVERY} s ('unanswered': not within {WAIT:.0f} s);")
    rows.append(f"Bot API round trip {rtt * 1000:.0f} ms (latency: question queued → its answer reaching the server);")
    rows.append("limits enforced: 30 msg/s, 1 msg/s per chat, 20 msg/min per group. 'burst answered': the bursting chat's")
    rows.append("accepted replies by the end of the measurement (Telegram's limits pace them; the rest follow, in order).")
    return "\n".join(rows)


async def main_async(args: argparse.Namespace) -> dict[str, Result]:
    return {name: await run(name, args.rounds, args.rtt) for name in SCENARIOS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtt", type=float, default=0.05, help="simulated Bot API round trip per sendMessage, seconds (default 0.05)")
    parser.add_argument("--rounds", type=int, default=6, help="questions per other user and scenario (default 6)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    args = parser.parse_args(argv)
    results = asyncio.run(main_async(args))
    print(table(results, args.rtt))
    if args.json:
        print(json.dumps({k: vars(v) for k, v in results.items()}, indent=2))
    ok = all(r.latencies and percentile(r.latencies, 99) <= TARGET and not r.unanswered for r in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
