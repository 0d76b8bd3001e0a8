"""Shared fixtures: the shipped knowledge base and an engine built from it, once per session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.curated import load
from bot.engine import Engine, KnowledgeBase

REPO = Path(__file__).resolve().parent.parent
INTENTS = REPO / "intents"
KNOWLEDGE = REPO / "knowledge"
SOURCES = REPO.parent / "shared" / "sources"
#: A fixed "now" so answers about what comes next are reproducible.
NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The shipped intents and knowledge, validated."""
    return load(INTENTS, KNOWLEDGE)


@pytest.fixture(scope="session")
def engine(kb: KnowledgeBase) -> Engine:
    """An engine over the shipped knowledge base (do not swap it: build your own for that)."""
    return Engine(kb)


@pytest.fixture
def sources_dir() -> Path:
    """The folder of source articles; tests that need it are skipped without it."""
    if not SOURCES.is_dir():
        pytest.skip(f"source articles not found at {SOURCES} (shared/ is not checked out beside the repo)")
    return SOURCES
