"""Parse when a scheduled announcement should go out: ISO 8601, "in 2h", "tomorrow 09:00" (the words admins type stay English)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

MAX_AHEAD = dt.timedelta(days=366)
_UNITS = {"d": 86400, "day": 86400, "days": 86400, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600}
_UNITS |= {"m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60}
_RELATIVE = re.compile(r"^in\s+((?:\d{1,4}\s*(?:days?|d|hours?|hrs?|h|minutes?|mins?|m)\s*)+)$")
_PART = re.compile(r"(\d{1,4})\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m)")
_DAY_TIME = re.compile(r"^(today|tomorrow)(?:\s+(?:at\s+)?(\d{1,2})[:h.](\d{2}))?$")


class WhenError(ValueError):
    """The time could not be understood, or is in the past or too far ahead.

    ``key`` names the text saying why (``when_<key>`` in intents/admin_messages.yaml, which the Telegram layer shows
    in the admin's language with the accepted forms), ``values`` fill its placeholders.
    """

    def __init__(self, name: str, /, **values: str) -> None:
        super().__init__(name, values)
        self.key, self.values = f"when_{name}", values


def parse_when(text: str, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """When to send, as an aware UTC datetime.

    Args:
        text: what the admin wrote.
        now: the current time (aware).
        tz: the default time zone, for times written without one.

    Returns:
        The moment, in UTC.

    Raises:
        WhenError: naming what is wrong (its key and values).
    """
    raw = " ".join(text.strip().split())
    lowered = raw.casefold()
    if not raw:
        raise WhenError("empty")
    if len(raw) > 64:
        raise WhenError("too_long")
    moment = _relative(lowered, now) or _day_time(lowered, now, tz) or _iso(raw, tz)
    if moment is None:
        raise WhenError("unreadable", text=raw)
    if moment <= now:
        raise WhenError("past", when=moment.astimezone(tz).isoformat(timespec="minutes"))
    if moment - now > MAX_AHEAD:
        raise WhenError("too_far")
    return moment.astimezone(dt.UTC)


def _relative(text: str, now: dt.datetime) -> dt.datetime | None:
    match = _RELATIVE.match(text)
    if match is None:
        return None
    seconds = sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(match.group(1)))
    return now + dt.timedelta(seconds=seconds) if seconds else None


def _day_time(text: str, now: dt.datetime, tz: ZoneInfo) -> dt.datetime | None:
    match = _DAY_TIME.match(text)
    if match is None:
        return None
    if match.group(2) is None:
        raise WhenError("no_time_of_day", day=match.group(1))
    hour, minute = int(match.group(2)), int(match.group(3))
    if hour > 23 or minute > 59:
        raise WhenError("bad_time_of_day", time=f"{hour:02d}:{minute:02d}")
    local = now.astimezone(tz)
    day = local.date() + dt.timedelta(days=1 if match.group(1) == "tomorrow" else 0)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def _iso(text: str, tz: ZoneInfo) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)
