"""/unanswered, and attaching a logged question to a fact as an alternate question (bot admins), in chat, with undo.

Every listed question has a number, shown as Q12 (the id of its first row in the question log: it stays the same
while new questions come in, so a number always means the question the admin saw), and a button. The button, or
``/attach <n>``, shows the facts the engine ranks most likely for that question, each with an Attach button; for
another fact, the admin replies to that message with the fact's id, or sends ``/attach <n> <fact_id>``.

Attaching is a knowledge edit like ``/fact_edit``, through the same path (:func:`bot.telegram.kb_sync.store_edits`):
the fact's full new state, recorded in /history, live at once, reverted by ``/undo`` or the Undo button under the
reply. An attached question is an alternate question from then on, so /unanswered leaves it out; undone, it is back.

Callback data (at most 64 bytes): ``v1|ua|q|<n>`` (likely facts), ``v1|ua|a|<n>|<fact_id>`` (attach), ``v1|ua|u|<change_id>``
(undo). A fact id too long for a button is still offered, by its /attach command.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.ext.filters import MessageFilter

from bot.curated.questions import alternate_questions, attach_question
from bot.engine.language import detect_language
from bot.engine.render import shorten
from bot.engine.text import Normalized
from bot.store.knowledge_records import Unanswered
from bot.telegram.addressing import command_args, replies_to, whole_number
from bot.telegram.admin import admin_lang, admin_press, refusal, require_bot_admin, say, undo_and_report
from bot.telegram.change_texts import change_block, describe_changes
from bot.telegram.formatting import Block
from bot.telegram.handlers import on_group_text, on_private_text
from bot.telegram.kb_sync import Refused, store_edits
from bot.telegram.keyboards import MAX_CALLBACK_BYTES, MAX_LABEL
from bot.telegram.sending import answer_query, in_private, reply_blocks
from bot.telegram.services import Services, SummitContext, services

LISTED = 15
SUGGESTED = 3
BUTTON_PATTERN = r"^v1\|ua\|"
_BUTTON = re.compile(r"v1\|ua\|(?:q\|([0-9]{1,18})|a\|([0-9]{1,18})\|([a-z][a-z0-9_]*)|u\|([0-9]{1,18}))")  # fullmatch
#: The first line of a likely-facts message (ua_question_head: "Q<n> (" in every language); a reply to it names the
#: fact to attach its question to.
_HEADER = re.compile(r"^[^\n(]*\bQ([0-9]{1,18}) \(")
_LANG = re.compile(r"lang=([a-z]{2})")  # fullmatch


def _data(*parts: str) -> str | None:
    data = "|".join(("v1", "ua", *parts))
    return data if len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES else None


def _keyboard(buttons: Sequence[tuple[str, str | None]]) -> InlineKeyboardMarkup | None:
    rows = [[InlineKeyboardButton(shorten(label, MAX_LABEL), callback_data=data)] for label, data in buttons if data is not None]
    return InlineKeyboardMarkup(rows) if rows else None


async def _reply(svc: Services, message: Message, head: str, lines: Sequence[str | Block], markup: InlineKeyboardMarkup | None = None) -> None:
    blocks = [line if isinstance(line, Block) else Block(line) for line in lines]
    await reply_blocks(svc, message, [Block(head, "b"), *blocks], quote=not in_private(message), markup=markup)


def parse_attach(args: str) -> tuple[int, str | None, str | None] | None:
    """``<number> [<fact_id>] [lang=xx]`` (the number as shown, Q12, or 12) as (number, fact id, language); None otherwise."""
    parts = args.split()
    first = parts[0] if parts else ""
    number = whole_number(first[1:] if first[:1] in ("#", "Q", "q") else first)
    rest = parts[1:]
    lang = _LANG.fullmatch(rest[-1]) if rest else None
    if lang is not None:
        rest.pop()
    if number is None or len(rest) > 1 or (lang is not None and not rest):
        return None
    return number, rest[0] if rest else None, lang.group(1) if lang else None


async def on_unanswered(update: Update, context: SummitContext) -> None:
    """The questions that most often got the fallback, numbered, with counts and a button each (admins)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, user = found
    shown, text = await admin_lang(svc, user), svc.messages.get
    await svc.flush_questions()
    rows = await svc.knowledge.unanswered(LISTED, skip=alternate_questions(svc.engine.kb).keys())
    if not rows:
        await say(svc, message, [text("ua_none", shown)], text("ua_head", shown))
        return
    lines = [f"Q{q.question_id} {q.count}× {shorten(q.question, 200)}" for q in rows]
    lines.append(text("ua_hint", shown))
    markup = _keyboard([(f"Q{q.question_id} {q.question}", _data("q", str(q.question_id))) for q in rows])
    await _reply(svc, message, text("ua_head", shown), lines, markup)


async def _logged(svc: Services, message: Message, shown: str, question_id: int) -> Unanswered | None:
    question = await svc.knowledge.logged_question(question_id)
    if question is None:
        lines = [svc.messages.get("ua_no_question", shown, id=question_id), svc.messages.get("usage_attach", shown)]
        await say(svc, message, lines, svc.messages.get("admin_nothing_changed", shown))
    return question


async def _suggest(svc: Services, message: Message, shown: str, question_id: int) -> None:
    """The facts most likely to answer a logged question, each with an Attach button (``shown``: the admin's language)."""
    question = await _logged(svc, message, shown, question_id)
    if question is None:
        return
    text = svc.messages.get
    kb, lang = svc.engine.kb, detect_language(Normalized.of(question.question), svc.engine.index.language)
    ranking = svc.engine.rank(question.question, now=svc.now())
    facts = {f.id: f for e in kb.events for f in e.facts}  # an edit may swap the index meanwhile: skip what it removed
    fact_ids = [u.fact_id for u, _ in ranking.top(len(ranking.units)) if u.kind == "fact" and u.fact_id in facts][:SUGGESTED]
    lines: list[str | Block] = [f"“{shorten(question.question, 300)}”", text("ua_likely" if fact_ids else "ua_no_likely", shown)]
    buttons: list[tuple[str, str | None]] = []
    for n, fact_id in enumerate(fact_ids, start=1):
        fact = facts[fact_id]
        lines.append(Block(f"{n}. {fact_id} — {shorten(fact.text.pick(lang)[0], 160)}", codes=(fact_id,)))
        buttons.append((text("ua_attach_button", shown, n=n, fact=fact_id), _data("a", str(question_id), fact_id)))
        if buttons[-1][1] is None:
            lines.append(Block(f"   /attach {question_id} {fact_id}", codes=(f"/attach {question_id} {fact_id}",)))
    lines.append(text("ua_suggest_hint", shown, id=question_id))
    head = text("ua_question_head", shown, id=question_id, lang=lang, count=question.count)
    await _reply(svc, message, head, lines, _keyboard(buttons))


async def _attach(svc: Services, message: Message, user: User, question_id: int, fact_id: str, lang: str | None) -> None:
    """Attach a logged question to a fact through the one edit path, check the bot now answers it so, offer Undo."""
    shown, text = await admin_lang(svc, user), svc.messages.get
    question = await _logged(svc, message, shown, question_id)
    if question is None:
        return
    try:
        stored = await store_edits(
            svc, lambda kb, index: attach_question(kb, index, fact_id, question.question, lang), user_id=user.id, chat_id=message.chat_id
        )
    except Refused as exc:
        head, why = refusal(svc, shown, exc, "usage_attach")
        await say(svc, message, why, head)
        return
    change = stored.changes[0]
    answer = svc.engine.answer(question.question, now=svc.now())
    if fact_id in answer.facts:
        check = text("ua_answers_now", shown)
    elif answer.fallback:
        check = text("ua_still_declines", shown)
    else:
        check = text("ua_still_answers", shown, answer=", ".join(answer.facts) or answer.intent or answer.kind)
    described = await describe_changes(svc, [change], shown)
    lines: list[str | Block] = [change_block(change, described[change.change_id]), check, text("ua_live", shown, id=change.change_id)]
    undo = _keyboard([(text("ua_undo_button", shown, id=change.change_id), _data("u", str(change.change_id)))])
    await _reply(svc, message, text("admin_done", shown), lines, undo)


async def on_attach(update: Update, context: SummitContext) -> None:
    """Attach an unanswered question to a fact as an alternate question; without a fact, the likely facts (admins)."""
    found = await require_bot_admin(update, context)
    if found is None:
        return
    svc, message, user = found
    parsed = parse_attach(command_args(message))
    if parsed is None:
        await say(svc, message, [svc.messages.get("usage_attach", await admin_lang(svc, user))])
        return
    question_id, fact_id, lang = parsed
    if fact_id is None:
        await _suggest(svc, message, await admin_lang(svc, user), question_id)
    else:
        await _attach(svc, message, user, question_id, fact_id, lang)


async def on_unanswered_button(update: Update, context: SummitContext) -> None:
    """Likely facts for a listed question, Attach, or Undo (bot admins only; stale or forged data changes nothing)."""
    pressed = await admin_press(update, context, _BUTTON)
    if pressed is None:
        return
    svc, query, user, match, message = pressed
    await answer_query(query)
    suggest, attach_to, fact_id, undo = match.groups()
    if suggest is not None:
        await _suggest(svc, message, await admin_lang(svc, user), int(suggest))
    elif attach_to is not None and fact_id is not None:
        await _attach(svc, message, user, int(attach_to), fact_id, None)
    elif undo is not None:
        await undo_and_report(svc, message, user, int(undo))


class _ReplyToSuggestions(MessageFilter):
    """A reply to the bot's "Question Qn" message (of the likely facts)."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return replied is not None and replies_to(message, message.get_bot().id) and _HEADER.match(replied.text or "") is not None


REPLY_TO_SUGGESTIONS = _ReplyToSuggestions(name="summitbot.REPLY_TO_SUGGESTIONS")


async def on_suggestions_reply(update: Update, context: SummitContext) -> None:
    """Attach the question of a likely-facts message to the fact id an admin replied with; anyone else is answered as usual."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.reply_to_message is None:
        return
    svc = services(context)
    if user.id not in svc.settings.admins:
        await (on_private_text if in_private(message) else on_group_text)(update, context)
        return
    header = _HEADER.match(message.reply_to_message.text or "")
    parsed = parse_attach(f"{header.group(1)} {message.text or ''}") if header else None
    question_id, fact_id, lang = parsed or (0, None, None)
    if fact_id is None:
        await say(svc, message, [svc.messages.get("ua_reply_hint", await admin_lang(svc, user))])
        return
    await _attach(svc, message, user, question_id, fact_id, lang)
