"""The bot's profile (setMyDescription, setMyShortDescription) per language, from intents/messages.yaml."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.constants import BotDescriptionLimit
from telegram.error import TelegramError

from bot.engine.model import Messages
from bot.telegram.menus import MENU_LANGS

log = logging.getLogger(__name__)
#: The profile texts: message key → Telegram's limit in characters.
PROFILE_TEXTS: dict[str, int] = {
    "bot_description": BotDescriptionLimit.MAX_DESCRIPTION_LENGTH,
    "bot_short_description": BotDescriptionLimit.MAX_SHORT_DESCRIPTION_LENGTH,
}


def profile_plan(messages: Messages) -> list[tuple[str, str, str]]:
    """Every (message key, language code, text) the bot sets at start-up; "" is the default language, in English.

    Args:
        messages: the bot's sentences.

    Returns:
        The plan; a missing text is left out (logged), one over Telegram's limit is cut at a word.
    """
    plan = []
    for key, limit in PROFILE_TEXTS.items():
        entry = messages.table.get(key)
        for lang in MENU_LANGS:
            text = entry.get(lang or "en") if entry is not None else None
            if not text:
                log.warning("no %s text in %s: not set", key, lang or "en")
                continue
            if len(text) > limit:
                text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
            plan.append((key, lang, text))
    return plan


async def set_profile(bot: Bot, messages: Messages) -> int:
    """Publish the description and short description per language; a failure is logged, never fatal.

    Args:
        bot: the initialized bot.
        messages: the bot's sentences.

    Returns:
        How many texts were set.
    """
    done = 0
    for key, lang, text in profile_plan(messages):
        try:
            if key == "bot_description":
                await bot.set_my_description(text, language_code=lang or None)
            else:
                await bot.set_my_short_description(text, language_code=lang or None)
            done += 1
        except TelegramError as exc:
            log.warning("setting the %s failed for language %r: %s", key, lang or "default", exc)
    return done
