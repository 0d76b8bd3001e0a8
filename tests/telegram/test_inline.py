"""Inline mode: @bot <query> returns localized event and fact cards as HTML articles."""

from __future__ import annotations

from typing import Any

import pytest
from fakeapi import html_to_plain
from harness import BOT, Harness

pytestmark = pytest.mark.timeout(30)


async def inline(bot: Harness, query: str, language_code: str | None = "en", user_id: int = 42) -> dict[str, Any]:
    bot.api.inline_query(query, user_id=user_id, language_code=language_code)
    call = await bot.api.wait_for("answerInlineQuery", timeout=5)
    assert call.ok, call.error
    return call.params


def texts(params: dict[str, Any]) -> list[str]:
    """What each result would post, as the reader sees it (raises on malformed HTML)."""
    contents = [r["input_message_content"] for r in params["results"]]
    assert all(c["parse_mode"] == "HTML" for c in contents)
    return [html_to_plain(c["message_text"]) for c in contents]


async def test_empty_query_lists_every_event_card_in_the_users_language(bot: Harness) -> None:
    params = await inline(bot, "", language_code="fr")
    titles = [r["title"] for r in params["results"]]
    assert len(titles) == 5 and "Sommet de Wuzhen de la Conférence mondiale de l'Internet 2023" in titles
    assert params["is_personal"] is True
    assert all(len(t) <= 4096 for t in texts(params))


async def test_query_gives_the_answer_then_matching_cards(bot: Harness) -> None:
    params = await inline(bot, "how many IoT companies are in Wuxi?")
    posted = texts(params)
    assert "3,000" in posted[0] and "Source: “มหกรรม World IoT Expo ประจำปี 2564 เปิดฉากแล้วที่เมืองอู๋ซี”, Xinhua Silk Road (article in Thai)" in posted[0]
    assert params["results"][1]["title"] == "World Internet of Things Expo 2021"
    link = params["results"][1]["reply_markup"]["inline_keyboard"][0][0]
    assert link == {"text": "Overview", "url": f"https://t.me/{BOT}?start=world_iot_expo_2021"}
    assert len({r["id"] for r in params["results"]}) == len(params["results"]) <= 10


async def test_prefix_and_language(bot: Harness) -> None:
    params = await inline(bot, "wuz", language_code="th")
    assert [r["title"] for r in params["results"]] == ["การประชุมสุดยอดอินเตอร์เน็ตโลกอูเจิ้น ประจำปี 2566"]
    params = await inline(bot, "hoi nghi o tran to chuc khi nao", language_code="en")
    assert "ngày 8 tháng 11 năm 2023" in texts(params)[0]


async def test_no_match_offers_the_private_chat(bot: Harness) -> None:
    params = await inline(bot, "weather in hanoi tomorrow", language_code="vi")
    assert params["results"] == []
    assert params["button"] == {"text": "Không có sự kiện phù hợp", "start_parameter": "inline"}


async def test_markup_in_the_query_is_harmless(bot: Harness) -> None:
    params = await inline(bot, "<b>wuzhen</b> & <i>")
    assert texts(params)  # every result parses as Telegram HTML


async def test_stored_language_choice_wins(bot: Harness) -> None:
    await bot.services.store.set_user_lang(42, "vi")
    params = await inline(bot, "how many IoT companies are in Wuxi?", language_code="en")
    assert "Nguồn" in texts(params)[0]
    assert params["results"][1]["title"] == "Triển lãm Internet vạn vật thế giới 2021"
