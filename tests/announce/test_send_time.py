"""Scheduling times: ISO 8601, relative delays, day and time; clear errors for anything else."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.announce.send_time import WhenError, parse_when

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
    ("text", "message"),
    [
        ("", "no time given"),
        ("next tuesday", "cannot read"),
        ("2020-01-01T00:00Z", "in the past"),
        ("today 10:00", "in the past"),
        ("tomorrow", "give a time of day"),
        ("tomorrow 25:00", "not a time of day"),
        ("in 9999d", "more than a year"),
        ("x" * 100, "too long"),
    ],
)
def test_clear_errors(text: str, message: str) -> None:
    with pytest.raises(WhenError, match=message):
        parse_when(text, NOW, BKK)


@given(st.text(max_size=80))
def test_any_text_parses_or_raises_when_error(text: str) -> None:
    try:
        moment = parse_when(text, NOW, BKK)
    except WhenError:
        return
    assert moment.tzinfo is not None and moment > NOW
