"""Which chats the bot is in: my_chat_member updates and group-to-supergroup migrations."""

from __future__ import annotations

import logging

from telegram import ChatMember, ChatMemberRestricted, Update
from telegram.ext import ContextTypes

from bot.telegram.sending import follow_migration
from bot.telegram.services import services

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


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record that the bot joined, left or was removed from a chat (or was blocked/unblocked by a user)."""
    change = update.my_chat_member
    if change is None:
        return
    chat, status = change.chat, member_status(change.new_chat_member)
    await services(context).store.record_chat(chat.id, chat.type, chat.title, status)
    log.info("bot is now %s in %s chat %s", status, chat.type, chat.id)


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Follow a group that became a supergroup (Telegram says so in both chats; recording it twice is harmless)."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        await follow_migration(services(context), message.chat_id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await follow_migration(services(context), message.migrate_from_chat_id, message.chat_id, message.chat.title)
