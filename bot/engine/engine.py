"""The answer engine: language, event and intent detection combined into one calibrated answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.engine.answer import Answer, Context
from bot.engine.compose import Composer
from bot.engine.index import Index
from bot.engine.language import detect_language
from bot.engine.model import LANGS, Event, KnowledgeBase
from bot.engine.text import Normalized
from bot.engine.vectors import features

#: Longer input is cut before matching: no real question is longer, and it bounds the work.
MAX_QUERY_CHARS = 500
#: An event counts as named at this score (one alias, or two words of its names).
EVENT_MIN = 0.5
#: Below this confidence the bot answers with its fallback.
THRESHOLD = 0.45
#: Candidates closer than this share of the best are offered as "did you mean".
AMBIGUOUS = 0.85
EVENT_INTENT_KINDS = ("event_topic", "event_summary")
#: Fact score = this share of cosine + the rest of query coverage (long facts keep low cosines).
FACT_COSINE = 0.2
FACT_MIN = 0.3
CLOSE_FACT = 0.08
MAX_CLOSE_FACTS = 3
#: A fact wins over a topic or summary answer when its score reaches this share of the intent's.
FACT_VS_INTENT = 0.8
TOPIC_BONUS = 0.1
SUMMARY_MIN = 0.3
FACT_LIFT = 0.35
INTENT_LIFT = 0.3
NAME_ONLY = 0.8
CONTEXT_WEIGHT = 0.9
MENTION_WEIGHT = 0.8
#: A topic question is answered by its single best fact when that fact leads the others by this much.
TOPIC_FOCUS = 0.15
#: Each word the curated texts have never seen (not even within two typos) scales confidence by this.
UNKNOWN_WORD_FACTOR = 0.6


@dataclass(frozen=True)
class Scores:
    """The raw signals for one query; the decision and the confidence are computed from them."""

    intents: Mapping[str, float]
    facts: tuple[tuple[str, float], ...]
    coverage: float
    unknown: int
    residual_words: int
    years: frozenset[int]

    def top_intent(self) -> tuple[str, float]:
        """The best intent and its similarity ("", 0) when none matched."""
        return max(self.intents.items(), key=lambda kv: (kv[1], kv[0]), default=("", 0.0))

    @property
    def trust(self) -> float:
        """Multiplier for confidence: lower when the query has words the bot has never seen."""
        return self.coverage * UNKNOWN_WORD_FACTOR**self.unknown


def _years(text: Normalized) -> frozenset[int]:
    return frozenset(int(w) for w in text.folded_words if w.isdigit() and len(w) == 4 and 1990 <= int(w) <= 2100)


@dataclass(frozen=True)
class _State:
    """The index and the composer for one knowledge base, swapped together."""

    index: Index
    composer: Composer


class Engine:
    """Answers questions; holds one immutable :class:`Index`, replaced atomically by :meth:`swap`."""

    def __init__(self, kb: KnowledgeBase, bot_name: str = "SummitBot") -> None:
        self._bot_name = bot_name
        self._state = _State(Index.build(kb), Composer(kb, bot_name))

    @property
    def index(self) -> Index:
        """The index in use."""
        return self._state.index

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base in use."""
        return self._state.index.kb

    def swap(self, kb: KnowledgeBase) -> None:
        """Build an index for an edited knowledge base, then switch to it in one step.

        Args:
            kb: the new knowledge base; answers in flight keep using the old index.
        """
        # One attribute, one assignment: an answer in progress (another thread, during /reload) keeps the
        # index and composer it started with, never a mix of old and new.
        self._state = _State(Index.build(kb), Composer(kb, self._bot_name))

    def scores(self, query: Normalized, residual: Normalized, events: tuple[str, ...], index: Index | None = None) -> Scores:
        """Every matching signal for a query.

        Args:
            query: the normalized query.
            residual: the query without the words that named an event.
            events: the events whose facts are matched (none named: no fact matching).
            index: the index to use (default: the current one).

        Returns:
            The signals.
        """
        index = index or self._state.index
        cosines, _ = index.intent_space.scores(index.intent_space.vector(features(residual)), coverage=False)
        # Weights are stored as 32-bit floats: clamp the rounding error that can push a cosine past 1.
        per_intent = {intent: min(1.0, max(cosines[first:end], default=0.0)) for intent, first, end in index.intent_ranges}
        per_fact: dict[str, float] = {}
        # With an event named, facts are matched on the rest of the question; nothing left means "tell me about it".
        for event in events:
            space, ids = index.fact_spaces.get(event), index.fact_docs.get(event, ())
            if space is None or not residual.folded_words:
                continue
            content, total = index.content_vector(features(residual), space)
            for doc, (cos, cov) in enumerate(zip(*space.scores(content, total), strict=True)):
                if cov:
                    score = min(1.0, FACT_COSINE * cos + (1 - FACT_COSINE) * cov)
                    per_fact[ids[doc]] = max(per_fact.get(ids[doc], 0.0), score)
        facts = tuple(sorted(per_fact.items(), key=lambda kv: (-kv[1], kv[0]))[:8])
        coverage, unknown = index.coverage(query)
        return Scores(per_intent, facts, coverage, unknown, len(residual.folded_words), _years(query))

    def answer(
        self,
        text: str,
        *,
        now: dt.datetime,
        lang_hint: str | None = None,
        context: Context | None = None,
        threshold: float = THRESHOLD,
        reply_lang: str | None = None,
    ) -> Answer:
        """Answer one message.

        Args:
            text: what the user wrote (any length, any characters).
            now: the current time (used for context expiry and "what's next").
            lang_hint: Telegram's ``language_code`` or the user's chosen language.
            context: what the previous answer in this conversation was about.
            threshold: the confidence below which the fallback is given (``eval`` sweeps it).
            reply_lang: answer in this language whatever the text's (a user's /lang choice); matching is the same.

        Returns:
            The answer, in the user's language; a fallback when confidence is below the threshold.
        """
        state = self._state
        index, composer = state.index, state.composer
        query = Normalized.of(text[:MAX_QUERY_CHARS])
        lang = reply_lang if reply_lang in LANGS else detect_language(query, index.language, lang_hint)
        if not query.folded_words:
            return composer.fallback(lang, 0.0, now)
        match = index.events.match(query)
        named = [h for h in match.hits if h.score >= EVENT_MIN]
        close = [h for h in named if h.score >= AMBIGUOUS * named[0].score] if named else []
        scores = self.scores(query, Normalized.of(match.residual), tuple(h.event_id for h in close), index)
        intent_id, intent_sim = scores.top_intent()
        intent = index.intents.get(intent_id)
        debug = {"intent": intent_sim, "coverage": scores.coverage, "unknown": scores.unknown, "event": named[0].score if named else 0.0}

        def done(answer: Answer) -> Answer:
            answer = replace(answer, debug=debug)
            return answer if answer.confidence >= threshold or answer.fallback else composer.fallback(lang, answer.confidence, now)

        if len(close) >= 2:
            events = [e for e in (index.event(h.event_id) for h in close) if e is not None]
            wanted = intent_id if intent and intent.kind in EVENT_INTENT_KINDS else "event_summary"
            return done(composer.which_event(lang, wanted, max(EVENT_MIN, intent_sim) * scores.trust, events))
        if named:
            event = index.event(named[0].event_id)
            assert event is not None
            return done(self._about_event(state, event, lang, now, scores, 1.0))
        # No event named: chitchat, list/upcoming, a follow-up on the context's event, or a question to clarify.
        confidence = intent_sim * scores.trust
        if intent and intent.kind == "chitchat" and not scores.years:
            return done(composer.chitchat(intent, lang, min(1.0, INTENT_LIFT + intent_sim) * scores.trust, text, now))
        if intent and intent.kind == "list_events":
            return done(composer.list_events(lang, confidence, now))
        if intent and intent.kind == "upcoming":
            return done(composer.upcoming(lang, confidence, now))
        ctx_event = index.event(context.event_id) if context and context.event_id and context.fresh(now) else None
        if ctx_event is not None and intent and intent.kind in EVENT_INTENT_KINDS:
            ctx_scores = self.scores(query, Normalized.of(match.residual), (ctx_event.id,), index)
            return done(self._about_event(state, ctx_event, lang, now, ctx_scores, CONTEXT_WEIGHT))
        # Only common words of names ("iot", "itu", "summit"): narrow down, then ask or answer for the one event.
        hinted = [e for e in (index.event(i) for i in match.mentioned) if e is not None]
        hinted = [e for e in hinted if not scores.years or e.year in scores.years] or hinted
        if intent and intent.kind in EVENT_INTENT_KINDS and confidence >= threshold and not (scores.years - {e.year for e in hinted}):
            if len(hinted) == 1 and scores.unknown == 0:
                one = self.scores(query, Normalized.of(match.residual), (hinted[0].id,), index)
                return done(self._about_event(state, hinted[0], lang, now, one, MENTION_WEIGHT))
            if hinted or scores.unknown == 0:
                return done(composer.which_event(lang, intent.id, confidence, hinted or list(index.kb.events)))
        return composer.fallback(lang, confidence, now, intent=intent_id or None)

    def _about_event(self, state: _State, event: Event, lang: str, now: dt.datetime, scores: Scores, weight: float) -> Answer:
        """Choose between one specific fact, a topic, the summary, or "my sources don't cover that"."""
        composer, index = state.composer, state.index
        trust = scores.trust * weight
        other_years = scores.years - {event.year}
        facts = [(index.facts[f], s) for f, s in scores.facts if index.facts[f].event_id == event.id]
        if other_years:
            # Another edition than the one the sources cover: only facts that mention that year may answer.
            facts = [(f, s) for f, s in facts if any(str(y) in t for y in other_years for _, t in f.text.texts())]
            if not facts:
                return composer.other_edition(event, min(other_years), lang, trust, now)
        topic_intents = [(index.intents[i], s) for i, s in scores.intents.items() if index.intents[i].kind == "event_topic"]
        topic, topic_sim = max(topic_intents, key=lambda kv: kv[1], default=(None, 0.0))
        summary_sim = scores.intents.get("event_summary", 0.0)
        best_other = max((s for i, s in scores.intents.items() if index.intents[i].kind not in EVENT_INTENT_KINDS), default=0.0)
        unsupported = max((s for i, s in scores.intents.items() if index.intents[i].kind == "out_of_scope"), default=0.0)
        ranked = sorted(
            ((f, s + (TOPIC_BONUS * topic_sim if topic and topic.topic in f.topics else 0.0)) for f, s in facts),
            key=lambda fs: -fs[1],
        )
        fact, fact_score = ranked[0] if ranked else (None, 0.0)
        if unsupported > max(topic_sim, summary_sim, fact_score):
            # Asked something about the event that the curated "can't answer" examples describe (tickets, hotels...).
            return composer.fallback(lang, unsupported * trust, now, event=event, intent="out_of_scope")
        if fact is not None and fact_score >= FACT_VS_INTENT * max(topic_sim, summary_sim) and fact_score >= FACT_MIN:
            # Facts scoring within a hair of the best answer the question together ("what did Xi say?").
            chosen = [f for f, s in ranked[:MAX_CLOSE_FACTS] if s >= fact_score - CLOSE_FACT]
            return composer.facts(event, chosen, lang, "event_fact", min(1.0, FACT_LIFT + fact_score) * trust, now)
        if topic is not None and topic.topic and topic_sim >= summary_sim and topic_sim >= best_other:
            confidence = min(1.0, INTENT_LIFT + topic_sim) * trust
            on_topic = [(f, s) for f, s in ranked if topic.topic in f.topics]
            if on_topic and on_topic[0][1] >= FACT_MIN and on_topic[0][1] - (on_topic[1][1] if len(on_topic) > 1 else 0.0) >= TOPIC_FOCUS:
                return composer.facts(event, [on_topic[0][0]], lang, topic.id, confidence, now)
            return composer.topic(event, topic.topic, topic.id, lang, confidence, now, order=[f.id for f, _ in ranked])
        if summary_sim >= best_other and summary_sim >= SUMMARY_MIN:
            return composer.summary(event, lang, min(1.0, INTENT_LIFT + summary_sim) * trust, now)
        if scores.residual_words <= 1 and scores.unknown == 0:
            # Just the event's name ("wuzhen?", "WIOTC 2023"): show its card.
            return composer.summary(event, lang, NAME_ONLY * trust, now)
        return composer.fallback(lang, max(topic_sim, fact_score) * trust, now, event=event, intent=topic.id if topic else None)

    def event_card(self, event_id: str, lang: str, now: dt.datetime) -> Answer | None:
        """The summary card of an event (for buttons, deep links and inline results).

        Args:
            event_id: the event.
            lang: the reader's language.
            now: the current time.

        Returns:
            The card, or None for an unknown event id.
        """
        state = self._state
        event = state.index.event(event_id)
        return state.composer.summary(event, lang, 1.0, now) if event else None

    def intent_answer(self, event_id: str, intent_id: str, lang: str, now: dt.datetime) -> Answer | None:
        """The answer to one intent about one event, as a button press asks for it.

        Args:
            event_id: the event.
            intent_id: an event intent id (event_when, event_figures, event_summary, ...).
            lang: the reader's language.
            now: the current time.

        Returns:
            The answer, or None when the event or intent is unknown.
        """
        state = self._state
        event, intent = state.index.event(event_id), state.index.intents.get(intent_id)
        if event is None or intent is None:
            return None
        if intent.kind == "event_topic" and intent.topic:
            return state.composer.topic(event, intent.topic, intent.id, lang, 1.0, now)
        if intent.kind == "event_summary":
            return state.composer.summary(event, lang, 1.0, now)
        return None
