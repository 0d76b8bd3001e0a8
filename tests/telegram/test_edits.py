"""Admin knowledge edits end to end: permissions, live answers in every language, undo, restart, re-seed."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
import yaml
from fakeapi import FakeBotApi
from harness import ADMIN, UNPACED, Harness, make_settings, plain

from bot.curated import load
from bot.engine import KnowledgeBase
from bot.telegram.app import build_application, running
from tests.conftest import INTENTS, KNOWLEDGE, fresh_engine

pytestmark = pytest.mark.timeout(60)
ADMIN2 = 9002
USER = 555


@pytest_asyncio.fixture
async def edit_bot(api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path) -> AsyncIterator[Harness]:
    """A bot with its own engine (edits swap it) and two admins, on a fresh database."""
    assert api.root is not None
    settings = make_settings(api.root, tmp_path / "bot.sqlite3", SUMMITBOT_ADMINS=f"{ADMIN},{ADMIN2}", **UNPACED)
    async with running(build_application(settings, fresh_engine(kb)), poll_timeout=1) as app:
        yield Harness(api, app, settings)


async def command(bot: Harness, text: str, user: int = ADMIN) -> str:
    """Send a command and return everything the bot answered (a long answer comes in several messages)."""
    before = len(bot.sent_to(user))
    bot.api.send_text(text, chat_id=user, user_id=user)
    await bot.settle()
    return "\n".join(plain(c) for c in bot.sent_to(user)[before:] if c.ok)


def db_bytes(path: Path) -> str:
    digest = hashlib.sha256()
    for part in (path, path.with_name(path.name + "-wal")):
        if part.exists():
            digest.update(part.read_bytes())
    return digest.hexdigest()


ALL_COMMANDS = [
    "/fact_add wiotc | Sneaky fact",
    "/fact_edit wiotc_2023_theme | hacked",
    "/fact_del wiotc_2023_theme",
    "/facts wiotc",
    "/event_add hack_2030 | Hack Summit",
    "/event_set wiotc place | Nowhere",
    "/history",
    "/undo",
    "/unanswered",
    "/stats",
    "/export",
]


async def test_non_admins_are_refused_and_nothing_changes(edit_bot: Harness) -> None:
    await command(edit_bot, "/fact_add wiotc | A first admin fact so the overlay is not empty")
    path = edit_bot.settings.db_path
    before, kb = db_bytes(path), edit_bot.services.engine.kb
    for text in ALL_COMMANDS:
        reply = await command(edit_bot, text, user=USER)
        assert reply == "Sorry, only the bot's admins can use this command.", text
    assert db_bytes(path) == before
    assert edit_bot.services.engine.kb is kb
    assert not edit_bot.api.calls_of("sendDocument")


@pytest.mark.xfail(
    reason="known limit: the English-only fact ranks first for the Vietnamese question, but with no Vietnamese text to "
    "match its confidence stays under the threshold and the bot declines (the English question below is answered)",
    strict=False,
)
async def test_fact_added_in_english_answers_a_vietnamese_question(edit_bot: Harness) -> None:
    reply = await command(edit_bot, "/fact_add wuzhen | The Wuzhen Summit 2024 will host 300 exhibitors. | topics=figures")
    assert reply.startswith("Done:") and "wic_wuzhen_2023_admin_1" in reply
    _, answer = await edit_bot.say("hội nghị Ô Trấn 2024 có bao nhiêu nhà triển lãm?", chat_id=USER, user_id=USER)
    text = plain(answer)
    assert "300" in text and "Wuzhen Summit 2024" in text
    assert "(chưa có bản dịch tiếng Việt — hiển thị bằng ngôn ngữ gốc)" in text  # shown in English, with a note


async def test_fact_added_by_an_admin_answers_at_once(edit_bot: Harness) -> None:
    reply = await command(edit_bot, "/fact_add wuzhen | The Wuzhen Summit 2024 will host 300 exhibitors. | topics=figures")
    assert reply.startswith("Done:")
    _, answer = await edit_bot.say("wuzhen 2024 exhibitors", chat_id=USER + 1, user_id=USER + 1)
    assert "300" in plain(answer)


async def test_every_command_as_admin(edit_bot: Harness) -> None:
    assert "Usage: /fact_add" in await command(edit_bot, "/fact_add")
    assert "no event matches" in await command(edit_bot, "/fact_add atlantis | text")
    assert "at most 1000" in await command(edit_bot, f"/fact_add wiotc | {'x' * 1200}")
    added = await command(edit_bot, "/fact_add wiotc | lang=fr La convention a accueilli <b>des robots</b> & des drones.")
    assert "wiotc_2023_admin_1 (fr)" in added
    facts = await command(edit_bot, "/facts wiotc")
    assert "wiotc_2023_admin_1" in facts and "<b>des robots</b> & des drones" in facts  # escaped, shown literally
    edited = await command(edit_bot, "/fact_edit wiotc_2023_admin_1 | lang=fr La convention a accueilli des robots.")
    assert "edited wiotc_2023_admin_1" in edited
    theme = await command(edit_bot, "/fact_edit wiotc_2023_theme | lang=en New IoT, new economy, new era (edited)")
    assert "Still the older text in: fr, th, vi" in theme
    assert "new era (edited)" in plain((await edit_bot.say("what was the theme of wiotc 2023", chat_id=USER, user_id=USER))[1])
    assert "Nothing changed" in await command(edit_bot, "/fact_del wiotc_2023_place")  # the event's place cites it
    assert "deleted wiotc_2023_call_for_cooperation" in await command(edit_bot, "/fact_del wiotc_2023_call_for_cooperation")
    assert "not a snake_case id" in await command(edit_bot, "/event_add Bad Id | Name")
    assert "added event vietnam_iot_2025" in await command(edit_bot, "/event_add vietnam_iot_2025 | Vietnam IoT Summit 2025 | kind=iot-expo")
    assert "not an ISO 8601 date" in await command(edit_bot, "/event_set vietnam_iot_2025 date | next friday")
    assert "set date" in await command(edit_bot, "/event_set vietnam_iot_2025 date | 2025-06-12..2025-06-13")
    assert "set place" in await command(edit_bot, "/event_set vietnam_iot_2025 place | Hanoi")
    _, card = await edit_bot.say("where is the vietnam iot summit 2025", chat_id=USER, user_id=USER)
    assert "Hanoi" in plain(card)
    history = await command(edit_bot, "/history")
    assert "set place of vietnam_iot_2025" in history and "added wiotc_2023_admin_1" in history
    assert "wiotc_2023" in await command(edit_bot, "/history wiotc")
    await edit_bot.say("what's the price of a banana", chat_id=USER, user_id=USER)
    await edit_bot.say("what's the price of a banana", chat_id=USER + 2, user_id=USER + 2)
    assert "2× what's the price of a banana" in await command(edit_bot, "/unanswered")
    assert "fallback rate" in await command(edit_bot, "/stats")
    edit_bot.api.send_text("/export", chat_id=ADMIN, user_id=ADMIN)
    call = await edit_bot.api.wait_for("sendDocument", timeout=5)
    exported = yaml.safe_load(edit_bot.api.uploads[-1].data.decode("utf-8"))
    assert call.ok and {e["id"] for e in exported["events"]} >= {"wiotc_2023", "vietnam_iot_2025"}


async def test_undo_restores_exactly(edit_bot: Harness) -> None:
    original = edit_bot.services.engine.kb
    await command(edit_bot, "/fact_edit wiotc_2023_theme | lang=en Edited theme")
    await command(edit_bot, "/event_set wiotc place | lang=en Somewhere else")
    assert edit_bot.services.engine.kb != original
    assert "Undone:" in await command(edit_bot, "/undo")  # the place: event fields and their fact, one batch
    assert "Undone:" in await command(edit_bot, "/undo")  # the theme
    assert edit_bot.services.engine.kb == original
    assert "there is no change to undo" in await command(edit_bot, "/undo")
    assert "already undone" in await command(edit_bot, "/undo 1")


async def test_undo_of_an_overtaken_change_is_refused(edit_bot: Harness) -> None:
    await command(edit_bot, "/fact_edit wiotc_2023_theme | lang=en First")
    await command(edit_bot, "/fact_edit wiotc_2023_theme | lang=en Second")
    assert "changed again by #2 after #1" in await command(edit_bot, "/undo 1")
    assert "Undone:" in await command(edit_bot, "/undo 2")
    assert "First" in plain((await edit_bot.say("wiotc 2023 theme", chat_id=USER, user_id=USER))[1])


async def test_two_admins_editing_at_once(edit_bot: Harness) -> None:
    for i in range(5):
        edit_bot.api.send_text(f"/fact_add wiotc | Concurrent fact number {i} from admin one", chat_id=ADMIN, user_id=ADMIN)
        edit_bot.api.send_text(f"/fact_add wtisd | Concurrent fact number {i} from admin two", chat_id=ADMIN2, user_id=ADMIN2)
    replies = [await edit_bot.reply(ADMIN) for _ in range(5)] + [await edit_bot.reply(ADMIN2) for _ in range(5)]
    assert all(plain(r).startswith("Done:") for r in replies)
    kb = edit_bot.services.engine.kb
    admin_facts = [f for e in kb.events for f in e.facts if f.origin == "admin"]
    assert len(admin_facts) == 10 and len({f.id for f in admin_facts}) == 10
    assert len(await edit_bot.services.knowledge.history(limit=50)) == 10


async def test_edits_survive_restart_and_reseed(api: FakeBotApi, tmp_path: Path) -> None:
    assert api.root is not None
    intents, knowledge = tmp_path / "intents", tmp_path / "knowledge"
    shutil.copytree(INTENTS, intents)
    shutil.copytree(KNOWLEDGE, knowledge)
    env = {"SUMMITBOT_INTENTS_DIR": str(intents), "SUMMITBOT_KNOWLEDGE_DIR": str(knowledge)}
    settings = make_settings(api.root, tmp_path / "bot.sqlite3", **env)
    async with running(build_application(settings), poll_timeout=1) as app:
        bot = Harness(api, app, settings)
        assert (await command(bot, "/fact_add wtisd | Admin note: the 2021 message was read aloud.")).startswith("Done:")
        assert (await command(bot, "/fact_edit wtisd_2021_theme | lang=en Edited WTISD theme")).startswith("Done:")
        edited = bot.services.engine.kb
    # Re-seed: the YAML changes (a fact disappears from the baseline) while the bot is down.
    path = knowledge / "wtisd_2021.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["facts"] = [f for f in doc["facts"] if f["id"] != "wtisd_2021_closing_wishes"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    async with running(build_application(settings), poll_timeout=1) as app:
        bot = Harness(api, app, settings)
        bot.handled.update(range(1, api.feed.last_id + 1))  # the first run handled those
        kb = bot.services.engine.kb
        wtisd = kb.event("wtisd_2021")
        assert wtisd is not None and wtisd.fact("wtisd_2021_admin_1") is not None
        assert wtisd.fact("wtisd_2021_theme").text.get("en") == "Edited WTISD theme"  # type: ignore[union-attr]
        assert wtisd.fact("wtisd_2021_closing_wishes") is None
        assert kb.event("wiotc_2023") == edited.event("wiotc_2023")
        assert "Undone:" in await command(bot, "/undo")
        await asyncio.sleep(0)
        assert bot.services.engine.kb.event("wtisd_2021").fact("wtisd_2021_theme") == load(intents, knowledge).event("wtisd_2021").fact("wtisd_2021_theme")  # type: ignore[union-attr]
