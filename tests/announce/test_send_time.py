"""Scheduling times: ISO 8601, relative delays, day and time; clear errors for anything else."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.announce.send_time import WhenError, parse_when
from bot.curated.text_catalog import ADMIN_TEXTS

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
BKK = ZoneInfo("Asia/Bangkok")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 2h", NOW + dt.timedelta(hours=2)),
        ("in 90m", NOW + dt.timedelta(minutes=90)),
        ("in 1d 3h", NOW + dt.timedelta(days=1, hours=3)),
        ("in 2 hours", NOW + dt.timedelta(hours=2)),
        ("tomorrow 09:00", dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)),  # 09:00 in Bangkok
        ("Today 21h30", dt.datetime(2026, 11, 22, 14, 30, tzinfo=dt.UTC)),
        ("2026-12-01T09:00+07:00", dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)),
        ("2026-12-01 09:00", dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)),
        ("2026-12-01T09:00Z", dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)),
    ],
)
def test_accepted_forms(text: str, expected: dt.datetime) -> None:
    assert parse_when(text, NOW, BKK) == expected


@pytest.mark.parametrize(
    ("text", "key", "values"),
    [
        ("", "when_empty", {}),
        ("next tuesday", "when_unreadable", {"text": "next tuesday"}),
        ("  Next   Tuesday ", "when_unreadable", {"text": "Next Tuesday"}),  # as written, spaces tidied
        ("2020-01-01T00:00Z", "when_past", {"when": "2020-01-01T07:00+07:00"}),  # shown in the bot's zone
        ("today 10:00", "when_past", {"when": "2026-11-22T10:00+07:00"}),
        ("tomorrow", "when_no_time_of_day", {"day": "tomorrow"}),
        ("tomorrow 25:00", "when_bad_time_of_day", {"time": "25:00"}),
        ("today 9.75", "when_bad_time_of_day", {"time": "09:75"}),
        ("in 9999d", "when_too_far", {}),
        ("x" * 100, "when_too_long", {}),
    ],
)
def test_clear_errors(text: str, key: str, values: dict[str, str]) -> None:
    with pytest.raises(WhenError) as caught:
        parse_when(text, NOW, BKK)
    assert (caught.value.key, caught.value.values) == (key, values)
    # Each reason is a text of the catalog, and the values are the placeholders it fills (the handler adds the forms).
    assert set(values) | {"forms"} >= ADMIN_TEXTS[key] and set(values) <= ADMIN_TEXTS[key]


@given(st.text(max_size=80))
def test_any_text_parses_or_raises_when_error(text: str) -> None:
    try:
        moment = parse_when(text, NOW, BKK)
    except WhenError as exc:
        assert exc.key in ADMIN_TEXTS
        return
    assert moment.tzinfo is not None and moment > NOW
