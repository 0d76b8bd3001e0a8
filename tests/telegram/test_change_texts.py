"""How stored knowledge changes read to an admin (bot/telegram/change_texts.py): every kind of change the code stores,
made by the real edit functions into a real knowledge log, rendered from its columns in each language."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest_asyncio

from bot.curated.edits import Edit, dated, event_add, event_set, fact_add, fact_del, fact_edit
from bot.curated.export import event_to_doc
from bot.curated.overlay import apply_overlay
from bot.curated.questions import attach_question
from bot.curated.transfer import import_edits
from bot.engine import Engine, KnowledgeBase
from bot.engine.model import LANGS
from bot.store import Store
from bot.store.knowledge import KnowledgeLog
from bot.store.knowledge_records import Change
from bot.telegram.change_texts import change_block, describe, state_before

TODAY = dt.date(2026, 11, 22)
Make = Callable[[KnowledgeBase], list[Edit]]


class Log:
    """A knowledge log on a fresh database, and the shipped knowledge as its baseline."""

    def __init__(self, log: KnowledgeLog, kb: KnowledgeBase) -> None:
        self.log, self.kb = log, kb

    async def current(self) -> KnowledgeBase:
        return apply_overlay(self.kb, await self.log.overlay())[0]

    async def apply(self, make: Make) -> list[Change]:
        return await self.log.apply(dated(make(await self.current()), TODAY), user_id=1, chat_id=1)

    def read(self, change: Change, lang: str, undone: tuple[int, str] | None = None) -> str:
        return describe(change, state_before(change, self.kb), lang, self.kb.messages, undone)


@pytest_asyncio.fixture
async def log(kb: KnowledgeBase, tmp_path: Path) -> AsyncIterator[Log]:
    store = await Store.open(tmp_path / "bot.sqlite3")
    yield Log(KnowledgeLog(store), kb)
    await store.close()


def assert_rendered(log: Log, change: Change, english: str) -> None:
    """The English rendering is ``english``; every other language is rendered too (not the stored English summary)."""
    assert log.read(change, "en") == english
    for lang in LANGS:
        if lang != "en":
            assert log.read(change, lang) != change.summary, (lang, change.action)


async def test_fact_edits_read_in_each_language(log: Log, lexical_engine: Engine) -> None:
    index = lexical_engine.index
    (added,) = await log.apply(lambda kb: fact_add(kb, index, "wiotc_2023 | lang=en A robot show was held."))
    assert_rendered(log, added, "added wiotc_2023_admin_1 (en): A robot show was held.")
    assert log.read(added, "en") == added.summary  # the English reads as the summary stored for the log
    assert log.read(added, "fr") == "ajout de wiotc_2023_admin_1 (en) : A robot show was held."
    # A curated fact (no edit before: its state before is the YAML's): only the language that changed is named.
    (edited,) = await log.apply(lambda kb: fact_edit(kb, index, "wiotc_2023_theme | lang=th ธีมใหม่"))
    assert edited.before_json is None
    assert_rendered(log, edited, "edited wiotc_2023_theme (th): ธีมใหม่")
    assert log.read(edited, "vi") == "đã sửa wiotc_2023_theme (th): ธีมใหม่"
    (again,) = await log.apply(lambda kb: fact_edit(kb, index, "wiotc_2023_admin_1 | lang=fr Un spectacle de robots a eu lieu."))
    assert log.read(again, "th") == "แก้ไข wiotc_2023_admin_1 (fr): Un spectacle de robots a eu lieu."
    # A deleted fact is quoted in the admin's language (English when it has none).
    curated = log.kb.event("wiotc_2023")
    assert curated is not None
    fact = next(f for f in curated.facts if f.text.get("vi") and f.id != "wiotc_2023_theme")
    (deleted,) = await log.apply(lambda kb: fact_del(kb, fact.id))
    assert log.read(deleted, "en") == deleted.summary == f"deleted {fact.id}: {fact.text.pick('en')[0]}"
    assert log.read(deleted, "vi") == f"đã xóa {fact.id}: {fact.text.pick('vi')[0]}"
    (question,) = await log.apply(lambda kb: attach_question(kb, index, "wiotc_2023_theme", "What was the slogan?", "en"))
    assert_rendered(log, question, "attached question (en) to wiotc_2023_theme: What was the slogan?")
    assert log.read(question, "fr") == "question (en) rattachée à wiotc_2023_theme : What was the slogan?"


async def test_event_edits_read_in_each_language(log: Log, lexical_engine: Engine) -> None:
    index = lexical_engine.index
    (added,) = await log.apply(lambda kb: event_add(kb, index, "test_fair_2031 | Test Fair | kind=iot-expo", TODAY))
    assert_rendered(log, added, "added event test_fair_2031 (iot-expo, 2031): Test Fair")
    assert log.read(added, "th") == "เพิ่มงาน test_fair_2031 (iot-expo, 2031): Test Fair"
    fact, event = await log.apply(lambda kb: event_set(kb, index, "test_fair_2031 date | 2031-03-04..2031-03-06"))
    assert log.read(fact, "en") == fact.summary and fact.summary.startswith("date fact of test_fair_2031 (")
    assert log.read(event, "en") == "set date of test_fair_2031: 2031-03-04..2031-03-06"  # a date has no language
    assert log.read(event, "fr") == "modification de la date de test_fair_2031 : 2031-03-04..2031-03-06"
    fact, event = await log.apply(lambda kb: event_set(kb, index, "test_fair_2031 place | lang=fr Parc des expositions"))
    assert_rendered(log, fact, "place fact of test_fair_2031 (fr): Parc des expositions")
    assert_rendered(log, event, "set place of test_fair_2031 (fr): Parc des expositions")
    assert log.read(event, "vi") == "đã đặt place của test_fair_2031 (fr): Parc des expositions"
    fact, event = await log.apply(lambda kb: event_set(kb, index, "test_fair_2031 theme | lang=en Fairs for tests"))
    assert log.read(fact, "th") == "ข้อเท็จจริงของ test_fair_2031 เรื่อง theme (en): Fairs for tests"
    assert_rendered(log, event, "set theme of test_fair_2031 (en): Fairs for tests")
    (names,) = await log.apply(lambda kb: event_set(kb, index, "test_fair_2031 names | lang=vi Hội chợ thử; Hội chợ"))
    assert_rendered(log, names, "set names of test_fair_2031 (vi): Hội chợ thử; Hội chợ")
    # A curated event (no edit before: its state before is the YAML's).
    (summary,) = await log.apply(lambda kb: event_set(kb, index, "wiotc_2023 summary | lang=fr Résumé modifié."))
    assert summary.before_json is None
    assert_rendered(log, summary, "set summary of wiotc_2023 (fr): Résumé modifié.")
    assert log.read(summary, "fr") == "modification du champ summary de wiotc_2023 (fr) : Résumé modifié."


async def test_undo_names_the_change_it_reverted_in_each_language(log: Log, lexical_engine: Engine) -> None:
    index = lexical_engine.index
    await log.apply(lambda kb: fact_add(kb, index, "wiotc_2023 | lang=en A note."))
    fact, event = await log.apply(lambda kb: event_set(kb, index, "wiotc_2023 place | lang=en A hall"))
    undos = await log.log.undo(None, user_id=1, chat_id=1)
    reverted = {(c.entity, c.entity_id): c for c in await log.log.undone_by({u.batch_id for u in undos})}
    assert set(reverted) == {("fact", fact.entity_id), ("event", "wiotc_2023")} and await log.log.undone_by(set()) == []
    for undo in undos:
        original = reverted[undo.entity, undo.entity_id]
        for lang in LANGS:
            undone = (original.change_id, log.read(original, lang))
            shown = log.read(undo, lang, undone)
            assert shown == log.kb.messages.get("change_undo", lang, id=original.change_id, summary=log.read(original, lang))
        assert log.read(undo, "en", (original.change_id, log.read(original, "en"))) == undo.summary  # as stored for the log
    assert log.read(undos[0], "th", (event.change_id, log.read(event, "th"))).startswith(f"ย้อนกลับ #{event.change_id}: ตั้งค่า place ของ")
    assert log.read(undos[0], "fr") == undos[0].summary  # the reverted change unknown: the stored summary


async def test_kb_import_changes_read_in_each_language(log: Log, lexical_engine: Engine) -> None:
    await log.apply(lambda kb: event_add(kb, lexical_engine.index, "test_fair_2031 | Test Fair", TODAY))
    current = await log.current()
    docs = {e.id: event_to_doc(e) for e in current.events if e.id != "test_fair_2031"}
    docs["wiotc_2023"]["summary"]["en"] += " (imported)"
    docs["wiotc_2023"]["facts"][0]["text"]["en"] += " (imported)"
    changes = await log.apply(lambda kb: import_edits(kb, docs))
    shown = {c.summary: (log.read(c, "en"), log.read(c, "vi")) for c in changes}
    first = docs["wiotc_2023"]["facts"][0]["id"]
    assert shown == {
        "import removed event test_fair_2031": ("import removed event test_fair_2031", "nhập dữ liệu: xóa sự kiện test_fair_2031"),
        "import set event wiotc_2023": ("import set event wiotc_2023", "nhập dữ liệu: cập nhật sự kiện wiotc_2023"),
        f"import set {first}": (f"import set {first}", f"nhập dữ liệu: cập nhật {first}"),
    }
    removed = dataclasses.replace(changes[0], entity="fact", entity_id="x_1", after_json="null")
    assert log.read(removed, "fr") == "import : x_1 supprimé"


async def test_a_change_its_columns_do_not_explain_reads_as_its_stored_summary(log: Log, lexical_engine: Engine) -> None:
    index = lexical_engine.index
    curated = log.kb.event("wiotc_2023")
    assert curated is not None
    same = curated.facts[0].text.pick("en")[0]
    (edited,) = await log.apply(lambda kb: fact_edit(kb, index, f"{curated.facts[0].id} | lang=en {same}"))  # the text it had
    assert log.read(edited, "fr") == edited.summary
    (names,) = await log.apply(lambda kb: event_set(kb, index, f"wiotc_2023 names | lang=en {'; '.join(curated.names['en'])}"))
    assert log.read(names, "th") == names.summary  # nothing differs: no field to name
    unknown = dataclasses.replace(edited, action="something_new")
    assert log.read(unknown, "vi") == edited.summary


def test_change_block_shows_the_entry_id_as_code() -> None:
    change = Change(7, 7, "2026-11-22T12:00:00", 1, 1, "fact_add", "fact", "a_1", "a", None, "{}", "added a_1 (en): x", None)
    block = change_block(change, "ajout de a_1 (en) : " + "x" * 400)
    assert block.text.startswith("#7 ajout de a_1 (en) : x") and len(block.text) <= 300 + len("#7 ") and block.codes == ("a_1",)
