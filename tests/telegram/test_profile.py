"""The bot's profile: description and short description set per language at start-up; a failure never stops it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml
from fakeapi import FakeBotApi
from harness import THAI, Harness, make_settings, plain

from bot.engine import Engine
from bot.telegram.app import build_application, running
from tests.conftest import REPO

pytestmark = pytest.mark.timeout(30)


def curated(key: str) -> dict[str, str]:
    """A text of intents/messages.yaml in its four languages, as the file has it."""
    doc = yaml.safe_load((REPO / "intents" / "messages.yaml").read_text(encoding="utf-8"))
    return {lang: str(text) for lang, text in doc["messages"][key].items()}


async def test_descriptions_are_set_per_language(bot: Harness) -> None:
    long, short = curated("bot_description"), curated("bot_short_description")
    for lang in ("th", "vi", "fr"):
        assert bot.api.description(lang) == long[lang] and bot.api.description(lang, short=True) == short[lang]
    # English is Telegram's default (no language code), shown to every language without its own text.
    assert bot.api.description() == long["en"] and bot.api.description(short=True) == short["en"]
    assert bot.api.description("en") == ""
    assert all(len(t) <= 512 for t in long.values()) and all(len(t) <= 120 for t in short.values())
    assert THAI.search(long["th"]) and "Wuzhen" in long["en"] and "IoT" in short["fr"]
    for method in ("setMyDescription", "setMyShortDescription"):
        calls = bot.api.calls_of(method)
        assert sorted(str(c.params.get("language_code") or "") for c in calls) == ["", "fr", "th", "vi"]
        assert all(c.ok for c in calls)


async def test_a_failing_profile_is_logged_and_the_bot_still_answers(api: FakeBotApi, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert api.root is not None
    api.fail_next("setMyDescription", error_code=400, description="Bad Request: injected failure", times=4)
    api.fail_http_5xx("setMyShortDescription", times=1)
    settings = make_settings(api.root, tmp_path / "bot.sqlite3")
    with caplog.at_level(logging.WARNING, logger="bot.telegram.profile"):
        async with running(build_application(settings, engine), poll_timeout=1):
            api.send_text("/start", chat_id=77, user_id=77)
            reply = await api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == 77, timeout=5)
            assert plain(reply).startswith("Hello!")
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.profile"]
    assert sum("bot_description failed" in w for w in warnings) == 4
    assert sum("bot_short_description failed" in w for w in warnings) == 1
    assert api.description() == "" and api.description("fr", short=True) == curated("bot_short_description")["fr"]
