"""Reminder planning (pure): next occurrences, due and overtaken reminders; the SUMMITBOT_REMINDER_DAYS setting."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.announce.reminders import due, next_occurrence, plan, upcoming
from bot.engine import KnowledgeBase
from bot.engine.model import EventDates
from bot.settings import Settings, SettingsError

BKK = ZoneInfo("Asia/Bangkok")


def at(day: str, time: str = "12:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=BKK)


def test_next_occurrence(kb: KnowledgeBase) -> None:
    wtisd, wuzhen = kb.event("wtisd_2021"), kb.event("wic_wuzhen_2023")
    assert wtisd is not None and wuzhen is not None
    assert next_occurrence(wtisd, dt.date(2026, 11, 22)) == dt.date(2027, 5, 17)
    assert next_occurrence(wtisd, dt.date(2027, 5, 16)) == dt.date(2027, 5, 17)
    assert next_occurrence(wtisd, dt.date(2027, 5, 17)) == dt.date(2028, 5, 17)  # on the day: the next one
    assert next_occurrence(wuzhen, dt.date(2026, 11, 22)) is None  # 8 November 2023 is past, no fixed date
    future = dataclasses.replace(wuzhen, dates=EventDates(dt.date(2027, 1, 10), None, "day", "x"))
    assert next_occurrence(future, dt.date(2026, 11, 22)) == dt.date(2027, 1, 10)
    vague = dataclasses.replace(wuzhen, dates=EventDates(dt.date(2027, 1, 1), None, "month", "x"))
    assert next_occurrence(vague, dt.date(2026, 11, 22)) is None  # only a month: no day to remind of


def test_plan_due_and_overtaken(kb: KnowledgeBase) -> None:
    wuzhen = kb.event("wic_wuzhen_2023")
    assert wuzhen is not None
    future = dataclasses.replace(wuzhen, dates=EventDates(dt.date(2027, 1, 10), None, "day", "x"))
    events = [*kb.events, future]
    reminders = plan(events, (1, 7), at("2027-01-01"), BKK)
    assert [(r.event_id, str(r.occurs_on), r.days_before, r.send_at.isoformat()) for r in reminders] == [
        ("wic_wuzhen_2023", "2027-01-10", 7, "2027-01-03T02:00:00+00:00"),  # 09:00 in Bangkok
        ("wic_wuzhen_2023", "2027-01-10", 1, "2027-01-09T02:00:00+00:00"),
        ("wtisd_2021", "2027-05-17", 7, "2027-05-10T02:00:00+00:00"),
        ("wtisd_2021", "2027-05-17", 1, "2027-05-16T02:00:00+00:00"),
    ]
    assert due(reminders, at("2027-01-03", "08:59"), set()) == ([], [])
    send, skip = due(reminders, at("2027-01-03", "09:00"), set())
    assert [(r.event_id, r.days_before) for r in send] == [("wic_wuzhen_2023", 7)] and skip == []
    assert due(reminders, at("2027-01-04"), {send[0].key}) == ([], [])  # already sent
    # The bot was down for a week: only the closest reminder goes out, the 7-day one is skipped for good.
    send, skip = due(reminders, at("2027-01-09", "10:00"), set())
    assert [r.days_before for r in send] == [1] and [r.days_before for r in skip] == [7]
    assert [r.send_at for r in upcoming(reminders, at("2027-01-09", "10:00"), set())] == [reminders[2].send_at, reminders[3].send_at]


def test_reminder_days_setting() -> None:
    base = {"TELEGRAM_BOT_TOKEN": ""}
    assert Settings.from_env(base, dotenv=None).reminder_days == (7, 1)
    assert Settings.from_env({**base, "SUMMITBOT_REMINDER_DAYS": " 1, 14,3,14"}, dotenv=None).reminder_days == (14, 3, 1)
    assert Settings.from_env({**base, "SUMMITBOT_REMINDER_DAYS": "none"}, dotenv=None).reminder_days == ()
    for bad in ("0", "seven", "7;1", "1,,2", "366", "-1"):
        with pytest.raises(SettingsError, match="SUMMITBOT_REMINDER_DAYS"):
            Settings.from_env({**base, "SUMMITBOT_REMINDER_DAYS": bad}, dotenv=None)
