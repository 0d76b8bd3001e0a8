"""Announcement commands: /subscribe and /unsubscribe (a chat's own), /announce, /schedule, /announcements and
/cancel (bot admins), the Send / Cancel buttons of a preview, and the announcer's start-up."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes, JobQueue

from bot.announce.subscribe import OptionError, parse_options
from bot.announce.when import WhenError, parse_when
from bot.engine.model import Messages
from bot.engine.render import shorten
from bot.store.subscriptions import from_iso
from bot.telegram.addressing import command_args, whole_number
from bot.telegram.admin import admin_press, require_bot_admin
from bot.telegram.announcer import Announcer, broadcast_html
from bot.telegram.formatting import Block, escape
from bot.telegram.handlers import sender_in_lang
from bot.telegram.sending import answer_query, follow_migration, in_private, reply_blocks
from bot.telegram.services import Services

#: Callback data of a preview's buttons: v1|an|send|<id> and v1|an|cancel|<id>.
BUTTON_PATTERN = r"^v1\|an\|"
_BUTTON = re.compile(r"^v1\|an\|(send|cancel)\|([0-9]{1,12})$")  # ASCII digits: \d also matches "١٢"
ANNOUNCE_USAGE = "Usage: /announce <text> — shows a preview with Send and Cancel buttons."
SCHEDULE_USAGE = "Usage: /schedule <when> | <text>, e.g. /schedule tomorrow 09:00 | The programme is out."
CANCEL_USAGE = "Usage: /cancel <announcement number> (see /announcements)."
TOO_LONG = "That announcement is too long for one Telegram message (4096 characters once escaped); please shorten it."
LISTED = 10


def announcer(svc: Services) -> Announcer:
    """The running announcer (started in ``post_init``)."""
    if svc.announcer is None:
        raise RuntimeError("announcements are not started: start the application with run_polling() or bot.telegram.app.running()")
    return svc.announcer


async def _reply(svc: Services, message: Message, lines: Sequence[Block | str], markup: InlineKeyboardMarkup | None = None) -> None:
    """Reply (threaded in groups) in a slot of the delivery worker's pacer, so replies and broadcasts stay within the limits."""
    await announcer(svc).courier.slot(message.chat_id, not in_private(message))
    blocks = [line if isinstance(line, Block) else Block(line) for line in lines]
    await reply_blocks(svc, message, blocks, quote=not in_private(message), markup=markup)


def kinds_text(kinds: Sequence[str], lang: str, messages: Messages) -> str:
    """Kinds of event, named in a language ("summits, ITU events")."""
    return ", ".join(messages.get(f"kind_{kind.replace('-', '_')}", lang) for kind in kinds)


async def _may_manage(svc: Services, message: Message, user: User, lang: str) -> bool:
    """Private chats manage themselves; in a group, only its admins (getChatMember, cached) may."""
    if in_private(message) or await announcer(svc).admins.is_admin(message.get_bot(), message, user):
        return True
    await _reply(svc, message, [svc.messages.get("subscribe_admins_only", lang)])
    return False


async def _manager(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[Services, Message, User, str] | None:
    """The sender, when they may manage this chat's subscription (else they are told why, and None)."""
    found = await sender_in_lang(update, context)
    if found is None:
        return None
    svc, message, user, lang = found
    return found if await _may_manage(svc, message, user, lang) else None


async def on_subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe this chat to announcements and reminders (groups: admins only), e.g. /subscribe lang=th kinds=summit."""
    found = await _manager(update, context)
    if found is None:
        return
    svc, message, user, lang = found
    try:
        options = parse_options(command_args(message))
    except OptionError as exc:
        await _reply(svc, message, [svc.messages.get(exc.key, lang, value=exc.value)])
        return
    chosen = options.lang or lang
    sub = await announcer(svc).subscriptions.subscribe(message.chat_id, message.chat.type, chosen, options.kinds, user.id)
    language = svc.messages.get(f"lang_name_{chosen}", chosen)
    await _reply(svc, message, [svc.messages.get("subscribe_done", chosen, lang=language, kinds=kinds_text(sub.kinds, chosen, svc.messages))])


async def on_unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop this chat's announcements and reminders (groups: admins only)."""
    found = await _manager(update, context)
    if found is None:
        return
    svc, message, _, lang = found
    removed = await announcer(svc).subscriptions.unsubscribe(message.chat_id)
    await _reply(svc, message, [svc.messages.get("unsubscribe_done" if removed else "unsubscribe_none", lang)])


def preview_keyboard(announcement_id: int, chats: int) -> InlineKeyboardMarkup:
    """The Send / Cancel buttons under a preview."""
    send = InlineKeyboardButton(f"Send to {chats} chat(s)", callback_data=f"v1|an|send|{announcement_id}")
    return InlineKeyboardMarkup([[send, InlineKeyboardButton("Cancel", callback_data=f"v1|an|cancel|{announcement_id}")]])


async def on_announce(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Preview an announcement (bot admins): /announce <text>, then Send or Cancel."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, user = found
    text = command_args(message)
    if not text or len(broadcast_html(text)) > 1:
        await _reply(svc, message, [ANNOUNCE_USAGE if not text else TOO_LONG])
        return
    ann = announcer(svc)
    draft = await ann.announcements.create(text, send_at=svc.clock(), created_by=user.id, admin_chat_id=message.chat_id, scheduled=False)
    chats = await ann.subscriptions.count()
    head = Block(f"Preview of announcement #{draft.id} — it goes to the {chats} subscribed chat(s) when you press Send:", "i")
    await _reply(svc, message, [head, Block(""), *(Block(line) for line in text.split("\n"))], preview_keyboard(draft.id, chats))


async def on_schedule(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Schedule an announcement (bot admins): /schedule <when> | <text>, e.g. /schedule in 2h | Doors open at 9."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, user = found
    when, bar, text = command_args(message).partition("|")
    text = text.strip()
    if not bar or not when.strip() or not text:
        await _reply(svc, message, [SCHEDULE_USAGE])
        return
    if len(broadcast_html(text)) > 1:
        await _reply(svc, message, [TOO_LONG])
        return
    try:
        moment = parse_when(when, svc.now(), svc.zone)
    except WhenError as exc:
        await _reply(svc, message, [f"Not scheduled: {exc}.", SCHEDULE_USAGE])
        return
    ann = announcer(svc)
    scheduled = await ann.announcements.create(text, send_at=moment, created_by=user.id, admin_chat_id=message.chat_id, scheduled=True)
    await ann.check_due()  # schedules its wake-up job
    local = moment.astimezone(svc.zone).strftime("%Y-%m-%d %H:%M")
    chats = await ann.subscriptions.count()
    done = f"Scheduled announcement #{scheduled.id} for {local} ({svc.zone.key}); {chats} chat(s) are subscribed now."
    await _reply(svc, message, [f"{done} /cancel {scheduled.id} to cancel it."])


async def on_announcements(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List pending and recently sent announcements with their delivery counts (bot admins)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, _ = found
    ann = announcer(svc)
    pending = await ann.announcements.in_state("draft", "scheduled", "sending", limit=LISTED)
    settled = await ann.announcements.in_state("done", "cancelled", limit=LISTED)
    counts = await ann.outbox.counts([a.id for a in (*pending, *settled)])
    lines: list[Block] = [Block("Pending:", "b")] if pending else [Block("Nothing pending.", "b")]
    for a in pending:
        when = from_iso(a.send_at).astimezone(svc.zone).strftime("%Y-%m-%d %H:%M")
        c = counts[a.id]
        status = f"sending: {c.sent}/{c.total} sent, {c.failed} failed" if a.state == "sending" else f"{a.state}, {when}"
        lines.append(Block(f"#{a.id} ({a.kind}, {status}) {shorten(' '.join(a.text.split()), 60)}"))
    lines += [Block(""), Block("Sent:", "b")] if settled else []
    for a in settled:
        c = counts[a.id]
        lines.append(Block(f"#{a.id} ({a.kind}, {a.state}: {c.sent}/{c.total} sent, {c.failed} failed) {shorten(' '.join(a.text.split()), 60)}"))
    await _reply(svc, message, lines)


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cancel a draft or scheduled announcement, or what is still pending of one being sent (bot admins): /cancel <id>."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, _ = found
    announcement_id = whole_number(command_args(message).lstrip("#"), max_digits=12)
    if announcement_id is None:
        await _reply(svc, message, [CANCEL_USAGE])
        return
    ann = announcer(svc)
    result = await ann.announcements.cancel(announcement_id, svc.clock())
    await ann.check_due()
    await _reply(svc, message, [cancel_text(announcement_id, result)])


def cancel_text(announcement_id: int, result: tuple[str, int] | None) -> str:
    """What /cancel (or the Cancel button) did."""
    if result is None:
        return f"There is no announcement #{announcement_id}."
    state, dropped = result
    if state in ("done", "cancelled"):
        return f"Announcement #{announcement_id} is already {'sent' if state == 'done' else 'cancelled'}; nothing changed."
    if state == "sending":
        return f"Announcement #{announcement_id} cancelled: {dropped} message(s) not yet sent were dropped."
    return f"Announcement #{announcement_id} cancelled."


async def on_announce_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send or cancel a previewed announcement (bot admins only; a second press changes nothing)."""
    pressed = await admin_press(update, context, _BUTTON)
    if pressed is None:
        return
    svc, query, _, match, message = pressed
    ann, announcement_id = announcer(svc), int(match.group(2))
    if match.group(1) == "cancel":
        result = await ann.announcements.cancel(announcement_id, svc.clock())
        text, changed = cancel_text(announcement_id, result), result is not None and result[0] not in ("done", "cancelled")
    else:
        draft = await ann.announcements.get(announcement_id)
        if draft is not None and draft.state == "draft":
            await ann.announcements.set_progress_message(announcement_id, message.chat_id, message.message_id)
        chats = await ann.launch(announcement_id)
        changed = chats is not None
        text = f"Sending announcement #{announcement_id} to {chats} chat(s)…" if changed else f"Announcement #{announcement_id} was already sent or cancelled."
    await answer_query(query, shorten(text, 200))  # a failed answer must not keep the preview from changing
    if changed:  # the preview becomes the progress message (or says it was cancelled); a second press only gets the notice
        with contextlib.suppress(BadRequest):  # deleted meanwhile
            await query.edit_message_text(escape(text), parse_mode=ParseMode.HTML)


async def start_announcer(svc: Services, bot: Bot, job_queue: JobQueue[ContextTypes.DEFAULT_TYPE] | None, running: Callable[[], bool]) -> Announcer:
    """Build the announcer, attach it to the services and start it (``post_init``); :meth:`Services.close` stops it.

    Args:
        svc: the services.
        bot: the bot.
        job_queue: the application's job queue (None: only the periodic checks made by hand run).
        running: whether the application is running (no sends before it starts or after it stops).

    Returns:
        The started announcer.
    """

    async def migrated(old_chat: int, new_chat: int) -> None:
        await follow_migration(svc, old_chat, new_chat)

    async def blocked(chat_id: int, chat_type: str) -> None:
        await svc.store.record_chat(chat_id, chat_type, None, "kicked")

    def now() -> dt.datetime:
        return svc.clock()  # looked up at each call: tests replace svc.clock

    svc.announcer = Announcer(
        bot, svc.store, svc.engine, svc.zone, svc.settings.reminder_days, now, job_queue,
        on_migrated=migrated, on_blocked=blocked, may_send=running,
    )  # fmt: skip
    await svc.announcer.start()
    return svc.announcer
