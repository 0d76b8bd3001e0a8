"""Per-language broadcasts, forum topics, /cancel in a flow, reminders of a recurring event and their lines in
/announcements (end to end)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from announce_kit import Clock, announce, announcer, clocked_announcer, report, subscribe, wait_received
from fakeapi import FakeBotApi
from harness import ADMIN, THAI, Harness, buttons, plain

from bot.engine import Engine

pytestmark = pytest.mark.timeout(40)
FORUM, TOPIC = -1007001, 42


async def test_each_chat_gets_its_languages_text_with_a_localized_header(bot: Harness) -> None:
    await subscribe(bot, [31], lang="th")
    await subscribe(bot, [32], lang="en")
    await subscribe(bot, [33], lang="vi")  # no Vietnamese text: the English one, with a Vietnamese header
    announcement_id = await announce(bot, "en: Doors open at 9 | th: ประตูเปิด 9 โมง")
    preview = plain(bot.sent_to(ADMIN)[0])
    assert "English (en):\nDoors open at 9" in preview and "(th):\nประตูเปิด 9 โมง" in preview
    assert preview.endswith("Chats in other languages receive the English text.")
    await wait_received(bot.api, [31], "ประตูเปิด 9 โมง")
    await wait_received(bot.api, [32, 33], "Doors open at 9")
    thai, english, vietnamese = (plain(bot.sent_to(chat)[-1]) for chat in (31, 32, 33))
    assert thai.startswith("📣 ประกาศจากผู้ดูแล Summit Test Bot\nประตูเปิด 9 โมง") and "Doors open" not in thai
    assert thai.endswith("พิมพ์ /unsubscribe เพื่อยกเลิก")
    assert english.startswith("📣 Announcement from the Summit Test Bot admins\nDoors open at 9") and "/unsubscribe" in english
    assert vietnamese.startswith("📣 Thông báo từ ban quản trị Summit Test Bot\nDoors open at 9") and "Gửi /unsubscribe để hủy." in vietnamese
    assert not THAI.search(english + vietnamese)
    assert "delivered to all 3 chat(s)" in plain(await report(bot, announcement_id))


async def test_a_forum_subscribed_from_a_topic_gets_announcements_in_that_topic(bot: Harness) -> None:
    bot.api.set_member_status(FORUM, 71, "administrator")
    bot.api.send_text("/subscribe", chat_id=FORUM, user_id=71, chat_type="supergroup", chat_title="Forum", message_thread_id=TOPIC)
    done = await bot.reply(FORUM)
    assert plain(done).startswith("Subscribed") and done.params["message_thread_id"] == TOPIC  # the reply is in the topic too
    sub = await announcer(bot).subscriptions.get(FORUM)
    assert sub is not None and sub.thread_id == TOPIC
    await subscribe(bot, [34])
    announcement_id = await announce(bot, "Topic test")
    await wait_received(bot.api, [FORUM, 34], "Topic test")
    forum = next(c for c in bot.sent_to(FORUM) if "Topic test" in plain(c))
    private = next(c for c in bot.sent_to(34) if "Topic test" in plain(c))
    assert forum.params["message_thread_id"] == TOPIC and "message_thread_id" not in private.params
    await report(bot, announcement_id)


async def test_cancel_aborts_a_pending_preview_and_otherwise_says_nothing_to_cancel(bot: Harness) -> None:
    await subscribe(bot, [35])
    bot.api.send_text("/announce Never goes out", chat_id=ADMIN, user_id=ADMIN)
    preview = await bot.reply(ADMIN)
    _, reply = await bot.say("/cancel", chat_id=ADMIN, language_code="fr")
    assert plain(reply) == "Annulé : l’annonce n° 1 ne sera pas envoyée."
    bot.api.press_button(preview, "v1|an|send|1", user_id=ADMIN)  # the preview's Send does nothing any more
    await bot.api.wait_for("answerCallbackQuery", lambda c: "already sent or cancelled" in c.params.get("text", ""))
    _, again = await bot.say("/cancel", chat_id=ADMIN)
    assert plain(again) == "Nothing to cancel."
    _, member = await bot.say("/cancel", chat_id=36, language_code="vi")
    assert plain(member) == "Không có gì để hủy."
    await bot.settle()
    assert not [c for c in bot.sent_to(35) if "Never goes out" in plain(c)]
    first = await announcer(bot).announcements.get(1)
    assert first is not None and first.state == "cancelled"


async def test_a_recurring_event_is_announced_by_name_and_coming_date(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    """World Telecommunication and Information Society Day: the sources describe 2021; the reminder is for 2027."""
    clock = Clock()
    async with clocked_announcer(api, tmp_path / "bot.sqlite3", engine, clock) as ann:
        for chat, lang in ((41, "en"), (42, "th"), (43, "vi"), (44, "fr")):
            await ann.subscriptions.subscribe(chat, "private", lang, ("itu-event",), None)
        clock.set(dt.datetime(2027, 5, 10, 9, 1, tzinfo=dt.timezone(dt.timedelta(hours=7))))
        await ann.check_due()
        sent = {chat: await api.wait_for("sendMessage", lambda c, chat=chat: c.params["chat_id"] == chat) for chat in (41, 42, 43, 44)}  # type: ignore[misc]
        english, thai, vietnamese, french = (plain(sent[chat]) for chat in (41, 42, 43, 44))
        assert english.startswith(
            "Reminder: World Telecommunication and Information Society Day is in 7 days, on 17 May 2027 (it is held every year on 17 May).\n"
        )
        assert "My sources describe the 2021 edition, whose theme was “Accelerating digital transformation in challenging times”" in english
        assert "they don't say yet what the 2027 edition's theme or programme will be" in english
        assert "2021 is in" not in english and "Day 2021" not in english
        assert thai.startswith("แจ้งเตือน: วันโทรคมนาคมและสังคมสารสนเทศโลก จะมาถึงในอีก 7 วัน ตรงกับวันที่ 17 พฤษภาคม 2570")
        assert "ประจำปี 2564" in thai and "2570" in thai and "ประจำปี 2564 จะ" not in thai
        assert vietnamese.startswith("Nhắc lịch: Ngày Viễn thông và Xã hội thông tin thế giới sẽ diễn ra sau 7 ngày nữa, vào ngày 17 tháng 5 năm 2027")
        assert french.startswith("Rappel : « Journée mondiale des télécommunications et de la société de l'information » a lieu dans 7 jours, le 17 mai 2027")
        assert "l’édition 2021" in french and "l’édition 2027" in french
        assert ("Date et lieu", "v1|dp|wtisd_2021|fr") in buttons(sent[44])  # the buttons: what the sources say about 2021


async def settled(bot: Harness, count: int) -> None:
    """Wait (bounded) until ``count`` announcements are done: a reminder is marked so once its deliveries are settled."""
    for _ in range(100):
        if len(await announcer(bot).announcements.in_state("done")) >= count:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"fewer than {count} announcements done")


async def choose_lang(bot: Harness, lang: str) -> None:
    """The admin's /lang choice, pressed on the language buttons."""
    bot.api.send_text("/lang", chat_id=ADMIN, user_id=ADMIN)
    prompt = await bot.reply(ADMIN, lambda c: any(d == f"v1|lang|{lang}" for _, d in buttons(c)))
    bot.api.press_button(prompt, f"v1|lang|{lang}", user_id=ADMIN)
    await bot.api.wait_for("answerCallbackQuery")
    await bot.settle()
    assert await bot.services.store.get_user_lang(ADMIN) == lang


async def test_announcements_describe_reminders_in_the_admins_language(bot: Harness) -> None:
    """A reminder's line names the event, the coming date and how long before, in the admin's /lang language; only a
    reminder whose event left the knowledge base shows the (English) text stored with it."""
    clock, zone = Clock(), bot.services.zone
    bot.services.clock = clock
    ann = announcer(bot)
    await subscribe(bot, [61], lang="fr", kinds=("itu-event",))
    clock.set(dt.datetime(2027, 5, 10, 9, 0, 1, tzinfo=zone))
    await ann.check_due()
    await wait_received(bot.api, [61], "dans 7 jours")
    clock.set(dt.datetime(2027, 5, 16, 9, 0, 1, tzinfo=zone))
    await ann.check_due()
    await wait_received(bot.api, [61], "a lieu demain")
    await settled(bot, 2)
    gone = await ann.announcements.enqueue_reminder(("summit_1999", "2027-06-01", 7), "summit", {}, [], clock())
    assert gone is not None and gone[0] == 3
    await choose_lang(bot, "fr")
    bot.api.send_text("/announcements", chat_id=-9500, user_id=ADMIN, chat_type="group", language_code="en")
    name = "Journée mondiale des télécommunications et de la société de l'information"  # the series' name, without 2021
    assert plain(await bot.reply(-9500)).splitlines() == [
        "En attente :",
        "#3 (rappel, envoi en cours : 0/0 envoyés, 0 en échec) summit_1999 on 2027-06-01, 7 day(s) before",
        "",
        "Envoyées :",
        f"#2 (rappel, envoi terminé : 1/1 envoyés, 0 en échec) « {name} » le 17 mai 2027, la veille",
        f"#1 (rappel, envoi terminé : 1/1 envoyés, 0 en échec) « {name} » le 17 mai 2027, 7 jours avant",
    ]
    await choose_lang(bot, "th")
    bot.api.send_text("/announcements", chat_id=-9501, user_id=ADMIN, chat_type="group", language_code="en")
    thai = plain(await bot.reply(-9501)).splitlines()
    assert thai[4:] == [
        "#2 (แจ้งเตือนงาน, ส่งเสร็จแล้ว: ส่งแล้ว 1/1 ไม่สำเร็จ 0) วันโทรคมนาคมและสังคมสารสนเทศโลก วันที่ 17 พฤษภาคม 2570 (แจ้งล่วงหน้าหนึ่งวัน)",
        "#1 (แจ้งเตือนงาน, ส่งเสร็จแล้ว: ส่งแล้ว 1/1 ไม่สำเร็จ 0) วันโทรคมนาคมและสังคมสารสนเทศโลก วันที่ 17 พฤษภาคม 2570 (แจ้งล่วงหน้า 7 วัน)",
    ]
    assert "2564" not in " ".join(thai) and "day(s)" not in " ".join(thai[4:])
