"""The bot admins' broadcasts: /announce and /schedule (a preview with buttons), /announcements, /unschedule, and
the preview's Send / Schedule / Cancel buttons. Every text is the admin's language (/lang, else Telegram's)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.announce.announcements import Announcement, ReminderKey
from bot.announce.broadcast_texts import Texts, TextsError, parse_texts
from bot.announce.outbox import Counts
from bot.announce.send_time import WhenError, parse_when
from bot.announce.subscriptions import from_iso
from bot.engine.dates import format_date
from bot.engine.model import Messages
from bot.engine.render import shorten
from bot.telegram.addressing import command_args, whole_number
from bot.telegram.admin import admin_press, require_bot_admin
from bot.telegram.announce.message_bodies import broadcast_bodies, series_name
from bot.telegram.announce.service import announcer
from bot.telegram.formatting import Block, escape
from bot.telegram.handlers import sender_in_lang
from bot.telegram.sending import answer_query, reply_lines
from bot.telegram.services import Services, SummitContext

#: Callback data of a preview's buttons: v1|an|send|<id>, v1|an|plan|<id> (a /schedule preview) and v1|an|cancel|<id>.
BUTTON_PATTERN = r"^v1\|an\|"
_BUTTON = re.compile(r"^v1\|an\|(send|plan|cancel)\|([0-9]{1,12})$")  # ASCII digits: \d also matches "١٢"
LISTED = 10


def preview_keyboard(draft: Announcement, chats: int, lang: str, messages: Messages, when: str | None = None) -> InlineKeyboardMarkup:
    """The buttons under a preview: Send (or Schedule, for /schedule) and Cancel."""
    if when is None:
        go = InlineKeyboardButton(messages.get("announce_send_button", lang, chats=chats), callback_data=f"v1|an|send|{draft.id}")
    else:
        go = InlineKeyboardButton(messages.get("announce_plan_button", lang, when=when), callback_data=f"v1|an|plan|{draft.id}")
    cancel = InlineKeyboardButton(messages.get("announce_cancel_button", lang), callback_data=f"v1|an|cancel|{draft.id}")
    return InlineKeyboardMarkup([[go, cancel]])


def preview_blocks(texts: Texts, head: str, lang: str, messages: Messages) -> list[Block]:
    """A preview: what it is, then each language's text (and which one the other languages get)."""
    blocks = [Block(head, "i"), Block("")]
    if not texts.by_lang:
        return [*blocks, *(Block(line) for line in texts.default.split("\n"))]
    for code, text in texts.by_lang.items():
        blocks += [Block(messages.get(f"lang_name_{code}", lang) + f" ({code}):", "b"), *(Block(line) for line in text.split("\n")), Block("")]
    others = next(code for code, text in texts.by_lang.items() if text == texts.default)
    return [*blocks, Block(messages.get("announce_others_get", lang, lang=messages.get(f"lang_name_{others}", lang)), "i")]


async def _texts(svc: Services, message: Message, raw: str, lang: str, usage: str) -> Texts | None:
    """The admin's texts, checked (each fits one message in every language); else the admin is told why, and None."""
    try:
        texts = parse_texts(raw)
    except TextsError as exc:
        await reply_lines(svc, message, [svc.messages.get(exc.key, lang, value=exc.value), svc.messages.get(usage, lang)])
        return None
    if texts is None:
        await reply_lines(svc, message, [svc.messages.get(usage, lang)])
        return None
    if any(len(parts) > 1 for parts in broadcast_bodies(texts, svc.messages, svc.bot_name).values()):
        await reply_lines(svc, message, [svc.messages.get("announce_too_long", lang)])
        return None
    return texts


async def _admin(update: Update, context: SummitContext) -> tuple[Services, Message, int, str] | None:
    """A bot admin's command: the services, the message, the admin's id and language (others are refused)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return None
    svc, message, user = found
    return svc, message, user.id, (await svc.lang_of(user.id, user.language_code))[1]


async def on_announce(update: Update, context: SummitContext) -> None:
    """Preview an announcement (bot admins): /announce <text> or /announce en: … | th: …, then Send or Cancel."""
    found = await _admin(update, context)
    if found is None:
        return
    svc, message, admin, lang = found
    texts = await _texts(svc, message, command_args(message), lang, "announce_usage")
    if texts is None:
        return
    ann = announcer(svc)
    draft = await ann.announcements.create(
        texts.default, texts=texts.by_lang, send_at=svc.clock(), created_by=admin, admin_chat_id=message.chat_id, scheduled=False
    )
    chats = await ann.subscriptions.count()
    head = svc.messages.get("announce_preview", lang, id=draft.id, chats=chats)
    await reply_lines(svc, message, preview_blocks(texts, head, lang, svc.messages), preview_keyboard(draft, chats, lang, svc.messages))


def local_time(svc: Services, moment: dt.datetime) -> str:
    """A moment as the admins read it: local date and time in the bot's zone."""
    return moment.astimezone(svc.zone).strftime("%Y-%m-%d %H:%M")


async def on_schedule(update: Update, context: SummitContext) -> None:
    """Preview a scheduled announcement (bot admins): /schedule <when> | <text>, then Schedule or Cancel."""
    found = await _admin(update, context)
    if found is None:
        return
    svc, message, admin, lang = found
    when, bar, rest = command_args(message).partition("|")
    if not bar or not when.strip() or not rest.strip():
        await reply_lines(svc, message, [svc.messages.get("schedule_usage", lang)])
        return
    texts = await _texts(svc, message, rest, lang, "schedule_usage")
    if texts is None:
        return
    try:
        moment = parse_when(when, svc.now(), svc.zone)
    except WhenError as exc:
        reason = svc.messages.get(exc.key, lang, forms=svc.messages.get("when_forms", lang), **exc.values)
        await reply_lines(svc, message, [svc.messages.get("schedule_not", lang, reason=reason), svc.messages.get("schedule_usage", lang)])
        return
    ann = announcer(svc)
    draft = await ann.announcements.create(texts.default, texts=texts.by_lang, send_at=moment, created_by=admin, admin_chat_id=message.chat_id, scheduled=False)
    chats, at = await ann.subscriptions.count(), local_time(svc, moment)
    head = svc.messages.get("schedule_preview", lang, id=draft.id, when=at, zone=svc.zone.key, chats=chats)
    await reply_lines(svc, message, preview_blocks(texts, head, lang, svc.messages), preview_keyboard(draft, chats, lang, svc.messages, at))


async def on_announcements(update: Update, context: SummitContext) -> None:
    """List pending and recently sent announcements with their delivery counts (bot admins)."""
    found = await _admin(update, context)
    if found is None:
        return
    svc, message, _, lang = found
    ann = announcer(svc)
    pending = await ann.announcements.in_state("draft", "scheduled", "sending", limit=LISTED)
    settled = await ann.announcements.in_state("done", "cancelled", limit=LISTED)
    counts = await ann.outbox.counts([a.id for a in (*pending, *settled)])
    keys = await ann.announcements.reminders_of([a.id for a in (*pending, *settled) if a.kind == "reminder"])
    lines = [Block(svc.messages.get("announcements_pending" if pending else "announcements_none", lang), "b")]
    lines += [Block(listing_line(svc, a, counts[a.id], lang, keys.get(a.id))) for a in pending]
    lines += [Block(""), Block(svc.messages.get("announcements_sent", lang), "b")] if settled else []
    lines += [Block(listing_line(svc, a, counts[a.id], lang, keys.get(a.id))) for a in settled]
    if any(a.state == "scheduled" for a in pending):
        lines += [Block(""), Block(svc.messages.get("announcements_unschedule_hint", lang), "i")]
    await reply_lines(svc, message, lines)


def listing_line(svc: Services, a: Announcement, counts: Counts, lang: str, reminder: ReminderKey | None = None) -> str:
    """One /announcements line: number, kind, state with its time (not yet sending) or its tally, and the text's start
    (a reminder's, when it can be told from its key, in the admin's language rather than the English stored with it)."""
    text = svc.messages.get
    words = {"id": a.id, "kind": text(f"announcement_kind_{a.kind}", lang), "state": text(f"announcement_state_{a.state}", lang)}
    words["text"] = (reminder_text(svc, reminder, lang) if reminder else None) or shorten(" ".join(a.text.split()), 60)
    if a.state in ("draft", "scheduled"):
        return text("announcements_line_at", lang, when=local_time(svc, from_iso(a.send_at)), **words)
    return text("announcements_line_tally", lang, sent=counts.sent, total=counts.total, failed=counts.failed, **words)


def reminder_text(svc: Services, reminder: ReminderKey, lang: str) -> str | None:
    """A reminder as /announcements describes it: the event's name, the date it takes place and how many days before
    it went out, or None when the event has left the knowledge base (the stored English text stands in then)."""
    event_id, occurs_on, days = reminder
    event = svc.engine.kb.event(event_id)
    try:
        day = dt.date.fromisoformat(occurs_on)
    except ValueError:  # not a date this code wrote: the stored text is all there is
        return None
    if event is None:
        return None
    name = event.name(lang) if day.year == event.year else series_name(event.name(lang))  # a later edition: no year
    date = format_date(day, "day", lang, svc.messages)
    if days == 1:
        return svc.messages.get("announcement_reminder_day", lang, event=shorten(name, 100), date=date)
    return svc.messages.get("announcement_reminder_days", lang, event=shorten(name, 100), date=date, days=days)


async def on_unschedule(update: Update, context: SummitContext) -> None:
    """Cancel a scheduled announcement, or what is still pending of one being sent (bot admins): /unschedule <id>."""
    found = await _admin(update, context)
    if found is None:
        return
    svc, message, _, lang = found
    announcement_id = whole_number(command_args(message).lstrip("#"), max_digits=12)
    if announcement_id is None:
        await reply_lines(svc, message, [svc.messages.get("unschedule_usage", lang)])
        return
    ann = announcer(svc)
    result = await ann.announcements.cancel(announcement_id, svc.clock())
    await ann.check_due()  # drops its wake-up job
    await reply_lines(svc, message, [cancel_text(announcement_id, result, lang, svc.messages)])


def cancel_text(announcement_id: int, result: tuple[str, int] | None, lang: str, messages: Messages) -> str:
    """What /unschedule, /cancel or the Cancel button did."""
    if result is None:
        return messages.get("announce_none", lang, id=announcement_id)
    state, dropped = result
    if state in ("done", "cancelled"):
        return messages.get("announce_already_sent" if state == "done" else "announce_already_cancelled", lang, id=announcement_id)
    if state == "sending":
        return messages.get("announce_cancelled_sending", lang, id=announcement_id, dropped=dropped)
    return messages.get("announce_cancelled", lang, id=announcement_id)


async def on_announce_button(update: Update, context: SummitContext) -> None:
    """Send, schedule or cancel a previewed announcement (bot admins only; a second press changes nothing)."""
    pressed = await admin_press(update, context, _BUTTON)
    if pressed is None:
        return
    svc, query, user, match, message = pressed
    lang = (await svc.lang_of(user.id, user.language_code))[1]
    ann, action, announcement_id = announcer(svc), match.group(1), int(match.group(2))
    draft = await ann.announcements.get(announcement_id)
    if action == "cancel":
        result = await ann.announcements.cancel(announcement_id, svc.clock())
        text, changed = cancel_text(announcement_id, result, lang, svc.messages), result is not None and result[0] not in ("done", "cancelled")
    elif action == "plan" and draft is not None and from_iso(draft.send_at) > svc.clock():
        changed = await ann.announcements.confirm_schedule(announcement_id)
        await ann.check_due()  # schedules its wake-up job
        chats, at = await ann.subscriptions.count(), local_time(svc, from_iso(draft.send_at))
        done = svc.messages.get("schedule_done", lang, id=announcement_id, when=at, zone=svc.zone.key, chats=chats)
        text = done if changed else svc.messages.get("announce_gone", lang, id=announcement_id)
    else:  # Send, or Schedule pressed once the time had passed: it goes now
        if draft is not None and draft.state == "draft":
            await ann.announcements.set_progress_message(announcement_id, message.chat_id, message.message_id)
        launched = await ann.launch(announcement_id)
        changed = launched is not None
        text = svc.messages.get("announce_sending" if changed else "announce_gone", lang, id=announcement_id, chats=launched or 0)
    await answer_query(query, shorten(text, 200))  # a failed answer must not keep the preview from changing
    if changed:  # the preview becomes the progress message (or says what happened); a second press only gets the notice
        with contextlib.suppress(BadRequest):  # deleted meanwhile
            await query.edit_message_text(escape(text), parse_mode=ParseMode.HTML)


async def on_cancel(update: Update, context: SummitContext) -> None:
    """Abort what the sender has under way here (an announcement preview not yet sent), for anyone; else say so."""
    found = await sender_in_lang(update, context)
    if found is None:
        return
    svc, message, user, lang = found
    drafts = await announcer(svc).announcements.drafts_of(user.id, message.chat_id) if user.id in svc.settings.admins else []
    for draft in drafts:
        await announcer(svc).announcements.cancel(draft.id, svc.clock())
    if drafts:
        lines = [svc.messages.get("cancel_done", lang, id=", #".join(str(d.id) for d in reversed(drafts)))]
    else:
        number = whole_number(command_args(message).lstrip("#"), max_digits=12) if user.id in svc.settings.admins else None
        lines = [svc.messages.get("cancel_nothing", lang)] + ([svc.messages.get("cancel_use_unschedule", lang, id=number)] if number else [])
    await reply_lines(svc, message, lines)
