"""Inline buttons: forged and stale callback data, /lang (stored in SQLite, surviving a restart)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakeapi import FakeBotApi
from harness import BOT, THAI, Harness, buttons, make_settings, plain

from bot.engine import Engine
from bot.telegram.app import build_application, running

pytestmark = pytest.mark.timeout(30)
FORGED = [
    "", "garbage", "v2|ev|wic_wuzhen_2023|event_when|en", "v1|ev|no_such_event|event_when|en",
    "v1|ev|wic_wuzhen_2023|greeting|en", "v1|ev|wic_wuzhen_2023|event_when|de", "v1|ev|WIC|event_when|en",
    "v1|ev|wic_wuzhen_2023|event_when|en|extra", "v1|dp|wic_wuzhen_2023", "v1|src|../../etc/passwd|en",
    "v1|lang|xx", "v1|lang|", "v1|ev|wic_wuzhen_2023|event_when|en" + "x" * 60, "v1|ev|<b>|event_when|en", "v1|ev|ô|event_when|en",
]  # fmt: skip


async def test_forged_or_stale_callback_data_only_gets_the_expired_notice(bot: Harness) -> None:
    _, card = await bot.say("/start wic_wuzhen_2023", language_code="th")
    before = len(bot.api.calls_of("sendMessage"))
    for data in FORGED:
        bot.api.press_button(card, data, user_id=42, check_button=False, language_code="th")
        notice = await bot.api.wait_for("answerCallbackQuery", timeout=5)
        assert notice.ok and notice.params["text"] == "ปุ่มนี้หมดอายุแล้ว กรุณาถามใหม่อีกครั้ง", data
    await bot.settle()
    assert len(bot.api.calls_of("sendMessage")) == before
    assert bot.api.calls_of("editMessageText") == []
    assert await bot.services.store.get_user_lang(42) is None


async def test_did_you_mean_button_answers_in_the_language_it_was_offered(bot: Harness) -> None:
    _, reply = await bot.say("ai đã phát biểu?", language_code="en")
    offered = [d for _, d in buttons(reply)]
    assert "v1|ev|wic_wuzhen_2023|event_speakers|vi" in offered
    bot.api.press_button(reply, "v1|ev|wic_wuzhen_2023|event_speakers|vi", user_id=42)
    answer = await bot.api.wait_for("editMessageText", timeout=5)  # the question is replaced by its answer
    assert answer.params["message_id"] == reply.result["message_id"]
    assert "Tập Cận Bình" in plain(answer) and "Nguồn" in plain(answer)
    assert (await bot.api.wait_for("answerCallbackQuery")).ok


async def test_lang_choice_in_a_group_is_personal_and_not_edited(bot: Harness) -> None:
    bot.api.send_text(f"/lang@{BOT}", chat_id=-5, user_id=11, chat_type="group")
    prompt = await bot.reply(-5)
    bot.api.press_button(prompt, "v1|lang|vi", user_id=12)
    notice = await bot.api.wait_for("answerCallbackQuery")
    assert notice.params["text"] == "Xong — từ giờ tôi sẽ trả lời bằng tiếng Việt."
    await bot.settle()
    assert bot.api.calls_of("editMessageText") == []
    assert await bot.services.store.get_user_lang(12) == "vi"
    assert await bot.services.store.get_user_lang(11) is None


async def test_lang_choice_persists_across_a_restart(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    assert api.root is not None
    settings = make_settings(api.root, tmp_path / "state" / "bot.sqlite3")
    async with running(build_application(settings, engine), poll_timeout=1) as app:
        api.send_text("/lang", chat_id=42, user_id=42, language_code="en")
        prompt = await api.wait_for("sendMessage", timeout=5)
        labels = [label for label, _ in buttons(prompt)]
        assert labels == ["English", "ภาษาไทย", "tiếng Việt", "français", "✓ Automatic (follow the language you write in)"]
        api.press_button(prompt, "v1|lang|th", user_id=42)
        assert (await api.wait_for("answerCallbackQuery")).params["text"] == "เรียบร้อย — จากนี้จะตอบเป็นภาษาไทย"
        edited = await api.wait_for("editMessageText")
        assert edited.ok and plain(edited) == "เรียบร้อย — จากนี้จะตอบเป็นภาษาไทย"
        api.send_text("how many IoT companies are in Wuxi?", chat_id=42, user_id=42)
        answer = await api.wait_for("sendMessage", timeout=5)
        assert THAI.search(plain(answer)) and "3,000" in plain(answer)
    assert not app.running
    # A new application on the same database file: the choice is still there.
    async with running(build_application(settings, engine), poll_timeout=1):
        api.send_text("when was the Wuzhen summit?", chat_id=42, user_id=42)
        answer = await api.wait_for("sendMessage", timeout=5)
        assert "พฤศจิกายน" in plain(answer)
        api.send_text("/lang", chat_id=42, user_id=42)
        prompt = await api.wait_for("sendMessage", timeout=5)
        assert plain(prompt) == "เลือกภาษาที่ต้องการให้ตอบ:" and ("✓ ภาษาไทย", "v1|lang|th") in buttons(prompt)
        api.press_button(prompt, "v1|lang|auto", user_id=42)
        await api.wait_for("answerCallbackQuery")
        api.send_text("when was the Wuzhen summit?", chat_id=42, user_id=42)
        answer = await api.wait_for("sendMessage", timeout=5)
        assert "8 November 2023" in plain(answer)


async def test_stale_card_after_the_event_is_gone(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    # A card's buttons stay valid while its event exists; a button for an event the bot no longer knows is stale.
    assert api.root is not None
    settings = make_settings(api.root, tmp_path / "bot.sqlite3")
    async with running(build_application(settings, engine), poll_timeout=1):
        api.send_text("/start wiotc_2023", chat_id=42, user_id=42)
        card = await api.wait_for("sendMessage", timeout=5)
        api.press_button(card, "v1|ev|wiotc_2024|event_theme|en", user_id=42, check_button=False)
        notice = await api.wait_for("answerCallbackQuery", timeout=5)
        assert notice.params["text"] == "This button has expired — please ask again."
        api.press_button(card, "v1|ev|wiotc_2023|event_theme|en", user_id=42)
        theme = await api.wait_for("editMessageText", timeout=5)
        assert "New Internet of Things, new economy, new era" in plain(theme)
