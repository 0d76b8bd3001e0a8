"""Typed access to one YAML document's fields, every problem recorded against the file and entry; shared rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, cast

from bot.curated.problems import Problem
from bot.curated.visible import has_visible
from bot.engine.model import LANGS, LocalText

#: Where a fact or event comes from: the curated YAML, or an admin's edit in Telegram.
CURATED, ADMIN = "curated", "admin"
ORIGINS = (CURATED, ADMIN)
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
SUPPORTED_VERSIONS = (1,)
MAX_TEXT = 2000


class Reader:
    """Reads fields of one document, recording problems against its file name."""

    def __init__(self, file: str, problems: list[Problem], *, partial: bool = False) -> None:
        self.file = file
        self.problems = problems
        # Admin edits may come in one language only; curated files must have all four.
        self.partial = partial

    def bad(self, entry: str, message: str) -> None:
        """Record a problem at an entry of this file."""
        self.problems.append(Problem(self.file, entry, message))

    def text(self, value: object, entry: str, *, required: bool = True) -> str | None:
        """A non-empty string of bounded length, or None (with a problem when required)."""
        if value is None or value == "":
            if required:
                self.bad(entry, "is missing")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.bad(entry, f"must be text, got {type(value).__name__}")
            return None
        if len(value) > MAX_TEXT:
            self.bad(entry, f"is {len(value)} characters long (at most {MAX_TEXT})")
            return None
        if not has_visible(value):
            self.bad(entry, "has no visible characters (only spaces, zero-width or control characters)")
            return None
        return value.strip()

    def ident(self, value: object, entry: str) -> str | None:
        """A snake_case id."""
        text = self.text(value, entry)
        if text is not None and not ID_RE.match(text):
            self.bad(entry, f"{text!r} is not a snake_case id (a-z, 0-9, _; starting with a letter)")
            return None
        return text

    def mapping(self, value: object, entry: str, *, required: bool = True) -> Mapping[str, Any]:
        """A mapping (empty when missing or wrong)."""
        if value is None:
            if required:
                self.bad(entry, "is missing")
            return {}
        if not isinstance(value, Mapping):
            self.bad(entry, f"must be a mapping, got {type(value).__name__}")
            return {}
        return cast(Mapping[str, Any], value)

    def seq(self, value: object, entry: str, *, required: bool = False) -> list[Any]:
        """A list (empty when missing or wrong)."""
        if value is None:
            if required:
                self.bad(entry, "is missing")
            return []
        if not isinstance(value, list):
            self.bad(entry, f"must be a list, got {type(value).__name__}")
            return []
        return value

    def local(self, value: object, entry: str, *, required: bool = True, all_langs: bool = True) -> LocalText | None:
        """A text per language; every one of the four languages when ``all_langs``."""
        table = self.mapping(value, entry, required=required)
        if not table:
            return None
        out: dict[str, str] = {}
        for lang, text in table.items():
            if lang not in LANGS:
                self.bad(f"{entry}.{lang}", f"unknown language (use {', '.join(LANGS)})")
                continue
            checked = self.text(text, f"{entry}.{lang}")
            if checked is not None:
                out[lang] = checked
        missing = [lang for lang in LANGS if lang not in out]
        if all_langs and not self.partial and missing and table:
            self.bad(entry, f"missing language(s): {', '.join(missing)}")
        return LocalText.of(out) if out else None

    def phrases(self, value: object, entry: str, minimum: int = 1) -> dict[str, tuple[str, ...]]:
        """Lists of phrases per language (names, examples, responses)."""
        table = self.mapping(value, entry)
        out: dict[str, tuple[str, ...]] = {}
        for lang in LANGS:
            items = [self.text(v, f"{entry}.{lang}[{i}]") for i, v in enumerate(self.seq(table.get(lang), f"{entry}.{lang}"))]
            kept = tuple(t for t in items if t)
            if len(kept) < minimum and not (self.partial and table):
                self.bad(f"{entry}.{lang}", f"needs at least {minimum} entr{'y' if minimum == 1 else 'ies'}, has {len(kept)}")
            out[lang] = kept
        for lang in table:
            if lang not in LANGS:
                self.bad(f"{entry}.{lang}", f"unknown language (use {', '.join(LANGS)})")
        return out

    def version(self, doc: Mapping[str, Any]) -> None:
        """Check the document's ``version:``."""
        if doc.get("version") not in SUPPORTED_VERSIONS:
            self.bad("version", f"must be one of {SUPPORTED_VERSIONS}, got {doc.get('version')!r}")


def parse_date(reader: Reader, value: object, entry: str) -> dt.date | None:
    """A YAML date or an ISO 8601 text as a date; anything else is reported on ``entry`` and read as None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        reader.bad(entry, f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)")
        return None
