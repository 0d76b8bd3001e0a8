"""Subscriptions, the admins' announcement commands, scheduled broadcasts and event reminders (controlled clock)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from announce_kit import Clock, announce, announcer, clocked_announcer, received, report, subscribe, wait_received
from fakeapi import FakeBotApi
from harness import ADMIN, BOT, THAI, Harness, buttons, plain

from bot.engine import Engine

pytestmark = pytest.mark.timeout(40)
GROUP, ADMIN_OF_GROUP, MEMBER = -700, 71, 72


async def admin_says(bot: Harness, text: str, chat_id: int) -> str:
    """A bot admin's command in a chat of its own (replies are paced at one message per second and chat)."""
    bot.api.send_text(text, chat_id=chat_id, user_id=ADMIN, chat_type="private" if chat_id > 0 else "group")
    return plain(await bot.reply(chat_id))


def in_group(bot: Harness, text: str, user_id: int, **kw: object) -> None:
    bot.api.send_text(text, chat_id=GROUP, user_id=user_id, chat_type="group", chat_title="Summit <fans>", **kw)  # type: ignore[arg-type]


async def test_group_admins_subscribe_and_members_are_refused(bot: Harness) -> None:
    subs = announcer(bot).subscriptions
    bot.api.set_member_status(GROUP, ADMIN_OF_GROUP, "administrator")
    in_group(bot, "/subscribe", MEMBER, language_code="fr")
    assert plain(await bot.reply(GROUP)) == "Seuls les administrateurs de ce groupe peuvent modifier son abonnement."
    assert await subs.get(GROUP) is None
    in_group(bot, f"/subscribe@{BOT} lang=th kinds=summit, itu-event", ADMIN_OF_GROUP)
    done = plain(await bot.reply(GROUP))
    assert THAI.search(done) and "เป็นภาษาไทย" in done and "การประชุมสุดยอด, งานของ ITU" in done
    sub = await subs.get(GROUP)
    assert sub is not None and (sub.chat_type, sub.lang, sub.kinds, sub.user_id) == ("group", "th", ("summit", "itu-event"), ADMIN_OF_GROUP)
    in_group(bot, "/unsubscribe", MEMBER)
    assert "Only this group's admins" in plain(await bot.reply(GROUP))
    assert await subs.get(GROUP) is not None
    in_group(bot, "/unsubscribe", ADMIN_OF_GROUP, language_code="vi")
    assert plain(await bot.reply(GROUP)).startswith("Đã hủy đăng ký")
    assert await subs.get(GROUP) is None
    # getChatMember answers are cached for a minute: one call per (group, user).
    asked = [(c.params["chat_id"], c.params["user_id"]) for c in bot.api.calls_of("getChatMember")]
    assert sorted(asked) == [(GROUP, ADMIN_OF_GROUP), (GROUP, MEMBER)]


async def test_private_subscription_and_bad_options(bot: Harness) -> None:
    subs = announcer(bot).subscriptions
    _, reply = await bot.say("/subscribe kinds=summit,concert", chat_id=51, language_code="vi")
    assert plain(reply).startswith("Không rõ loại sự kiện “concert”")
    _, reply = await bot.say("/subscribe lang=de", chat_id=52)
    assert plain(reply).startswith("Unknown language “de”: use en, th, vi or fr.")
    _, reply = await bot.say("/subscribe please", chat_id=53)
    assert plain(reply).startswith("I don't understand “please”.")
    assert await subs.all() == []  # bad input changes nothing
    _, reply = await bot.say("/subscribe", chat_id=55, language_code="fr")
    assert "annonces en français" in plain(reply) and "sommets, salons de l’IoT, événements de l’UIT" in plain(reply)
    sub = await subs.get(55)
    assert sub is not None and (sub.chat_type, sub.lang, sub.kinds) == ("private", "fr", ("summit", "iot-expo", "itu-event"))
    _, reply = await bot.say("/unsubscribe", chat_id=55)
    _, again = await bot.say("/unsubscribe", chat_id=51)
    assert plain(reply).startswith("Unsubscribed") and plain(again).startswith("This chat is not subscribed")
    assert await subs.all() == []


async def test_admin_commands_are_refused_to_others_and_check_their_input(bot: Harness) -> None:
    ann = announcer(bot)
    for n, command in enumerate(("/announce hello", "/schedule in 2h | hello", "/announcements", "/unschedule 1")):
        _, reply = await bot.say(command, chat_id=660 + n, user_id=66, language_code="th")
        assert plain(reply) == "ขออภัย คำสั่งนี้ใช้ได้เฉพาะผู้ดูแลบอทเท่านั้น"
    _, reply = await bot.say("/cancel", chat_id=670, user_id=66, language_code="th")  # /cancel is everyone's: nothing under way
    assert plain(reply) == "ไม่มีอะไรให้ยกเลิก"
    assert await ann.announcements.in_state("draft", "scheduled", "sending", "done", "cancelled") == []
    for n, (command, expected) in enumerate(
        [
            ("/announce", "Usage: /announce <text>"),
            ("/announce " + "&" * 1000, "too long for one Telegram message"),
            ("/schedule in 2h", "Usage: /schedule <when> | <text>"),
            ("/schedule yesterday | hi", "Not scheduled: cannot read 'yesterday' as a time"),
            ("/schedule 2020-01-01 10:00 | hi", "is in the past"),
            ("/announce en: Hi | en: Again", "The language “en” has two texts"),
            ("/announce en: Hi | th:", "The text for “th” is empty."),
            ("/unschedule x", "Usage: /unschedule <announcement number>"),
            ("/unschedule 99", "There is no announcement #99."),
            ("/cancel 5", "Nothing to cancel.\nTo cancel scheduled announcement #5, send /unschedule 5."),
        ]
    ):
        assert expected in await admin_says(bot, command, -9100 - n), command
    assert await ann.announcements.in_state("draft", "scheduled", "sending", "done", "cancelled") == []


async def test_schedule_time_errors_are_in_the_admins_language(bot: Harness) -> None:
    """Each reason /schedule gives for an unreadable time, in the admin's Telegram language, then their /lang choice."""

    async def schedule(when: str, chat_id: int, lang: str | None) -> str:
        bot.api.send_text(f"/schedule {when} | Bonjour", chat_id=chat_id, user_id=ADMIN, chat_type="group", language_code=lang)
        return plain(await bot.reply(chat_id))

    forms = "utilisez le format ISO 8601 (2026-12-01T09:00+07:00), un délai (in 2h, in 90m, in 1d 3h) ou un jour et une heure"
    fr = await schedule("mardi prochain", -9300, "fr")
    assert fr.startswith(f"Non programmée : impossible de lire « mardi prochain » comme une heure : {forms}")
    assert "\nUtilisation : /schedule <quand> | <texte>" in fr  # then the command's usage, in French too
    assert (await schedule("2020-01-01 10:00", -9301, "fr")).startswith("Non programmée : 2020-01-01T10:00+00:00 est déjà passé.")
    assert (await schedule("tomorrow", -9302, "fr")).startswith("Non programmée : indiquez aussi l’heure, par exemple tomorrow 09:00.")
    assert (await schedule("today 24:00", -9303, "fr")).startswith("Non programmée : 24:00 n’est pas une heure valide.")
    assert (await schedule("in 400d", -9304, "fr")).startswith("Non programmée : c’est à plus d’un an d’ici.")
    assert (await schedule("9" * 70, -9305, "fr")).startswith(f"Non programmée : c’est trop long pour une heure : {forms}")
    await bot.services.store.set_user_lang(ADMIN, "vi")  # /lang wins over Telegram's language
    vi = await schedule("tomorrow", -9306, "fr")
    assert vi.startswith("Chưa lên lịch: hãy ghi cả giờ, ví dụ tomorrow 09:00.\nCách dùng: /schedule")
    await bot.services.store.set_user_lang(ADMIN, "th")
    assert (await schedule("in 400d", -9307, None)).startswith("ยังไม่ได้ตั้งเวลา: เวลานั้นเกินหนึ่งปีนับจากนี้\nวิธีใช้: /schedule")
    assert await announcer(bot).announcements.in_state("draft", "scheduled", "sending", "done", "cancelled") == []  # nothing stored


async def test_announcements_lists_kinds_states_and_tallies_in_the_admins_language(bot: Harness) -> None:
    ann = announcer(bot)
    await subscribe(bot, [31, 32])
    await report(bot, await announce(bot, "Programme <publié>"))  # #1, done (the report comes in English: no /lang yet)
    for n, (command, press) in enumerate([("/announce Annulée", "cancel"), ("/schedule in 2h | Plus tard", "plan"), ("/schedule in 3h | Brouillon", None)]):
        bot.api.send_text(command, chat_id=-9400 - n, user_id=ADMIN, chat_type="group")
        preview = await bot.reply(-9400 - n)
        if press is not None:
            bot.api.press_button(preview, f"v1|an|{press}|{n + 2}", user_id=ADMIN)
            await bot.reply(-9400 - n, method="editMessageText")
    await bot.services.store.set_user_lang(ADMIN, "fr")
    at = {a.id: a.send_at for a in await ann.announcements.in_state("draft", "scheduled")}
    when = {i: dt.datetime.fromisoformat(v).astimezone(bot.services.zone).strftime("%Y-%m-%d %H:%M") for i, v in at.items()}
    assert (await admin_says(bot, "/announcements", -9410)).splitlines() == [
        "En attente :",
        f"#4 (annonce, brouillon, {when[4]}) Brouillon",
        f"#3 (annonce, envoi programmé, {when[3]}) Plus tard",
        "",
        "Envoyées :",
        "#2 (annonce, envoi annulé : 0/0 envoyés, 0 en échec) Annulée",
        "#1 (annonce, envoi terminé : 2/2 envoyés, 0 en échec) Programme <publié>",
        "",
        "Pour annuler une annonce programmée : /unschedule <numéro>.",
    ]
    await bot.services.store.set_user_lang(ADMIN, None)  # back to Telegram's language
    bot.api.send_text("/announcements", chat_id=-9411, user_id=ADMIN, chat_type="group", language_code="th")
    th = plain(await bot.reply(-9411)).splitlines()
    assert th[1:3] == [f"#4 (ประกาศ, ฉบับร่าง, {when[4]}) Brouillon", f"#3 (ประกาศ, ตั้งเวลาไว้, {when[3]}) Plus tard"]
    assert th[6] == "#1 (ประกาศ, ส่งเสร็จแล้ว: ส่งแล้ว 2/2 ไม่สำเร็จ 0) Programme <publié>"


async def test_preview_cancel_and_a_second_send_press(bot: Harness) -> None:
    await subscribe(bot, [1, 2])
    bot.api.send_text("/announce Line one\nLine <two>", chat_id=ADMIN, user_id=ADMIN)
    preview = await bot.reply(ADMIN)
    assert plain(preview).endswith("Line one\nLine <two>") and "2 subscribed chat(s)" in plain(preview)
    assert [label for label, _ in buttons(preview)] == ["Send to 2 chat(s)", "Cancel"]
    bot.api.press_button(preview, "v1|an|send|1", user_id=66)  # not a bot admin: refused
    assert (await bot.api.wait_for("answerCallbackQuery")).params["text"].startswith("Sorry, only the bot's admins")
    bot.api.press_button(preview, "v1|an|cancel|1", user_id=ADMIN)
    assert plain(await bot.reply(ADMIN, method="editMessageText")) == "Announcement #1 cancelled."
    bot.api.press_button(preview, "v1|an|send|1", user_id=ADMIN, check_button=False)
    await bot.api.wait_for("answerCallbackQuery", lambda c: "already sent or cancelled" in c.params.get("text", ""))
    # A second preview is sent once, however many times Send is pressed.
    bot.api.send_text("/announce Only once", chat_id=ADMIN, user_id=ADMIN)
    second = await bot.reply(ADMIN)
    bot.api.press_button(second, "v1|an|send|2", user_id=ADMIN)
    bot.api.press_button(second, "v1|an|send|2", user_id=ADMIN, check_button=False)
    await report(bot, 2)
    await bot.settle()
    assert received(bot.api, "Only once") == {1: 1, 2: 1}
    assert received(bot.api, "Line one") == {}


async def test_scheduled_announcement_fires_at_its_time(bot: Harness) -> None:
    clock = Clock()
    bot.services.clock = clock
    ann = announcer(bot)
    chats = await subscribe(bot, [11, 12, -13])
    _, preview = await bot.say("/schedule in 2h | Doors open at <9>", chat_id=ADMIN)
    assert plain(preview).startswith("Preview of announcement #1 — it goes out on ") and plain(preview).endswith("Doors open at <9>")
    label, data = buttons(preview)[0]
    assert label.startswith("Schedule for ") and data == "v1|an|plan|1" and buttons(preview)[1] == ("Cancel", "v1|an|cancel|1")
    assert len(bot.app.job_queue.jobs("^announce:at:")) == 2  # type: ignore[union-attr]  # the reminders only: nothing before the press
    bot.api.press_button(preview, data, user_id=ADMIN)
    reply = await bot.reply(ADMIN, method="editMessageText")
    assert plain(reply).startswith("Scheduled announcement #1 for ") and "3 chat(s) are subscribed now. /unschedule 1" in plain(reply)
    bot.api.press_button(preview, data, user_id=ADMIN, check_button=False)  # a second press changes nothing
    await bot.api.wait_for("answerCallbackQuery", lambda c: "already sent or cancelled" in c.params.get("text", ""))
    bot.api.send_text("/schedule tomorrow 10:00 | Never sent", chat_id=-9201, user_id=ADMIN, chat_type="group")
    second = await bot.reply(-9201)
    bot.api.press_button(second, "v1|an|plan|2", user_id=ADMIN)
    assert "#2" in plain(await bot.reply(-9201, method="editMessageText"))
    # One wake-up job per scheduled announcement and per reminder to come (World Telecommunication Day, 17 May).
    jobs = sorted(str(job.name) for job in bot.app.job_queue.jobs("^announce:at:"))  # type: ignore[union-attr]
    assert [j[12:28] for j in jobs] == [
        # "in 2h" after 22:00 falls on the next day
        (clock() + dt.timedelta(hours=2)).date().isoformat() + "T" + plain(reply).split(" for ")[1][11:16],
        (clock().date() + dt.timedelta(days=1)).isoformat() + "T10:00",
        "2027-05-10T09:00", "2027-05-16T09:00",
    ]  # fmt: skip
    listing = await admin_says(bot, "/announcements", -9202)
    assert "#1 (broadcast, scheduled," in listing and "#2 (broadcast, scheduled," in listing
    assert await admin_says(bot, "/unschedule 2", -9203) == "Announcement #2 cancelled."
    clock.advance(hours=1, minutes=59)
    await ann.check_due()
    assert not set(received(bot.api, "Doors open")) & set(chats)
    clock.advance(minutes=1, seconds=1)
    await ann.check_due()
    got = await wait_received(bot.api, chats, "Doors open at <9>")
    assert all(got[chat] == 1 for chat in chats)
    final = plain(await report(bot, 1))
    assert final == "Announcement #1: delivered to all 3 chat(s)."
    progress = await bot.reply(ADMIN, lambda c: plain(c).startswith("📣 #1"))
    assert plain(progress) == "📣 #1 “Doors open at <9>”\nStarting…"  # posted when it fired, then edited
    clock.advance(days=2)
    await ann.check_due()
    assert not set(received(bot.api, "Never sent")) & set(chats)
    listing = await admin_says(bot, "/announcements", -9204)
    assert listing.startswith("Nothing pending.")
    assert "#1 (broadcast, done: 3/3 sent, 0 failed)" in listing and "#2 (broadcast, cancelled: 0/0 sent" in listing


async def test_reminders_in_each_chats_language_once_even_across_restarts(api: FakeBotApi, engine: Engine, tmp_path: Path) -> None:
    """World Telecommunication Day (17 May, every year): reminders 7 days and 1 day before, at 09:00."""
    clock = Clock()
    async with clocked_announcer(api, tmp_path / "bot.sqlite3", engine, clock) as ann:
        await ann.subscriptions.subscribe(21, "private", "th", ("itu-event",), None)
        await ann.subscriptions.subscribe(22, "private", "en", ("summit",), None)
        await ann.subscriptions.subscribe(-23, "group", "fr", ("summit", "iot-expo", "itu-event"), None)
        clock.set(dt.datetime(2027, 5, 10, 8, 59, tzinfo=dt.timezone(dt.timedelta(hours=7))))
        await ann.check_due()
        assert not [c for c in api.calls_of("sendMessage") if c.params["chat_id"] in (21, 22, -23)]
        clock.advance(minutes=2)
        await ann.check_due()
        await ann.check_due()  # a second check sends nothing more
        thai = await api.wait_for("sendMessage", lambda c: c.params["chat_id"] == 21)
        french = await api.wait_for("sendMessage", lambda c: c.params["chat_id"] == -23)
        assert plain(thai).startswith("แจ้งเตือน: วันโทรคมนาคมและสังคมสารสนเทศโลก") and "อีก 7 วัน" in plain(thai) and "17 พฤษภาคม 2570" in plain(thai)
        assert plain(french).startswith("Rappel : « ") and "dans 7 jours, le 17 mai 2027" in plain(french)
        assert ("Date et lieu", "v1|dp|wtisd_2021|fr") in buttons(french)  # the event card's buttons come along
    async with clocked_announcer(api, tmp_path / "bot.sqlite3", engine, clock) as ann:  # a restart sends nothing again
        await ann.check_due()
        clock.set(dt.datetime(2027, 5, 16, 9, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=7))))
        await ann.check_due()
        tomorrow = await api.wait_for("sendMessage", lambda c: c.params["chat_id"] == 21)
        assert "พรุ่งนี้" in plain(tomorrow)
        await api.wait_for("sendMessage", lambda c: c.params["chat_id"] == -23)
        sent = [c for c in api.calls_of("sendMessage") if c.params["chat_id"] in (21, 22, -23)]
        assert sorted(c.params["chat_id"] for c in sent) == [-23, -23, 21, 21]
