"""Start-up menus, /reload (admins only), the error handler, and ``summitbot run`` itself."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import sys
from pathlib import Path

import pytest
from fakeapi import FakeBotApi
from harness import ADMIN, BOT, TOKEN, Harness, make_settings, plain

from bot.settings import REPO_ROOT, SettingsError
from bot.telegram.app import build_application, running

pytestmark = pytest.mark.timeout(40)
PRIVATE = {"type": "all_private_chats"}
GROUPS = {"type": "all_group_chats"}


async def test_menus_are_set_per_scope_and_language(bot: Harness) -> None:
    for lang in ("", "th", "vi", "fr"):
        private = [c["command"] for c in bot.api.commands(PRIVATE, lang)]
        groups = [c["command"] for c in bot.api.commands(GROUPS, lang)]
        admin = [c["command"] for c in bot.api.commands({"type": "chat", "chat_id": ADMIN}, lang)]
        assert private == ["start", "ask", "events", "lang", "help", "subscribe", "unsubscribe"]
        assert groups == ["ask", "events", "lang", "help", "subscribe", "unsubscribe"]
        assert admin[: len(private)] == private and {"fact_add", "undo", "export", "reload"} <= set(admin)
    assert bot.api.commands(PRIVATE, "th")[3]["description"] == "เลือกภาษาที่ใช้ตอบ"
    assert bot.api.commands(GROUPS, "fr")[0]["description"] == "Poser une question (aussi en groupe)"
    assert bot.api.commands(PRIVATE, "en") == []  # English is the default list ("")
    assert len(bot.api.calls_of("setMyCommands")) == 12


async def test_reload_refused_to_non_admins(bot: Harness) -> None:
    before = bot.services.engine.kb
    _, reply = await bot.say("/reload", language_code="fr")
    assert plain(reply) == "Désolé, seuls les administrateurs du bot peuvent utiliser cette commande."
    bot.api.send_text(f"/reload@{BOT}", chat_id=-5, user_id=77, chat_type="group")
    assert "only the bot's admins" in plain(await bot.reply(-5))
    assert bot.services.engine.kb is before


async def test_reload_by_an_admin(api: FakeBotApi, tmp_path: Path) -> None:
    intents, knowledge = tmp_path / "intents", tmp_path / "knowledge"
    shutil.copytree(REPO_ROOT / "intents", intents)
    shutil.copytree(REPO_ROOT / "knowledge", knowledge)
    assert api.root is not None
    settings = make_settings(api.root, tmp_path / "bot.sqlite3", SUMMITBOT_INTENTS_DIR=str(intents), SUMMITBOT_KNOWLEDGE_DIR=str(knowledge))
    async with running(build_application(settings), poll_timeout=1) as app:
        engine = app.bot_data.services.engine
        kb = engine.kb
        (knowledge / "wiotc_2023.yaml").write_text("version: 1\nid: <b>broken & bad</b>\n", encoding="utf-8")
        api.send_text("/reload", chat_id=ADMIN, user_id=ADMIN)
        refused = await api.wait_for("sendMessage", timeout=10)
        assert refused.ok and plain(refused).startswith("Reload failed:")
        assert "<b>broken & bad</b>" in plain(refused)  # the problem is shown, escaped
        assert engine.kb is kb
        api.send_text("/start wiotc_2023", chat_id=ADMIN, user_id=ADMIN)
        assert "World Internet of Things Convention 2023" in plain(await api.wait_for("sendMessage", timeout=5))

        (knowledge / "wiotc_2023.yaml").unlink()
        api.send_text("/reload", chat_id=ADMIN, user_id=ADMIN)
        done = await api.wait_for("sendMessage", timeout=10)
        assert plain(done).startswith("Reloaded: 4 events,")
        assert engine.kb is not kb and len(engine.kb.events) == 4
        api.send_text("/start wiotc_2023", chat_id=ADMIN, user_id=ADMIN)
        assert "Hello!" in plain(await api.wait_for("sendMessage", timeout=5))  # the link leads nowhere now: the welcome


async def test_a_failing_update_is_logged_and_the_bot_carries_on(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    bot.api.fail_next("sendMessage", error_code=400, description="Bad Request: injected failure", chat_id=42)
    with caplog.at_level(logging.ERROR, logger="bot.telegram.errors"):
        update, reply = await bot.say("when was the wuzhen summit?", language_code="vi")
    assert plain(reply) == "Xin lỗi, đã có lỗi xảy ra. Vui lòng thử lại."
    record = next(r for r in caplog.records if r.name == "bot.telegram.errors")
    assert f"update {update['update_id']} (chat 42, user 42)" in record.getMessage() and record.exc_info
    assert TOKEN not in caplog.text
    _, reply = await bot.say("when was the wuzhen summit?")
    assert "8 November 2023" in plain(reply)


async def test_a_failing_button_still_answers_its_query(bot: Harness) -> None:
    _, card = await bot.say("/start wic_wuzhen_2023")
    bot.api.fail_next("editMessageText", error_code=400, chat_id=42)
    bot.api.press_button(card, "v1|ev|wic_wuzhen_2023|event_figures|en", user_id=42)
    assert (await bot.api.wait_for("answerCallbackQuery")).ok
    # The card could not be edited (too old, say): the answer comes as a new message instead.
    assert "Source: " in plain(await bot.reply(42))
    await bot.settle()
    _, reply = await bot.say("how many IoT companies are in Wuxi?")
    assert "3,000" in plain(reply)


async def test_settings_are_checked_at_build(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        build_application(make_settings("http://127.0.0.1:9", tmp_path / "x.db", TELEGRAM_BOT_TOKEN=""))
    with pytest.raises(SettingsError, match="SUMMITBOT_TIMEZONE"):
        build_application(make_settings("http://127.0.0.1:9", tmp_path / "x.db", SUMMITBOT_TIMEZONE="Mars/Olympus"))
    app = build_application(make_settings("http://127.0.0.1:9", tmp_path / "x.db"))
    assert app.bot.base_url == f"http://127.0.0.1:9/bot{TOKEN}"
    assert app.bot.base_file_url == f"http://127.0.0.1:9/file/bot{TOKEN}"


async def test_summitbot_run_against_the_fake_server(api: FakeBotApi, tmp_path: Path) -> None:
    """The real entry point, in a subprocess: long polling, an answer, a clean stop on SIGINT, no token in the logs."""
    assert api.root is not None
    env = {
        **os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.root, "SUMMITBOT_DB": str(tmp_path / "run" / "bot.db"),
        "SUMMITBOT_LOG_LEVEL": "DEBUG", "SUMMITBOT_ADMINS": str(ADMIN), "SUMMITBOT_INTENTS_DIR": str(REPO_ROOT / "intents"),
        "SUMMITBOT_KNOWLEDGE_DIR": str(REPO_ROOT / "knowledge"),
    }  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        api.send_text("how many IoT companies are in Wuxi?", chat_id=42, user_id=42)  # waits in the queue until polling starts
        reply = await api.wait_for("sendMessage", timeout=30)
        assert "3,000" in plain(reply)
        proc.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    logs = (out + err).decode()
    assert proc.returncode == 0, logs
    assert "@summit_test_bot ready: 5 events, 12 menus" in logs
    assert TOKEN not in logs and TOKEN.split(":")[1] not in logs


async def test_summitbot_run_with_a_rejected_token_fails_clearly(tmp_path: Path) -> None:
    async with FakeBotApi("654321:" + "B" * 35) as other:
        root = other.root
        assert root is not None
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": root, "SUMMITBOT_DB": str(tmp_path / "bot.db")}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    logs = (out + err).decode()
    assert proc.returncode == 1, logs
    assert f"summitbot: the Bot API at {root} rejected TELEGRAM_BOT_TOKEN" in logs
    assert TOKEN.split(":")[1] not in logs  # PTB quotes the token in its error and its logged traceback: redacted
    assert logs.rstrip().endswith("check the token with @BotFather")  # and no uncaught traceback after it
