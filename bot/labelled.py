"""Labelled queries (tests/data/{train,dev,test}.yaml) and the one definition of a right answer.

The same judgement scores ``summitbot eval`` and labels units for ``summitbot train``, so the model is
fit to exactly what is measured. An expected answer names its event and either an ``evidence`` span
copied verbatim from the article (right when a cited quote overlaps it) or a ``topic``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from bot.curated.loader import read_yaml
from bot.curated.problems import CurationError, Problem
from bot.engine import LANGS, Answer, KnowledgeBase
from bot.engine.examples import Example
from bot.engine.units import Unit

CHITCHAT = ("greeting", "thanks", "goodbye", "help", "about_bot")
EXPECTS = ("answer", "card", "not_in_sources", "out_of_scope", *CHITCHAT, "list_events", "upcoming_events")
DECLINES = ("not_in_sources", "out_of_scope")
#: A cited quote supports the expected evidence when they share a contiguous run of at least this share
#: of the shorter one: enough that a shared event name (~25 characters) inside long quotes does not count.
OVERLAP = 0.6


@dataclass(frozen=True)
class Labelled:
    """One labelled query, with the earlier messages of its conversation."""

    text: str
    lang: str
    expect: str
    event: str | None = None
    evidence: str | None = None
    topic: str | None = None
    context: tuple[str, ...] = ()

    @property
    def declines(self) -> bool:
        """Whether the right reply is an honest "my sources don't say" / "I can't help with that"."""
        return self.expect in DECLINES


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def supports(quote: str, evidence: str) -> bool:
    """Whether a cited quote and an expected evidence span are the same passage of the article.

    Args:
        quote: the quote the bot cites.
        evidence: the span the labeller copied.

    Returns:
        True when they share a run of :data:`OVERLAP` of the shorter one.
    """
    a, b = _squash(quote), _squash(evidence)
    if not a or not b:
        return False
    run = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size
    return run >= OVERLAP * min(len(a), len(b))


def unit_right(unit: Unit, q: Labelled, kb: KnowledgeBase) -> bool:
    """Whether answering with this unit would be right (the label ``train`` fits to).

    Args:
        unit: a candidate.
        q: the labelled query.
        kb: the knowledge base the unit belongs to.

    Returns:
        True for a right answer; always False for a query the bot should decline.
    """
    if q.expect in CHITCHAT:
        return unit.kind == "chitchat" and unit.intent_id == q.expect
    if q.expect in ("list_events", "upcoming_events"):
        return unit.kind == ("list" if q.expect == "list_events" else "upcoming")
    if q.expect == "card":
        return unit.kind == "card" and unit.event_id == q.event
    if q.expect != "answer" or unit.event_id != q.event:
        return False
    event = kb.event(q.event or "")
    if event is None:
        return False
    if unit.kind == "fact":
        fact = event.fact(unit.fact_id or "")
        return fact is not None and (supports(fact.quote, q.evidence) if q.evidence else q.topic in fact.topics)
    if unit.kind == "topic" and q.evidence is None:
        # "Where was it?" about an event whose article does not say: "my sources don't say where" is right.
        return unit.topic == q.topic
    if unit.kind == "topic" and unit.has_answer and q.evidence is not None:
        evidence = q.evidence
        if unit.topic == "recurrence":
            fact = event.fact(event.recurrence.fact or "")
            return fact is not None and supports(fact.quote, evidence)
        return any(unit.topic in f.topics and supports(f.quote, evidence) for f in event.facts)
    return False


def answer_right(answer: Answer, q: Labelled) -> bool:
    """Whether the bot's reply is right, including its language.

    Args:
        answer: what the bot said.
        q: the labelled query.

    Returns:
        True when right.
    """
    if answer.lang != q.lang:
        return False
    if q.declines:
        return answer.fallback
    if q.expect in CHITCHAT:
        return answer.kind == "chitchat" and answer.intent == q.expect
    if q.expect in ("list_events", "upcoming_events"):
        return answer.kind == ("list" if q.expect == "list_events" else "upcoming")
    if answer.kind == "no_info" and q.topic is not None and q.evidence is None and answer.intent == f"event_{q.topic}":
        return answer.event == q.event  # the article is silent on the topic asked, and the bot says so
    if answer.fallback or answer.event != q.event:
        return False
    if q.expect == "card":
        return answer.kind == "summary"
    if q.evidence is not None:
        return any(supports(s.quote, q.evidence) for s in answer.sources if s.quote)
    return answer.intent == f"event_{q.topic}" or (q.topic == "recurrence" and answer.kind == "next") or (answer.kind == "facts" and bool(answer.facts))


def load_split(path: Path) -> list[Labelled]:
    """Read a labelled-queries file.

    Args:
        path: the YAML file (``version: 1`` and ``queries:``).

    Returns:
        The queries.

    Raises:
        CurationError: when the file is unreadable or an entry is malformed, naming the entry.
    """
    problems: list[Problem] = []
    doc = read_yaml(path, problems)
    out: list[Labelled] = []
    for i, raw in enumerate((doc or {}).get("queries") or []):
        where = f"queries[{i}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or raw.get("lang") not in LANGS:
            problems.append(Problem(path.name, where, "needs text and lang (en, th, vi or fr)"))
            continue
        expect, topic, evidence = raw.get("expect"), raw.get("topic"), raw.get("evidence")
        context = raw.get("context") or []
        if expect not in EXPECTS or not isinstance(context, list) or not all(isinstance(c, str) for c in context):
            problems.append(Problem(path.name, where, f"expect must be one of {', '.join(EXPECTS)}; context a list of texts"))
            continue
        if expect in ("answer", "card", "not_in_sources") and not raw.get("event"):
            problems.append(Problem(path.name, where, f"expect {expect} needs an event"))
            continue
        if expect == "answer" and not (evidence or topic):
            problems.append(Problem(path.name, where, "expect answer needs evidence (a verbatim span of the article) or a topic"))
            continue
        out.append(Labelled(raw["text"], raw["lang"], str(expect), raw.get("event"), evidence, topic, tuple(context)))
    if problems or doc is None:
        raise CurationError(problems or [Problem(path.name, "", "no queries")])
    return out


#: An intent example or alternate question this similar to a test query (rapidfuzz ratio of the folded
#: texts, 0-100) is a copy of it: the test split would no longer be held out.
LEAK_SIMILARITY = 92


def leaks(kb: KnowledgeBase, held_out: list[Labelled], file: str, examples: Sequence[Example] = ()) -> list[Problem]:
    """Curated texts (and the ranker's labelled examples) that equal or nearly equal a held-out query.

    Args:
        kb: the knowledge base.
        held_out: the test split.
        file: the split's file name, for the problems.
        examples: the labelled questions of ``model/examples.json`` (training questions: none may copy a test query).

    Returns:
        One problem per curated text that copies a held-out query.
    """
    from rapidfuzz import fuzz, process

    from bot.engine.text import Normalized

    tests = [Normalized.of(q.text).folded for q in held_out]
    curated: list[tuple[str, str, str]] = [(f"intent {i.id}", lang, x) for i in kb.intents for lang, xs in i.examples.items() for x in xs]
    for event in kb.events:
        curated += [(f"event {event.id}.questions", lang, q) for lang, qs in event.questions.items() for q in qs]
        curated += [(f"fact {f.id}.questions", lang, q) for f in event.facts for lang, qs in f.questions.items() for q in qs]
    curated += [(f"model/examples.json examples[{i}]", "", e.text) for i, e in enumerate(examples)]
    problems = []
    for where, lang, text in curated:
        folded = Normalized.of(text).folded
        hit = process.extractOne(folded, tests, scorer=fuzz.ratio, score_cutoff=LEAK_SIMILARITY) if len(folded) > 3 else None
        if hit is not None:
            # The held-out query itself is not shown: reading it would be the first step to tuning on it.
            problems.append(Problem(file, where, f"{lang + ' ' if lang else ''}text {text!r} nearly equals held-out test query #{hit[2]}: drop or rewrite it"))
    return problems
