"""``summitbot eval``: accuracy on labelled queries, per language, with a threshold sweep."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bot.curated.loader import read_yaml
from bot.curated.problems import CurationError, Problem
from bot.engine import LANGS, Answer, Engine

SWEEP = tuple(round(0.20 + 0.05 * i, 2) for i in range(13))


@dataclass(frozen=True)
class Labelled:
    """One labelled query."""

    text: str
    lang: str
    intent: str | None = None
    event: str | None = None
    quote_contains: str | None = None
    out_of_scope: bool = False


@dataclass(frozen=True)
class Outcome:
    """A query with the answer it got before thresholding."""

    query: Labelled
    answer: Answer
    label_topic: str | None = None  # the fact topic of the expected intent, when it is an event topic
    answer_topics: frozenset[str] = frozenset()  # topics of the facts the answer gave

    def correct(self, threshold: float) -> bool:
        """Whether the bot's answer is right at this threshold."""
        a = self.answer
        rejected = a.fallback or a.confidence < threshold
        q = self.query
        if q.out_of_scope:
            return rejected
        if rejected and a.kind != "no_info":
            return False
        if a.lang != q.lang or a.kind == "did_you_mean" or (q.event and a.event != q.event):
            return False
        if q.quote_contains:
            return any(q.quote_contains in s.quote for s in a.sources)
        # A topic question answered with facts on that topic is right, whether one fact or the list.
        return a.intent == q.intent or (self.label_topic is not None and self.label_topic in self.answer_topics)


@dataclass
class Report:
    """Figures from one evaluation run."""

    outcomes: list[Outcome]
    threshold: float
    per_lang: dict[str, tuple[int, int]] = field(default_factory=dict)
    oos: tuple[int, int] = (0, 0)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    sweep: list[tuple[float, float, float]] = field(default_factory=list)

    @property
    def in_scope_rate(self) -> float:
        """Share of in-scope queries answered right, all languages."""
        ok = sum(c for c, _ in self.per_lang.values())
        total = sum(t for _, t in self.per_lang.values())
        return ok / total if total else 1.0

    @property
    def oos_rate(self) -> float:
        """Share of out-of-scope queries rejected."""
        return self.oos[0] / self.oos[1] if self.oos[1] else 1.0

    def lang_rate(self, lang: str) -> float:
        """Share of in-scope queries in one language answered right."""
        ok, total = self.per_lang.get(lang, (0, 0))
        return ok / total if total else 1.0


def load_labelled(path: Path) -> list[Labelled]:
    """Read a labelled-queries file (tests/data/eval.yaml format).

    Args:
        path: the YAML file.

    Returns:
        The queries.

    Raises:
        CurationError: when the file is unreadable or an entry is malformed.
    """
    problems: list[Problem] = []
    doc = read_yaml(path, problems)
    out = []
    for i, raw in enumerate((doc or {}).get("queries") or []):
        where = f"queries[{i}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or raw.get("lang") not in LANGS:
            problems.append(Problem(path.name, where, "needs text and lang (en, th, vi or fr)"))
            continue
        oos = bool(raw.get("out_of_scope"))
        if not oos and not raw.get("intent"):
            problems.append(Problem(path.name, where, "needs intent (or out_of_scope: true)"))
            continue
        out.append(Labelled(raw["text"], raw["lang"], raw.get("intent"), raw.get("event"), raw.get("quote_contains"), oos))
    if problems or doc is None:
        raise CurationError(problems or [Problem(path.name, "", "no queries")])
    return out


def evaluate(engine: Engine, queries: list[Labelled], threshold: float, now: dt.datetime) -> Report:
    """Answer every query independently and score the answers.

    Args:
        engine: the engine to test.
        queries: the labelled queries.
        threshold: the confidence threshold to report at.
        now: the time the questions are asked.

    Returns:
        The report, with the sweep over :data:`SWEEP`.
    """
    intents, facts = engine.index.intents, engine.index.facts
    outcomes = []
    for q in queries:
        answer = engine.answer(q.text, now=now, threshold=0.0)
        label = intents.get(q.intent or "")
        topics = frozenset(t for f in answer.facts if f in facts for t in facts[f].topics)
        outcomes.append(Outcome(q, answer, label.topic if label else None, topics))
    report = Report(outcomes, threshold)
    per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    oos = [0, 0]
    for o in outcomes:
        ok = o.correct(threshold)
        if o.query.out_of_scope:
            oos[0] += ok
            oos[1] += 1
        else:
            per_lang[o.query.lang][0] += ok
            per_lang[o.query.lang][1] += 1
            if o.query.event and o.answer.event != o.query.event and not o.answer.fallback:
                report.confusion[(o.query.event, o.answer.event or "-")] += 1
    report.per_lang = {k: (v[0], v[1]) for k, v in sorted(per_lang.items())}
    report.oos = (oos[0], oos[1])
    for t in SWEEP:
        ins = [o.correct(t) for o in outcomes if not o.query.out_of_scope]
        rej = [o.correct(t) for o in outcomes if o.query.out_of_scope]
        report.sweep.append((t, sum(ins) / max(1, len(ins)), sum(rej) / max(1, len(rej))))
    return report


def format_report(report: Report, failures: int = 0) -> str:
    """The report as a text table.

    Args:
        report: the report.
        failures: how many wrong answers to list.

    Returns:
        Printable text.
    """
    lines = [f"summitbot eval — {len(report.outcomes)} queries, threshold {report.threshold:.2f}", "", "in-scope accuracy per language:"]
    for lang, (ok, total) in report.per_lang.items():
        lines.append(f"  {lang}: {ok}/{total} = {ok / total:.1%}")
    lines.append(f"  all: {report.in_scope_rate:.1%}")
    lines.append(f"out-of-scope rejected: {report.oos[0]}/{report.oos[1]} = {report.oos_rate:.1%}")
    lines.append("event confusion (expected → answered): " + (", ".join(f"{a}→{b}: {n}" for (a, b), n in report.confusion.most_common()) or "none"))
    lines += ["", "threshold sweep:  threshold  in-scope  out-of-scope"]
    lines += [f"                  {t:9.2f}  {i:8.1%}  {r:12.1%}" + ("  ←" if abs(t - report.threshold) < 1e-9 else "") for t, i, r in report.sweep]
    wrong = [o for o in report.outcomes if not o.correct(report.threshold)]
    if failures and wrong:
        lines += ["", f"wrong answers ({len(wrong)}, first {min(failures, len(wrong))}):"]
        for o in wrong[:failures]:
            q, a = o.query, o.answer
            expected = "out of scope" if q.out_of_scope else f"{q.intent}/{q.event or '-'}" + (f" ~{q.quote_contains}" if q.quote_contains else "")
            lines.append(f"  [{q.lang}] {q.text!r}: expected {expected}; got {a.kind} {a.intent}/{a.event} lang={a.lang} conf={a.confidence:.2f}")
    return "\n".join(lines)
