"""``summitbot eval``: accuracy on labelled queries, per language, declines, reply language, threshold sweep."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.engine import LANGS, Answer, Context, Engine
from bot.labelled import Labelled, answer_right

SWEEP = tuple(round(0.10 + 0.05 * i, 2) for i in range(15))


def conversation(engine: Engine, q: Labelled, now: dt.datetime) -> Context | None:
    """The context the query's earlier messages leave behind, as the bot answered them.

    Args:
        engine: the engine.
        q: the query (its ``context`` lists the earlier messages, oldest first).
        now: the time of the conversation.

    Returns:
        The context after the last earlier message, or None.
    """
    context: Context | None = None
    for earlier in q.context:
        context = engine.answer(earlier, now=now, context=context, lang_hint=q.lang).context or context
    return context


@dataclass
class Report:
    """Figures from one evaluation run at one threshold, plus the sweep."""

    name: str
    threshold: float
    outcomes: list[tuple[Labelled, Answer, bool]]
    sweep: list[tuple[float, float, float]] = field(default_factory=list)

    def rate(self, lang: str | None = None, *, declines: bool = False) -> tuple[int, int]:
        """(right, total) among in-scope queries (or those to decline), in one language or all."""
        rows = [ok for q, _, ok in self.outcomes if q.declines == declines and (lang is None or q.lang == lang)]
        return sum(rows), len(rows)

    def reply_language(self) -> tuple[int, int]:
        """(answers in the asker's language, total)."""
        return sum(a.lang == q.lang for q, a, _ in self.outcomes), len(self.outcomes)

    def worst(self) -> float:
        """The lowest of the per-language in-scope rates and the decline rate."""
        rates = [ok / n for ok, n in (*(self.rate(lang) for lang in LANGS), self.rate(declines=True)) if n]
        return min(rates, default=1.0)


def evaluate(engine: Engine, queries: list[Labelled], now: dt.datetime, name: str = "", threshold: float | None = None) -> Report:
    """Answer every query (after its conversation) and score the answers.

    Args:
        engine: the engine to test.
        queries: the labelled queries.
        now: the time the questions are asked.
        name: the split's name, for the report.
        threshold: the threshold to report at (default: the engine's fitted one).

    Returns:
        The report, with the sweep over :data:`SWEEP`.
    """
    chosen = engine.threshold if threshold is None else threshold
    contexts = [conversation(engine, q, now) for q in queries]
    thresholds = sorted({chosen, *SWEEP})
    # The labelled language stands in for Telegram's language_code, which every real message carries.
    per_query = [engine.answers(q.text, thresholds, now=now, context=c, lang_hint=q.lang) for q, c in zip(queries, contexts, strict=True)]
    answers = {t: [row[i] for row in per_query] for i, t in enumerate(thresholds)}
    report = Report(name, chosen, [(q, a, answer_right(a, q)) for q, a in zip(queries, answers[chosen], strict=True)])
    for t in SWEEP:
        marks = [(q, answer_right(a, q)) for q, a in zip(queries, answers[t], strict=True)]
        ins = [ok for q, ok in marks if not q.declines]
        dec = [ok for q, ok in marks if q.declines]
        report.sweep.append((t, sum(ins) / max(1, len(ins)), sum(dec) / max(1, len(dec))))
    return report


def _pct(pair: tuple[int, int]) -> str:
    ok, n = pair
    return f"{ok}/{n} = {ok / n:.1%}" if n else "-"


def format_reports(reports: list[Report], failures: int = 0, mode: str = "") -> str:
    """Reports side by side: one column per split.

    Args:
        reports: one per split.
        failures: how many wrong answers to list per split.
        mode: the engine's mode, for the header.

    Returns:
        Printable text.
    """
    width = 18
    head = f"summitbot eval — {mode}; threshold {reports[0].threshold:.2f} (fitted on train, chosen on dev)" if reports else "summitbot eval"
    lines = [head, "", "".ljust(26) + "".join(r.name.rjust(width) for r in reports)]

    def row(label: str, cells: list[str]) -> None:
        lines.append(label.ljust(26) + "".join(c.rjust(width) for c in cells))

    row("queries", [str(len(r.outcomes)) for r in reports])
    for lang in LANGS:
        row(f"in scope, {lang}", [_pct(r.rate(lang)) for r in reports])
    row("in scope, all", [_pct(r.rate()) for r in reports])
    row("declined when it should", [_pct(r.rate(declines=True)) for r in reports])
    row("reply in asker's language", [_pct(r.reply_language()) for r in reports])
    for r in reports:
        lines += ["", f"threshold sweep ({r.name}):  threshold  in-scope  declined"]
        lines += [f"{'':22}{t:9.2f}  {i:8.1%}  {d:8.1%}" + ("  ←" if abs(t - r.threshold) < 1e-9 else "") for t, i, d in r.sweep]
        wrong = [(q, a) for q, a, ok in r.outcomes if not ok]
        if failures and wrong:
            lines += ["", f"wrong answers in {r.name} ({len(wrong)}, first {min(failures, len(wrong))}):"]
            for q, a in wrong[:failures]:
                want = q.expect + (f"/{q.event}" if q.event else "") + (f" ~{q.evidence[:40]!r}" if q.evidence else f" topic={q.topic}" if q.topic else "")
                got = f"{a.kind} {a.intent}/{a.event} {','.join(a.facts)[:60]} lang={a.lang} p={a.confidence:.2f}"
                lines.append(f"  [{q.lang}] {q.text!r}{' after ' + repr(q.context) if q.context else ''}: want {want}; got {got}")
    return "\n".join(lines)
