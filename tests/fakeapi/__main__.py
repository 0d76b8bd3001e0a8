"""Run the fake Bot API by hand and chat with a bot through it: ``python tests/fakeapi [--port 8081]``.

It prints the two settings to start the bot with (in another terminal), then each line you type is sent
to the bot as a private message from one user, and every message the bot sends is printed. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fakeapi import FakeBotApi
from fakeapi.entities import html_to_plain

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


async def main(port: int, user_id: int, lang: str) -> None:
    """Serve until stdin closes, relaying typed lines and printing the bot's messages."""
    api = FakeBotApi(TOKEN)
    root = await api.start(port)
    print(f"fake Bot API on {root}; start the bot in another terminal with:")
    print(f"  TELEGRAM_BOT_TOKEN={TOKEN} TELEGRAM_API_URL={root} .venv/bin/summitbot run")
    print("then type messages here (Ctrl-D to stop).", flush=True)
    seen = 0
    loop = asyncio.get_running_loop()

    async def show_replies() -> None:
        nonlocal seen
        while True:
            await asyncio.sleep(0.2)
            for call in api.calls[seen:]:
                if call.method in ("sendMessage", "editMessageText") and call.ok:
                    print(f"bot> {html_to_plain(str(call.params.get('text', '')))}", flush=True)
            seen = len(api.calls)

    printer = asyncio.create_task(show_replies())
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            if line.strip():
                api.send_text(line.strip(), chat_id=user_id, user_id=user_id, language_code=lang)
        await asyncio.sleep(3)  # let the last answers arrive before stopping
    finally:
        printer.cancel()
        await api.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--user", type=int, default=1001, help="the user (and private chat) id to write as")
    parser.add_argument("--lang", default="en", help="the user's Telegram language_code")
    args = parser.parse_args()
    asyncio.run(main(args.port, args.user, args.lang))
