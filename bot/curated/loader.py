"""Read intents/ and knowledge/ from disk, validate them, and build the knowledge base."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.curated.checks import cross_checks
from bot.curated.parse import Reader, parse_event, parse_intents
from bot.curated.problems import CurationError, Problem
from bot.engine.model import LANGS, Event, Intent, KnowledgeBase, LocalText, Messages

MESSAGES_FILE = "messages.yaml"
MAX_FILE_BYTES = 2_000_000


def read_yaml(path: Path, problems: list[Problem]) -> Mapping[str, Any] | None:
    """Load one YAML file as a mapping.

    Args:
        path: the file.
        problems: where a problem is appended if it cannot be read.

    Returns:
        The document, or None when it is unreadable or not a mapping.
    """
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(Problem(path.name, "", f"file is larger than {MAX_FILE_BYTES} bytes"))
            return None
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(Problem(path.name, "", f"cannot be read: {exc}".replace("\n", " ")))
        return None
    if not isinstance(doc, Mapping):
        problems.append(Problem(path.name, "", "must be a YAML mapping starting with `version:`"))
        return None
    return doc


def parse_messages(doc: Mapping[str, Any], file: str, problems: list[Problem]) -> Messages:
    """The bot's own sentences from intents/messages.yaml.

    Args:
        doc: the loaded document.
        file: its name, for problems.
        problems: where problems are appended.

    Returns:
        The messages (possibly incomplete when problems were found).
    """
    reader = Reader(file, problems)
    reader.version(doc)
    table: dict[str, LocalText] = {}
    months: dict[str, tuple[str, ...]] = {}
    for key, value in reader.mapping(doc.get("messages"), "messages").items():
        if key == "months":
            months = {lang: tuple(map(str, v)) for lang, v in reader.mapping(value, "messages.months").items()}
            for lang in LANGS:
                if len(months.get(lang, ())) != 12:
                    reader.bad(f"messages.months.{lang}", "needs 12 month names")
            continue
        text = reader.local(value, f"messages.{key}")
        if text is not None:
            table[str(key)] = text
    return Messages(table, months)


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("."))


def collect(intents_dir: Path, knowledge_dir: Path, sources_dir: Path | None = None) -> tuple[KnowledgeBase, list[Problem]]:
    """Load everything and report every problem, without raising.

    Args:
        intents_dir: folder of intent files and messages.yaml.
        knowledge_dir: folder of event files.
        sources_dir: the articles; when given, each quote is checked verbatim against its article.

    Returns:
        The knowledge base built from the usable parts, and the problems found.
    """
    problems: list[Problem] = []
    for folder in (intents_dir, knowledge_dir):
        if not folder.is_dir():
            problems.append(Problem(str(folder), "", "folder does not exist"))
    events: list[Event] = []
    intents: list[Intent] = []
    messages = Messages({}, {})
    intent_files: dict[str, str] = {}
    for path in _yaml_files(knowledge_dir) if knowledge_dir.is_dir() else []:
        doc = read_yaml(path, problems)
        event = parse_event(doc, path.name, problems) if doc is not None else None
        if event is not None:
            if event.id != path.stem:
                problems.append(Problem(path.name, "id", f"{event.id!r} should match the file name {path.stem!r}"))
            events.append(event)
    for path in _yaml_files(intents_dir) if intents_dir.is_dir() else []:
        doc = read_yaml(path, problems)
        if doc is None:
            continue
        if path.name == MESSAGES_FILE:
            messages = parse_messages(doc, path.name, problems)
            continue
        for intent in parse_intents(doc, path.name, problems):
            intent_files[intent.id] = path.name
            intents.append(intent)
    problems += cross_checks(events, intents, intent_files, sources_dir)
    if not messages.table and intents_dir.is_dir():
        problems.append(Problem(MESSAGES_FILE, "", "is missing: the bot needs its own sentences"))
    return KnowledgeBase(tuple(events), tuple(intents), messages), problems


def load(intents_dir: Path, knowledge_dir: Path, sources_dir: Path | None = None) -> KnowledgeBase:
    """Load and validate; refuse anything with problems.

    Args:
        intents_dir: folder of intent files.
        knowledge_dir: folder of event files.
        sources_dir: optional folder of articles for the verbatim-quote check.

    Returns:
        The knowledge base.

    Raises:
        CurationError: listing every problem, when there is any.
    """
    kb, problems = collect(intents_dir, knowledge_dir, sources_dir)
    if problems:
        raise CurationError(problems)
    return kb
