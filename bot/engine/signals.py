"""What is measured for one message before any weight is applied: the signals the ranker turns into features."""

from __future__ import annotations

import datetime as dt

from bot.engine.answer import Context
from bot.engine.events import EventMatch
from bot.engine.index import Index
from bot.engine.ranker import Signals
from bot.engine.semantic import Encoder
from bot.engine.slots import asked_slots
from bot.engine.text import Normalized


def measure(
    index: Index,
    query: Normalized,
    now: dt.datetime,
    context: Context | None,
    encoder: Encoder | None,
    leave_out: str | None = None,
    unseen: frozenset[str] = frozenset(),
) -> tuple[Signals, EventMatch]:
    """Every signal of one message against the index.

    Args:
        index: the index in use.
        query: the normalized message.
        now: the current time (whether the conversation's event is still fresh).
        context: what the previous answer in this conversation was about.
        encoder: the sentence encoder (None: lexical signals only).
        leave_out: a labelled example's text to ignore (training; see :meth:`bot.engine.Engine.rank`).
        unseen: unit keys whose labelled examples to ignore (training, likewise).

    Returns:
        The signals, and the event names found in the message.
    """
    table = index.table
    match = index.events.match(query)
    number = {e: i for i, e in enumerate(table.event_ids)}
    strengths = {number[h.event_id]: h.score for h in match.hits if h.event_id in number}
    named = tuple(h.event_id for h in match.hits if h.named)
    residual = Normalized.of(match.residual)
    ctx = -1
    if not named and context is not None and context.event_id in number and context.fresh(now):
        ctx = number[context.event_id]
    sem = neighbours = None
    if index.semantic is not None and encoder is not None:
        vector = encoder.queries([query.exact])[0]
        sem = index.semantic.group_scores(vector)
        sem[table.empty_group] = 0.0
        if index.examples is not None:
            hidden = [i for i, u in enumerate(table.units) if u.key in unseen] if unseen else []
            neighbours = index.examples.neighbours(vector, len(table.units), leave_out, hidden)
    lex, cover, content, content_share = index.lexical.group_scores(residual, index.specificity)
    signals = Signals(
        lex=lex,
        cover=cover,
        content=content,
        content_share=content_share,
        sem=sem,
        events=strengths,
        named=frozenset(number[e] for e in named if e in number),
        spelled={number[e]: v for e, v in index.events.similarity(query).items() if e in number},
        context_event=ctx,
        bare=bool(named) and not residual.folded_words,
        years=frozenset(int(w) for w in query.folded_words if w.isdigit() and len(w) == 4 and 1990 <= int(w) <= 2100),
        unknown=index.unknown_share(query),
        asked=asked_slots(query),
        neighbours=neighbours,
    )
    return signals, match
