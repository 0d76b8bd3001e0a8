"""The command menus (setMyCommands): scoped to private chats, groups and admins, described in intents/commands.yaml."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence

from telegram import Bot, BotCommand, BotCommandScope, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.engine.model import DEFAULT_LANG, Messages

log = logging.getLogger(__name__)

PRIVATE_COMMANDS: tuple[str, ...] = ("start", "ask", "events", "lang", "help", "subscribe", "unsubscribe")
GROUP_COMMANDS: tuple[str, ...] = ("ask", "events", "lang", "help", "subscribe", "unsubscribe")
ADMIN_COMMANDS: tuple[str, ...] = (
    *PRIVATE_COMMANDS, "facts", "fact_add", "fact_edit", "fact_del", "event_add", "event_set", "history", "undo",
    "unanswered", "attach", "stats", "export", "announce", "schedule", "announcements", "unschedule", "cancel", "reload",
)  # fmt: skip
#: Menu languages: "" is Telegram's default (shown to every language without its own list), in English.
MENU_LANGS: tuple[str, ...] = ("", "th", "vi", "fr")


def commands(names: Sequence[str], lang: str, messages: Messages) -> list[BotCommand]:
    """Commands with their descriptions in one language.

    Args:
        names: command names, in menu order.
        lang: a language code ("" or unknown: English).
        messages: the bot's texts (``command_<name>``).

    Returns:
        The BotCommand list.
    """
    return [BotCommand(name, messages.get(f"command_{name}", lang or DEFAULT_LANG)) for name in names]


def menu_plan(admins: Collection[int], messages: Messages) -> list[tuple[BotCommandScope, str, list[BotCommand]]]:
    """Every (scope, language, commands) the bot sets at start-up.

    Args:
        admins: the admins' user ids (their private chats get the admin menu).
        messages: the bot's texts.

    Returns:
        The plan, general scopes first.
    """
    scopes: list[tuple[BotCommandScope, Sequence[str]]] = [
        (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
        *((BotCommandScopeChat(admin), ADMIN_COMMANDS) for admin in sorted(admins)),
    ]
    return [(scope, lang, commands(names, lang, messages)) for scope, names in scopes for lang in MENU_LANGS]


async def set_menus(bot: Bot, admins: Collection[int], messages: Messages) -> int:
    """Publish the menus; a failure (e.g. an admin who never opened the bot) is logged, never fatal.

    Args:
        bot: the initialized bot.
        admins: the admins' user ids.
        messages: the bot's texts.

    Returns:
        How many menus were set.
    """
    done = 0
    for scope, lang, items in menu_plan(admins, messages):
        try:
            await bot.set_my_commands(items, scope=scope, language_code=lang or None)
            done += 1
        except TelegramError as exc:
            log.warning("setMyCommands failed for scope %s, language %r: %s", scope.type, lang or "default", exc)
    return done
