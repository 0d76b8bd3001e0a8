"""Checks across curated files: unique ids, near-duplicate examples, verbatim quotes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.process import extract

from bot.curated.problems import Problem
from bot.engine.model import Event, Intent
from bot.engine.text import Normalized

#: Intents the engine relies on; a knowledge base without them cannot answer basic questions.
REQUIRED_INTENTS = (
    "greeting", "help", "thanks", "goodbye", "about_bot", "list_events", "upcoming_events",
    "event_summary", "event_when", "event_where", "event_organizers", "event_speakers",
    "event_theme", "event_figures",
)  # fmt: skip
NEAR_DUPLICATE = 96.0


def unique_ids(kind: str, items: Sequence[tuple[str, str]]) -> list[Problem]:
    """One problem per entry whose id is used more than once.

    Args:
        kind: what the ids are of ("event", "fact", "intent").
        items: (id, file) pairs.

    Returns:
        The problems.
    """
    counts = Counter(item_id for item_id, _ in items)
    return [Problem(file, f"{kind} {item_id}", "id is used more than once") for item_id, file in items if counts[item_id] > 1]


def near_duplicate_examples(intents: Sequence[Intent], files: Mapping[str, str]) -> list[Problem]:
    """Examples of different intents that are (nearly) the same text once accents are folded.

    Args:
        intents: all intents.
        files: intent id → file name.

    Returns:
        One problem per clashing pair.
    """
    rows = [(intent.id, lang, ex, Normalized.of(ex).folded) for intent in intents for lang, exs in intent.examples.items() for ex in exs]
    folded = [r[3] for r in rows]
    problems = []
    for i, text in enumerate(folded):
        # Our own folded strings, no default_process: it would strip Thai marks and make Thai texts collide.
        for _, _, j in extract(text, folded, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE, limit=None):
            if i >= j or rows[i][0] == rows[j][0]:
                continue
            a, b = rows[i], rows[j]
            problems.append(
                Problem(
                    files.get(a[0], "intents"),
                    f"intent {a[0]}.examples.{a[1]}",
                    f"{a[2]!r} is (nearly) the same as {b[2]!r} in intent {b[0]} ({files.get(b[0], '?')})",
                )
            )
    return problems


def quote_problems(events: Sequence[Event], sources_dir: Path) -> list[Problem]:
    """Quotes that do not occur verbatim in their article.

    Args:
        events: all events.
        sources_dir: folder of the articles.

    Returns:
        One problem per missing article or quote not found.
    """
    texts: dict[str, str | None] = {}
    problems = []
    for event in events:
        for fact in event.facts:
            if fact.origin != "curated":
                continue  # an admin's fact cites whatever the admin gave; there is no article to check against
            if fact.source not in texts:
                path = sources_dir / fact.source
                texts[fact.source] = path.read_text(encoding="utf-8") if path.is_file() and path.parent == sources_dir else None
            article = texts[fact.source]
            if article is None:
                problems.append(Problem(f"{event.id}.yaml", f"fact {fact.id}.source", f"no article {fact.source!r} in {sources_dir}"))
            elif fact.quote not in article:
                problems.append(Problem(f"{event.id}.yaml", f"fact {fact.id}.quote", f"not found verbatim in {fact.source}: {fact.quote[:60]!r}"))
    return problems


def event_checks(events: Sequence[Event], sources_dir: Path | None, files: Sequence[str] | None = None) -> list[Problem]:
    """The checks across event files, shared by ``validate``, start-up and ``kb import``.

    Args:
        events: all parsed events.
        sources_dir: articles folder, or None to skip the quote check.
        files: the file each event was read from (default ``<event_id>.yaml``).

    Returns:
        The problems found: an event id in two files, a fact id in two places, a quote not in its article.
    """
    names = list(files) if files is not None else [f"{e.id}.yaml" for e in events]
    problems = unique_ids("event", [(e.id, name) for e, name in zip(events, names, strict=True)])
    problems += unique_ids("fact", [(f.id, name) for e, name in zip(events, names, strict=True) for f in e.facts])
    if sources_dir is not None:
        problems += quote_problems(events, sources_dir)
    return problems


def intent_checks(intents: Sequence[Intent], intent_files: Mapping[str, str]) -> list[Problem]:
    """The checks across intent files: unique ids, the required intents, near-duplicate examples.

    Args:
        intents: all parsed intents.
        intent_files: intent id → file name.

    Returns:
        The problems found.
    """
    problems = unique_ids("intent", [(i.id, intent_files.get(i.id, "intents")) for i in intents])
    present = {i.id for i in intents}
    problems += [Problem("intents", f"intent {name}", "is required but not defined") for name in REQUIRED_INTENTS if name not in present]
    return problems + near_duplicate_examples(intents, intent_files)
