"""Dates in each language's own style, and when a recurring event comes next."""

from __future__ import annotations

import datetime as dt

from bot.engine.model import Event, EventDates, Messages
from bot.engine.text import BE_OFFSET


def format_date(day: dt.date, precision: str, lang: str, messages: Messages) -> str:
    """A date as people of that language write it (Thai with the Buddhist-era year).

    Args:
        day: the date.
        precision: day, month or year — how much of it is known.
        lang: the reader's language.
        messages: month names and date patterns.

    Returns:
        The formatted date.
    """
    months = messages.months.get(lang) or messages.months.get("en") or ()
    month = months[day.month - 1] if len(months) == 12 else str(day.month)
    values = {"day": day.day, "month": month, "year": day.year, "year_be": day.year + BE_OFFSET}
    key = {"day": "date_day", "month": "date_month"}.get(precision, "date_year")
    return messages.get(key, lang, **values)


def format_event_dates(event: Event, lang: str, messages: Messages) -> str | None:
    """An event's date or date range, or None when its article gives none beyond the year.

    Args:
        event: the event.
        lang: the reader's language.
        messages: month names and patterns.

    Returns:
        The formatted date(s).
    """
    dates: EventDates | None = event.dates
    if dates is None:
        return None
    if dates.start is None:
        return messages.get("date_year", lang, year=event.year, year_be=event.year + BE_OFFSET)
    start = format_date(dates.start, dates.precision, lang, messages)
    if dates.end and dates.end != dates.start:
        return f"{start} – {format_date(dates.end, dates.precision, lang, messages)}"
    return start


def next_fixed_date(month_day: tuple[int, int], today: dt.date) -> dt.date:
    """The next occurrence (today included) of a day that recurs every year.

    Args:
        month_day: (month, day).
        today: the current date.

    Returns:
        This year's date if not yet past, else next year's (29 February falls back to the 28th).
    """
    month, day = month_day
    for year in (today.year, today.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            candidate = dt.date(year, month, 28)
        if candidate >= today:
            return candidate
    raise AssertionError("unreachable: next year is always >= today")
