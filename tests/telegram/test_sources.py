"""Sources under answers, end to end: the article's title, outlet and date, its quote collapsed, admins' facts dated."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from fakeapi import Call, FakeBotApi
from harness import ADMIN, Harness, buttons, make_settings, plain

from bot.engine import KnowledgeBase
from bot.telegram.app import build_application, running
from tests.conftest import fresh_engine

pytestmark = pytest.mark.timeout(60)
WUXI_SOURCE = "Source: “มหกรรม World IoT Expo ประจำปี 2564 เปิดฉากแล้วที่เมืองอู๋ซี”, Xinhua Silk Road (article in Thai)"
QUOTES = re.compile(r"<blockquote expandable>(.*?)</blockquote>", re.DOTALL)
USER = 555


def quotes(call: Call) -> list[str]:
    """The collapsed quotes of a sent HTML message."""
    return QUOTES.findall(str(call.params["text"]))


async def test_an_answer_names_its_article_and_collapses_the_quote(bot: Harness) -> None:
    _, answer = await bot.say("how many IoT companies are in Wuxi?", language_code="en")
    text = plain(answer)  # parsed as Telegram parses HTML: raises on anything it would refuse
    assert answer.params["parse_mode"] == "HTML"
    assert WUXI_SOURCE in text and ".txt" not in text
    assert quotes(answer) == ["Quote in Thai:\n“ปัจจุบันมีบริษัทที่เกี่ยวข้องกับ IoT มากกว่า 3,000 แห่ง”"]


async def test_a_french_reader_gets_the_outlet_and_date_in_french(bot: Harness) -> None:
    _, answer = await bot.say("quel était le thème de la Convention mondiale de l'Internet des objets 2023 ?", chat_id=43)
    text = plain(answer)
    assert "Source\u00a0: PRNewswire, 5 décembre 2023 (article en français)" in text
    assert [q.split("\n")[0] for q in quotes(answer)] == ["Citation en français\u00a0:"]


async def test_the_cards_source_button_shows_the_metadata(bot: Harness) -> None:
    _, card = await bot.say("/start world_iot_expo_2021", language_code="vi")
    source = next(data for label, data in buttons(card) if label == "Nguồn")
    bot.api.press_button(card, source, user_id=42, language_code="vi")
    shown = await bot.api.wait_for("editMessageText", timeout=5)  # the card shows its sources in place
    text = plain(shown)
    assert "Nguồn: “มหกรรม World IoT Expo ประจำปี 2564 เปิดฉากแล้วที่เมืองอู๋ซี”, Xinhua Silk Road (bài viết bằng tiếng Thái)" in text
    assert quotes(shown) and all(q.startswith("Trích nguyên văn bằng tiếng Thái:") for q in quotes(shown))


@pytest_asyncio.fixture
async def edit_bot(api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path) -> AsyncIterator[Harness]:
    """A bot with its own engine (edits swap it) and a clock stopped on 3 May 2026."""
    assert api.root is not None
    settings = make_settings(api.root, tmp_path / "bot.sqlite3")
    async with running(build_application(settings, fresh_engine(kb)), poll_timeout=1) as app:
        harness = Harness(api, app, settings)
        harness.services.clock = lambda: dt.datetime(2026, 5, 3, 9, 0, tzinfo=dt.UTC)
        yield harness


async def test_an_admins_fact_says_added_by_an_admin_never_a_fake_quote(edit_bot: Harness) -> None:
    fact = "The Wuzhen Summit hosted 300 exhibitors."
    edit_bot.api.send_text(f"/fact_add wuzhen | {fact} | topics=figures | source=https://example.org/wuzhen", chat_id=ADMIN, user_id=ADMIN)
    assert plain(await edit_bot.reply(ADMIN)).startswith("Done:")
    _, answer = await edit_bot.say("wuzhen summit exhibitors", chat_id=USER, user_id=USER)
    text = plain(answer)
    assert fact in text and "Added by an admin on 3 May 2026\nSource: https://example.org/wuzhen" in text
    assert all(fact not in quote for quote in quotes(answer))
    assert f"“{fact}”" not in text
