"""Feedback while the bot works or cannot follow: "typing…" on slow admin commands, unknown deep links explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakeapi import Call, FakeBotApi
from harness import ADMIN, Harness, buttons, make_settings, plain

from bot.engine import Engine
from bot.telegram.app import build_application, running

pytestmark = pytest.mark.timeout(30)


def typing_before(api: FakeBotApi, chat_id: int, reply: Call) -> bool:
    """Whether a "typing" chat action went to the chat before ``reply``."""
    calls = api.calls[: api.calls.index(reply)]
    return any(c.method == "sendChatAction" and c.ok and c.params.get("chat_id") == chat_id and c.params.get("action") == "typing" for c in calls)


async def test_export_shows_typing_first(bot: Harness) -> None:
    bot.api.send_text("/export", chat_id=ADMIN, user_id=ADMIN)
    document = await bot.reply(ADMIN, method="sendDocument")
    assert typing_before(bot.api, ADMIN, document)
    # Not for someone who may not export: the refusal comes at once.
    _, refused = await bot.say("/export", chat_id=77)
    assert "only the bot's admins" in plain(refused) and not typing_before(bot.api, 77, refused)


async def test_reload_shows_typing_first(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    broken = tmp_path / "knowledge"
    broken.mkdir()
    (broken / "bad.yaml").write_text("version: 2\nid: bad\n", encoding="utf-8")
    assert api.root is not None
    # The shared engine is never swapped: this reload is refused (a broken file), after showing "typing…".
    settings = make_settings(api.root, tmp_path / "bot.sqlite3", SUMMITBOT_KNOWLEDGE_DIR=str(broken))
    async with running(build_application(settings, engine), poll_timeout=1):
        api.send_text("/reload", chat_id=ADMIN, user_id=ADMIN)
        reply = await api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == ADMIN, timeout=10)
        assert plain(reply).startswith("Reload failed:")
        assert typing_before(api, ADMIN, reply)


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [
        ("en", "That link doesn't lead to an event I know"),
        ("th", "ลิงก์นี้ไม่ตรงกับงานใดที่มีข้อมูล"),
        ("vi", "Liên kết này không dẫn đến sự kiện nào tôi biết"),
        ("fr", "Ce lien ne mène à aucun événement que je connais"),
    ],
)
async def test_unknown_deep_link_is_explained_in_the_users_language(bot: Harness, language_code: str, expected: str) -> None:
    _, reply = await bot.say("/start wic_wuzhen_2099", language_code=language_code)
    text = plain(reply)
    assert text.startswith(expected)
    assert bot.services.messages.get("welcome", language_code, bot="Summit Test Bot") in text  # then the welcome
    assert len(buttons(reply)) == 5 and "wic_wuzhen_2099" not in text  # the events to pick; the payload not echoed
