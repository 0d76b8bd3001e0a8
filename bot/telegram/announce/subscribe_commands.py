"""A chat's own subscription: /subscribe and /unsubscribe (private chats themselves; in a group, its admins)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Message, Update, User

from bot.announce.subscribe_options import OptionError, parse_options
from bot.engine.model import Messages
from bot.telegram.addressing import command_args
from bot.telegram.announce.service import announcer
from bot.telegram.handlers import sender_in_lang
from bot.telegram.sending import in_private, reply_lines
from bot.telegram.services import Services, SummitContext


def kinds_text(kinds: Sequence[str], lang: str, messages: Messages) -> str:
    """Kinds of event, named in a language ("summits, ITU events")."""
    return ", ".join(messages.get(f"kind_{kind.replace('-', '_')}", lang) for kind in kinds)


def topic_of(message: Message) -> int | None:
    """The forum topic a message was sent in (None: not a forum topic, or its General topic)."""
    return message.message_thread_id if message.is_topic_message else None


async def _may_manage(svc: Services, message: Message, user: User, lang: str) -> bool:
    """Private chats manage themselves; in a group, only its admins (getChatMember, cached) may."""
    if in_private(message) or await announcer(svc).admins.is_admin(message.get_bot(), message, user):
        return True
    await reply_lines(svc, message, [svc.messages.get("subscribe_admins_only", lang)])
    return False


async def _manager(update: Update, context: SummitContext) -> tuple[Services, Message, User, str] | None:
    """The sender, when they may manage this chat's subscription (else they are told why, and None)."""
    found = await sender_in_lang(update, context)
    if found is None:
        return None
    svc, message, user, lang = found
    return found if await _may_manage(svc, message, user, lang) else None


async def on_subscribe(update: Update, context: SummitContext) -> None:
    """Subscribe this chat (in a forum, this topic) to announcements and reminders, e.g. /subscribe lang=th kinds=summit."""
    found = await _manager(update, context)
    if found is None:
        return
    svc, message, user, lang = found
    try:
        options = parse_options(command_args(message))
    except OptionError as exc:
        await reply_lines(svc, message, [svc.messages.get(exc.key, lang, value=exc.value)])
        return
    chosen = options.lang or lang
    subs = announcer(svc).subscriptions
    sub = await subs.subscribe(message.chat_id, message.chat.type, chosen, options.kinds, user.id, topic_of(message))
    language = svc.messages.get(f"lang_name_{chosen}", chosen)
    await reply_lines(svc, message, [svc.messages.get("subscribe_done", chosen, lang=language, kinds=kinds_text(sub.kinds, chosen, svc.messages))])


async def on_unsubscribe(update: Update, context: SummitContext) -> None:
    """Stop this chat's announcements and reminders (groups: admins only)."""
    found = await _manager(update, context)
    if found is None:
        return
    svc, message, _, lang = found
    removed = await announcer(svc).subscriptions.unsubscribe(message.chat_id)
    await reply_lines(svc, message, [svc.messages.get("unsubscribe_done" if removed else "unsubscribe_none", lang)])
