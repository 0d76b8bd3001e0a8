"""Admin replies over the fake Bot API: in the admin's language (changes rendered in it too), fact ids as code, /history naming people, the
"still older text in" reminder after each language is updated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from fakeapi import FakeBotApi, html_to_plain
from harness import ADMIN, Harness, make_settings, plain

from bot.curated.stale_texts import stale_languages
from bot.engine import KnowledgeBase
from bot.store.user_names import names_of
from bot.telegram.app import build_application, running
from tests.conftest import fresh_engine

pytestmark = pytest.mark.timeout(60)
ADMIN2 = 9002


@pytest_asyncio.fixture
async def admin_bot(api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path) -> AsyncIterator[Harness]:
    """A bot with its own engine (edits swap it) and two admins, on a fresh database."""
    assert api.root is not None
    settings = make_settings(api.root, tmp_path / "bot.sqlite3", SUMMITBOT_ADMINS=f"{ADMIN},{ADMIN2}")
    async with running(build_application(settings, fresh_engine(kb)), poll_timeout=1) as app:
        yield Harness(api, app, settings)


async def command(bot: Harness, text: str, user: int = ADMIN, **sender: str | None) -> list[str]:
    """Send a command as ``user``; the HTML of every message the bot answered with (each checked to parse)."""
    before = len(bot.sent_to(user))
    bot.api.send_text(text, chat_id=user, user_id=user, **sender)  # type: ignore[arg-type]
    await bot.settle()
    calls = [c for c in bot.sent_to(user)[before:] if c.ok]
    for call in calls:
        plain(call)  # raises on malformed HTML
    return [str(c.params["text"]) for c in calls]


async def test_admin_replies_follow_the_admins_telegram_language_then_their_lang_choice(admin_bot: Harness) -> None:
    (fr,) = await command(admin_bot, "/fact_add atlantis | texte", language_code="fr")
    assert fr.startswith("<b>Rien n’a été modifié :</b>") and "aucun événement ne correspond à « atlantis »" in fr
    assert "Utilisation : /fact_add &lt;événement&gt;" in fr  # the usage after bad input, escaped
    await admin_bot.services.store.set_user_lang(ADMIN, "th")  # /lang wins over Telegram's language
    (th,) = await command(admin_bot, "/history", language_code="fr")
    assert th == "<b>การเปลี่ยนแปลงล่าสุด</b>\nยังไม่มีการเปลี่ยนแปลง"
    (vi,) = await command(admin_bot, "/undo", user=ADMIN2, language_code="vi")
    assert vi == "<b>Không có gì thay đổi:</b>\nkhông có thay đổi nào để hoàn tác"


async def test_fact_ids_are_code_to_copy_with_a_tap(admin_bot: Harness) -> None:
    facts = "\n".join(await command(admin_bot, "/facts wiotc"))
    assert "<code>wiotc_2023_theme</code> [theme]: " in facts
    (done,) = await command(admin_bot, "/fact_add wiotc | lang=en The convention also hosted a robot show.")
    assert "#1 added <code>wiotc_2023_admin_1</code> " in done
    (missing,) = await command(admin_bot, "/facts atlantis")
    assert "<code>wiotc_2023</code>" in missing  # the event ids, to copy into the next command


async def test_history_names_the_people_who_made_each_change(admin_bot: Harness) -> None:
    await command(admin_bot, "/fact_add wiotc | lang=en A first admin note.", first_name="Somchai", username="somchai_k")
    await command(admin_bot, "/fact_add wiotc | lang=en A second admin note.", user=ADMIN2, first_name="Linh", username=None)
    (history,) = await command(admin_bot, "/history wiotc", first_name="Somchai", username="somchai_k")
    lines = html_to_plain(history).splitlines()
    assert lines[0] == "Recent changes of wiotc_2023"
    assert lines[1].startswith("#2 ") and " by Linh: added wiotc_2023_admin_2 " in lines[1]
    assert lines[2].startswith("#1 ") and " by Somchai (@somchai_k): added wiotc_2023_admin_1 " in lines[2]
    assert str(ADMIN) not in history and str(ADMIN2) not in history
    # A command that changes nothing stores nothing, not even a new name; the admin's next change stores it.
    await command(admin_bot, "/stats", user=ADMIN2, first_name="Linh N.", username="linh_n")
    assert await names_of(admin_bot.services.store, [ADMIN2]) == {ADMIN2: "Linh"}
    await command(admin_bot, "/fact_add wiotc | lang=en A third admin note.", user=ADMIN2, first_name="Linh N.", username="linh_n")
    assert await names_of(admin_bot.services.store, [ADMIN, ADMIN2, 1]) == {ADMIN: "Somchai (@somchai_k)", ADMIN2: "Linh N. (@linh_n)"}


async def test_the_older_text_reminder_follows_each_language_as_it_is_updated(admin_bot: Harness) -> None:
    (en,) = await command(admin_bot, "/fact_edit wiotc_2023_theme | lang=en New IoT, new economy, new era (edited)")
    assert "Still the older text in: fr, th, vi — " in en
    (th,) = await command(admin_bot, "/fact_edit wiotc_2023_theme | lang=th IoT ใหม่ เศรษฐกิจใหม่ ยุคใหม่ (แก้ไข)")
    assert "Still the older text in: fr, vi — " in th  # not en, just updated, nor th
    (vi,) = await command(admin_bot, "/fact_edit wiotc_2023_theme | lang=vi IoT mới, kinh tế mới, kỷ nguyên mới (đã sửa)")
    assert "Still the older text in: fr — " in vi
    (fr,) = await command(admin_bot, "/fact_edit wiotc_2023_theme | lang=fr Nouvel IoT, nouvelle économie, nouvelle ère (modifié)")
    assert "Still the older" not in fr  # every language is up to date
    (again,) = await command(admin_bot, "/fact_edit wiotc_2023_theme | lang=en New IoT, new economy, a new era")
    assert "Still the older text in: fr, th, vi — " in again  # the English moved on again


async def test_a_new_translation_of_an_admin_fact_reminds_nothing(admin_bot: Harness) -> None:
    await command(admin_bot, "/fact_add wiotc | lang=en The convention also hosted a robot show.")
    (th,) = await command(admin_bot, "/fact_edit wiotc_2023_admin_1 | lang=th งานประชุมยังมีการแสดงหุ่นยนต์ด้วย")
    assert "Still the older" not in th  # a translation added: the English is not older


def test_stale_languages() -> None:
    base = {"en": "a", "th": "ก", "fr": "à"}
    assert stale_languages([]) == [] and stale_languages([base]) == []
    assert stale_languages([base, base | {"en": "b"}]) == ["fr", "th"]
    assert stale_languages([base, base | {"en": "b"}, base | {"en": "b", "th": "ข"}]) == ["fr"]
    assert stale_languages([base, base | {"en": "b"}, base | {"en": "b", "th": "ข"}, base | {"en": "c", "th": "ข"}]) == ["fr", "th"]
    assert stale_languages([{"en": "a"}, {"en": "a", "vi": "á"}]) == []  # a new language catches up
    assert stale_languages([base, base | {"en": "b"}, {"en": "b", "th": "ก"}]) == ["th"]  # a removed language is gone


async def test_changes_read_in_the_admins_language_after_an_edit_an_undo_and_in_history(admin_bot: Harness) -> None:
    (done,) = await command(admin_bot, "/fact_add wiotc | lang=en A robot show was held.", language_code="fr", first_name="Amélie")
    assert done.startswith("<b>C’est fait :</b>\n#1 ajout de <code>wiotc_2023_admin_1</code> (en) : A robot show was held.\n")
    (placed,) = await command(admin_bot, "/event_set wiotc place | lang=th ห้องประชุม <A>", user=ADMIN2, language_code="vi", first_name="Linh")
    assert "\n#2 dữ kiện place của wiotc_2023 (th): ห้องประชุม &lt;A&gt;\n#3 đã đặt place của <code>wiotc_2023</code> (th): ห้องประชุม &lt;A&gt;\n" in placed
    (undone,) = await command(admin_bot, "/undo", user=ADMIN2, language_code="vi", first_name="Linh")
    assert "\n#4 hoàn tác #3: đã đặt place của <code>wiotc_2023</code> (th): ห้องประชุม &lt;A&gt;\n" in undone
    assert "\n#5 hoàn tác #2: dữ kiện place của wiotc_2023 (th): ห้องประชุม &lt;A&gt;" in undone
    await admin_bot.services.store.set_user_lang(ADMIN, "th")  # /lang wins over Telegram's language
    (history,) = await command(admin_bot, "/history wiotc", language_code="fr", first_name="Amélie")
    lines = html_to_plain(history).splitlines()
    assert lines[0] == "การเปลี่ยนแปลงล่าสุดของ wiotc_2023"
    assert lines[1].endswith(" โดย Linh: ย้อนกลับ #2: ข้อเท็จจริงของ wiotc_2023 เรื่อง place (th): ห้องประชุม <A>")
    assert lines[3].endswith(" โดย Linh: ตั้งค่า place ของ wiotc_2023 (th): ห้องประชุม <A> (ย้อนกลับแล้วโดย #4)")
    assert lines[5].startswith("#1 ") and lines[5].endswith(" โดย Amélie: เพิ่ม wiotc_2023_admin_1 (en): A robot show was held.")
    (en,) = await command(admin_bot, "/history", user=ADMIN2, first_name="Linh")  # no language given: English, as stored
    assert "by Amélie: added wiotc_2023_admin_1 (en): A robot show was held." in html_to_plain(en)
    assert "by Linh: undo #3: set place of wiotc_2023 (th): ห้องประชุม <A>" in html_to_plain(en)
