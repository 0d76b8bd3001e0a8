"""Private chats: questions in four languages, follow-ups, commands, deep links, edits, media, escaping."""

from __future__ import annotations

import pytest
from harness import BOT, THAI, Harness, buttons, plain

from bot.telegram.keyboards import encode_event

pytestmark = pytest.mark.timeout(30)


@pytest.mark.parametrize(
    ("question", "language_code", "expected"),
    [
        ("how many IoT companies are in Wuxi?", "en", ["3,000", "Xinhua Silk Road (article in Thai)"]),
        ("งานอู๋ซีจัดที่ไหน", "en", ["อู๋ซี", "แหล่งที่มา"]),
        ("hoi nghi o tran to chuc khi nao", "en", ["ngày 8 tháng 11 năm 2023", "Nguồn"]),
        ("quel est le thème de la WIOTC 2023 ?", "en", ["Le thème", "Nouvel Internet des objets", "Source"]),
    ],
)
async def test_questions_in_four_languages(bot: Harness, question: str, language_code: str, expected: list[str]) -> None:
    _, reply = await bot.say(question, language_code=language_code)
    text = plain(reply)
    for part in expected:
        assert part in text
    assert reply.params["parse_mode"] == "HTML"
    assert "reply_parameters" not in reply.params  # private chats are not threaded
    if THAI.search(question):
        assert THAI.search(text.split("\n")[1])


async def test_follow_up_uses_the_conversation_context(bot: Harness) -> None:
    _, first = await bot.say("when was the Wuzhen summit?")
    assert "8 November 2023" in plain(first)
    _, follow = await bot.say("and where?")
    assert "Wuzhen town, Zhejiang province" in plain(follow)
    # Another user's conversation is not affected by this one: without an event the bot asks which one.
    _, other = await bot.say("and where?", chat_id=43)
    assert "Wuzhen town" not in plain(other) and len(buttons(other)) >= 2
    assert all(data.endswith("|event_where|en") for _, data in buttons(other))


async def test_ambiguous_question_offers_did_you_mean_buttons(bot: Harness) -> None:
    _, reply = await bot.say("who spoke there?")
    labels = dict(buttons(reply))
    # The events whose speakers answer alike are offered (up to all five), each button asking for its speakers.
    assert labels["World Internet Conference Wuzhen Summit 2023"] == "v1|ev|wic_wuzhen_2023|event_speakers|en"
    assert 2 <= len(labels) <= 5 and all(data.endswith("|event_speakers|en") for data in labels.values())


async def test_start_welcomes_with_event_buttons_and_records_the_chat(bot: Harness) -> None:
    _, reply = await bot.say("/start", language_code="fr")
    assert plain(reply).startswith("Bonjour") and "Je suis Summit Test Bot." in plain(reply)
    data = [d for _, d in buttons(reply)]
    assert "v1|ev|wiotc_2023|event_summary|fr" in data and len(data) == 5
    record = await bot.services.store.chat(42)
    assert record is not None and (record.type, record.status) == ("private", "member")


async def test_deep_link_opens_the_event_card(bot: Harness) -> None:
    _, reply = await bot.say("/start wic_wuzhen_2023", language_code="vi")
    text = plain(reply)
    assert text.startswith("Hội nghị thượng đỉnh Internet thế giới Ô Trấn 2023")
    assert [d for _, d in buttons(reply)] == [
        "v1|dp|wic_wuzhen_2023|vi",
        "v1|ev|wic_wuzhen_2023|event_figures|vi",
        "v1|src|wic_wuzhen_2023|vi",
    ]  # fmt: skip (its sources give no theme: no Theme button)
    # The card sets the conversation: a follow-up is about that event.
    _, follow = await bot.say("ai tổ chức?", language_code="vi")
    assert "Ô Trấn" in plain(follow)
    # An unknown or hostile payload is said to lead nowhere (never echoed), then the welcome.
    for payload in ("nope", "<b>x</b>", "wic_wuzhen_2023_extra"):
        _, reply = await bot.say(f"/start {payload}")
        assert plain(reply).startswith("That link doesn't lead to an event I know") and "Hello! I'm Summit Test Bot." in plain(reply)
        assert payload not in plain(reply)


async def test_help_events_and_ask(bot: Harness) -> None:
    _, help_reply = await bot.say("/help", language_code="th")
    text = plain(help_reply)
    assert "Summit Test Bot" in text and "/lang — เลือกภาษาที่ใช้ตอบ" in text and "/reload" not in text
    _, events = await bot.say("/events")
    assert plain(events).startswith("Events I know about:") and len(buttons(events)) == 5
    _, usage = await bot.say("/ask")
    assert plain(usage) == "Usage: /ask <your question>"
    assert "&lt;your question&gt;" in usage.params["text"]
    _, answer = await bot.say("/ask   how many IoT companies are in Wuxi?")
    assert "3,000" in plain(answer)


async def test_unknown_command_is_answered_in_private(bot: Harness) -> None:
    _, reply = await bot.say("/frobnicate now", language_code="vi")
    assert plain(reply) == "Tôi không biết lệnh này. Hãy thử /help."
    _, reply = await bot.say("/start@another_bot")
    assert plain(reply) == "I don't know that command. Try /help."


async def test_edited_question_is_answered_again_as_a_reply(bot: Harness) -> None:
    update, first = await bot.say("when was the wuzhen summit?")
    assert "8 November" in plain(first)
    bot.api.edit_text(update, "where was the wuzhen summit?")
    again = await bot.reply(42)
    assert "Zhejiang" in plain(again)
    assert again.params["reply_parameters"]["message_id"] == update["message"]["message_id"]
    # An edited command is not run again (and nothing crashes).
    start, _ = await bot.say("/help")
    bot.api.edit_text(start, "/events")
    await bot.settle()
    assert not any(plain(c).startswith("Events I know about") for c in bot.sent_to(42))


async def test_photo_without_text(bot: Harness) -> None:
    bot.api.send_photo(42, 42, language_code="th")
    reply = await bot.reply(42)
    assert plain(reply) == "อ่านได้เฉพาะข้อความตัวอักษรเท่านั้น กรุณาพิมพ์คำถาม"


async def test_user_text_with_markup_never_breaks_html(bot: Harness) -> None:
    for text in ("<b>when</b> & where was wuzhen?", "a < b && c > d", "</i><i>&amp;", "<script>alert(1)</script> wuzhen"):
        _, reply = await bot.say(text)
        assert reply.ok  # the fake server answers 400 to malformed HTML
        plain(reply)


async def test_every_reply_fits_in_one_telegram_message(bot: Harness) -> None:
    long_question = "when was the wuzhen summit " + "and where " * 600
    for text in ("list all events", "what's coming up next?", "help", long_question, "ข" * 5000):
        await bot.say(text)
    for call in bot.api.calls_of("sendMessage"):
        assert call.ok and len(plain(call)) <= 4096 and len(call.params["text"]) <= 4096


async def test_messages_sent_via_our_inline_mode_are_not_questions(bot: Harness) -> None:
    update = bot.api.send_text("when was the wuzhen summit?", chat_id=42, user_id=42)
    update["message"]["via_bot"] = {"id": bot.api.bot_id, "is_bot": True, "first_name": "x", "username": BOT}
    # (the queued update is this very dict, so getUpdates delivers it with via_bot set)
    await bot.settle()
    assert bot.sent_to(42) == []


async def test_card_buttons_answer_follow_ups(bot: Harness) -> None:
    _, card = await bot.say("/start world_iot_expo_2021")
    data = dict((d, label) for label, d in buttons(card))
    bot.api.press_button(card, encode_event("dp", "world_iot_expo_2021", "en"), user_id=42)
    answered = await bot.api.wait_for("answerCallbackQuery", timeout=5)
    assert answered.ok and "text" not in answered.params
    place = await bot.api.wait_for("editMessageText", timeout=5)  # in place of the card
    assert "Wuxi, Jiangsu province" in plain(place) and "Source:" in plain(place)
    bot.api.press_button(card, "v1|ev|world_iot_expo_2021|event_figures|en", user_id=42)
    figures = await bot.api.wait_for("editMessageText", lambda c: c is not place, 5)
    assert "3,000" in plain(figures)
    bot.api.press_button(card, "v1|src|world_iot_expo_2021|en", user_id=42)
    source = await bot.api.wait_for("editMessageText", lambda c: c not in (place, figures), 5)
    assert "Source: “มหกรรม World IoT Expo ประจำปี 2564 เปิดฉากแล้วที่เมืองอู๋ซี”, Xinhua Silk Road (article in Thai)\nQuote in Thai:\n“" in plain(source)
    assert "v1|ev|world_iot_expo_2021|event_theme|en" not in data  # its sources give no theme
