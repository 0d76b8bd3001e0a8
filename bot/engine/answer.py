"""What the engine returns: a structured answer, and the conversation context it leaves behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.engine.model import Article, Fact

AnswerKind = Literal[
    "chitchat", "summary", "facts", "topic", "next", "list", "upcoming", "did_you_mean", "fallback", "no_info"
]  # fmt: skip
#: How long a conversation remembers the event it was about.
CONTEXT_TTL = dt.timedelta(minutes=5)
#: Telegram's limit for one message; every rendering stays under it.
MAX_MESSAGE = 4096
#: What an event card can be followed by (its buttons), each offered only when the sources answer it.
FollowUp = Literal["date_place", "event_figures", "event_theme", "source"]


@dataclass(frozen=True)
class Context:
    """What the last answer in a conversation was about; the caller stores it per (chat, user)."""

    event_id: str | None
    intent_id: str | None
    at: dt.datetime

    def fresh(self, now: dt.datetime) -> bool:
        """Whether it is recent enough to resolve a follow-up like "and where?".

        Args:
            now: the current time (same time zone awareness as ``at``).

        Returns:
            True within :data:`CONTEXT_TTL`.
        """
        return dt.timedelta(0) <= now - self.at <= CONTEXT_TTL


@dataclass(frozen=True)
class SourceRef:
    """Where a statement comes from: the article's file name, a verbatim quote and what is known of the article.

    An admin's fact (``origin`` "admin") has no quote: its text is the admin's, not the article's; ``added`` is the
    day it was added, and ``file`` what the admin gave as its source ("admin" when nothing, else e.g. a URL).
    """

    file: str
    quote: str
    article: Article | None = None
    origin: str = "curated"
    added: dt.date | None = None

    @classmethod
    def of(cls, fact: Fact, articles: Mapping[str, Article]) -> SourceRef:
        """The citation of a fact.

        Args:
            fact: the fact.
            articles: the articles' metadata by file name.

        Returns:
            Its source, with the quote only when the fact is curated (never an admin's own text as a quote).
        """
        curated = fact.origin == "curated"
        return cls(fact.source, fact.quote if curated else "", articles.get(fact.source), fact.origin, None if curated else fact.added)


@dataclass(frozen=True)
class Suggestion:
    """A follow-up the user can pick (a "did you mean" option or a card button)."""

    label: str
    event_id: str
    intent_id: str


@dataclass(frozen=True)
class Answer:
    """A reply, structured so the CLI prints it as text and Telegram renders it as HTML."""

    lang: str
    kind: AnswerKind
    body: tuple[str, ...]
    confidence: float
    title: str | None = None
    intent: str | None = None
    event: str | None = None
    facts: tuple[str, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    context: Context | None = None
    #: For an event card: the follow-ups its sources answer (never one that would say "my sources don't say").
    follow_ups: tuple[FollowUp, ...] = ()
    debug: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def fallback(self) -> bool:
        """True when the bot did not find an answer (it says what it does know instead)."""
        return self.kind in ("fallback", "no_info")
