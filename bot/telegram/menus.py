"""The command menus (setMyCommands): localized in en/th/vi/fr, scoped to private chats, groups and admins."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence

from telegram import Bot, BotCommand, BotCommandScope, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

log = logging.getLogger(__name__)

#: Command descriptions per language ("en" is also the default for every other language).
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "start": {
        "en": "Welcome and the events I know",
        "th": "เริ่มต้นใช้งานและดูรายการงาน",
        "vi": "Lời chào và các sự kiện tôi biết",
        "fr": "Accueil et événements que je connais",
    },
    "help": {
        "en": "How to ask me questions",
        "th": "วิธีถามคำถาม",
        "vi": "Cách đặt câu hỏi cho tôi",
        "fr": "Comment me poser des questions",
    },
    "events": {
        "en": "List the events",
        "th": "รายการงานทั้งหมด",
        "vi": "Danh sách các sự kiện",
        "fr": "Liste des événements",
    },
    "lang": {
        "en": "Choose my reply language",
        "th": "เลือกภาษาที่ใช้ตอบ",
        "vi": "Chọn ngôn ngữ trả lời",
        "fr": "Choisir la langue de mes réponses",
    },
    "ask": {
        "en": "Ask a question (also in groups)",
        "th": "ถามคำถาม (ใช้ในกลุ่มได้ด้วย)",
        "vi": "Đặt câu hỏi (cả trong nhóm)",
        "fr": "Poser une question (aussi en groupe)",
    },
    "reload": {
        "en": "Reload intents and knowledge (admins)",
        "th": "โหลดข้อมูลเจตนาและความรู้ใหม่ (ผู้ดูแล)",
        "vi": "Tải lại ý định và dữ liệu (quản trị viên)",
        "fr": "Recharger intentions et connaissances (admins)",
    },
}
PRIVATE_COMMANDS: tuple[str, ...] = ("start", "ask", "events", "lang", "help")
GROUP_COMMANDS: tuple[str, ...] = ("ask", "events", "lang", "help")
ADMIN_COMMANDS: tuple[str, ...] = (*PRIVATE_COMMANDS, "reload")
#: Menu languages: "" is Telegram's default (shown to every language without its own list), in English.
MENU_LANGS: tuple[str, ...] = ("", "th", "vi", "fr")


def commands(names: Sequence[str], lang: str) -> list[BotCommand]:
    """Commands with their descriptions in one language.

    Args:
        names: command names, in menu order.
        lang: a language code ("" or unknown: English).

    Returns:
        The BotCommand list.
    """
    return [BotCommand(name, DESCRIPTIONS[name].get(lang) or DESCRIPTIONS[name]["en"]) for name in names]


def menu_plan(admins: Collection[int]) -> list[tuple[BotCommandScope, str, list[BotCommand]]]:
    """Every (scope, language, commands) the bot sets at start-up.

    Args:
        admins: the admins' user ids (their private chats get the admin menu).

    Returns:
        The plan, general scopes first.
    """
    scopes: list[tuple[BotCommandScope, Sequence[str]]] = [
        (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
        *((BotCommandScopeChat(admin), ADMIN_COMMANDS) for admin in sorted(admins)),
    ]
    return [(scope, lang, commands(names, lang)) for scope, names in scopes for lang in MENU_LANGS]


async def set_menus(bot: Bot, admins: Collection[int]) -> int:
    """Publish the menus; a failure (e.g. an admin who never opened the bot) is logged, never fatal.

    Args:
        bot: the initialized bot.
        admins: the admins' user ids.

    Returns:
        How many menus were set.
    """
    done = 0
    for scope, lang, items in menu_plan(admins):
        try:
            await bot.set_my_commands(items, scope=scope, language_code=lang or None)
            done += 1
        except TelegramError as exc:
            log.warning("setMyCommands failed for scope %s, language %r: %s", scope.type, lang or "default", exc)
    return done
