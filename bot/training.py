"""``summitbot train``: fit the ranker on the train split, choose its threshold on the dev split.

Both modes are fitted from one pass over the training queries: the lexical-only model sees the same
features with the encoder's columns at zero, which is exactly what the engine computes without it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.engine import Context, Engine, KnowledgeBase
from bot.engine.boosting import Trees, fit_trees
from bot.engine.examples import Example
from bot.engine.fitting import fit_choice
from bot.engine.ranker import FEATURES, RankerModel, RankerParams, confidence_features, scores
from bot.engine.text import is_thai
from bot.engine.units import build_units
from bot.evaluation import SWEEP, evaluate
from bot.labelled import Labelled, unit_right

SEMANTIC_COLUMNS = tuple(i for i, name in enumerate(FEATURES) if "sem" in name)
#: Stage two learns from stage-one rankings of queries stage one was not fitted on (cross-fitting),
#: or it would learn the optimism of a model scoring its own training data.
FOLDS = 5

Rows = list[npt.NDArray[np.float64]]
Labels = list[npt.NDArray[np.bool_]]


def fit_stages(xs: Rows, ys: Labels, unit_event: npt.NDArray[np.int32]) -> tuple[tuple[float, ...], float, Trees, int]:
    """Fit stage one on all queries, stage two on cross-fitted rankings.

    Args:
        xs: per query, the unit features.
        ys: per query, which units are right.
        unit_event: each unit's event number.

    Returns:
        (stage-one weights, intercept, stage-two trees, how many trees cross-validation chose).
    """
    coef, intercept = fit_choice(xs, ys)
    rows, labels = [], []
    for fold in range(FOLDS):
        held = [i for i in range(len(xs)) if i % FOLDS == fold]
        kept = [i for i in range(len(xs)) if i % FOLDS != fold]
        fold_coef, fold_intercept = fit_choice([xs[i] for i in kept], [ys[i] for i in kept])
        for i in held:
            z = scores(xs[i], fold_coef, fold_intercept)
            rows.append(confidence_features(xs[i], z, unit_event))
            labels.append(bool(ys[i][int(np.argmax(z))]))
    trees, rounds = fit_trees(np.vstack(rows), np.asarray(labels))
    return coef, intercept, trees, rounds


@dataclass(frozen=True)
class Fitted:
    """What training produced, with the dev figures behind each threshold choice."""

    model: RankerModel
    positives: int
    rows: int
    dev_sweeps: dict[str, list[tuple[float, float, float]]]
    trees: dict[str, int]  # per mode, how many confidence trees cross-validation chose


#: Keyboard mashes added to the training queries as questions to decline: none of the labelled splits has
#: many, and without them a string of unknown words can borrow the confidence of whatever fact it lands on.
GIBBERISH = 240
_LATIN = "qwertyuiopasdfghjklzxcvbnm"
_THAI = "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศษสหอฮะาิีึืุูเแโใไ่้๊๋็์"


def gibberish(count: int = GIBBERISH, seed: int = 5) -> list[Labelled]:
    """Random strings in the Latin and Thai alphabets, labelled to decline (deterministic).

    Args:
        count: how many.
        seed: the random seed.

    Returns:
        Labelled queries, spread over the four languages.
    """
    rng = random.Random(seed)
    out = []
    for i in range(count):
        lang = ("en", "th", "vi", "fr")[i % 4]
        letters = _THAI if lang == "th" else _LATIN
        words = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 8))) for _ in range(rng.randint(1, 4))]
        out.append(Labelled(("" if lang == "th" else " ").join(words), lang, "out_of_scope"))
    return out


#: Event names alone (and with two letters swapped) added as questions whose answer is the card: the splits
#: hold few bare names, and a name alone is the commonest first message to a bot like this.
NAMES = 60


def bare_names(kb: KnowledgeBase, count: int = NAMES, seed: int = 11) -> list[Labelled]:
    """Names and aliases of the events, some with two adjacent letters swapped, labelled with their card.

    Args:
        kb: the knowledge base.
        count: how many.
        seed: the random seed.

    Returns:
        Labelled queries (the language is the name's, English for aliases).
    """
    rng = random.Random(seed)
    labels = [(e.id, lang, n) for e in kb.events for lang, ns in e.names.items() for n in ns]
    labels += [(e.id, "en", a) for e in kb.events for a in e.aliases]
    out = []
    for event, lang, label in rng.sample(labels, min(count, len(labels))):
        spots = [i for i in range(len(label) - 1) if label[i].isalpha() and label[i + 1].isalpha() and not is_thai(label[i : i + 2])]
        text = label
        if spots and rng.random() < 0.5:
            i = rng.choice(spots)
            text = label[:i] + label[i + 1] + label[i] + label[i + 2 :]
        out.append(Labelled(text, lang, "card", event))
    return out


#: Topic questions with an event's name put in ("when was it" + "WIOTC"): a name in the message must beat an
#: answer on the same topic about another event, a conflict the written splits show only rarely.
NAMED_TOPICS = 120


def named_topics(kb: KnowledgeBase, count: int = NAMED_TOPICS, seed: int = 13) -> list[Labelled]:
    """An intent example of a topic with a name of some event in front, labelled with that topic of that event.

    Args:
        kb: the knowledge base.
        count: how many.
        seed: the random seed.

    Returns:
        Labelled queries (where the article is silent on the topic, "my sources don't say" is the right reply).
    """
    rng = random.Random(seed)
    topics = [i for i in kb.intents if i.kind == "event_topic" and i.topic]
    out = []
    for _ in range(count):
        intent, event = rng.choice(topics), rng.choice(kb.events)
        lang = rng.choice([lang for lang, xs in intent.examples.items() if xs])
        names = [*event.names.get(lang, ()), *event.aliases]
        out.append(Labelled(f"{rng.choice(intent.examples[lang])} {rng.choice(names)}", lang, "answer", event.id, topic=intent.topic))
    return out


def training_context(engine: Engine, q: Labelled, now: dt.datetime) -> Context | None:
    """The conversation's event for training: the last event an earlier message names outright.

    The labels do not say what the earlier messages were about, and the model being fitted cannot be
    asked yet, so the earlier messages' own event names stand in.
    """
    for earlier in reversed(q.context):
        ranking = engine.rank(earlier, now=now, lang_hint=q.lang)
        if ranking.named:
            return Context(ranking.named[0], None, now)
    return None


def labelled_examples(kb: KnowledgeBase, queries: Sequence[Labelled]) -> tuple[Example, ...]:
    """The training questions as neighbours for the engine: each with the units that answer it.

    A follow-up ("and where?") is left out: alone, its text says nothing about the event it was about. A question a
    fact answers names that fact, not also the topic answers that cite it among others: those would get the fact's
    neighbours and tie with it, and a general answer ("its figures") nothing in the message points at is asked back
    ("which event?") rather than given.

    Args:
        kb: the knowledge base the labels refer to.
        queries: the training split.

    Returns:
        One example per usable question; a question to decline has no units.
    """
    units = build_units(kb).units
    out = []
    for q in queries:
        if q.context:
            continue
        right = [u for u in units if unit_right(u, q, kb)]
        if any(u.kind == "fact" for u in right):
            right = [u for u in right if u.kind != "topic"]
        if right or q.declines:
            out.append(Example(q.text, tuple(u.key for u in right)))
    return tuple(out)


#: One training question in this many is ranked as if nobody had asked for its answer yet (its units' labelled examples
#: ignored): an admin's new fact has no labelled questions, and a model that never saw a right answer without them would
#: not trust it (tests/telegram/test_edits.py: a fact added in Telegram answers at once).
UNSEEN_EVERY = 5


def _rows(engine: Engine, queries: Sequence[Labelled], now: dt.datetime) -> tuple[Rows, Labels]:
    xs, ys = [], []
    units = engine.index.table.units  # a ranking's units are the table's, in the same order
    for n, q in enumerate(queries):
        right = np.array([unit_right(u, q, engine.kb) for u in units], dtype=bool)
        unseen = frozenset(u.key for u, r in zip(units, right, strict=True) if r) if n % UNSEEN_EVERY == 0 else frozenset()
        ranking = engine.rank(q.text, now=now, context=training_context(engine, q, now), lang_hint=q.lang, held_out=True, unseen=unseen)
        xs.append(ranking.x)
        ys.append(right)
    return xs, ys


def choose_threshold(engine: Engine, dev: Sequence[Labelled], now: dt.datetime) -> tuple[float, list[tuple[float, float, float]]]:
    """The threshold whose lower of in-scope accuracy and decline rate is highest on the dev split.

    Both rates have a floor the bot must meet (answer what the sources answer, decline what they do not),
    so the threshold maximizes the worse of the two; ties go to the better sum, then to the threshold nearer 0.5.

    Args:
        engine: an engine using the freshly fitted weights.
        dev: the dev split.
        now: the time questions are asked.

    Returns:
        (threshold, the sweep it was chosen from).
    """
    sweep = evaluate(engine, list(dev), now, "dev").sweep
    best = max(sweep, key=lambda row: (min(row[1], row[2]), row[1] + row[2], -abs(row[0] - 0.5)))
    return best[0], sweep


def train(engine: Engine, lexical_engine: Engine, train_split: Sequence[Labelled], dev: Sequence[Labelled], now: dt.datetime) -> Fitted:
    """Fit both modes and choose their thresholds.

    Args:
        engine: an engine with the encoder (its own weights are ignored: features do not depend on them).
        lexical_engine: the same knowledge base without the encoder, for the lexical threshold.
        train_split: queries to fit on.
        dev: queries to choose thresholds on.
        now: the time questions are asked.

    Returns:
        The fitted model.
    """
    xs, ys = _rows(engine, [*train_split, *gibberish(), *bare_names(engine.kb), *named_topics(engine.kb)], now)
    lexical_xs = [x.copy() for x in xs]
    for x in lexical_xs:
        x[:, SEMANTIC_COLUMNS] = 0.0
    sweeps: dict[str, list[tuple[float, float, float]]] = {}
    full = None
    trees: dict[str, int] = {}
    if engine.semantic:
        coef, intercept, confidence, trees["full"] = fit_stages(xs, ys, engine.index.table.unit_event)
        trial = RankerParams(coef, intercept, confidence, 0.5)
        engine.reweight(RankerModel(trial, trial, examples=engine.examples))
        threshold, sweeps["full"] = choose_threshold(engine, dev, now)
        full = RankerParams(coef, intercept, confidence, threshold)
    coef, intercept, confidence, trees["lexical"] = fit_stages(lexical_xs, ys, engine.index.table.unit_event)
    lexical_engine.reweight(RankerModel(None, RankerParams(coef, intercept, confidence, 0.5)))
    threshold, sweeps["lexical"] = choose_threshold(lexical_engine, dev, now)
    lexical = RankerParams(coef, intercept, confidence, threshold)
    name = engine.encoder_name
    model = RankerModel(full, lexical, name, engine.examples)
    return Fitted(model, int(sum(y.sum() for y in ys)), int(sum(len(y) for y in ys)), sweeps, trees)


__all__ = ["SWEEP", "Fitted", "choose_threshold", "labelled_examples", "train", "training_context"]
