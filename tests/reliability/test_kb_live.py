"""``kb import`` while the bot runs: the bot picks the import up, and live edits build on it (issue 10, item 6).

The real Application runs against the fake Bot API; ``kb import`` runs its real code (``bot.cli_kb.kb_command``)
on its own connection to the same SQLite file, as the shell command does from another process.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from fakeapi import FakeBotApi
from reliability_kit import ADMIN, RunningBot, db_digest, make_settings, run_bot, sent_text_ok

from bot.cli_kb import kb_command
from bot.engine import KnowledgeBase
from tests.conftest import KNOWLEDGE, fresh_engine

pytestmark = pytest.mark.timeout(60)
WUXI_QUESTION = "how many IoT companies are in Wuxi?"
WUXI = "world_iot_expo_2021"
IMPORTED_ID = "wic_wuzhen_2023_admin_1"  # the id the next /fact_add on Wuzhen would take before the import


async def kb_import(bot: RunningBot, folder: Path) -> str:
    assert bot.api.root is not None
    settings = make_settings(bot.api.root, bot.db_path)
    out = io.StringIO()
    assert await kb_command(argparse.Namespace(kb_action="import", folder=str(folder), limit=30), settings, out) == 0
    return out.getvalue()


async def say(bot: RunningBot, text: str, user: int = ADMIN) -> str:
    before = len(bot.sent(user))
    bot.api.send_text(text, chat_id=user, user_id=user)
    await bot.settle()
    return "\n".join(sent_text_ok(c) for c in bot.sent(user)[before:])


def import_folder(tmp_path: Path) -> Path:
    """The shipped knowledge with a changed Wuxi figure, a changed theme text and one new Wuzhen fact."""
    folder = tmp_path / "import"
    shutil.copytree(KNOWLEDGE, folder)
    wuxi = folder / f"{WUXI}.yaml"
    doc = yaml.safe_load(wuxi.read_text(encoding="utf-8"))
    doc["summary"] = {lang: text.replace("3,000", "3,777") for lang, text in doc["summary"].items()}
    for fact in doc["facts"]:  # the texts only: the quotes stay verbatim from the article
        fact["text"] = {lang: text.replace("3,000", "3,777") for lang, text in fact["text"].items()}
    wuxi.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    wiotc = folder / "wiotc_2023.yaml"
    doc = yaml.safe_load(wiotc.read_text(encoding="utf-8"))
    theme = next(f for f in doc["facts"] if f["id"] == "wiotc_2023_theme")
    theme["text"]["en"] = "Imported theme text: new IoT, new economy, new era."
    wiotc.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    wuzhen = folder / "wic_wuzhen_2023.yaml"
    doc = yaml.safe_load(wuzhen.read_text(encoding="utf-8"))
    doc["facts"].append({"id": IMPORTED_ID, "topics": ["figures"], "text": {"en": "Imported fact: the summit served 4,242 cups of tea."},
                         "source": "import", "quote": "Imported fact: the summit served 4,242 cups of tea.", "origin": "admin"})  # fmt: skip
    wuzhen.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def stored_fact(db: Path, fact_id: str) -> dict[str, object]:
    with sqlite3.connect(db) as conn:
        [(data,)] = conn.execute("SELECT data_json FROM kb_overlay WHERE entity = 'fact' AND entity_id = ?", (fact_id,)).fetchall()
    value = json.loads(data)
    assert isinstance(value, dict)
    return value


async def test_item6_running_bot_picks_up_kb_import_and_edits_build_on_it(api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path) -> None:
    engine = fresh_engine(kb)  # its own engine: the edits swap it
    async with run_bot(api, tmp_path / "bot.sqlite3", engine) as bot:
        assert "3,000" in await say(bot, WUXI_QUESTION, user=501)
        assert "changes" in await kb_import(bot, import_folder(tmp_path))

        # Questions get the imported knowledge without a restart (the bot checks every second; the bound is generous
        # because the rebuild shares two cores with three other test workers, and this is not a speed test).
        async with asyncio.timeout(20):
            while "3,777" not in (answer := await say(bot, WUXI_QUESTION, user=501)):
                assert "3,000" in answer
                await asyncio.sleep(0.3)

        # /fact_add numbers its fact after the imported one instead of overwriting it.
        reply = await say(bot, "/fact_add wuzhen | The 2024 summit will host 300 exhibitors. | topics=figures")
        assert "wic_wuzhen_2023_admin_2" in reply, reply
        assert "4,242 cups of tea" in str(stored_fact(bot.db_path, IMPORTED_ID)["text"])

        # /fact_edit in French starts from the imported English text: the import's change is kept.
        reply = await say(bot, "/fact_edit wiotc_2023_theme | lang=fr Thème importé puis traduit.")
        assert "Done" in reply, reply
        text = stored_fact(bot.db_path, "wiotc_2023_theme")["text"]
        assert isinstance(text, dict)
        assert text["en"] == "Imported theme text: new IoT, new economy, new era." and text["fr"] == "Thème importé puis traduit."
        assert not bot.errors and not bot.trap.records, bot.trap.describe()


async def test_item6_edit_racing_an_import_is_recomputed_not_lost(api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path) -> None:
    """An import that commits between the bot's read and its write: the edit is computed again from the import."""
    engine = fresh_engine(kb)
    folder = import_folder(tmp_path)
    async with run_bot(api, tmp_path / "bot.sqlite3", engine) as bot:
        svc = bot.services
        real_overlay = svc.knowledge.overlay
        imported = False

        async def import_during_first_read() -> object:  # the import lands right after the bot read the generation
            nonlocal imported
            if not imported:
                imported = True
                await kb_import(bot, folder)
            return await real_overlay()

        svc.knowledge.overlay = import_during_first_read  # type: ignore[method-assign]
        reply = await say(bot, "/fact_add wuzhen | Racing fact. | topics=figures")
        svc.knowledge.overlay = real_overlay  # type: ignore[method-assign]
        assert imported
        assert "wic_wuzhen_2023_admin_2" in reply, reply
        assert "4,242 cups of tea" in str(stored_fact(bot.db_path, IMPORTED_ID)["text"])
        assert "3,777" in await say(bot, WUXI_QUESTION, user=501)


async def test_item18_admin_fact_of_only_invisible_characters_is_refused(api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path) -> None:
    engine = fresh_engine(kb)
    async with run_bot(api, tmp_path / "bot.sqlite3", engine) as bot:
        in_use = bot.services.engine.kb
        before = db_digest(bot.db_path)
        for command in ("/fact_add wuzhen | \u200b", "/fact_add wuzhen | lang=en \u2060\ufeff\u200d", "/fact_edit wiotc_2023_theme | \u3164",
                        "/event_set wuzhen place | \u200b\u200b", "/event_add ghost_2030 | \u200b"):  # fmt: skip
            reply = await say(bot, command)
            assert reply.startswith("Nothing changed"), (command, reply)
            assert "visible" in reply, (command, reply)
        assert db_digest(bot.db_path) == before and bot.services.engine.kb is in_use
