"""What handlers need (engine, store, settings, conversation contexts, the bot's identity), built once per run."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue
from tornado.httpserver import HTTPServer

from bot.engine import LANGS, Context, Engine, KnowledgeBase
from bot.engine.model import DEFAULT_LANG, Messages
from bot.settings import Settings, SettingsError
from bot.store import Store
from bot.store.knowledge import KnowledgeLog
from bot.telegram.answered import AnsweredMessages
from bot.telegram.flood_gate import FloodGate
from bot.telegram.health import ApiHealth, health_report
from bot.telegram.outgoing import Outgoing

if TYPE_CHECKING:
    from bot.telegram.announce.service import Announcer

#: Conversations remembered at most; the least recently active are forgotten first.
MAX_CONTEXTS = 10_000

ConversationKey = tuple[int, int]  # (chat id, user id)


class ConversationContexts:
    """What each (chat, user) conversation was last about: bounded, least recently used first out, expiring."""

    def __init__(self, max_size: int = MAX_CONTEXTS) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self._max = max_size
        self._items: OrderedDict[ConversationKey, Context] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: ConversationKey, now: dt.datetime) -> Context | None:
        """The context of a conversation if it is still fresh (an expired one is dropped)."""
        ctx = self._items.get(key)
        if ctx is not None and not ctx.fresh(now):
            del self._items[key]
            return None
        return ctx

    def put(self, key: ConversationKey, ctx: Context, now: dt.datetime) -> None:
        """Remember a conversation's context, then prune."""
        self._items[key] = ctx
        self._items.move_to_end(key)
        self.prune(now)

    def prune(self, now: dt.datetime) -> None:
        """Drop the oldest entries beyond the size limit, and expired ones from the old end."""
        while len(self._items) > self._max:
            self._items.popitem(last=False)
        while self._items:
            oldest = next(iter(self._items.values()))
            if oldest.fresh(now):
                break
            self._items.popitem(last=False)

    def move_chat(self, old_chat: int, new_chat: int) -> None:
        """Carry the conversations of a group over to the supergroup it became."""
        for chat, user in [k for k in self._items if k[0] == old_chat]:
            self._items[(new_chat, user)] = self._items.pop((chat, user))


def time_zone(settings: Settings) -> ZoneInfo:
    """The configured time zone.

    Args:
        settings: the settings.

    Returns:
        The zone.

    Raises:
        SettingsError: when SUMMITBOT_TIMEZONE is not a known IANA zone name.
    """
    try:
        return ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"SUMMITBOT_TIMEZONE must be an IANA time zone such as Asia/Bangkok, got {settings.timezone!r}") from exc


def base_lang(code: str | None) -> str | None:
    """One of the bot's languages from a Telegram ``language_code`` ("fr-CA" → "fr"), or None."""
    lang = (code or "").split("-")[0].lower()
    return lang if lang in LANGS else None


def reply_lang(chosen: str | None, language_code: str | None) -> str:
    """The language for a reply that has no text to go by (commands, buttons): the /lang choice, else Telegram's."""
    return chosen or base_lang(language_code) or DEFAULT_LANG


@dataclass
class Services:
    """Everything handlers use; owned by the Application (``bot_data``), closed at shutdown."""

    settings: Settings
    engine: Engine
    store: Store
    bot_id: int
    bot_username: str
    bot_name: str
    zone: ZoneInfo
    baseline: KnowledgeBase  # the YAML as loaded; admin edits (the overlay in the store) apply on top of it
    knowledge: KnowledgeLog
    contexts: ConversationContexts = field(default_factory=ConversationContexts)
    answered: AnsweredMessages = field(default_factory=AnsweredMessages)  # what the bot's recent answers were about
    # One lock for everything that rebuilds the knowledge (edits, undo, reload): they never interleave.
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    kb_generation: int = -1  # the stored knowledge's generation the index was built from (bot.telegram.kb_sync)
    # (day, lang, fallback, intent, event, question, author's user id), written by flush_questions
    questions: list[tuple[str, str, bool, str | None, str | None, str, int | None]] = field(default_factory=list)
    flood: FloodGate = field(default_factory=lambda: FloodGate(20))
    api_health: ApiHealth = field(default_factory=ApiHealth)
    health_server: HTTPServer | None = None
    # The bot admins' names as Telegram last showed them (admins are a configured handful): written to the store
    # with their next stored change only (bot.telegram.kb_sync.name_author).
    admin_names: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    announcer: Announcer | None = None  # subscriptions, broadcasts, reminders; started in post_init
    outgoing: Outgoing = field(default_factory=Outgoing)  # the one sending budget: replies, notices and broadcasts
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))  # tests move it forward

    @property
    def messages(self) -> Messages:
        """The bot's own sentences, from the knowledge base in use."""
        return self.engine.kb.messages

    def now(self) -> dt.datetime:
        """The current time (:attr:`clock`) in the configured zone."""
        return self.clock().astimezone(self.zone)

    async def lang_of(self, user_id: int | None, language_code: str | None) -> tuple[str | None, str]:
        """A user's stored /lang choice (None: automatic) and the language for replies without text."""
        chosen = await self.store.get_user_lang(user_id) if user_id is not None else None
        return chosen, reply_lang(chosen, language_code)

    async def health(self) -> tuple[bool, dict[str, Any]]:
        """The /healthz verdict: the database answers, and a Bot API call succeeded recently."""
        healthy, details = await health_report(self.api_health, lambda: self.store.query("SELECT 1"))
        # Lexical-only answers still work, so a missing encoder is reported, not unhealthy.
        details["answers"] = f"lexical + semantic ({self.engine.encoder_name})" if self.engine.semantic else "lexical only (sentence encoder unavailable)"
        return healthy, details

    async def flush_questions(self) -> None:
        """Write the buffered question log (kept in memory between flushes: statistics, not acknowledged data)."""
        pending, self.questions = self.questions, []
        for row in pending:
            await self.knowledge.log_question(*row)

    async def close(self) -> None:
        """Stop the announcements, flush the question log and release the database connection."""
        if self.announcer is not None:
            await self.announcer.stop()
        if self.health_server is not None:
            self.health_server.stop()
        await self.flush_questions()
        await self.store.close()


class BotData:
    """``application.bot_data``, typed: PTB creates it empty (:data:`CONTEXT_TYPES`), ``post_init`` sets the services
    and ``post_shutdown`` closes and clears them."""

    def __init__(self) -> None:
        self.services: Services | None = None


#: The context every handler and job receives: ``context.bot_data`` is a :class:`BotData`.
SummitContext: TypeAlias = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
BotApp: TypeAlias = Application[ExtBot[None], SummitContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[SummitContext]]
CONTEXT_TYPES: ContextTypes[SummitContext, dict[Any, Any], dict[Any, Any], BotData] = ContextTypes(context=CallbackContext, bot_data=BotData)


def services(context: SummitContext) -> Services:
    """The services of the running application.

    Args:
        context: the handler's context.

    Returns:
        The services built in ``post_init``.

    Raises:
        RuntimeError: when ``post_init`` did not run (the application was started without it) or shutdown began.
    """
    value = context.bot_data.services
    if value is None:
        raise RuntimeError("summitbot services are not set up: start the application with run_polling() or bot.telegram.app.running()")
    return value
