"""The answer engine: every answerable unit ranked by one fitted model, then composed in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.engine.ambiguity import rivals_of
from bot.engine.answer import Answer, Context
from bot.engine.compose import Composer
from bot.engine.examples import Example
from bot.engine.index import Index
from bot.engine.language import detect_language
from bot.engine.model import LANGS, Event, KnowledgeBase
from bot.engine.ranker import RankerModel, RankerParams, confidence_features, features, scores
from bot.engine.ranking import Ranking
from bot.engine.reactions import reaction
from bot.engine.semantic import Encoder
from bot.engine.shorthand import spell_out
from bot.engine.signals import measure
from bot.engine.text import Normalized
from bot.engine.units import Unit

#: A message of at most this many letters that is no word the bot knows ("ok", "hi" and "5g" are) carries no
#: question: it gets the invitation to ask, never a guess (test_fuzz found "ฉั" answered with a fact).
TINY = 2
#: Longer input is cut before matching: no real question is longer, and it bounds the work.
MAX_QUERY_CHARS = 500


@dataclass(frozen=True)
class _State:
    """The index, the composer and the parameters for one knowledge base, swapped together."""

    index: Index
    composer: Composer
    params: RankerParams


class Engine:
    """Answers questions; holds one immutable :class:`Index`, replaced atomically by :meth:`swap`."""

    def __init__(self, kb: KnowledgeBase, model: RankerModel, encoder: Encoder | None = None, bot_name: str = "SummitBot") -> None:
        self._bot_name = bot_name
        self._model = model
        # An encoder without fitted weights for it is of no use: the lexical model is what was measured.
        self._encoder = encoder if model.full is not None else None
        self._state = self._build(kb)

    def _build(self, kb: KnowledgeBase) -> _State:
        params = self._model.full if self._encoder is not None and self._model.full is not None else self._model.lexical
        # Shipped vectors only from the encoder that made them: another model's would be meaningless here.
        same = self._encoder is not None and self._encoder.name == self._model.encoder_name
        vectors = self._model.example_vectors if same else None
        return _State(Index.build(kb, self._encoder, self._model.examples, vectors), Composer(kb, self._bot_name), params)

    @property
    def index(self) -> Index:
        """The index in use."""
        return self._state.index

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base in use."""
        return self._state.index.kb

    @property
    def semantic(self) -> bool:
        """Whether the sentence encoder is in use (False: lexical signals only)."""
        return self._state.index.semantic is not None

    @property
    def encoder_name(self) -> str:
        """The sentence encoder's name ("" without one)."""
        return self._encoder.name if self._encoder is not None and self.semantic else ""

    @property
    def threshold(self) -> float:
        """The fitted answer threshold of the mode in use."""
        return self._state.params.threshold

    def swap(self, kb: KnowledgeBase) -> None:
        """Build an index for an edited knowledge base, then switch to it in one step.

        Args:
            kb: the new knowledge base; answers in flight keep using the old index.
        """
        # One attribute, one assignment: an answer in progress (another thread, during /reload) keeps the
        # index and composer it started with, never a mix of old and new.
        self._state = self._build(kb)

    def reweight(self, model: RankerModel) -> None:
        """Use other fitted parameters with the same index (``train`` tries thresholds this way).

        Args:
            model: the new parameters; the mode (with or without the encoder) stays as it is. Other labelled
                examples than the index holds mean a new index (their embeddings come from the cache).
        """
        state = self._state
        examples_changed = model.examples != self._model.examples
        self._model = model
        if examples_changed:
            self._state = self._build(state.index.kb)
            return
        params = model.full if state.index.semantic is not None and model.full is not None else model.lexical
        self._state = _State(state.index, state.composer, params)

    @property
    def examples(self) -> tuple[Example, ...]:
        """The labelled questions the neighbour features compare with."""
        return self._model.examples

    def rank(
        self,
        text: str,
        *,
        now: dt.datetime,
        context: Context | None = None,
        lang_hint: str | None = None,
        held_out: bool = False,
        unseen: frozenset[str] = frozenset(),
    ) -> Ranking:
        """Score every unit for a message.

        Args:
            text: what the user wrote.
            now: the current time (context expiry).
            context: what the previous answer in this conversation was about.
            lang_hint: Telegram's ``language_code``, for a text too short to tell its language (and so its shorthand).
            held_out: ignore a labelled example with exactly this text (training ranks each training question as
                the new question it stands for, not as its own nearest neighbour).
            unseen: unit keys whose labelled examples are ignored (training: an answer nobody has asked for yet, as
                an admin's new fact is).

        Returns:
            The ranking, with the feature matrix (training reads it).
        """
        state = self._state
        query = Normalized.of(text[:MAX_QUERY_CHARS])
        query = _spelled(query, detect_language(query, state.index.language, lang_hint))
        return self._rank(state, query, now, context, text if held_out else None, unseen)

    def _rank(
        self, state: _State, query: Normalized, now: dt.datetime, context: Context | None, leave_out: str | None = None, unseen: frozenset[str] = frozenset()
    ) -> Ranking:
        index = state.index
        table = index.table
        signals, match = measure(index, query, now, context, self._encoder, leave_out, unseen)
        named = tuple(h.event_id for h in match.hits if h.named)
        ctx = signals.context_event
        x = features(table, signals)
        params = state.params
        z = scores(x, params.coef, params.intercept)
        cx = confidence_features(x, z, table.unit_event)
        confidence = params.p_right(cx)
        # Stage one is a choice model: the softmax of its scores is how likely each unit is the one meant.
        share = np.exp(z - z.max())
        share /= share.sum()
        order = np.argsort(-z, kind="stable")
        return Ranking(table.units, x, share, order, cx, confidence, named, signals.years, ctx >= 0, frozenset(match.mentioned), signals.bare)

    def answer(
        self,
        text: str,
        *,
        now: dt.datetime,
        lang_hint: str | None = None,
        context: Context | None = None,
        threshold: float | None = None,
        reply_lang: str | None = None,
    ) -> Answer:
        """Answer one message.

        Args:
            text: what the user wrote (any length, any characters).
            now: the current time (used for context expiry and "what's next").
            lang_hint: Telegram's ``language_code`` or the user's chosen language.
            context: what the previous answer in this conversation was about.
            threshold: the probability below which the bot declines (default: the fitted one).
            reply_lang: answer in this language whatever the text's (a user's /lang choice); matching is the same.

        Returns:
            The answer, in the user's language; an honest decline when no answer is likely enough.
        """
        limit = self._state.params.threshold if threshold is None else threshold
        return self.answers(text, (limit,), now=now, lang_hint=lang_hint, context=context, reply_lang=reply_lang)[0]

    def answers(
        self,
        text: str,
        thresholds: Sequence[float],
        *,
        now: dt.datetime,
        lang_hint: str | None = None,
        context: Context | None = None,
        reply_lang: str | None = None,
    ) -> list[Answer]:
        """The answer to one message at each of several thresholds, ranking it once (``eval`` sweeps this way).

        Args:
            text: what the user wrote.
            thresholds: the thresholds.
            now: the current time.
            lang_hint: Telegram's ``language_code`` or the user's chosen language.
            context: what the previous answer in this conversation was about.
            reply_lang: answer in this language whatever the text's.

        Returns:
            One answer per threshold.
        """
        state = self._state
        index, composer = state.index, state.composer
        query = Normalized.of(text[:MAX_QUERY_CHARS])
        written = detect_language(query, index.language, lang_hint)
        lang = reply_lang if reply_lang in LANGS else written
        if not query.folded_words:
            return [reaction(text, lang, index.kb.messages, now) for _ in thresholds]
        if sum(map(len, query.folded_words)) <= TINY and not index.vocabulary.issuperset(query.folded_words):
            return [reaction("", lang, index.kb.messages, now) for _ in thresholds]  # an invitation to ask
        ranking = self._rank(state, _spelled(query, written), now, context)
        if ranking.bare and reply_lang not in LANGS:
            lang = detect_language(query, index.language, lang_hint, name_only=True)
        (best, share), *_ = ranking.top()
        p = ranking.confidence
        debug = {"p": p, "score": share}
        rivals = rivals_of(ranking, best, share)
        if rivals:
            events = [e for e in (index.event(u.event_id or "") for u in (best, *rivals)) if e is not None]
            topic_intent = next((i.id for i in index.kb.intents if i.kind == "event_topic" and i.topic == best.topic), None)
            intent = "event_summary" if best.kind == "card" else topic_intent or "event_summary"
            # Asking "which event?" is right when any of the options is: the best one's probability, spread over the
            # options as stage one shares its likelihood among them (and never more than certain).
            offered = {u.key for u in (best, *rivals)}
            p = min(1.0, p * sum(float(ranking.p[i]) for i, u in enumerate(ranking.units) if u.key in offered) / share)
            chosen = composer.which_event(lang, intent, p, events)
        else:
            chosen = self._compose(state, ranking, best, lang, p, text, now)
        declined = self._decline(state, ranking, lang, p, now)
        return [replace(chosen if p >= limit else declined, debug=debug) for limit in thresholds]

    def _decline(self, state: _State, ranking: Ranking, lang: str, p: float, now: dt.datetime) -> Answer:
        """No answer is likely enough: say so about the event named, or in general."""
        composer = state.composer
        event = state.index.event(ranking.named[0]) if ranking.named else None
        if event is None:
            return composer.fallback(lang, p, now)
        other_years = ranking.years - {event.year}
        if other_years:
            return composer.other_edition(event, min(other_years), lang, p, now)
        return composer.fallback(lang, p, now, event=event)

    def _compose(self, state: _State, ranking: Ranking, unit: Unit, lang: str, p: float, text: str, now: dt.datetime) -> Answer:
        composer, index = state.composer, state.index
        event: Event | None = index.event(unit.event_id) if unit.event_id else None
        fact = index.facts.get(unit.fact_id or "")
        if unit.kind == "fact" and event is not None and fact is not None:
            return composer.facts(event, [fact], lang, "event_fact", p, now)
        if unit.kind == "card" and event is not None:
            return composer.summary(event, lang, p, now)
        if unit.kind == "topic" and event is not None and unit.topic and unit.intent_id:
            order = [u.fact_id for u, _ in ranking.top(40) if u.kind == "fact" and u.event_id == event.id and u.fact_id]
            return composer.topic(event, unit.topic, unit.intent_id, lang, p, now, order=order)
        intent = index.intents.get(unit.intent_id or "")
        if unit.kind == "chitchat" and intent is not None:
            return composer.chitchat(intent, lang, p, text, now)
        if unit.kind == "list":
            return composer.list_events(lang, p, now)
        if unit.kind == "upcoming":
            return composer.upcoming(lang, p, now)
        return composer.fallback(lang, p, now)

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


def _spelled(query: Normalized, lang: str) -> Normalized:
    """The query with its language's chat shorthand written in full ("ky dc bn du an" → "ky được bao nhiêu du an")."""
    spelled = spell_out(query.exact, lang)
    return query if spelled == query.exact else Normalized.of(spelled)
