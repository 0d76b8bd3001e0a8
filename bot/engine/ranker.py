"""One ranking over every unit: signals become features, fitted models turn them into P(right).

The features are cheap and explainable; their weights are data (``model/ranker.json``), refitted by
``summitbot train`` (see :mod:`bot.training`). Nothing here is tuned by hand except the L2 strength of
the fits (bot/engine/fitting.py), which only keeps weights finite on separable data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bot.engine.boosting import Trees
from bot.engine.examples import Example, Neighbours
from bot.engine.slots import SLOTS
from bot.engine.units import UnitTable

FloatArray = npt.NDArray[np.float64]

FEATURES: tuple[str, ...] = (
    "k_fact", "k_card", "k_topic", "k_topic_empty", "k_chitchat", "k_list", "k_upcoming",
    "lex_fact", "lex_event", "lex_intent", "sem_fact", "sem_event", "sem_intent",
    "lex_gap", "sem_gap", "topic_lex", "topic_sem", "cover_fact", "cover_event", "cover_gap", "content_fact", "content_gap", "content_share",
    "event", "event_other", "named_other", "named_other_match", "name_inside", "name_whole_card", "event_vs_intent", "context", "bare_card", "bare_other",
    "oos_lex", "oos_sem", "unknown", "year_conflict", "year_match", "slot_all", "slot_none", "slot_event",
    "sem_example", "sem_example_gap", "sem_example_declined", "sem_example_answered",
)  # fmt: skip
FEATURE_INDEX = {name: i for i, name in enumerate(FEATURES)}
#: The answer-or-decline model's features: how the best unit scored, by how much it leads, what kind it is,
#: and the query-level signals that say "nothing here answers this".
CONFIDENCE_FEATURES: tuple[str, ...] = (
    "score", "margin", "k_fact", "k_card", "k_topic", "k_topic_empty", "k_intent", "lex", "sem", "cover",
    "unknown", "oos_lex", "oos_sem", "event", "event_other", "year_conflict", "bare_card", "context",
    "name_inside", "name_whole_card", "content_fact", "content_share",
    "sem_agrees", "lex_agrees", "sem_behind", "lex_behind", "sem_same_event", "lex_same_event",
    "slot_all", "slot_none", "slot_event", "sem_example", "sem_example_gap", "sem_example_declined", "sem_example_answered",
)  # fmt: skip
_COPIED = (
    "k_fact", "k_card", "k_topic", "k_topic_empty", "unknown", "oos_lex", "oos_sem", "event", "event_other", "year_conflict",
    "bare_card", "context", "name_inside", "name_whole_card", "content_fact", "content_share", "slot_all", "slot_none", "slot_event",
    "sem_example", "sem_example_gap", "sem_example_declined", "sem_example_answered",
)  # fmt: skip


@dataclass(frozen=True)
class Signals:
    """What was measured for one query, before it is turned into per-unit features."""

    lex: npt.NDArray[np.float32]  # per text group, plus the empty group (0) at the end
    cover: npt.NDArray[np.float32]  # the share of the query each group's best text covers, the same way
    content: npt.NDArray[np.float32]  # the same, counting each word by how specific it is (question words ~0)
    content_share: float  # how much of the query is specific at all (0 for "when?")
    sem: npt.NDArray[np.float32] | None  # the same from the encoder; None without one
    events: Mapping[int, float]  # event number → how strongly the query names it (1 = a whole name)
    named: frozenset[int]  # events named by a whole name or alias, not just a common word
    spelled: Mapping[int, tuple[float, float]]  # event number → (name found inside the query, query is a name), typo-tolerant
    context_event: int  # the conversation's event number when no event is named, else -1
    bare: bool  # nothing but an event's name was written
    years: frozenset[int]  # years the query mentions
    unknown: float  # share of the query's words no curated text knows
    asked: frozenset[str] = frozenset()  # the kinds of detail the query asks for (bot/engine/slots.py)
    neighbours: Neighbours | None = None  # closeness to the labelled training questions (bot/engine/examples.py)


@dataclass(frozen=True)
class RankerParams:
    """A fitted model in two stages, and the answer threshold chosen on dev data.

    Stage one scores every unit (which answer is meant); stage two looks at the best unit and says how
    likely it is right (answer or decline). Splitting them keeps the confidence calibrated: a score
    among 150 candidates is not a probability that the best one is right.
    """

    coef: tuple[float, ...]
    intercept: float
    confidence: Trees  # stage two (bot/engine/boosting.py), over CONFIDENCE_FEATURES
    threshold: float

    def __post_init__(self) -> None:
        if len(self.coef) != len(FEATURES):
            raise ValueError(f"ranker has {len(self.coef)} weights for {len(FEATURES)} features")
        if max(self.confidence.feature, default=-1) >= len(CONFIDENCE_FEATURES):
            raise ValueError(f"the confidence trees split on a feature beyond the {len(CONFIDENCE_FEATURES)} there are")

    def p_right(self, confidence_row: FloatArray) -> float:
        """Stage two: the probability that the best unit is right, from its :func:`confidence_features` row."""
        return float(sigmoid(self.confidence.logit(confidence_row[None, :])[0]))


def _best(scores: npt.NDArray[np.float32], cols: npt.NDArray[np.int32]) -> FloatArray:
    return np.asarray(scores[cols].max(axis=1), dtype=np.float64)


def features(table: UnitTable, s: Signals) -> FloatArray:
    """The feature matrix of one query: one row per unit, one column per name in :data:`FEATURES`.

    Args:
        table: the units.
        s: the query's signals.

    Returns:
        An array of shape (units, features).
    """
    n = len(table.units)
    x = np.zeros((n, len(FEATURES)), dtype=np.float64)
    kinds = table.kinds
    is_fact, is_card, is_topic = kinds == "fact", kinds == "card", kinds == "topic"
    is_intent = ~(is_fact | is_card | is_topic)
    empty_topic = table.empty_topic
    for name, mask in (("k_fact", is_fact), ("k_card", is_card), ("k_topic", is_topic & ~empty_topic), ("k_topic_empty", is_topic & empty_topic),
                       ("k_chitchat", kinds == "chitchat"), ("k_list", kinds == "list"), ("k_upcoming", kinds == "upcoming")):  # fmt: skip
        x[mask, FEATURE_INDEX[name]] = 1.0
    is_event = is_card | is_topic
    for prefix, scores in (("lex", s.lex), ("sem", s.sem)):
        if scores is None:
            continue
        own = _best(scores, table.unit_groups)
        x[:, FEATURE_INDEX[f"{prefix}_fact"]] = own * is_fact
        x[:, FEATURE_INDEX[f"{prefix}_event"]] = own * is_event
        x[:, FEATURE_INDEX[f"{prefix}_intent"]] = own * is_intent
        x[:, FEATURE_INDEX[f"{prefix}_gap"]] = own - own.max(initial=0.0)
        x[:, FEATURE_INDEX[f"topic_{prefix}"]] = _best(scores, table.topic_groups) * is_fact
        # How much closer the query is to the "can't answer that" examples than to anything answerable.
        x[:, FEATURE_INDEX[f"oos_{prefix}"]] = float(scores[table.oos_group]) - own.max(initial=0.0)
    cover = _best(s.cover, table.unit_groups)
    x[:, FEATURE_INDEX["cover_fact"]] = cover * is_fact
    x[:, FEATURE_INDEX["cover_event"]] = cover * is_event
    x[:, FEATURE_INDEX["cover_gap"]] = (cover - cover[is_fact].max(initial=0.0)) * is_fact
    content = _best(s.content, table.unit_groups)
    x[:, FEATURE_INDEX["content_fact"]] = content * is_fact
    x[:, FEATURE_INDEX["content_gap"]] = (content - content[is_fact].max(initial=0.0)) * is_fact
    x[:, FEATURE_INDEX["content_share"]] = s.content_share * is_fact
    _event_features(x, table, s, is_card)
    named_any = bool(s.events)
    x[:, FEATURE_INDEX["event_vs_intent"]] = float(named_any) * is_intent
    if s.context_event >= 0:
        x[:, FEATURE_INDEX["context"]] = (table.unit_event == s.context_event).astype(np.float64)
    x[:, FEATURE_INDEX["bare_card"]] = float(s.bare) * is_card
    x[:, FEATURE_INDEX["bare_other"]] = float(s.bare) * ~is_card
    x[:, FEATURE_INDEX["unknown"]] = s.unknown
    if s.years:
        _year_features(x, table, s.years)
    if s.asked and table.unit_slots:
        _slot_features(x, table, s.asked, empty_topic)
    if s.neighbours is not None and s.sem is not None:
        # A unit no labelled question asks for (an admin's new fact) is judged by its own texts, on the same scale: no
        # unit is made unlikely just because nobody has asked for it yet.
        near = np.maximum(s.neighbours.unit, _best(s.sem, table.unit_groups))
        x[:, FEATURE_INDEX["sem_example"]] = near
        x[:, FEATURE_INDEX["sem_example_gap"]] = near - near.max(initial=0.0)
        x[:, FEATURE_INDEX["sem_example_declined"]] = s.neighbours.declined
        x[:, FEATURE_INDEX["sem_example_answered"]] = s.neighbours.answered
    return x


def _slot_features(x: FloatArray, table: UnitTable, asked: frozenset[str], empty_topic: npt.NDArray[np.bool_]) -> None:
    """Whether each unit gives the kind of detail asked (a day, a count, a name...), and whether its event has any unit that does.

    Only answers about an event take part: a chit-chat reply gives no detail and is not asked for one.
    """
    about_event = table.unit_event >= 0
    given = table.slot_matrix[:, [SLOTS.index(slot) for slot in sorted(asked)]]
    gives_all = given.all(axis=1) & about_event
    gives_none = ~given.any(axis=1) & about_event
    x[:, FEATURE_INDEX["slot_all"]] = gives_all
    x[:, FEATURE_INDEX["slot_none"]] = gives_none
    # "My sources don't say" is about the slot, but gives none of it: it does not make the event able to answer.
    events = {int(e) for e in table.unit_event[gives_all & ~empty_topic]}
    x[:, FEATURE_INDEX["slot_event"]] = np.isin(table.unit_event, list(events)) & about_event


def _event_features(x: FloatArray, table: UnitTable, s: Signals, is_card: npt.NDArray[np.bool_]) -> None:
    """The columns that say which event the message names, and how each unit's event relates to it."""
    n = len(table.units)
    strength = table.per_unit(s.events) if s.events else np.zeros(n)
    about_event = table.unit_event >= 0
    named_any = bool(s.events)
    x[:, FEATURE_INDEX["event"]] = np.minimum(strength, 1.0)
    x[:, FEATURE_INDEX["event_other"]] = (about_event & (strength == 0.0) & named_any).astype(np.float64)
    if s.named:
        other = (about_event & ~np.isin(table.unit_event, list(s.named))).astype(np.float64)
        x[:, FEATURE_INDEX["named_other"]] = other
        # How well a unit about another event than the one named matches anyway: its texts may ask the same
        # thing in general words ("where was it held?"), which must not outweigh the name.
        x[:, FEATURE_INDEX["named_other_match"]] = other * np.maximum(x[:, FEATURE_INDEX["content_fact"]], x[:, FEATURE_INDEX["cover_event"]])
    if s.spelled:
        inside = table.per_unit({e: v[0] for e, v in s.spelled.items()})
        whole = table.per_unit({e: v[1] for e, v in s.spelled.items()})
        x[:, FEATURE_INDEX["name_inside"]] = inside * about_event
        x[:, FEATURE_INDEX["name_whole_card"]] = whole * is_card


def _year_features(x: FloatArray, table: UnitTable, years: frozenset[int]) -> None:
    """Years the message mentions: another edition than a unit's, or one the unit's own text mentions."""
    edition = table.unit_event_year
    covered = np.ones(len(table.units), dtype=bool)
    other_mentioned = np.zeros(len(table.units), dtype=bool)
    for year in years:
        mentioned = table.mentioning(year)
        covered &= mentioned | (edition == year)
        # A year other than the edition's that this unit's own text mentions ("the 2022 showcase").
        other_mentioned |= mentioned & (edition != year)
    x[:, FEATURE_INDEX["year_conflict"]] = (table.unit_event >= 0) & ~covered
    x[:, FEATURE_INDEX["year_match"]] = other_mentioned


def scores(x: FloatArray, coef: Sequence[float], intercept: float) -> FloatArray:
    """Stage one: a score (log-odds) per unit.

    Args:
        x: a feature matrix from :func:`features`.
        coef: the weights.
        intercept: the intercept.

    Returns:
        One score per row; higher is more likely the answer meant.
    """
    return np.asarray(x @ np.asarray(coef) + intercept)


def confidence_features(x: FloatArray, z: FloatArray, unit_event: npt.NDArray[np.int32]) -> FloatArray:
    """Stage two's features for the best unit of one query.

    Args:
        x: the query's unit features.
        z: the stage-one scores.
        unit_event: each unit's event number (-1 for none).

    Returns:
        One row, columns as :data:`CONFIDENCE_FEATURES`. The margin is over the best unit about another
        event (or, for an answer about no event, over any other unit): a fact and the topic answer that
        cites it are the same reply, not rivals.
    """
    best = int(np.argmax(z))
    event = int(unit_event[best])
    others = z[unit_event != event] if event >= 0 else np.delete(z, best)
    second = float(others.max()) if len(others) else float(z[best]) - 10.0
    row = np.zeros(len(CONFIDENCE_FEATURES))
    row[0] = z[best]
    row[1] = min(10.0, float(z[best]) - second)
    for i, name in enumerate(CONFIDENCE_FEATURES):
        if name in _COPIED:
            row[i] = x[best, FEATURE_INDEX[name]]
    for name, parts in (("k_intent", ("k_chitchat", "k_list", "k_upcoming")), ("lex", ("lex_fact", "lex_event", "lex_intent")),
                        ("sem", ("sem_fact", "sem_event", "sem_intent")), ("cover", ("cover_fact", "cover_event"))):  # fmt: skip
        row[CONFIDENCE_FEATURES.index(name)] = sum(x[best, FEATURE_INDEX[part]] for part in parts)
    # Whether each signal alone would have picked the same answer (or at least its event), and how far the pick
    # is behind that signal's favourite: an answer both signals agree on is right more often than its score says.
    for prefix in ("sem", "lex"):
        own = x[:, FEATURE_INDEX[f"{prefix}_fact"]] + x[:, FEATURE_INDEX[f"{prefix}_event"]] + x[:, FEATURE_INDEX[f"{prefix}_intent"]]
        if not own.any():
            continue  # no encoder: the semantic columns stay 0, as in the lexical model's training
        favourite = int(np.argmax(own))
        row[CONFIDENCE_FEATURES.index(f"{prefix}_agrees")] = float(favourite == best)
        row[CONFIDENCE_FEATURES.index(f"{prefix}_behind")] = float(own[best] - own[favourite])
        row[CONFIDENCE_FEATURES.index(f"{prefix}_same_event")] = float(unit_event[favourite] == event)
    return row


def sigmoid(z: FloatArray | float) -> FloatArray:
    """The logistic function."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))))


@dataclass(frozen=True)
class RankerModel:
    """The fitted parameters for both modes: with the sentence encoder, and lexical signals only."""

    full: RankerParams | None
    lexical: RankerParams
    encoder_name: str = ""
    #: The labelled questions the full model's neighbour features were fitted with (``model/examples.json``).
    examples: tuple[Example, ...] = ()
    #: Their embeddings by ``encoder_name`` (``model/examples.npz``), so a new machine does not embed them; None: embed.
    example_vectors: npt.NDArray[np.float32] | None = field(default=None, compare=False, repr=False)


def untrained(examples: tuple[Example, ...] = ()) -> RankerModel:
    """All-zero weights: every unit equally likely. Only ``train`` uses it, to compute features before any fit.

    Args:
        examples: the labelled questions whose neighbour features are to be computed.

    Returns:
        The model.
    """
    zero = RankerParams(tuple(0.0 for _ in FEATURES), 0.0, Trees(0.0, (-1,), (0.0,), (0,), (0,), (0.0,), (0,)), 0.5)
    return RankerModel(zero, zero, examples=examples)
