"""Event reminders, planned from the knowledge base: which are due now, and which were overtaken.

An event gets reminders for its next occurrence: ``dates.start`` when it is a future day, or the next date of an
annual fixed-date recurrence (World Telecommunication Day, 17 May). A reminder ``d`` days before goes out at
:data:`REMINDER_HOUR` local time on that day. When several reminders of one occurrence are due at once (the bot was
down), only the closest to the event is sent; the others are skipped for good.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.engine.dates import next_fixed_date
from bot.engine.model import Event

#: Reminders go out at this local hour (settings.timezone).
REMINDER_HOUR = 9
ReminderKey = tuple[str, str, int]  # (event id, occurrence date ISO, days before)


@dataclass(frozen=True)
class Reminder:
    """One reminder: an event's occurrence, how many days before it, and when it goes out (UTC)."""

    event_id: str
    kind: str
    occurs_on: dt.date
    days_before: int
    send_at: dt.datetime

    @property
    def key(self) -> ReminderKey:
        """What identifies it in the store (so it is never sent twice)."""
        return (self.event_id, self.occurs_on.isoformat(), self.days_before)


def next_occurrence(event: Event, today: dt.date) -> dt.date | None:
    """The next day the event takes place, after today.

    Args:
        event: the event.
        today: the current local date.

    Returns:
        ``dates.start`` if it is a later day (precision day), else the next fixed-date recurrence, else None.
    """
    dates = event.dates
    if dates is not None and dates.precision == "day" and dates.start is not None and dates.start > today:
        return dates.start
    if event.recurrence.rule == "annual_fixed_date" and event.recurrence.month_day is not None:
        return next_fixed_date(event.recurrence.month_day, today + dt.timedelta(days=1))
    return None


def plan(events: Iterable[Event], days: Sequence[int], now: dt.datetime, zone: ZoneInfo) -> list[Reminder]:
    """Every reminder of the events' next occurrences, sent or not, in time order.

    Args:
        events: the knowledge base's events.
        days: how many days before an occurrence to remind (e.g. 7 and 1).
        now: the current time (aware).
        zone: the local time zone (for the day and the hour).

    Returns:
        The reminders.
    """
    today = now.astimezone(zone).date()
    found = []
    for event in events:
        day = next_occurrence(event, today)
        if day is None:
            continue
        for before in sorted(set(days), reverse=True):
            local = dt.datetime.combine(day - dt.timedelta(days=before), dt.time(REMINDER_HOUR), tzinfo=zone)
            found.append(Reminder(event.id, event.kind, day, before, local.astimezone(dt.UTC)))
    return sorted(found, key=lambda r: (r.send_at, r.event_id))


def due(reminders: Iterable[Reminder], now: dt.datetime, done: Collection[ReminderKey]) -> tuple[list[Reminder], list[Reminder]]:
    """The reminders to send now, and those overtaken by a closer one (to record as skipped).

    Args:
        reminders: from :func:`plan`.
        now: the current time.
        done: keys of reminders already sent or skipped.

    Returns:
        (to send: at most one per occurrence, the closest to it; to skip: the other due ones).
    """
    by_occurrence: dict[tuple[str, dt.date], list[Reminder]] = {}
    for reminder in reminders:
        if reminder.send_at <= now and reminder.key not in done:
            by_occurrence.setdefault((reminder.event_id, reminder.occurs_on), []).append(reminder)
    send, skip = [], []
    for group in by_occurrence.values():
        group.sort(key=lambda r: r.days_before)
        send.append(group[0])
        skip.extend(group[1:])
    return send, skip


def upcoming(reminders: Iterable[Reminder], now: dt.datetime, done: Collection[ReminderKey]) -> list[Reminder]:
    """The reminders still to come (for the job queue), in time order.

    Args:
        reminders: from :func:`plan`.
        now: the current time.
        done: keys of reminders already sent or skipped.

    Returns:
        Those whose time is after ``now``.
    """
    return [r for r in reminders if r.send_at > now and r.key not in done]
