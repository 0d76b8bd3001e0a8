"""Bot-admin commands that change the knowledge live: facts, events, history and undo, statistics, export."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from telegram import CallbackQuery, InputFile, Message, Update, User
from telegram.ext import ContextTypes

from bot.curated.edits import Edit, EditError, event_add, event_set, fact_add, fact_del, fact_edit, resolve_event, untranslated
from bot.curated.export import dump_yaml, event_to_doc
from bot.engine import KnowledgeBase
from bot.engine.index import Index
from bot.engine.render import shorten
from bot.store.knowledge import Change
from bot.telegram.addressing import command_args, whole_number
from bot.telegram.formatting import Block, text_blocks
from bot.telegram.handlers import reply_key, sender
from bot.telegram.kb_sync import Refused, store_edits, undo_changes
from bot.telegram.sending import answer_query, in_private, reply_blocks, show_typing
from bot.telegram.services import Services, services

USAGE = {
    "fact_add": "/fact_add <event> | [lang=xx] <text> [| source=…] [| topics=when,figures]",
    "fact_edit": "/fact_edit <fact_id> | [lang=xx] <text> [| source=…]",
    "fact_del": "/fact_del <fact_id>",
    "facts": "/facts <event>",
    "event_add": "/event_add <id> | <name> [| kind=summit|iot-expo|itu-event] [| year=2025]",
    "event_set": "/event_set <event> <date|place|theme|names|summary> | [lang=xx] <value>",
    "history": "/history [event]",
    "undo": "/undo [change_id]",
}
MAX_ARGS = 3000
STATS_DAYS = 14
MakeEdits = Callable[[KnowledgeBase, Index, str], list[Edit]]


async def require_bot_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[Services, Message, User] | None:
    """The services, message and user when an admin sent the command; otherwise refuse (nothing changes)."""
    found = sender(update)
    if found is None:
        return None
    message, user = found
    svc = services(context)
    if user.id not in svc.settings.admins:
        await reply_key(update, context, "not_admin")
        return None
    return svc, message, user


async def admin_press(
    update: Update, context: ContextTypes.DEFAULT_TYPE, pattern: re.Pattern[str]
) -> tuple[Services, CallbackQuery, User, re.Match[str], Message] | None:
    """A bot admin's button press whose data fully matches ``pattern``; anything else is told "admins only" or "expired".

    Args:
        update: the update.
        context: the handler context.
        pattern: the versioned callback data the button carries.

    Returns:
        (services, query, presser, match, the message the button is on), or None when the press was refused.
    """
    query = update.callback_query
    if query is None:
        return None
    svc, user = services(context), query.from_user
    match = pattern.fullmatch(query.data or "")
    message = query.message if isinstance(query.message, Message) else None
    if user.id not in svc.settings.admins or match is None or message is None:
        _, lang = await svc.lang_of(user.id, user.language_code)
        await answer_query(query, shorten(svc.messages.get("not_admin" if match else "stale_button", lang), 200))
        return None
    return svc, query, user, match, message


async def say(svc: Services, message: Message, lines: Sequence[str], head: str | None = None) -> None:
    """Reply with a bold head line and plain lines (threaded in groups)."""
    blocks = ([Block(head, "b")] if head else []) + text_blocks(list(lines))
    await reply_blocks(svc, message, blocks, quote=not in_private(message))


async def _edit(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str, make: MakeEdits) -> None:
    """Run one editing command: parse, then the one edit path (:func:`store_edits`), then report."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, user = found
    args = command_args(message)
    if not args or len(args) > MAX_ARGS:
        await say(svc, message, [f"Usage: {USAGE[command]}"] if not args else [f"That is {len(args)} characters; at most {MAX_ARGS}."])
        return
    try:
        stored = await store_edits(svc, lambda kb, index: make(kb, index, args), user_id=user.id, chat_id=message.chat_id)
    except Refused as exc:
        await say(svc, message, [*exc.lines, *([f"Usage: {USAGE[command]}"] if exc.bad_input else [])], exc.head)
        return
    lines = [f"#{c.change_id} {shorten(c.summary, 300)}" for c in stored.changes]
    stale = sorted({lang for edit in stored.edits for lang in untranslated(stored.before, edit)})
    if stale:
        lines.append(f"Still the older text in: {', '.join(stale)} — send the same command with lang=xx to update them.")
    await say(svc, message, [*lines, "Live now in every language. /undo reverts it."], "Done:")


async def on_fact_add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add a fact to an event (admins)."""
    await _edit(update, context, "fact_add", fact_add)


async def on_fact_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Change a fact's text in one language (admins)."""
    await _edit(update, context, "fact_edit", fact_edit)


async def on_fact_del(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete a fact (admins)."""
    await _edit(update, context, "fact_del", lambda kb, _index, args: fact_del(kb, args))


async def on_event_add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add an event (admins)."""
    await _edit(update, context, "event_add", lambda kb, index, args: event_add(kb, index, args, dt.date.today()))


async def on_event_set(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Set an event's date, place, theme, names or summary (admins)."""
    await _edit(update, context, "event_set", event_set)


async def on_facts(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List an event's facts with their ids (admins)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, user = found
    args = command_args(message)
    _, lang = await svc.lang_of(user.id, user.language_code)
    try:
        event = resolve_event(svc.engine.kb, svc.engine.index, args) if args else None
    except EditError as exc:
        event, args = None, str(exc)
    if event is None:
        await say(svc, message, [args or f"Usage: {USAGE['facts']}", "Events: " + ", ".join(e.id for e in svc.engine.kb.events)])
        return
    lines = [f"{f.id} [{', '.join(f.topics)}]{' (admin)' if f.origin == 'admin' else ''}: {shorten(f.text.pick(lang)[0], 160)}" for f in event.facts]
    await say(svc, message, lines or ["(no facts)"], f"{event.name(lang)} — {len(event.facts)} facts")


def _change_line(change: Change) -> str:
    undone = f" (undone by #{change.undone_by})" if change.undone_by else ""
    return f"#{change.change_id} {change.at[:16].replace('T', ' ')} by {change.user_id}: {shorten(change.summary, 200)}{undone}"


async def on_history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show recent changes, optionally of one event (admins)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, _ = found
    args = command_args(message)
    try:
        event_id = resolve_event(svc.engine.kb, svc.engine.index, args).id if args else None
    except EditError as exc:
        await say(svc, message, [str(exc)], "Nothing to show:")
        return
    changes = await svc.knowledge.history(event_id, limit=25)
    await say(svc, message, [_change_line(c) for c in changes] or ["No changes yet."], "Recent changes" + (f" of {event_id}" if event_id else ""))


async def on_undo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Revert a change (the latest by default) exactly to the state before it (admins)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, user = found
    args = command_args(message).lstrip("#")
    change_id = whole_number(args) if args else None
    if args and change_id is None:
        await say(svc, message, [f"Usage: {USAGE['undo']}"])
        return
    await undo_and_report(svc, message, user.id, change_id)


async def undo_and_report(svc: Services, message: Message, user_id: int, change_id: int | None) -> None:
    """Undo a change (the latest when None) and say what was undone, or why nothing was.

    Args:
        svc: the services.
        message: the message to reply to.
        user_id: the admin undoing.
        change_id: the change, or None for the latest.
    """
    try:
        changes, problems = await undo_changes(svc, change_id, user_id=user_id, chat_id=message.chat_id)
    except Refused as exc:
        await say(svc, message, exc.lines, exc.head)
        return
    lines = [f"#{c.change_id} {shorten(c.summary, 300)}" for c in changes] + [f"warning: {p}" for p in problems[:5]]
    await say(svc, message, lines, "Undone:")


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Questions per language and day, fallback rate, busiest events (admins)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, _ = found
    await svc.flush_questions()
    since = (svc.now().date() - dt.timedelta(days=STATS_DAYS - 1)).isoformat()
    stats = await svc.knowledge.stats(since)
    rate = f"{stats.fallbacks / stats.total:.0%}" if stats.total else "–"
    lines = [f"{stats.total} questions since {since}; fallback rate {rate}"]
    lines += [f"{day} {lang}: {n}" for day, lang, n in stats.per_day_lang]
    lines += ["Busiest events: " + (", ".join(f"{e} ({n})" for e, n in stats.events) or "none")]
    await say(svc, message, lines, "Statistics")


async def on_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the current knowledge (YAML baseline plus edits) as a YAML document (admins)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, _ = found
    await show_typing(message)
    kb = svc.engine.kb
    text = dump_yaml({"version": 1, "events": [event_to_doc(e) for e in kb.events]})
    name = f"summitbot-knowledge-{svc.now():%Y%m%d-%H%M}.yaml"
    facts = sum(len(e.facts) for e in kb.events)
    await message.reply_document(InputFile(text.encode("utf-8"), filename=name), caption=f"{len(kb.events)} events, {facts} facts")
