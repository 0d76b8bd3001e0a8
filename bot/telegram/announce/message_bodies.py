"""What chats receive: an admin's broadcast and an event reminder, as HTML messages."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from bot.announce import reminders
from bot.announce.broadcast_texts import Texts
from bot.engine import LANGS, Engine
from bot.engine.dates import format_date
from bot.engine.model import Event, Messages
from bot.engine.text import BE_OFFSET
from bot.telegram.formatting import Block, answer_blocks, render

_EDITION_YEAR = re.compile(r"\s*(?:ประจำปี\s*)?\b(?:19|20|25)\d{2}\s*$")


def broadcast_html(text: str, lang: str, messages: Messages, bot_name: str) -> list[str]:
    """An admin's text as a chat receives it: who sends it, the text (every line escaped, no markup of its own), and
    how to stop these messages, both in the chat's language.

    Args:
        text: the plain text.
        lang: the chat's language.
        messages: the bot's texts.
        bot_name: the bot's name (who sends it).

    Returns:
        The HTML messages (more than one: too long for a single message, which a broadcast must be).
    """
    head = Block(messages.get("announce_header", lang, bot=bot_name), "b")
    foot = Block(messages.get("announce_footer", lang), "i")
    return render([head, *(Block(line) for line in text.split("\n")), Block(""), foot], max_parts=2)


def broadcast_bodies(texts: Texts, messages: Messages, bot_name: str) -> dict[str, list[str]]:
    """A broadcast in every language of the bot: each language's own text, else the default one.

    Args:
        texts: the admin's texts.
        messages: the bot's texts.
        bot_name: the bot's name.

    Returns:
        {language: HTML messages}.
    """
    return {lang: broadcast_html(texts.for_lang(lang), lang, messages, bot_name) for lang in LANGS}


def reminder_html(engine: Engine, reminder: reminders.Reminder, lang: str, now: dt.datetime, zone: ZoneInfo) -> str | None:
    """A reminder in one language: when the event is, then its card.

    Args:
        engine: the engine (names, card, messages).
        reminder: the reminder.
        lang: the chat's language.
        now: the current time.
        zone: the local zone (what "tomorrow" means).

    Returns:
        One HTML message, or None when the event is no longer known.
    """
    kb = engine.kb
    event, card = kb.event(reminder.event_id), engine.event_card(reminder.event_id, lang, now)
    if event is None or card is None:
        return None
    days = (reminder.occurs_on - now.astimezone(zone).date()).days
    date = format_date(reminder.occurs_on, "day", lang, kb.messages)
    if reminder.occurs_on.year == event.year:  # the very edition the sources describe: its card
        key = "reminder_tomorrow" if days == 1 else "reminder_days"
        head = Block(kb.messages.get(key, lang, event=event.name(lang), date=date, days=days), "b")
        return render([head, Block(""), *answer_blocks(card, kb.messages)], max_parts=1)[0]
    return render(recurring_blocks(event, reminder.occurs_on, days, date, lang, kb.messages), max_parts=1)[0]


def recurring_blocks(event: Event, occurs_on: dt.date, days: int, date: str, lang: str, messages: Messages) -> list[Block]:
    """A later occurrence of a yearly event: its name without the year, the coming date, and what the sources (about
    an earlier edition) do and do not say; the card's buttons, which come along, are about that edition."""
    name = series_name(event.name(lang))
    month = messages.months.get(lang) or messages.months.get("en") or ()
    every = messages.get("date_day_month", lang, day=occurs_on.day, month=month[occurs_on.month - 1] if len(month) == 12 else occurs_on.month)
    key = "reminder_recurring_tomorrow" if days == 1 else "reminder_recurring_days"
    years = {"year": event.year, "year_be": event.year + BE_OFFSET, "next_year": occurs_on.year, "next_year_be": occurs_on.year + BE_OFFSET}
    theme = event.theme.text.pick(lang)[0] if event.theme is not None else None
    said = messages.get("reminder_sources_theme", lang, theme=theme, **years) if theme else messages.get("reminder_sources", lang, **years)
    return [
        Block(messages.get(key, lang, event=name, date=date, days=days, day=every), "b"), Block(""), Block(said), Block(""),
        Block(messages.get("reminder_buttons_note", lang, **years), "i"),
    ]  # fmt: skip


def series_name(name: str) -> str:
    """An edition's name without its year: "… Day 2021" → "… Day", "… ประจำปี 2564" → "…"."""
    return _EDITION_YEAR.sub("", name).strip() or name
