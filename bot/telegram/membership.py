"""Which chats the bot is in: my_chat_member updates and group-to-supergroup migrations."""

from __future__ import annotations

import logging

from telegram import Chat, ChatMember, ChatMemberRestricted, Update, User
from telegram.error import TelegramError

from bot.telegram.formatting import Block, render
from bot.telegram.sending import follow_migration, send_parts
from bot.telegram.services import Services, SummitContext, services

log = logging.getLogger(__name__)


def member_status(member: ChatMember) -> str:
    """The store's status for the bot's membership: member, left or kicked.

    Args:
        member: the bot's new ChatMember.

    Returns:
        "member" for member/administrator/creator (and restricted but still in), "kicked" when banned (or blocked
        in a private chat), else "left".
    """
    if member.status == ChatMember.BANNED:
        return "kicked"
    if member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER):
        return "member"
    if isinstance(member, ChatMemberRestricted) and member.is_member:
        return "member"
    return "left"


async def on_my_chat_member(update: Update, context: SummitContext) -> None:
    """Record that the bot joined, left or was removed from a chat (or was blocked/unblocked by a user)."""
    change = update.my_chat_member
    if change is None:
        return
    svc, chat, status = services(context), change.chat, member_status(change.new_chat_member)
    before = await svc.store.chat(chat.id)
    await svc.store.record_chat(chat.id, chat.type, chat.title, status)
    log.info("bot is now %s in %s chat %s", status, chat.type, chat.id)
    # Hello once, when the bot comes in: not when it is promoted, nor for a change delivered twice.
    joined = status == "member" and member_status(change.old_chat_member) != "member" and (before is None or before.status != "member")
    if joined and chat.type in (Chat.GROUP, Chat.SUPERGROUP):
        await say_hello(svc, chat, change.from_user)


async def say_hello(svc: Services, chat: Chat, adder: User) -> None:
    """Tell a group the bot just joined what it answers and how to ask it there, in the language of who added it.

    Args:
        svc: the services.
        chat: the group.
        adder: the user who added the bot (their /lang choice, else their Telegram language).
    """
    _, lang = await svc.lang_of(adder.id, adder.language_code)
    blocks = [
        Block(svc.messages.get("group_hello", lang, bot=svc.bot_name)),
        Block(""),
        Block(svc.messages.get("group_how_to_ask", lang, username=svc.bot_username)),
    ]
    try:
        await send_parts(svc, chat.get_bot(), chat.id, render(blocks))
    except TelegramError as exc:  # e.g. not allowed to write there: the membership is recorded all the same
        log.info("no hello in chat %s: %s", chat.id, exc)


async def on_migrate(update: Update, context: SummitContext) -> None:
    """Follow a group that became a supergroup (Telegram says so in both chats; recording it twice is harmless)."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        await follow_migration(services(context), message.chat_id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await follow_migration(services(context), message.migrate_from_chat_id, message.chat_id, message.chat.title)
