"""Reading curated YAML from folders that may be hostile (``kb import`` of a folder someone sent).

Bounded in every dimension: only regular files are read (a FIFO, a device or a symlink to one is refused before
reading, so ``/dev/zero`` is never read and a FIFO never blocks), at most :data:`MAX_FILE_BYTES` bytes, no YAML
aliases (a 1 KB "billion laughs" document expands to gigabytes), and at most :data:`MAX_DEPTH` levels of nesting
(PyYAML's composer recurses once per level, so deep nesting would otherwise end in a RecursionError).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.nodes import Node

MAX_FILE_BYTES = 2_000_000
#: Curated documents nest about six levels deep (event → facts → fact → text → language); twenty is plenty.
MAX_DEPTH = 20


class UnsafeFile(ValueError):
    """The file is not a regular file, or is too large, to read as curated YAML."""


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases and with a nesting limit."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def _mark(self) -> Any:
        return self.peek_event().start_mark  # type: ignore[no-untyped-call]

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self._mark()
            raise ComposerError(None, None, "YAML aliases (*name) are not allowed in curated files", mark)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", self._mark())
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def read_regular(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``.

    The file is opened without blocking (a FIFO opens at once) and checked with ``fstat`` on the open descriptor,
    so what is checked is what is read, even when ``path`` is a symlink or is swapped meanwhile.

    Args:
        path: the file.
        max_bytes: the size cap.

    Returns:
        The contents.

    Raises:
        UnsafeFile: when it is not a regular file, or is larger than the cap.
        OSError: when it cannot be opened or read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile("is not a regular file (a FIFO, device, socket or folder, or a symlink to one)")
        if info.st_size > max_bytes:
            raise UnsafeFile(f"is larger than {max_bytes} bytes")
        chunks, total = [], 0
        while total <= max_bytes:  # the file may grow after fstat: never read more than the cap (plus one byte)
            chunk = os.read(fd, min(65536, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise UnsafeFile(f"is larger than {max_bytes} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_text(text: str) -> Any:
    """Parse one YAML document with :class:`_BoundedLoader`.

    Raises:
        yaml.YAMLError: on a syntax error, an alias, too deep nesting or an unsafe tag.
        ValueError: on a scalar the safe constructor cannot build (e.g. the date 2023-02-30).
    """
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
