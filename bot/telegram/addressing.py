"""When a group message is meant for the bot: an @mention of it, a reply to it, or a command addressed to it."""

from __future__ import annotations

import re

from telegram import Message, MessageEntity
from telegram.ext.filters import MessageFilter


def mentions(message: Message, username: str, bot_id: int) -> bool:
    """Whether the message @mentions the bot (case-insensitive) or links its user (text_mention).

    Args:
        message: a message (text or caption entities).
        username: the bot's username, without "@".
        bot_id: the bot's user id.

    Returns:
        True when addressed by mention.
    """
    wanted = f"@{username}".casefold()
    try:
        mentioned = list(message.parse_entities([MessageEntity.MENTION]).values())
    except UnicodeDecodeError:  # an entity cutting a character in half: Telegram never sends it, a forger might
        mentioned = []
    if any(text.casefold() == wanted for text in mentioned):
        return True
    return any(e.type == MessageEntity.TEXT_MENTION and e.user is not None and e.user.id == bot_id for e in message.entities)


def replies_to(message: Message, bot_id: int) -> bool:
    """Whether the message replies to one of the bot's own messages."""
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id


def without_mention(text: str, username: str) -> str:
    """The question with the bot's @mention taken out ("@SummitBot when was it?" → "when was it?").

    Args:
        text: the message text.
        username: the bot's username, without "@".

    Returns:
        The text without any @username of the bot, spaces tidied.
    """
    stripped = re.sub(rf"(?<![\w@])@{re.escape(username)}(?!\w)", " ", text, flags=re.IGNORECASE)
    return " ".join(stripped.split())


def command_args(message: Message) -> str:
    """Everything after a message's leading /command (with its @botname), as written.

    Args:
        message: a message starting with a bot_command entity.

    Returns:
        The rest of the text, stripped ("" when there is none).
    """
    text = message.text or ""
    first = message.entities[0] if message.entities else None
    if first is None or first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return text.strip()
    try:
        command = message.parse_entity(first)
    except UnicodeDecodeError:  # a forged entity cutting a character in half
        return text.strip()
    return text[len(command) :].strip()


def whole_number(text: str, max_digits: int = 18) -> int | None:
    """A command argument as a whole number, strictly: 1 to ``max_digits`` ASCII digits, nothing else.

    ``str.isdigit()`` accepts "²" (which ``int()`` then rejects) and ``int()`` accepts "١٢" and "1_000"; 18
    digits keep every id inside SQLite's 64-bit integers (a 20-digit id overflows the query).

    Args:
        text: the argument as written.
        max_digits: the most digits allowed.

    Returns:
        The number, or None when the text is anything else.
    """
    return int(text) if re.fullmatch(rf"[0-9]{{1,{max_digits}}}", text) else None


class _AddressedToMe(MessageFilter):
    """Group messages that mention the bot or reply to it (the bot's identity comes from getMe)."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        return mentions(message, bot.username, bot.id) or replies_to(message, bot.id)


class _CommandForMe(MessageFilter):
    """Commands written as /command@this_bot (other bots' commands and bare ones do not match)."""

    def filter(self, message: Message) -> bool:
        first = message.entities[0] if message.entities else None
        if first is None or first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
            return False
        try:
            _, _, target = message.parse_entity(first).partition("@")
        except UnicodeDecodeError:  # a forged entity cutting a character in half: not a command for us
            return False
        return target.casefold() == message.get_bot().username.casefold()


ADDRESSED_TO_ME = _AddressedToMe(name="summitbot.ADDRESSED_TO_ME")
COMMAND_FOR_ME = _CommandForMe(name="summitbot.COMMAND_FOR_ME")
