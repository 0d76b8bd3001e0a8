"""Inline buttons (callback queries) and inline mode (@bot <query>)."""

from __future__ import annotations

import contextlib
import zlib

from telegram import InlineKeyboardMarkup, InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.engine import Answer
from bot.engine.render import shorten
from bot.engine.replies import card_sources, date_and_place
from bot.engine.search import search
from bot.telegram.formatting import escape, render_answer
from bot.telegram.keyboards import (
    EventAction,
    LangChoice,
    answer_keyboard,
    card_keyboard,
    open_in_bot_keyboard,
    opens_cards_only,
    parse_callback,
    shown_follow_up,
)
from bot.telegram.sending import NO_PREVIEW, answer_query, in_private, reply_answer
from bot.telegram.services import Services, SummitContext, base_lang, reply_lang, services

#: Telegram shows at most this many characters in a callback notification.
MAX_NOTICE = 200
MAX_INLINE_RESULTS = 10
#: Telegram's answer to an edit that changes nothing (the same button pressed again).
NOT_MODIFIED = "message is not modified"
INLINE_CACHE_SECONDS = 30


def event_answer(svc: Services, action: EventAction, chosen: str | None) -> Answer | None:
    """The answer a valid-looking event button asks for, or None when its event or intent is unknown (stale)."""
    lang, now = chosen or action.lang, svc.now()
    if action.verb == "dp":
        return date_and_place(svc.engine, action.event_id, lang, now)
    if action.verb == "src":
        return card_sources(svc.engine, action.event_id, lang, now)
    return svc.engine.intent_answer(action.event_id, action.intent_id or "", lang, now)


async def on_button(update: Update, context: SummitContext) -> None:
    """Answer a button press; stale or forged data gets only the localized "expired" notice."""
    query = update.callback_query
    if query is None:
        return
    svc, user = services(context), query.from_user
    chosen, lang = await svc.lang_of(user.id, user.language_code)
    action = parse_callback(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if isinstance(action, LangChoice):
        await svc.store.set_user_lang(user.id, action.lang)
        shown = action.lang or base_lang(user.language_code) or lang
        text = svc.messages.get("lang_set", shown) if action.lang else f"✓ {svc.messages.get('lang_auto', shown)}"
        await answer_query(query, shorten(text, MAX_NOTICE))
        if message is not None and in_private(message):
            with contextlib.suppress(BadRequest):  # e.g. pressed twice: "message is not modified"
                await query.edit_message_text(escape(text), parse_mode=ParseMode.HTML)
        return
    if not isinstance(action, EventAction) or message is None:
        await answer_query(query, shorten(svc.messages.get("stale_button", lang), MAX_NOTICE))
        return
    # In a group the message is everyone's: it stays in the language its buttons were shown in.
    answer = event_answer(svc, action, chosen if in_private(message) else None)
    if answer is None:
        await answer_query(query, shorten(svc.messages.get("stale_button", lang), MAX_NOTICE))
        return
    await answer_query(query)
    if answer.context is not None:
        svc.contexts.put((message.chat_id, user.id), answer.context, svc.now())
    await show_pressed(svc, message, action, answer)


def view_keyboard(svc: Services, action: EventAction, answer: Answer) -> InlineKeyboardMarkup | None:
    """The keyboard of a card edited in place: the card's follow-ups (and "Overview"), or the answer's own buttons."""
    card = svc.engine.event_card(action.event_id, answer.lang, svc.now()) if answer.event == action.event_id else None
    if card is None or answer.kind == "did_you_mean":
        return answer_keyboard(answer, svc.messages)
    showing = shown_follow_up(action)
    return card_keyboard(action.event_id, answer.lang, svc.messages, card.follow_ups, showing=showing)


async def show_pressed(svc: Services, message: Message, action: EventAction, answer: Answer) -> None:
    """Show a pressed button's answer without piling up live keyboards; pressing twice shows it once.

    A card's follow-up or a "did you mean" choice replaces the message it was pressed on (editing it to the same
    text again changes nothing: Telegram says "not modified"). A list of events keeps its text: its keyboard is
    retired and the card sent below; a second press finds the keyboard gone already and sends nothing.
    """
    parts = render_answer(answer, svc.messages)
    if not opens_cards_only(message.reply_markup) and len(parts) == 1:
        try:
            await message.edit_text(parts[0], parse_mode=ParseMode.HTML, reply_markup=view_keyboard(svc, action, answer), link_preview_options=NO_PREVIEW)
            return
        except BadRequest as exc:
            if NOT_MODIFIED in str(exc).lower():
                return  # the same press again: it is shown already
            # Otherwise the message cannot be edited (too old, deleted): the answer comes as a new message.
    else:
        if message.reply_markup is None:
            return  # retired already (Telegram would answer "not modified"): this press was not the first
        try:
            await message.edit_reply_markup(reply_markup=None)
        except BadRequest as exc:
            if NOT_MODIFIED in str(exc).lower():
                return  # already retired: this press was the second one
    await reply_answer(svc, message, answer, quote=not in_private(message))


def _article(svc: Services, index: int, answer: Answer) -> InlineQueryResultArticle:
    """One inline result: title, a one-line description, the answer as an HTML message, an "open in bot" button."""
    messages = svc.messages
    first = answer.body[0] if answer.body else ""
    title = shorten(answer.title or first or svc.bot_name, 100)
    description = shorten(" ".join(first.split()), 150) if answer.title else None
    key = f"{answer.kind}|{answer.event}|{answer.intent}|{','.join(answer.facts)}"
    html = render_answer(answer, messages, max_parts=1)[0]
    content = InputTextMessageContent(html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)
    button = open_in_bot_keyboard(svc.bot_username, answer.event, messages.get("button_summary", answer.lang)) if answer.event else None
    return InlineQueryResultArticle(f"{index}-{zlib.crc32(key.encode()):08x}", title, content, reply_markup=button, description=description)


async def on_inline(update: Update, context: SummitContext) -> None:
    """Offer up to 10 event or fact cards for ``@bot <query>``, in the user's language."""
    inline = update.inline_query
    if inline is None:
        return
    svc, user = services(context), inline.from_user
    chosen = await svc.store.get_user_lang(user.id)
    lang, now = reply_lang(chosen, user.language_code), svc.now()
    results = search(svc.engine, inline.query, lang, now, limit=MAX_INLINE_RESULTS, reply_lang=chosen)
    articles = [_article(svc, i, r) for i, r in enumerate(results)]
    nothing = None if articles else InlineQueryResultsButton(text=svc.messages.get("inline_none", lang), start_parameter="inline")
    await inline.answer(articles, cache_time=INLINE_CACHE_SECONDS, is_personal=True, button=nothing)
