"""The announcement service: subscriptions, broadcasts, event reminders, the delivery worker and the job queue.

What is scheduled lives in SQLite (scheduled broadcasts; reminders already handled); the job queue only wakes the
due check at the right moments, and is rebuilt from SQLite and the knowledge base at every start and every check.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import JobQueue

from bot.announce import reminders
from bot.announce.announcements import Announcement, Announcements
from bot.announce.broadcast_texts import Texts
from bot.announce.outbox import Delivery, Outbox
from bot.announce.subscriptions import Subscriptions, from_iso, iso
from bot.engine import LANGS, Engine
from bot.engine.model import DEFAULT_LANG, Messages
from bot.store import Store
from bot.telegram.announce.delivery import DeliveryWorker
from bot.telegram.announce.message_bodies import broadcast_bodies, reminder_html
from bot.telegram.announce.progress_report import ProgressReporter, heading
from bot.telegram.formatting import Block, render
from bot.telegram.group_admins import GroupAdmins
from bot.telegram.keyboards import card_keyboard
from bot.telegram.outgoing import Outgoing
from bot.telegram.sending import NO_PREVIEW, follow_migration
from bot.telegram.services import Services, SummitContext

log = logging.getLogger(__name__)
CHECK_EVERY = 60.0  # seconds: the due check also runs on this period, whatever was scheduled
TICK_JOB, AT_JOB = "announce:tick", "announce:at:"
MAX_JOBS = 100
Clock = Callable[[], dt.datetime]


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
        outgoing: Outgoing,
        job_queue: JobQueue[SummitContext] | None = None,
        *,
        on_migrated: Callable[[int, int], Awaitable[None]] | None = None,
        on_blocked: Callable[[int, str], Awaitable[None]] | None = None,
        may_send: Callable[[], bool] | None = None,
        bot_name: str = "",
    ) -> None:
        self.subscriptions, self.announcements, self.outbox = Subscriptions(store), Announcements(store), Outbox(store)
        self.admins = GroupAdmins()
        self.delivery = DeliveryWorker(
            bot, self.outbox, clock, outgoing,
            markup=self._markup, on_migrated=on_migrated, on_blocked=on_blocked, on_settled=self._settled, may_send=may_send,
        )  # fmt: skip
        self.progress = ProgressReporter(bot, self.announcements, self.outbox, outgoing, clock, self.admin_texts)
        self._store = store
        self._outgoing, self._bot_name = outgoing, bot_name or bot.first_name
        self._bot, self._engine, self._zone, self._days, self._clock = bot, engine, zone, tuple(reminder_days), clock
        self._jobs = job_queue
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Start delivering (resuming what a stop interrupted), send what is due, and schedule the rest."""
        self.delivery.start()
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
        await self.delivery.stop()

    def _markup(self, row: Delivery) -> InlineKeyboardMarkup | None:
        return card_keyboard(row.event_id, row.lang, self._engine.kb.messages) if row.event_id else None

    def _settled(self, announcement_id: int) -> None:
        self.progress.touch(announcement_id)

    async def _job(self, context: SummitContext) -> None:
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
        texts = Texts(announcement.text, announcement.texts)
        bodies = {lang: parts[0] for lang, parts in broadcast_bodies(texts, self._engine.kb.messages, self._bot_name).items()}
        count = await self.announcements.start_broadcast(announcement_id, bodies, bodies[DEFAULT_LANG], self._clock())
        if count is not None:
            log.info("announcement #%d: sending to %d chat(s)", announcement_id, count)
            self.progress.watch(announcement_id)
            self.delivery.wake()
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
        messages, lang = await self.admin_texts(announcement)
        text = f"{heading(announcement)}\n{messages.get('progress_starting', lang)}"
        try:
            html = render([Block(line) for line in text.split("\n")])[0]
            send = partial(self._bot.send_message, chat_id, html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)
            sent = await self._outgoing.send(send, chat_id, chat_id < 0, bulk=True)
        except TelegramError as exc:
            log.info("announcement #%d: no progress message in chat %s: %s", announcement.id, chat_id, exc)
            return
        await self.announcements.set_progress_message(announcement.id, chat_id, sent.message_id)

    async def admin_texts(self, announcement: Announcement) -> tuple[Messages, str]:
        """The texts, and the language of the admin who made the announcement (their /lang, else the default)."""
        chosen = await self._store.get_user_lang(announcement.created_by) if announcement.created_by is not None else None
        return self._engine.kb.messages, chosen or DEFAULT_LANG

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
                self.delivery.wake()
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


def announcer(svc: Services) -> Announcer:
    """The running announcer (started in ``post_init``)."""
    if svc.announcer is None:
        raise RuntimeError("announcements are not started: start the application with run_polling() or bot.telegram.app.running()")
    return svc.announcer


async def start_announcer(svc: Services, bot: Bot, job_queue: JobQueue[SummitContext] | None, running: Callable[[], bool]) -> Announcer:
    """Build the announcer, attach it to the services and start it (``post_init``); :meth:`Services.close` stops it.

    Args:
        svc: the services.
        bot: the bot.
        job_queue: the application's job queue (None: only the periodic checks made by hand run).
        running: whether the application is running (no sends before it starts or after it stops).

    Returns:
        The started announcer.
    """

    async def migrated(old_chat: int, new_chat: int) -> None:
        await follow_migration(svc, old_chat, new_chat)

    async def blocked(chat_id: int, chat_type: str) -> None:
        await svc.store.record_chat(chat_id, chat_type, None, "kicked")

    def now() -> dt.datetime:
        return svc.clock()  # looked up at each call: tests replace svc.clock

    svc.announcer = Announcer(
        bot, svc.store, svc.engine, svc.zone, svc.settings.reminder_days, now, svc.outgoing, job_queue,
        on_migrated=migrated, on_blocked=blocked, may_send=running, bot_name=svc.bot_name,
    )  # fmt: skip
    await svc.announcer.start()
    return svc.announcer
