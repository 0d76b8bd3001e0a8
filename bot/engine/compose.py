"""Compose answers in the reader's language from the knowledge base; no matching happens here."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from bot.engine.answer import Answer, Context, SourceRef, Suggestion
from bot.engine.dates import format_event_dates, next_fixed_date
from bot.engine.follow_ups import follow_ups
from bot.engine.model import Event, Fact, Intent, KnowledgeBase, labelled

MAX_TOPIC_FACTS = 8


@dataclass(frozen=True)
class Composer:
    """Builds :class:`Answer` values for one knowledge base."""

    kb: KnowledgeBase
    bot_name: str = "SummitBot"

    def _msg(self, key: str, lang: str, /, **values: object) -> str:
        return self.kb.messages.get(key, lang, **values)

    def fact_text(self, fact: Fact, lang: str) -> str:
        """A fact in the reader's language, marked when it has no translation yet.

        Args:
            fact: the fact.
            lang: the reader's language.

        Returns:
            The text, with a note naming the language it is shown in when it is not ``lang``.
        """
        text, shown = fact.text.pick(lang)
        if shown == lang:
            return text
        return f"{text} {self._msg('untranslated', lang, lang=self._msg(f'lang_name_{lang}', lang))}"

    def _ctx(self, event: Event | None, intent: str | None, now: dt.datetime) -> Context:
        return Context(event.id if event else None, intent, now)

    def facts(self, event: Event, facts: Sequence[Fact], lang: str, intent: str, confidence: float, now: dt.datetime) -> Answer:
        """An answer made of facts, each cited.

        Args:
            event: the event they belong to.
            facts: the facts, most relevant first.
            lang: the reader's language.
            intent: the intent id the answer is for.
            confidence: the match confidence.
            now: the current time, for the context.

        Returns:
            The answer.
        """
        chosen = list(facts)[:MAX_TOPIC_FACTS]
        return Answer(
            lang=lang,
            kind="facts" if len(chosen) == 1 else "topic",
            title=event.name(lang),
            body=tuple(self.fact_text(f, lang) for f in chosen),
            confidence=confidence,
            intent=intent,
            event=event.id,
            facts=tuple(f.id for f in chosen),
            sources=tuple(SourceRef.of(f, self.kb.articles) for f in chosen),
            context=self._ctx(event, intent, now),
        )

    def topic(self, event: Event, topic: str, intent: str, lang: str, confidence: float, now: dt.datetime, order: Sequence[str] = ()) -> Answer:
        """Every fact of an event on one topic, or an honest "my sources don't say".

        Args:
            event: the event.
            topic: a fact topic (when, where, ...).
            intent: the intent id asked.
            lang: the reader's language.
            confidence: the match confidence.
            now: the current time.
            order: fact ids most relevant first; facts listed there come first, the rest keep file order.

        Returns:
            The answer.
        """
        if topic == "recurrence":
            return self.next(event, intent, lang, confidence, now)
        rank = {fact_id: i for i, fact_id in enumerate(order)}
        found = sorted((f for f in event.facts if topic in f.topics), key=lambda f: rank.get(f.id, len(rank)))
        if found:
            return self.facts(event, found, lang, intent, confidence, now)
        body = self._msg("no_topic", lang, event=event.name(lang), topic=self._msg(f"topic_{topic}", lang))
        return Answer(lang, "no_info", (body,), confidence, event.name(lang), intent, event.id, context=self._ctx(event, intent, now))

    def summary(self, event: Event, lang: str, confidence: float, now: dt.datetime, intent: str = "event_summary") -> Answer:
        """An event card: summary plus date, place and theme lines.

        Args:
            event: the event.
            lang: the reader's language.
            confidence: the match confidence.
            now: the current time.
            intent: the intent id asked.

        Returns:
            The answer.
        """
        text, _ = event.summary.pick(lang)
        lines = [text]
        when = format_event_dates(event, lang, self.kb.messages)
        if when:
            lines.append(labelled(self._msg("date_label", lang), when, lang))
        for key, value in (("place_label", event.place), ("theme_label", event.theme)):
            if value is not None:
                lines.append(labelled(self._msg(key, lang), value.text.pick(lang)[0], lang))
        sources = (SourceRef(event.source, "", self.kb.articles.get(event.source)),) if event.source else ()
        return Answer(
            lang,
            "summary",
            tuple(lines),
            confidence,
            event.name(lang),
            intent,
            event.id,
            sources=sources,
            context=self._ctx(event, intent, now),
            follow_ups=follow_ups(event),
        )

    def next(self, event: Event, intent: str, lang: str, confidence: float, now: dt.datetime) -> Answer:
        """What the sources say about the event coming back, and what they do not.

        Args:
            event: the event.
            intent: the intent id asked.
            lang: the reader's language.
            confidence: the match confidence.
            now: the current time.

        Returns:
            The answer, citing the recurrence fact when there is one.
        """
        rec, name = event.recurrence, event.name(lang)
        fact = event.fact(rec.fact) if rec.fact else None
        if rec.rule == "annual_fixed_date" and rec.month_day:
            upcoming = next_fixed_date(rec.month_day, now.date())
            day = self.kb.messages.get("date_day", lang, day=upcoming.day, month=self._month(upcoming.month, lang), year="", year_be="").strip(" ,")
            body = self._msg("next_fixed", lang, event=name, day=day, date=self._date(upcoming, lang))
        elif rec.rule == "annual" and rec.since:
            body = self._msg("next_annual_since", lang, event=name, since=rec.since, year=event.year)
        elif rec.rule == "annual":
            body = self._msg("next_annual", lang, event=name, year=event.year)
        else:
            body = self._msg("next_unknown", lang, event=name)
        sources = (SourceRef.of(fact, self.kb.articles),) if fact else ()
        facts = (fact.id,) if fact else ()
        return Answer(lang, "next", (body,), confidence, name, intent, event.id, facts, sources, context=self._ctx(event, intent, now))

    def other_edition(self, event: Event, year: int, lang: str, confidence: float, now: dt.datetime) -> Answer:
        """Say honestly that the sources cover another edition than the one asked about.

        Args:
            event: the event (the edition the sources cover).
            year: the year asked about.
            lang: the reader's language.
            confidence: the match confidence.
            now: the current time.

        Returns:
            A no-information answer naming the edition that is covered.
        """
        body = (self._msg("other_edition", lang, event=event.name(lang), asked=year, year=event.year),)
        return Answer(lang, "no_info", body, confidence, event.name(lang), None, event.id, context=self._ctx(event, None, now))

    def _month(self, month: int, lang: str) -> str:
        months = self.kb.messages.months.get(lang) or self.kb.messages.months.get("en") or ()
        return months[month - 1] if len(months) == 12 else str(month)

    def _date(self, day: dt.date, lang: str) -> str:
        from bot.engine.dates import format_date

        return format_date(day, "day", lang, self.kb.messages)

    def event_lines(self, lang: str) -> tuple[str, ...]:
        """One bullet line per event: name, date and city (the first part of its place)."""
        lines = []
        for event in self.kb.events:
            when = format_event_dates(event, lang, self.kb.messages)
            city = event.place.text.pick(lang)[0].split(",")[0].strip() if event.place else ""
            details = ", ".join(part for part in (when, city) if part)
            lines.append(f"• {event.name(lang)}" + (f" — {details}" if details else ""))
        return tuple(lines)

    def list_events(self, lang: str, confidence: float, now: dt.datetime) -> Answer:
        """The events the bot knows about."""
        return Answer(
            lang,
            "list",
            (self._msg("events_header", lang), *self.event_lines(lang)),
            confidence,
            intent="list_events",
            context=self._ctx(None, "list_events", now),
        )

    def upcoming(self, lang: str, confidence: float, now: dt.datetime) -> Answer:
        """Events with a date after today, then what the sources say about editions to come.

        Args:
            lang: the reader's language.
            confidence: the match confidence.
            now: the current time.

        Returns:
            The answer.
        """
        today = now.date()
        future = [e for e in self.kb.events if e.dates and e.dates.start and e.dates.start > today]
        lines = [
            self._msg("upcoming_header", lang),
            *(f"• {e.name(lang)} — {format_event_dates(e, lang, self.kb.messages)}" for e in future),
        ]
        if not future:
            lines = [self._msg("upcoming_none", lang, today=self._date(today, lang))]
        sources: list[SourceRef] = []
        for event in self.kb.events:
            if event.recurrence.rule != "unknown":
                nxt = self.next(event, "event_next", lang, confidence, now)
                lines.append(f"• {nxt.body[0]}")
                sources.extend(nxt.sources)
        return Answer(
            lang,
            "upcoming",
            tuple(lines),
            confidence,
            intent="upcoming_events",
            sources=tuple(sources),
            context=self._ctx(None, "upcoming_events", now),
        )

    def chitchat(self, intent: Intent, lang: str, confidence: float, seed: str, now: dt.datetime) -> Answer:
        """A curated reply for greetings, thanks, help and the like.

        Args:
            intent: the chitchat intent.
            lang: the reader's language.
            confidence: the match confidence.
            seed: text used to vary the reply deterministically.
            now: the current time.

        Returns:
            The answer.
        """
        options = intent.responses.get(lang) or intent.responses.get("en") or (intent.id,)
        reply = options[zlib.crc32(seed.encode()) % len(options)]
        events = "\n".join(self.event_lines(lang))
        text = reply.replace("{bot}", self.bot_name).replace("{events}", events)
        return Answer(lang, "chitchat", (text,), confidence, intent=intent.id, context=self._ctx(None, intent.id, now))

    def fallback(self, lang: str, confidence: float, now: dt.datetime, event: Event | None = None, intent: str | None = None) -> Answer:
        """The honest "I don't know", offering the events the bot does know (as suggestions: buttons in Telegram).

        Args:
            lang: the reader's language.
            confidence: the (too low) confidence.
            now: the current time.
            event: when the question was about a known event but nothing answers it.
            intent: the intent guessed, if any.

        Returns:
            The answer.
        """
        if event is not None:
            body: tuple[str, ...] = (self._msg("event_unknown_topic", lang, event=event.name(lang)),)
            return Answer(lang, "no_info", body, confidence, event.name(lang), intent, event.id, context=self._ctx(event, intent, now))
        # Short: one sentence and a button per event (the names are on the buttons, not repeated in the text).
        options = tuple(Suggestion(e.name(lang), e.id, "event_summary") for e in self.kb.events)
        return Answer(lang, "fallback", (self._msg("fallback", lang),), confidence, intent=intent, suggestions=options)

    def which_event(self, lang: str, intent: str, confidence: float, candidates: Sequence[Event]) -> Answer:
        """Ask which event is meant; the candidates become buttons.

        Args:
            lang: the reader's language.
            intent: the intent to answer once the event is chosen.
            confidence: the match confidence.
            candidates: the events to offer (two or more close ones, or all).

        Returns:
            A did-you-mean answer when candidates were close, else a fallback listing every event.
        """
        options = tuple(Suggestion(e.name(lang), e.id, intent) for e in candidates)
        if len(candidates) < len(self.kb.events):
            body = (self._msg("did_you_mean", lang), *(f"• {o.label}" for o in options))
            return Answer(lang, "did_you_mean", body, confidence, intent=intent, suggestions=options)
        body = (self._msg("which_event", lang), *(f"• {o.label}" for o in options))
        return Answer(lang, "fallback", body, confidence, intent=intent, suggestions=options)
