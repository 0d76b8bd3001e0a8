"""``summitbot run`` cannot start (issue 10, items 20 and 21): one clear line on stderr and exit code 1 — for a
malformed ``TELEGRAM_API_URL`` host, an API nobody answers at, and a rejected token — with no traceback before it
(before: a raw ValueError, or 40–100 lines of PTB's traceback), and no password from the URL anywhere.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest
from fakeapi import FakeBotApi
from reliability_kit import TOKEN

from bot.settings import Settings, SettingsError
from tests.conftest import REPO

pytestmark = pytest.mark.timeout(60)
PASSWORD = "s3cretPass"


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",
        "http://127.0.0.1:99999",
        "http://127.0.0.1:port",
        "http://exa mple.org",
        "http://bad_host!.org",
        "http://..",
        "ftp://127.0.0.1",
        "http://",
    ],
)
def test_a_malformed_api_url_is_a_settings_error(url: str) -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_API_URL"):
        Settings.from_env({"TELEGRAM_API_URL": url}, dotenv=None)


def test_credentials_in_the_api_url_are_kept_out_of_messages() -> None:
    settings = Settings.from_env({"TELEGRAM_API_URL": f"http://bot:{PASSWORD}@127.0.0.1:8081/"}, dotenv=None)
    assert settings.api_url == f"http://bot:{PASSWORD}@127.0.0.1:8081"  # what PTB uses (httpx sends it as basic auth)
    assert settings.api_url_for_logs == "http://***@127.0.0.1:8081"
    assert f"bot:{PASSWORD}" in settings.api_credentials and PASSWORD in settings.api_credentials
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"TELEGRAM_API_URL": f"http://bot:{PASSWORD}@127.0.0.1:99999"}, dotenv=None)
    assert PASSWORD not in str(caught.value)


async def run(tmp_path: Path, url: str, token: str = TOKEN) -> tuple[int, str]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": url, "SUMMITBOT_DB": str(tmp_path / "bot.sqlite3")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode, (out + err).decode()


def one_clear_line(logs: str, starts: str) -> None:
    assert "Traceback" not in logs and " ERROR " not in logs and " CRITICAL " not in logs, logs
    lines = logs.strip().splitlines()
    assert lines[-1].startswith(starts), logs
    assert PASSWORD not in logs and TOKEN.split(":")[1] not in logs, logs


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:99999"])
async def test_a_malformed_host_stops_with_one_line(tmp_path: Path, url: str) -> None:
    code, logs = await run(tmp_path, url)
    assert code == 1
    one_clear_line(logs, "summitbot: TELEGRAM_API_URL must be an http(s) URL")
    assert len(logs.strip().splitlines()) == 1, logs


async def test_an_unreachable_api_stops_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, logs = await run(tmp_path, f"http://bot:{PASSWORD}@127.0.0.1:{port}")
    assert code == 1
    one_clear_line(logs, f"summitbot: cannot reach the Bot API at http://***@127.0.0.1:{port}")


async def test_a_rejected_token_stops_with_one_line(tmp_path: Path) -> None:
    async with FakeBotApi("654321:" + "B" * 35) as other:  # a server that knows another bot
        assert other.root is not None
        code, logs = await run(tmp_path, other.root.replace("http://", f"http://bot:{PASSWORD}@"))
    assert code == 1
    one_clear_line(logs, "summitbot: the Bot API at http://***@127.0.0.1:")
    assert logs.rstrip().endswith("check the token with @BotFather")
