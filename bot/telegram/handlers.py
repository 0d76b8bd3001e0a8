"""Message and command handlers: pull out the text and the user, ask the engine or the store, reply."""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update, User

from bot.curated import CurationError, load
from bot.curated.overlay import apply_overlay
from bot.engine.render import shorten
from bot.engine.replies import chitchat, event_list
from bot.telegram.addressing import command_args, without_mention
from bot.telegram.answered import replied_context
from bot.telegram.formatting import Block, answer_blocks, text_blocks
from bot.telegram.keyboards import events_keyboard, lang_keyboard
from bot.telegram.menus import GROUP_COMMANDS, PRIVATE_COMMANDS, commands
from bot.telegram.observe import note_answer
from bot.telegram.sending import in_private, reply_answer, reply_blocks, show_typing
from bot.telegram.services import Services, SummitContext, services

log = logging.getLogger(__name__)
#: /reload lists at most this many problems, each cut to PROBLEM_CHARS.
MAX_PROBLEMS, PROBLEM_CHARS = 20, 300


def sender(update: Update) -> tuple[Message, User] | None:
    """The message and its sender, or None for updates the bot does not answer.

    Senders flagged as bots are kept: Telegram never shows bots each other's group messages, but anonymous group
    admins write as GroupAnonymousBot.
    """
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    if message.via_bot is not None and message.via_bot.id == message.get_bot().id:
        return None  # a result of our own inline mode, posted by the user: not a question
    return message, user


async def sender_in_lang(update: Update, context: SummitContext) -> tuple[Services, Message, User, str] | None:
    """The services, the message, its sender and the language to reply in (their /lang choice, else Telegram's).

    Args:
        update: the update.
        context: the handler's context.

    Returns:
        Those four, or None for updates the bot does not answer.
    """
    found = sender(update)
    if found is None:
        return None
    message, user = found
    svc = services(context)
    _, lang = await svc.lang_of(user.id, user.language_code)
    return svc, message, user, lang


async def answer_question(svc: Services, message: Message, user: User, text: str, *, quote: bool, author: int | None = None) -> None:
    """Answer a question in the user's language, within the (chat, user) conversation.

    Args:
        svc: the services.
        message: the message to reply to.
        user: who asked.
        text: the question.
        quote: thread the reply to the message.
        author: whose words ``text`` is, for the question log (None: ``user``'s; 0: unknown, the text is not kept).
    """
    now, key = svc.now(), (message.chat_id, user.id)
    chosen = await svc.store.get_user_lang(user.id)
    # A reply to one of the bot's answers is about that answer's event, whoever asked it; else the asker's last one.
    context = replied_context(message, svc.bot_id, svc.answered, now) or svc.contexts.get(key, now)
    answer = svc.engine.answer(text, now=now, lang_hint=user.language_code, context=context, reply_lang=chosen)
    words_of = user.id if author is None else author  # forget-user deletes a question by its author's id
    svc.questions.append((now.date().isoformat(), answer.lang, answer.fallback, answer.intent, answer.event, " ".join(text.casefold().split()), words_of))
    note_answer(answer)
    if answer.context is not None:
        svc.contexts.put(key, answer.context, now)
    await reply_answer(svc, message, answer, quote=quote)


async def on_private_text(update: Update, context: SummitContext) -> None:
    """Answer a question typed in a private chat; an edited question is answered again, as a reply to it."""
    found = sender(update)
    text = found[0].text if found else None
    if found is None or text is None:
        return
    await answer_question(services(context), found[0], found[1], text, quote=update.edited_message is not None)


async def on_group_text(update: Update, context: SummitContext) -> None:
    """Answer a group message addressed to the bot (mention or reply), threaded to it, without the @mention."""
    found = sender(update)
    text = found[0].text if found else None
    if found is None or text is None:
        return
    svc = services(context)
    await answer_question(svc, found[0], found[1], without_mention(text, svc.bot_username), quote=True)


async def on_ask(update: Update, context: SummitContext) -> None:
    """Answer /ask <question> (or /ask in reply to someone's question); without a question, show the usage."""
    found = sender(update)
    if not found:
        return
    message, user = found
    svc = services(context)
    question, author = command_args(message), user.id
    replied = message.reply_to_message
    if not question and replied is not None and replied.text and not (replied.from_user and replied.from_user.is_bot):
        question, author = replied.text, (replied.from_user.id if replied.from_user else 0)  # someone else's words
    if question:
        await answer_question(svc, message, user, question, quote=not in_private(message), author=author)
        return
    _, lang = await svc.lang_of(user.id, user.language_code)
    await reply_blocks(svc, message, [Block(svc.messages.get("ask_usage", lang))], quote=not in_private(message))


async def on_start(update: Update, context: SummitContext) -> None:
    """Welcome with a button per event; ``/start <event_id>`` (a t.me deep link) opens its card, another payload is explained."""
    found = await sender_in_lang(update, context)
    if not found:
        return
    svc, message, user, lang = found
    now = svc.now()
    if in_private(message):
        await svc.store.record_chat(message.chat_id, message.chat.type, None, "member")
    card = svc.engine.event_card(context.args[0], lang, now) if context.args else None
    if card is not None and card.event:
        if card.context is not None:
            svc.contexts.put((message.chat_id, user.id), card.context, now)
        await reply_answer(svc, message, card, quote=not in_private(message))
        return
    if in_private(message):
        welcome = [Block(svc.messages.get("welcome", lang, bot=svc.bot_name))]
    else:  # plain text is not read in groups: say how to ask here instead of "just type a question"
        welcome = [Block(svc.messages.get("welcome_group", lang, bot=svc.bot_name)), *group_how_to_ask(svc, lang)]
    if context.args:  # a link that names no event: say so, never echo it
        welcome.insert(0, Block(svc.messages.get("start_unknown_link", lang)))
    await reply_blocks(svc, message, welcome, quote=not in_private(message), markup=events_keyboard(svc.engine.kb.events, lang))


def group_how_to_ask(svc: Services, lang: str) -> list[Block]:
    """How to ask the bot in a group (mention, reply or /ask), after an empty line.

    Args:
        svc: the services.
        lang: the reader's language.

    Returns:
        The blocks.
    """
    return [Block(""), Block(svc.messages.get("group_how_to_ask", lang, username=svc.bot_username))]


async def on_help(update: Update, context: SummitContext) -> None:
    """Explain what to ask, then list the commands of this kind of chat."""
    found = await sender_in_lang(update, context)
    if not found:
        return
    svc, message, _, lang = found
    helped = chitchat(svc.engine, "help", lang, svc.now(), svc.bot_name)
    blocks = answer_blocks(helped, svc.messages) if helped else []
    names = PRIVATE_COMMANDS if in_private(message) else GROUP_COMMANDS
    blocks += [] if in_private(message) else group_how_to_ask(svc, lang)
    blocks += [Block(""), *(Block(f"/{c.command} — {c.description}") for c in commands(names, lang, svc.messages))]
    await reply_blocks(svc, message, blocks, quote=not in_private(message))


async def on_events(update: Update, context: SummitContext) -> None:
    """List the events, with a button opening each one's card."""
    found = await sender_in_lang(update, context)
    if not found:
        return
    svc, message, _, lang = found
    listing = event_list(svc.engine, lang, svc.now())
    keyboard = events_keyboard(svc.engine.kb.events, lang)
    await reply_blocks(svc, message, answer_blocks(listing, svc.messages), quote=not in_private(message), markup=keyboard)


async def on_lang(update: Update, context: SummitContext) -> None:
    """Offer the reply languages (and automatic) as buttons, the current choice ticked."""
    found = sender(update)
    if not found:
        return
    message, user = found
    svc = services(context)
    chosen, lang = await svc.lang_of(user.id, user.language_code)
    prompt = svc.messages.get("lang_prompt", lang)
    await reply_blocks(svc, message, [Block(prompt)], quote=not in_private(message), markup=lang_keyboard(chosen, lang, svc.messages))


async def on_reload(update: Update, context: SummitContext) -> None:
    """Re-read intents/ and knowledge/ (admins only); a broken set is reported and the running one kept."""
    found = sender(update)
    if not found:
        return
    message, user = found
    svc = services(context)
    quote = not in_private(message)
    if user.id not in svc.settings.admins:
        await reply_key(update, context, "not_admin")
        return
    _, lang = await svc.lang_of(user.id, user.language_code)
    await show_typing(message)
    async with svc.reload_lock:
        try:
            kb = await asyncio.to_thread(load, svc.settings.intents_dir, svc.settings.knowledge_dir)
        except CurationError as exc:
            log.warning("reload by %s refused: %d problem(s)", user.id, len(exc.problems))
            lines = [shorten(f"• {p}", PROBLEM_CHARS) for p in exc.problems[:MAX_PROBLEMS]]
            extra = len(exc.problems) - MAX_PROBLEMS
            more = [svc.messages.get("admin_reload_more", lang, count=extra)] if extra > 0 else []
            head = Block(svc.messages.get("admin_reload_failed", lang, count=len(exc.problems)), "b")
            await reply_blocks(svc, message, [head, *text_blocks([*lines, *more])], quote=quote)
            return
        # The re-read YAML is the new baseline; the admins' edits still apply on top of it.
        generation = await svc.knowledge.generation()  # before the overlay, as bot.telegram.kb_sync does
        merged, problems = await asyncio.to_thread(apply_overlay, kb, await svc.knowledge.overlay())
        for problem in problems:
            log.warning("reload: admin edit not applied: %s", problem)
        await asyncio.to_thread(svc.engine.swap, merged)
        svc.baseline, svc.kb_generation = kb, generation
    facts = sum(len(e.facts) for e in merged.events)
    log.info("reload by %s: %d events, %d facts, %d intents", user.id, len(kb.events), facts, len(kb.intents))
    done = svc.messages.get("admin_reload_done", lang, events=len(merged.events), facts=facts, intents=len(kb.intents))
    await reply_blocks(svc, message, [Block(done)], quote=quote)


async def reply_key(update: Update, context: SummitContext, key: str, *, quote: bool | None = None) -> None:
    """Reply with one of the bot's own sentences (intents/messages.yaml), in the sender's language.

    Args:
        update: the update replied to.
        context: the handler's context.
        key: the message key.
        quote: thread the reply (default: outside private chats).
    """
    found = await sender_in_lang(update, context)
    if not found:
        return
    svc, message, _, lang = found
    threaded = not in_private(message) if quote is None else quote
    await reply_blocks(svc, message, [Block(svc.messages.get(key, lang))], quote=threaded)


async def on_unknown_command(update: Update, context: SummitContext) -> None:
    """Say the command is unknown (private chats, or /command@this_bot in groups)."""
    await reply_key(update, context, "unknown_command")


async def on_no_text(update: Update, context: SummitContext) -> None:
    """Ask for text when a private chat gets a photo, sticker, voice note..."""
    await reply_key(update, context, "no_text", quote=False)
