"""The "I don't know" reply end to end: short, in the user's language, a button per event; small messages, small replies."""

from __future__ import annotations

import pytest
from harness import BOT, Harness, buttons, plain

from bot.engine.render import shorten
from bot.telegram.keyboards import MAX_LABEL

pytestmark = pytest.mark.timeout(30)
GROUP = -700


async def test_the_fallback_is_one_sentence_with_a_button_per_event(bot: Harness) -> None:
    kb = bot.services.engine.kb
    asked = [(41, "en", "what is the capital of Peru?"), (42, "vi", "thời tiết Hà Nội hôm nay thế nào?"), (43, "fr", "quelle est la capitale du Pérou ?")]
    for chat, lang, question in asked:
        _, reply = await bot.say(question, chat_id=chat, language_code=lang)
        assert plain(reply) == kb.messages.get("fallback", lang) and len(plain(reply)) < 200
        assert buttons(reply) == [(shorten(e.name(lang), MAX_LABEL), f"v1|ev|{e.id}|event_summary|{lang}") for e in kb.events]


async def test_an_event_button_under_the_fallback_opens_its_card(bot: Harness) -> None:
    _, reply = await bot.say("quelle est la capitale du Pérou ?", language_code="fr")
    label, data = next((label, data) for label, data in buttons(reply) if "wiotc_2023" in data)
    bot.api.press_button(reply, data, user_id=42, language_code="fr")
    card = await bot.api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == 42 and label in plain(c), 5)
    assert "Thème\u00a0: Nouvel Internet des objets, nouvelle économie, nouvelle ère" in plain(card)
    assert (await bot.api.wait_for("answerCallbackQuery")).ok


SMALL = [("👍", "en", "reply_reaction"), ("🙏🙏", "th", "reply_reaction"), ("?", "vi", "reply_nudge"), ("…", "fr", "reply_reaction")]


@pytest.mark.parametrize(("text", "lang", "key"), SMALL)
async def test_an_emoji_or_a_question_mark_gets_a_small_reply(bot: Harness, text: str, lang: str, key: str) -> None:
    _, reply = await bot.say(text, language_code=lang)
    assert plain(reply) == bot.services.messages.get(key, lang) and len(plain(reply)) < 100
    assert buttons(reply) == []


async def test_ok_and_thanks_get_a_small_reply(bot: Harness) -> None:
    for chat, text in [(44, "ok"), (45, "thanks"), (46, "okay")]:
        _, reply = await bot.say(text, chat_id=chat)
        assert len(plain(reply)) < 60 and buttons(reply) == [], text


async def test_a_bare_mention_in_a_group_is_invited_to_ask(bot: Harness) -> None:
    bot.api.send_text(f"@{BOT}", chat_id=GROUP, user_id=7, chat_type="group", chat_title="Summit fans", language_code="fr")
    reply = await bot.reply(GROUP)
    assert plain(reply) == bot.services.messages.get("reply_nudge", "fr") and buttons(reply) == []
    assert reply.params["reply_parameters"]["message_id"]  # threaded to the mention, as every group reply
