"""The labelled evaluation set itself: large enough, balanced, and labels that exist."""

from __future__ import annotations

from collections import Counter

from bot.engine import KnowledgeBase
from bot.evaluation import load_labelled
from tests.conftest import REPO

QUERIES = load_labelled(REPO / "tests" / "data" / "eval.yaml")


def test_size_and_balance() -> None:
    assert len(QUERIES) >= 200
    per_lang = Counter(q.lang for q in QUERIES if not q.out_of_scope)
    assert all(per_lang[lang] >= 40 for lang in ("en", "th", "vi", "fr")), per_lang
    assert sum(q.out_of_scope for q in QUERIES) >= 40


def test_labels_exist(kb: KnowledgeBase) -> None:
    intents = {i.id for i in kb.intents} | {"event_fact"}
    events = {e.id for e in kb.events}
    for q in QUERIES:
        if not q.out_of_scope:
            assert q.intent in intents, q
            assert q.event is None or q.event in events, q
