"""Announcements as a whole: subscriptions, broadcasts, event reminders, the delivery worker and the job queue.

What is scheduled lives in SQLite (scheduled broadcasts; reminders already handled); the job queue only wakes the
due check at the right moments, and is rebuilt from SQLite and the knowledge base at every start and every check.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes, JobQueue

from bot.announce import reminders
from bot.engine import LANGS, Engine
from bot.engine.dates import format_date
from bot.store import Store
from bot.store.announcements import Announcement, Announcements
from bot.store.outbox import Delivery, Outbox
from bot.store.subscriptions import Subscriptions, from_iso, iso
from bot.telegram.courier import NO_PREVIEW, Courier
from bot.telegram.formatting import Block, answer_blocks, render
from bot.telegram.group_admins import GroupAdmins
from bot.telegram.keyboards import card_keyboard
from bot.telegram.progress import ProgressReporter, heading

log = logging.getLogger(__name__)
CHECK_EVERY = 60.0  # seconds: the due check also runs on this period, whatever was scheduled
TICK_JOB, AT_JOB = "announce:tick", "announce:at:"
MAX_JOBS = 100
Clock = Callable[[], dt.datetime]


def broadcast_html(text: str) -> list[str]:
    """An admin's text as the message chats receive: every line escaped, no markup of its own.

    Args:
        text: the plain text.

    Returns:
        The HTML messages (more than one: too long for a single message, which a broadcast must be).
    """
    return render([Block(line) for line in text.split("\n")], max_parts=2)


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
    key = "reminder_tomorrow" if days == 1 else "reminder_days"
    head = Block(kb.messages.get(key, lang, event=event.name(lang), date=date, days=days), "b")
    return render([head, Block(""), *answer_blocks(card, kb.messages)], max_parts=1)[0]


class Announcer:
    """Owns the announcement tables, the delivery worker, the progress reporter and the announcement jobs."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        engine: Engine,
        zone: ZoneInfo,
        reminder_days: Sequence[int],
        clock: Clock,
        job_queue: JobQueue[ContextTypes.DEFAULT_TYPE] | None = None,
        *,
        on_migrated: Callable[[int, int], Awaitable[None]] | None = None,
        on_blocked: Callable[[int, str], Awaitable[None]] | None = None,
        may_send: Callable[[], bool] | None = None,
    ) -> None:
        self.subscriptions, self.announcements, self.outbox = Subscriptions(store), Announcements(store), Outbox(store)
        self.admins = GroupAdmins()
        self.courier = Courier(
            bot, self.outbox, clock, markup=self._markup, on_migrated=on_migrated, on_blocked=on_blocked, on_settled=self._settled, may_send=may_send
        )
        self.progress = ProgressReporter(bot, self.announcements, self.outbox, self.courier, clock)
        self._bot, self._engine, self._zone, self._days, self._clock = bot, engine, zone, tuple(reminder_days), clock
        self._jobs = job_queue
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Start delivering (resuming what a stop interrupted), send what is due, and schedule the rest."""
        self.courier.start()
        self.progress.start()
        if self._jobs is not None:
            self._jobs.run_repeating(self._job, interval=CHECK_EVERY, first=CHECK_EVERY, name=TICK_JOB)
        try:
            await self.check_due()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop the jobs, the reporter and the worker (sends in flight get a few seconds to finish)."""
        if self._jobs is not None:
            with contextlib.suppress(Exception):  # the job queue may be shut down already: nothing left to remove then
                for job in self._jobs.jobs(f"^{TICK_JOB}$|^{AT_JOB}"):
                    job.schedule_removal()
        await self.progress.stop()
        await self.courier.stop()

    def _markup(self, row: Delivery) -> InlineKeyboardMarkup | None:
        return card_keyboard(row.event_id, row.lang, self._engine.kb.messages) if row.event_id else None

    def _settled(self, announcement_id: int) -> None:
        self.progress.touch(announcement_id)

    async def _job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.check_due()

    async def launch(self, announcement_id: int) -> int | None:
        """Start sending a draft or scheduled broadcast to every subscribed chat.

        Args:
            announcement_id: the announcement.

        Returns:
            How many chats it goes to, or None when it is not a draft or scheduled (any more).
        """
        announcement = await self.announcements.get(announcement_id)
        if announcement is None:
            return None
        count = await self.announcements.start_broadcast(announcement_id, broadcast_html(announcement.text)[0], self._clock())
        if count is not None:
            log.info("announcement #%d: sending to %d chat(s)", announcement_id, count)
            self.progress.watch(announcement_id)
            self.courier.wake()
        return count

    async def check_due(self) -> None:
        """Send the scheduled broadcasts and the reminders whose time has come, then schedule the next wake-ups."""
        async with self._lock:
            now = self._clock()
            for announcement in await self.announcements.due(now):
                await self._post_progress(announcement)
                await self.launch(announcement.id)
            done = await self._remind(now)
            await self._reschedule(now, done)

    async def _post_progress(self, announcement: Announcement) -> None:
        """A scheduled broadcast starts: post the progress message in the chat it was scheduled from."""
        chat_id = announcement.admin_chat_id
        if chat_id is None or announcement.progress_message_id is not None:
            return
        text = f"{heading(announcement)}\nStarting…"
        try:
            await self.courier.slot(chat_id, chat_id < 0)
            html = render([Block(line) for line in text.split("\n")])[0]
            sent = await self._bot.send_message(chat_id, html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)
        except TelegramError as exc:
            log.info("announcement #%d: no progress message in chat %s: %s", announcement.id, chat_id, exc)
            return
        await self.announcements.set_progress_message(announcement.id, chat_id, sent.message_id)

    def _plan(self, now: dt.datetime) -> list[reminders.Reminder]:
        return reminders.plan(self._engine.kb.events, self._days, now, self._zone)

    async def _remind(self, now: dt.datetime) -> set[reminders.ReminderKey]:
        """Enqueue the reminders that are due; returns the keys of every reminder handled so far."""
        done = await self.announcements.reminders_done()
        send, skip = reminders.due(self._plan(now), now, done)
        for reminder in send:
            bodies = {lang: html for lang in LANGS if (html := reminder_html(self._engine, reminder, lang, now, self._zone))}
            overtaken = [s.key for s in skip if (s.event_id, s.occurs_on) == (reminder.event_id, reminder.occurs_on)]
            enqueued = await self.announcements.enqueue_reminder(reminder.key, reminder.kind, bodies, overtaken, now)
            done |= {reminder.key, *overtaken}
            if enqueued is not None:
                log.info("reminder %s: sending to %d chat(s)", reminder.key, enqueued[1])
                self.progress.watch(enqueued[0])
                self.courier.wake()
        return done

    async def _reschedule(self, now: dt.datetime, done: set[reminders.ReminderKey]) -> None:
        """Replace the wake-up jobs: one per scheduled broadcast and per reminder still to come."""
        if self._jobs is None:
            return
        for job in self._jobs.jobs(f"^{AT_JOB}"):
            job.schedule_removal()
        moments = {from_iso(a.send_at) for a in await self.announcements.in_state("scheduled")}
        moments |= {r.send_at for r in reminders.upcoming(self._plan(now), now, done)}
        real_now = dt.datetime.now(dt.UTC)
        for moment in sorted(m for m in moments if m > real_now)[:MAX_JOBS]:
            self._jobs.run_once(self._job, when=moment, name=f"{AT_JOB}{iso(moment)}")
