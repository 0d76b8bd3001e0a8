"""Card buttons end to end: only those with an answer, edited in place, a double press shown once, lists retired."""

from __future__ import annotations

import pytest
from harness import Harness, buttons, plain

from bot.engine.follow_ups import follow_ups
from bot.engine.replies import date_and_place
from tests.conftest import NOW

pytestmark = pytest.mark.timeout(30)


async def test_a_card_offers_only_the_buttons_its_sources_answer(bot: Harness) -> None:
    engine = bot.services.engine
    hidden_somewhere = set()
    for chat, event in enumerate(engine.kb.events, start=100):
        _, card = await bot.say(f"/start {event.id}", chat_id=chat)
        offered = [data for _, data in buttons(card)]
        # The engine decides: a topic button is there exactly when its answer is not "my sources don't say".
        for intent in ("event_figures", "event_theme"):
            answer = engine.intent_answer(event.id, intent, "en", NOW)
            assert answer is not None
            assert (f"v1|ev|{event.id}|{intent}|en" in offered) == (answer.kind != "no_info"), (event.id, intent)
            hidden_somewhere |= {intent} if answer.kind == "no_info" else set()
        both = date_and_place(engine, event.id, "en", NOW)
        assert both is not None and (f"v1|dp|{event.id}|en" in offered) == (both.kind != "no_info")
        assert offered[-1] == f"v1|src|{event.id}|en" and len(offered) == len(follow_ups(event))
        for data in offered:  # every button shown leads to an answer, shown in place of the card
            bot.api.press_button(card, data, user_id=chat)
            await bot.settle()
            shown = [c for c in bot.api.calls_of("editMessageText") if c.params["chat_id"] == chat][-1]
            assert shown.ok and shown.params["message_id"] == card.result["message_id"]
            assert "Source: " in plain(shown), (event.id, data, plain(shown))  # a cited answer, not "my sources don't say"
    assert hidden_somewhere == {"event_figures", "event_theme"}  # the shipped cards do hide dead ends


async def test_a_follow_up_edits_the_card_in_place_and_overview_brings_it_back(bot: Harness) -> None:
    _, card = await bot.say("/start wiotc_2023")
    sent = len(bot.sent_to(42))
    bot.api.press_button(card, "v1|ev|wiotc_2023|event_figures|en", user_id=42)
    figures = await bot.api.wait_for("editMessageText", lambda c: c.ok, 5)
    assert figures.params["message_id"] == card.result["message_id"]
    assert plain(figures) != plain(card) and "Source: PRNewswire, 5 December 2023 (article in French)" in plain(figures)
    # Its keyboard: back to the card, and the other follow-ups (not the one shown).
    assert buttons(figures) == [
        ("Overview", "v1|ev|wiotc_2023|event_summary|en"), ("Date & place", "v1|dp|wiotc_2023|en"),
        ("Theme", "v1|ev|wiotc_2023|event_theme|en"), ("Source", "v1|src|wiotc_2023|en"),
    ]  # fmt: skip
    bot.api.press_button(card, "v1|ev|wiotc_2023|event_summary|en", user_id=42)
    back = await bot.api.wait_for("editMessageText", lambda c: c.ok and c is not figures, 5)
    assert plain(back) == plain(card) and buttons(back) == buttons(card)
    await bot.settle()
    assert len(bot.sent_to(42)) == sent  # nothing piled up below the card


async def test_a_double_press_shows_the_answer_once(bot: Harness) -> None:
    _, card = await bot.say("/start wic_wuzhen_2023")
    sent = len(bot.sent_to(42))
    for _ in range(2):  # both presses are queued before the bot handles the first
        bot.api.press_button(card, "v1|dp|wic_wuzhen_2023|en", user_id=42)
    await bot.settle()
    edits = bot.api.calls_of("editMessageText")
    assert [c.ok for c in edits] == [True, False] and "not modified" in str(edits[1].error)
    assert len(bot.sent_to(42)) == sent
    assert [c.ok for c in bot.api.calls_of("answerCallbackQuery")] == [True, True]  # no spinner left turning


async def test_a_list_of_events_retires_its_keyboard_and_a_double_press_sends_one_card(bot: Harness) -> None:
    _, listing = await bot.say("/events")
    data = next(d for _, d in buttons(listing) if "world_iot_expo_2021" in d)
    for _ in range(2):
        bot.api.press_button(listing, data, user_id=42)
    await bot.settle()
    retired = [c for c in bot.api.calls_of("editMessageReplyMarkup") if c.ok]
    assert len(retired) == 1 and retired[0].params["message_id"] == listing.result["message_id"]
    cards = [c for c in bot.sent_to(42) if "World Internet of Things Expo 2021" in plain(c) and c is not listing]
    assert len(cards) == 1 and ("Date & place", "v1|dp|world_iot_expo_2021|en") in buttons(cards[0])
    assert bot.api.calls_of("editMessageText") == []  # the list's text stays as it was


async def test_in_a_group_a_press_keeps_the_cards_language(bot: Harness) -> None:
    _, prompt = await bot.say("/lang", chat_id=7, user_id=7)
    bot.api.press_button(prompt, "v1|lang|th", user_id=7)
    await bot.settle()
    bot.api.send_text("/start@summit_test_bot wiotc_2023", chat_id=-800, user_id=8, chat_type="group", language_code="fr")
    card = await bot.reply(-800)
    bot.api.press_button(card, "v1|ev|wiotc_2023|event_theme|fr", user_id=7)  # a member who reads Thai presses it
    theme = await bot.api.wait_for("editMessageText", lambda c: c.params["chat_id"] == -800, 5)
    assert "Nouvel Internet des objets, nouvelle économie, nouvelle ère" in plain(theme)
    assert ("Présentation", "v1|ev|wiotc_2023|event_summary|fr") in buttons(theme)
