"""Bot-admin commands that change the knowledge live: facts, events, history and undo, statistics, export."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence

from telegram import CallbackQuery, InputFile, Message, Update, User

from bot.curated.edits import Edit, EditError, event_add, event_set, fact_add, fact_del, fact_edit, resolve_event
from bot.curated.export import dump_yaml, event_to_doc
from bot.curated.stale_texts import stale_languages
from bot.engine import KnowledgeBase
from bot.engine.index import Index
from bot.engine.render import shorten
from bot.store.knowledge_records import Change
from bot.store.user_names import names_of
from bot.telegram.addressing import command_args, whole_number
from bot.telegram.change_texts import change_block, describe_changes
from bot.telegram.formatting import Block
from bot.telegram.handlers import reply_key, sender
from bot.telegram.kb_sync import Refused, store_edits, undo_changes
from bot.telegram.sending import answer_query, in_private, reply_blocks, show_typing
from bot.telegram.services import Services, SummitContext, services

MAX_ARGS = 3000
STATS_DAYS = 14
MakeEdits = Callable[[KnowledgeBase, Index, str], list[Edit]]


async def require_bot_admin(update: Update, context: SummitContext) -> tuple[Services, Message, User] | None:
    """The services, message and user when an admin sent the command; otherwise refuse (nothing changes)."""
    found = sender(update)
    if found is None:
        return None
    message, user = found
    svc = services(context)
    if user.id not in svc.settings.admins:
        await reply_key(update, context, "not_admin")
        return None
    svc.admin_names[user.id] = (user.first_name, user.username)  # stored with their next change (kb_sync)
    return svc, message, user


async def admin_press(update: Update, context: SummitContext, pattern: re.Pattern[str]) -> tuple[Services, CallbackQuery, User, re.Match[str], Message] | None:
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
    svc.admin_names[user.id] = (user.first_name, user.username)
    return svc, query, user, match, message


async def admin_lang(svc: Services, user: User) -> str:
    """The language of an admin's replies: their /lang choice, else their Telegram language."""
    return (await svc.lang_of(user.id, user.language_code))[1]


def refusal(svc: Services, lang: str, exc: Refused, usage: str | None = None) -> tuple[str, list[str]]:
    """Why nothing changed, in the admin's language: (head, lines), the command's usage after bad input."""
    text = svc.messages.get
    lines = [text(key, lang, **values) for key, values in exc.reasons] + exc.details
    return text(exc.head, lang), [*lines, *([text(usage, lang)] if usage and exc.bad_input else [])]


async def say(svc: Services, message: Message, lines: Sequence[str | Block], head: str | None = None) -> None:
    """Reply with a bold head line and plain lines (threaded in groups); a Block line may show ids as code."""
    blocks = ([Block(head, "b")] if head else []) + [line if isinstance(line, Block) else Block(line) for line in lines]
    await reply_blocks(svc, message, blocks, quote=not in_private(message))


async def _stale(svc: Services, edit: Edit) -> list[str]:
    """The languages of an edited fact that still hold an older text (see :mod:`bot.curated.stale_texts`)."""
    if edit.entity != "fact" or edit.data is None:
        return []
    changes = [c for c in await svc.knowledge.history(edit.event_id, limit=500) if c.entity == "fact" and c.entity_id == edit.entity_id]
    changes.sort(key=lambda c: c.change_id)
    # Before its first change the fact was as curated (no overlay entry: before_json is empty) or as then stored.
    curated = svc.baseline.event(edit.event_id)
    fact = curated.fact(edit.entity_id) if curated is not None else None
    first = json.loads(changes[0].before_json).get("text", {}) if changes and changes[0].before_json else None
    states = [first if first is not None else dict(fact.text.texts()) if fact is not None else {}]
    states += [json.loads(c.after_json).get("text", {}) if c.after_json else {} for c in changes]
    return stale_languages(states)


async def _edit(update: Update, context: SummitContext, command: str, make: MakeEdits) -> None:
    """Run one editing command: parse, then the one edit path (:func:`store_edits`), then report."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, user = found
    args, lang, text = command_args(message), await admin_lang(svc, user), svc.messages.get
    if not args or len(args) > MAX_ARGS:
        await say(svc, message, [text(f"usage_{command}", lang) if not args else text("admin_too_long", lang, length=len(args), limit=MAX_ARGS)])
        return
    try:
        stored = await store_edits(svc, lambda kb, index: make(kb, index, args), user_id=user.id, chat_id=message.chat_id)
    except Refused as exc:
        head, lines = refusal(svc, lang, exc, f"usage_{command}")
        await say(svc, message, lines, head)
        return
    described = await describe_changes(svc, stored.changes, lang)
    done: list[str | Block] = [change_block(c, described[c.change_id]) for c in stored.changes]
    stale = sorted({code for edit in stored.edits for code in await _stale(svc, edit)})
    if stale:
        done.append(text("admin_still_older", lang, langs=", ".join(stale)))
    await say(svc, message, [*done, text("admin_live", lang)], text("admin_done", lang))


async def on_fact_add(update: Update, context: SummitContext) -> None:
    """Add a fact to an event (admins)."""
    await _edit(update, context, "fact_add", fact_add)


async def on_fact_edit(update: Update, context: SummitContext) -> None:
    """Change a fact's text in one language (admins)."""
    await _edit(update, context, "fact_edit", fact_edit)


async def on_fact_del(update: Update, context: SummitContext) -> None:
    """Delete a fact (admins)."""
    await _edit(update, context, "fact_del", lambda kb, _index, args: fact_del(kb, args))


async def on_event_add(update: Update, context: SummitContext) -> None:
    """Add an event (admins)."""
    await _edit(update, context, "event_add", lambda kb, index, args: event_add(kb, index, args, dt.date.today()))


async def on_event_set(update: Update, context: SummitContext) -> None:
    """Set an event's date, place, theme, names or summary (admins)."""
    await _edit(update, context, "event_set", event_set)


async def on_facts(update: Update, context: SummitContext) -> None:
    """List an event's facts with their ids (admins)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, user = found
    args, lang, text = command_args(message), await admin_lang(svc, user), svc.messages.get
    try:
        event = resolve_event(svc.engine.kb, svc.engine.index, args) if args else None
    except EditError as exc:
        event, args = None, text(exc.key, lang, **exc.values)
    if event is None:
        ids = [e.id for e in svc.engine.kb.events]
        await say(svc, message, [args or text("usage_facts", lang), Block(text("admin_events", lang, ids=", ".join(ids)), codes=tuple(ids))])
        return
    mark = f" {text('admin_fact_admin', lang)}"
    lines: list[str | Block] = [
        Block(f"{f.id} [{', '.join(f.topics)}]{mark if f.origin == 'admin' else ''}: {shorten(f.text.pick(lang)[0], 160)}", codes=(f.id,)) for f in event.facts
    ]
    await say(svc, message, lines or [text("admin_no_facts", lang)], text("admin_facts_head", lang, event=event.name(lang), count=len(event.facts)))


def _who(svc: Services, lang: str, user_id: int, names: dict[int, str]) -> str:
    """An admin's name as Telegram last showed it; kb import's (and a forgotten person's) 0; else the bare id."""
    if user_id in names:
        return names[user_id]
    return svc.messages.get("admin_cli_user" if user_id == 0 else "admin_user_id", lang, id=user_id)


def _change_line(svc: Services, lang: str, change: Change, names: dict[int, str], summary: str) -> Block:
    text = svc.messages.get
    undone = f" {text('admin_undone_by', lang, id=change.undone_by)}" if change.undone_by else ""
    at = change.at[:16].replace("T", " ")
    line = text("admin_history_line", lang, id=change.change_id, at=at, who=_who(svc, lang, change.user_id, names), summary=shorten(summary, 200))
    return Block(line + undone, codes=(change.entity_id,))


async def on_history(update: Update, context: SummitContext) -> None:
    """Show recent changes, optionally of one event, naming who made them (admins)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, user = found
    args, lang, text = command_args(message), await admin_lang(svc, user), svc.messages.get
    try:
        event_id = resolve_event(svc.engine.kb, svc.engine.index, args).id if args else None
    except EditError as exc:
        await say(svc, message, [text(exc.key, lang, **exc.values)], text("admin_nothing_to_show", lang))
        return
    changes = await svc.knowledge.history(event_id, limit=25)
    names, described = await names_of(svc.store, {c.user_id for c in changes}), await describe_changes(svc, changes, lang)
    head = text("admin_history_head_event", lang, event=event_id) if event_id else text("admin_history_head", lang)
    lines = [_change_line(svc, lang, c, names, described[c.change_id]) for c in changes]
    await say(svc, message, lines or [text("admin_history_none", lang)], head)


async def on_undo(update: Update, context: SummitContext) -> None:
    """Revert a change (the latest by default) exactly to the state before it (admins)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, user = found
    args = command_args(message).lstrip("#")
    change_id = whole_number(args) if args else None
    if args and change_id is None:
        await say(svc, message, [svc.messages.get("usage_undo", await admin_lang(svc, user))])
        return
    await undo_and_report(svc, message, user, change_id)


async def undo_and_report(svc: Services, message: Message, user: User, change_id: int | None) -> None:
    """Undo a change (the latest when None) and say what was undone, or why nothing was, in the admin's language.

    Args:
        svc: the services.
        message: the message to reply to.
        user: the admin undoing.
        change_id: the change, or None for the latest.
    """
    lang, text = await admin_lang(svc, user), svc.messages.get
    try:
        changes, problems = await undo_changes(svc, change_id, user_id=user.id, chat_id=message.chat_id)
    except Refused as exc:
        head, lines = refusal(svc, lang, exc)
        await say(svc, message, lines, head)
        return
    described = await describe_changes(svc, changes, lang)
    undone: list[str | Block] = [change_block(c, described[c.change_id]) for c in changes]
    await say(svc, message, [*undone, *(text("admin_warning", lang, problem=p) for p in problems[:5])], text("admin_undone", lang))


async def on_stats(update: Update, context: SummitContext) -> None:
    """Questions per language and day, fallback rate, busiest events (admins)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, user = found
    lang, text = await admin_lang(svc, user), svc.messages.get
    await svc.flush_questions()
    since = (svc.now().date() - dt.timedelta(days=STATS_DAYS - 1)).isoformat()
    stats = await svc.knowledge.stats(since)
    rate = f"{stats.fallbacks / stats.total:.0%}" if stats.total else "–"
    lines = [text("admin_stats_total", lang, count=stats.total, since=since, rate=rate)]
    lines += [f"{day} {asked}: {n}" for day, asked, n in stats.per_day_lang]
    busiest = ", ".join(f"{e} ({n})" for e, n in stats.events) or text("admin_stats_none", lang)
    lines += [text("admin_stats_busiest", lang, events=busiest)]
    await say(svc, message, lines, text("admin_stats_head", lang))


async def on_export(update: Update, context: SummitContext) -> None:
    """Send the current knowledge (YAML baseline plus edits) as a YAML document (admins)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, user = found
    await show_typing(message)
    kb = svc.engine.kb
    text = dump_yaml({"version": 1, "events": [event_to_doc(e) for e in kb.events]})
    name = f"summitbot-knowledge-{svc.now():%Y%m%d-%H%M}.yaml"
    facts = sum(len(e.facts) for e in kb.events)
    caption = svc.messages.get("admin_export_caption", await admin_lang(svc, user), events=len(kb.events), facts=facts)
    await message.reply_document(InputFile(text.encode("utf-8"), filename=name), caption=caption)
