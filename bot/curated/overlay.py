"""Admin edits on top of the curated YAML: the baseline stays as it is, edits replace whole entries.

Merge policy (also in the README): an edit is stored as the full new state of one fact or of one event's
fields, keyed by id. Building the knowledge base takes the YAML baseline and applies every edit by id: an
edited or deleted fact replaces or hides the baseline fact of that id, a new one is added, an event edit
replaces that event's fields (its facts are merged separately). So re-seeding from changed YAML never loses
an edit; an edit of a fact the YAML no longer has is still applied, and one whose event no longer exists is
reported and skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.curated.checks import event_checks
from bot.curated.export import event_to_doc
from bot.curated.parse import parse_event
from bot.curated.problems import Problem
from bot.engine.model import KnowledgeBase

OVERLAY_FILE = "admin edits"


@dataclass(frozen=True)
class Overlay:
    """The current state of every entry an admin has touched."""

    events: Mapping[str, Mapping[str, Any] | None] = field(default_factory=dict)  # event id → fields (None: removed)
    facts: Mapping[str, tuple[str, Mapping[str, Any] | None]] = field(default_factory=dict)  # fact id → (event id, fact or None)


def merged_docs(baseline: KnowledgeBase, overlay: Overlay) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """The event documents after applying the overlay to the baseline.

    Args:
        baseline: the knowledge base loaded from YAML.
        overlay: the admins' edits.

    Returns:
        event id → merged document, and the edits that could not be applied.
    """
    docs = {e.id: event_to_doc(e) for e in baseline.events}
    problems: list[Problem] = []
    for event_id, fields in overlay.events.items():
        if fields is None:
            docs.pop(event_id, None)
            continue
        facts = docs.get(event_id, {}).get("facts", [])
        docs[event_id] = {**fields, "id": event_id, "facts": facts}
    for fact_id, (event_id, fact) in overlay.facts.items():
        for doc in docs.values():
            doc["facts"] = [f for f in doc["facts"] if f.get("id") != fact_id]
        if fact is None:
            continue
        if event_id not in docs:
            problems.append(Problem(OVERLAY_FILE, f"fact {fact_id}", f"its event {event_id!r} no longer exists; edit skipped"))
            continue
        docs[event_id]["facts"].append(dict(fact))
    return docs, problems


def apply_overlay(baseline: KnowledgeBase, overlay: Overlay) -> tuple[KnowledgeBase, list[Problem]]:
    """The knowledge base with the admins' edits applied.

    Args:
        baseline: the knowledge base loaded from YAML.
        overlay: the admins' edits.

    Returns:
        The merged knowledge base (entries that fail validation are left out) and the problems found.
    """
    docs, problems = merged_docs(baseline, overlay)
    events = []
    for event_id, doc in docs.items():
        event = parse_event(doc, f"{event_id} (with admin edits)", problems)
        if event is not None:
            events.append(event)
    # The intents did not change: only the checks across events and facts need to run again.
    problems += event_checks(events, None, [f"{e.id} (with admin edits)" for e in events])
    kb = KnowledgeBase(tuple(sorted(events, key=lambda e: e.id)), baseline.intents, baseline.messages, baseline.articles)
    return kb, problems
