"""The admins' change history under sequences of edits and undos (found while checking crash consistency)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakeapi import FakeBotApi
from reliability_kit import ADMIN, RunningBot, check_knowledge_tables, run_bot, sent_text_ok

from bot.engine import KnowledgeBase
from tests.conftest import fresh_engine

pytestmark = pytest.mark.timeout(60)


async def command(bot: RunningBot, text: str) -> str:
    before = len(bot.sent(ADMIN))
    bot.api.send_text(text, chat_id=ADMIN, user_id=ADMIN)
    await bot.settle()
    return "\n".join(sent_text_ok(c) for c in bot.sent(ADMIN)[before:] if c.ok)


async def test_two_edits_of_one_fact_can_both_be_undone(api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path) -> None:
    async with run_bot(api, tmp_path / "db.sqlite3", fresh_engine(kb)) as bot:
        original = bot.services.engine.kb
        assert (await command(bot, "/fact_edit wiotc_2023_theme | lang=en First")).startswith("Done:")
        assert (await command(bot, "/fact_edit wiotc_2023_theme | lang=en Second")).startswith("Done:")
        assert (await command(bot, "/undo")).startswith("Undone:")  # back to First
        check_knowledge_tables(bot.db_path)
        second_undo = await command(bot, "/undo")  # back to the YAML
        assert second_undo.startswith("Undone:"), second_undo
        assert bot.services.engine.kb == original
