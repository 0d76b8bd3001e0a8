"""Inline buttons (callback queries) and inline mode (@bot <query>)."""

from __future__ import annotations

import contextlib
import zlib

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.engine import Answer
from bot.engine.render import shorten
from bot.engine.replies import card_sources, date_and_place
from bot.engine.search import search
from bot.telegram.formatting import escape, render_answer
from bot.telegram.keyboards import EventAction, LangChoice, open_in_bot_keyboard, parse_callback
from bot.telegram.sending import NO_PREVIEW, answer_query, in_private, reply_answer
from bot.telegram.services import Services, base_lang, reply_lang, services

#: Telegram shows at most this many characters in a callback notification.
MAX_NOTICE = 200
MAX_INLINE_RESULTS = 10
INLINE_CACHE_SECONDS = 30


def event_answer(svc: Services, action: EventAction, chosen: str | None) -> Answer | None:
    """The answer a valid-looking event button asks for, or None when its event or intent is unknown (stale)."""
    lang, now = chosen or action.lang, svc.now()
    if action.verb == "dp":
        return date_and_place(svc.engine, action.event_id, lang, now)
    if action.verb == "src":
        return card_sources(svc.engine, action.event_id, lang, now)
    return svc.engine.intent_answer(action.event_id, action.intent_id or "", lang, now)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
    answer = event_answer(svc, action, chosen) if isinstance(action, EventAction) and message is not None else None
    if answer is None or message is None:
        await answer_query(query, shorten(svc.messages.get("stale_button", lang), MAX_NOTICE))
        return
    await answer_query(query)
    now = svc.now()
    if answer.context is not None:
        svc.contexts.put((message.chat_id, user.id), answer.context, now)
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


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
