"""Feedback to the admin: one progress message edited as a broadcast goes, then a final report of what failed."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.announce.announcements import Announcement, Announcements
from bot.announce.outbox import Counts, Outbox
from bot.engine.model import Messages
from bot.engine.render import shorten
from bot.telegram.formatting import Block, render
from bot.telegram.outgoing import Outgoing
from bot.telegram.sending import NO_PREVIEW

log = logging.getLogger(__name__)
EDIT_INTERVAL = 2.0  # seconds between two edits of one progress message
TICK = 0.5  # seconds between looks at the broadcasts under way
EXCERPT = 60
MAX_LISTED = 30
#: The texts and the language to report to an announcement's admin in (their /lang choice, else the default).
AdminTexts = Callable[[Announcement], Awaitable[tuple[Messages, str]]]


def heading(announcement: Announcement) -> str:
    """The first line of a progress message: the announcement's number and the start of its text."""
    return f"📣 #{announcement.id} “{shorten(' '.join(announcement.text.split()), EXCERPT)}”"


def progress_text(announcement: Announcement, counts: Counts, messages: Messages, lang: str, *, final: bool = False) -> str:
    """The progress line: what was sent, failed, and is still pending.

    Args:
        announcement: the broadcast.
        counts: how its deliveries stand.
        messages: the bot's texts.
        lang: the admin's language.
        final: whether it is over.

    Returns:
        Plain text (escaped when sent).
    """
    head = heading(announcement)
    tally = messages.get("progress_tally", lang, sent=counts.sent, total=counts.total, failed=counts.failed, pending=counts.remaining)
    if counts.cancelled:
        tally += messages.get("progress_tally_cancelled", lang, cancelled=counts.cancelled)
    if not final:
        return f"{head}\n{messages.get('progress_sending', lang, tally=tally)}"
    if announcement.state == "cancelled":
        return f"{head}\n{messages.get('progress_cancelled', lang, tally=tally)}"
    key = "progress_finished" if counts.total else "progress_nobody"
    return f"{head}\n{messages.get(key, lang, tally=tally) if counts.total else messages.get(key, lang)}"


def report_blocks(announcement: Announcement, counts: Counts, failures: list[tuple[int, str, str | None]], messages: Messages, lang: str) -> list[Block]:
    """The final report: how many chats got the announcement, and each one that did not, with why.

    Args:
        announcement: the broadcast.
        counts: its final counts.
        failures: (chat id, error, title) of the chats that failed.
        messages: the bot's texts.
        lang: the admin's language.

    Returns:
        The report's lines.
    """
    if not failures:
        return [Block(messages.get("report_all", lang, id=announcement.id, sent=counts.sent), "b")]
    head = messages.get("report_some", lang, id=announcement.id, sent=counts.sent, total=counts.total, failed=counts.failed)
    lines = [Block(head, "b")]
    for chat_id, error, title in failures[:MAX_LISTED]:
        where = f"{title} ({chat_id})" if title else str(chat_id)
        lines.append(Block(f"• {where}: {shorten(error, 200)}"))
    if counts.failed > MAX_LISTED:
        lines.append(Block(messages.get("report_more", lang, count=counts.failed - MAX_LISTED)))
    return lines


class ProgressReporter:
    """Watches broadcasts under way: edits their progress message (throttled) and reports when they are over."""

    def __init__(
        self,
        bot: Bot,
        announcements: Announcements,
        outbox: Outbox,
        outgoing: Outgoing,
        clock: Callable[[], dt.datetime],
        texts: AdminTexts,
        interval: float = EDIT_INTERVAL,
    ) -> None:
        self._bot, self._announcements, self._outbox, self._outgoing = bot, announcements, outbox, outgoing
        self._texts = texts
        self._clock = clock
        self._interval = interval
        self._watched: set[int] = set()
        self._edited: dict[int, float] = {}  # announcement id → monotonic time of its last edit
        self._shown: dict[int, str] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def watch(self, announcement_id: int) -> None:
        """Follow a broadcast that has started (its progress message was just posted or edited)."""
        self._watched.add(announcement_id)
        self._edited[announcement_id] = time.monotonic()
        self._wake.set()

    def touch(self, announcement_id: int) -> None:
        """A delivery of this announcement was settled (called by the delivery worker)."""
        if announcement_id in self._watched:
            self._wake.set()

    def start(self) -> None:
        """Start following every broadcast under way (also those a restart interrupted)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="summitbot-progress")

    async def stop(self) -> None:
        """Stop (a broadcast still under way is followed again at the next start)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        for announcement in await self._announcements.in_state("sending", limit=100):  # broadcasts a stop interrupted
            self._watched.add(announcement.id)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), TICK)
            self._wake.clear()
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("progress: unexpected error; carrying on")
                await asyncio.sleep(1.0)

    async def check(self) -> None:
        """Edit what is due for an edit; report and stop following what is over."""
        if not self._watched:
            return
        counts = await self._outbox.counts(list(self._watched))
        for announcement_id, tally in counts.items():
            announcement = await self._announcements.get(announcement_id)
            if announcement is None:
                self._watched.discard(announcement_id)
                continue
            if tally.remaining == 0:
                await self._finish(announcement, tally)
            elif time.monotonic() - self._edited.get(announcement_id, float("-inf")) >= self._interval:
                messages, lang = await self._texts(announcement)
                await self._edit(announcement, progress_text(announcement, tally, messages, lang))

    async def _finish(self, announcement: Announcement, counts: Counts) -> None:
        self._watched.discard(announcement.id)
        if await self._announcements.finish(announcement.id, self._clock()):
            announcement = await self._announcements.get(announcement.id) or announcement
        log.info("announcement #%d (%s) over: %d sent, %d failed", announcement.id, announcement.kind, counts.sent, counts.failed)
        if announcement.admin_chat_id is None:
            return
        messages, lang = await self._texts(announcement)
        await self._edit(announcement, progress_text(announcement, counts, messages, lang, final=True))
        failures = await self._outbox.failures(announcement.id, MAX_LISTED)
        if counts.total:
            with contextlib.suppress(TelegramError):
                for part in render(report_blocks(announcement, counts, failures, messages, lang)):
                    send = partial(self._bot.send_message, announcement.admin_chat_id, part, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)
                    await self._outgoing.send(send, announcement.admin_chat_id, announcement.admin_chat_id < 0, bulk=True)
        self._shown.pop(announcement.id, None)
        self._edited.pop(announcement.id, None)

    async def _edit(self, announcement: Announcement, text: str) -> None:
        if announcement.admin_chat_id is None or announcement.progress_message_id is None:
            return
        self._edited[announcement.id] = time.monotonic()
        html = render([Block(line) for line in text.split("\n")])[0]
        if self._shown.get(announcement.id) == html:
            return
        self._shown[announcement.id] = html
        try:  # an edit every 2 s stays far within the per-chat limit; it is not paced like a new message
            await self._bot.edit_message_text(html, chat_id=announcement.admin_chat_id, message_id=announcement.progress_message_id, parse_mode=ParseMode.HTML)
        except TelegramError as exc:  # deleted, or "not modified": the broadcast goes on regardless
            log.info("progress message of #%d not edited: %s", announcement.id, exc)
