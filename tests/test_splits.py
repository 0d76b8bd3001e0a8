"""The labelled splits themselves: sizes, balance, labels that exist, evidence that is verbatim, no overlap."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from bot.engine import KnowledgeBase
from bot.labelled import Labelled, leaks, load_split
from tests.conftest import REPO

DATA = REPO / "tests" / "data"
SPLITS = {name: load_split(DATA / f"{name}.yaml") for name in ("train", "dev", "test")}


def test_test_split_is_large_and_balanced() -> None:
    test = SPLITS["test"]
    assert len(test) >= 300
    per_lang = Counter(q.lang for q in test)
    assert all(per_lang[lang] >= 60 for lang in ("en", "th", "vi", "fr")), per_lang
    assert sum(q.declines for q in test) >= 60
    kinds = Counter(q.expect for q in test)
    assert kinds["card"] >= 20 and kinds["not_in_sources"] >= 20 and sum(bool(q.context) for q in test) >= 20


@pytest.mark.parametrize("name", sorted(SPLITS))
def test_labels_name_events_that_exist(name: str, kb: KnowledgeBase) -> None:
    events = {e.id for e in kb.events}
    assert all(q.event is None or q.event in events for q in SPLITS[name])


@pytest.mark.parametrize("name", ["dev", "test"])
def test_evidence_is_verbatim_in_the_events_article(name: str, kb: KnowledgeBase, sources_dir: Path) -> None:
    def squash(text: str) -> str:
        return " ".join(text.split())

    articles = {e.id: squash((sources_dir / e.source).read_text(encoding="utf-8")) for e in kb.events}
    for q in SPLITS[name]:
        if q.evidence:
            assert squash(q.evidence) in articles[q.event or ""], q


def test_splits_do_not_share_queries() -> None:
    def key(q: Labelled) -> str:
        return " ".join(q.text.casefold().split())

    seen: dict[str, str] = {}
    for name, queries in SPLITS.items():
        for q in queries:
            assert seen.setdefault(key(q), name) == name, (q.text, seen[key(q)], name)


def test_no_curated_text_copies_a_test_query(kb: KnowledgeBase) -> None:
    assert leaks(kb, SPLITS["test"], "test.yaml") == []


def test_a_copied_test_query_is_caught(kb: KnowledgeBase) -> None:
    copied = SPLITS["test"][0]
    intent = kb.intents[0]
    copy = dataclasses.replace(intent, examples={"en": (copied.text + "!",)})
    tampered = dataclasses.replace(kb, intents=(copy, *kb.intents[1:]))
    problems = leaks(tampered, SPLITS["test"], "test.yaml")
    # The held-out query is named by its number only: printing it would invite tuning on it.
    assert problems and problems[0].message.endswith("nearly equals held-out test query #0: drop or rewrite it")
