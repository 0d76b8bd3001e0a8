"""A broadcast to 300 private chats and 60 groups through the fake Bot API enforcing Telegram's limits.

Run: .venv/bin/python bench/bench_broadcast.py [--private 300] [--groups 60] [--rtt 0.1] [--json]

The bot is the application ``summitbot run`` builds (SQLite on a temporary file); the fake server (tests/fakeapi,
127.0.0.1, same process) answers 429 with retry_after to any send beyond 30 messages/s overall, 1/s per chat or 20/min
per group. The admin sends /announce and presses Send; the clock runs from the first delivery to the last one.

Theoretical minimum: one message per chat, so only the global limit binds. 30 messages may go at once, then each
further 30 one second later: N messages need ceil(N / 30) - 1 seconds, i.e. (N - 30) / 30 = 11 s for N = 360.
Targets: time ≤ 1.15 × that minimum, zero 429s, every chat exactly once. The second run holds every sendMessage
for --rtt seconds at the server, as a real Bot API round trip does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakeapi import FakeBotApi, html_to_plain  # noqa: E402

from bot.curated import load  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.engine.model import EVENT_KINDS  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.telegram.app import build_application, running  # noqa: E402
from bot.telegram.services import Services  # noqa: E402

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
ADMIN = 9001
TEXT = "Benchmark broadcast: the programme of the summit is out."
GLOBAL_PER_SECOND = 30
WAIT = 120.0


def theoretical_minimum(messages: int, per_second: int = GLOBAL_PER_SECOND) -> float:
    """Seconds from the first to the last of ``messages`` one-per-chat sends under the global limit alone."""
    return float(max(0, math.ceil(messages / per_second) - 1))


async def one_run(engine: Engine, private: int, groups: int, rtt: float) -> dict[str, float | int | str]:
    """Subscribe the chats, announce, press Send, wait for the report; return the figures."""
    chats = [*range(100_001, 100_001 + private), *(-(200_001 + i) for i in range(groups))]
    async with FakeBotApi(TOKEN, bot_username="summit_bench_bot", enforce_limits=True) as api:
        assert api.root is not None
        with tempfile.TemporaryDirectory() as tmp:
            env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.root, "SUMMITBOT_DB": str(Path(tmp) / "bench.sqlite3"), "SUMMITBOT_ADMINS": str(ADMIN)}
            async with running(build_application(Settings.from_env(environ=env, dotenv=None), engine), poll_timeout=1) as app:
                svc: Services = app.bot_data.services
                assert svc.announcer is not None
                for chat in chats:
                    await svc.announcer.subscriptions.subscribe(chat, "private" if chat > 0 else "group", "en", EVENT_KINDS, None)
                if rtt:
                    api.delay_next("sendMessage", rtt, times=1_000_000)
                api.send_text(f"/announce {TEXT}", chat_id=ADMIN, user_id=ADMIN)
                preview = await api.wait_for("sendMessage", lambda c: c.ok and c.params["chat_id"] == ADMIN, 30)
                await asyncio.sleep(1.1)  # the admin reads the preview: its send leaves the global 1 s window first
                api.press_button(preview, "v1|an|send|1", user_id=ADMIN)
                pressed = time.monotonic()
                await api.wait_for("sendMessage", lambda c: c.ok and c.params["chat_id"] == ADMIN and "delivered to" in str(c.params["text"]), WAIT)
                reported = time.monotonic()
        broadcast = [c for c in api.calls_of("sendMessage") if c.params.get("chat_id") in set(chats)]
        delivered = [c for c in broadcast if c.ok]
        per_chat = Counter(int(c.params["chat_id"]) for c in delivered)
        starts = sorted(c.at for c in delivered)
        # Call.at is when the server received the request (with --rtt, each is held the same time before it counts).
        elapsed = starts[-1] - starts[0]
        minimum = theoretical_minimum(len(chats))
        return {
            "scenario": f"API latency {rtt * 1000:.0f} ms" if rtt else "loopback",
            "messages": len(chats),
            "first_to_last_s": round(elapsed, 2),
            "minimum_s": minimum,
            "ratio": round(elapsed / minimum, 3) if minimum else 1.0,
            "send_to_report_s": round(reported - pressed, 2),
            "http_429": sum(1 for c in api.calls if c.status == 429),
            "missing": sum(1 for chat in chats if per_chat[chat] == 0),
            "duplicates": sum(n - 1 for n in per_chat.values()),
            "html_ok": int(all(html_to_plain(str(c.params["text"])) == TEXT for c in delivered)),
        }


async def main(private: int, groups: int, rtt: float) -> list[dict[str, float | int | str]]:
    engine = Engine(load(ROOT / "intents", ROOT / "knowledge"))
    return [await one_run(engine, private, groups, 0.0), *([await one_run(engine, private, groups, rtt)] if rtt else [])]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--private", type=int, default=300)
    parser.add_argument("--groups", type=int, default=60)
    parser.add_argument("--rtt", type=float, default=0.1, help="seconds the server holds each sendMessage in the second run (0: skip it)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = asyncio.run(main(args.private, args.groups, args.rtt))
    if args.json:
        print(json.dumps(rows, indent=2))
        sys.exit(0)
    print(f"broadcast to {args.private} private chats + {args.groups} groups, limits enforced by the fake server (Python {sys.version.split()[0]})")
    print("minimum = ceil(N / 30) - 1 s: 30 go at once, each further 30 one second later (one message per chat: only the 30/s limit binds)")
    print("| scenario | messages | first → last delivery | theoretical minimum | ratio | Send → report | 429s | missing | duplicates |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['scenario']} | {r['messages']} | {r['first_to_last_s']} s | {r['minimum_s']:.0f} s | {r['ratio']:.2f}× | "
            f"{r['send_to_report_s']} s | {r['http_429']} | {r['missing']} | {r['duplicates']} |"
        )
    ok = all(float(r["ratio"]) <= 1.15 and r["http_429"] == 0 and r["missing"] == 0 and r["duplicates"] == 0 for r in rows)
    print("targets (ratio ≤ 1.15×, no 429, every chat exactly once):", "met" if ok else "NOT met")
