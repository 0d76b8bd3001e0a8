"""Read intents/ and knowledge/ from disk, validate them, and build the knowledge base."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.curated.articles import SOURCES_FILE, article_problems, parse_articles, uncited_sources
from bot.curated.checks import event_checks, intent_checks
from bot.curated.parse import parse_event, parse_intents
from bot.curated.problems import CurationError, Problem
from bot.curated.reader import Reader
from bot.curated.safe_yaml import MAX_FILE_BYTES, UnsafeFile, load_text, read_regular
from bot.curated.text_catalog import LISTS, TEXT_FILES, catalog_problems
from bot.engine.model import LANGS, Article, Event, Intent, KnowledgeBase, LocalText, Messages

#: More files than this in one folder is not curated data (a folder picked by mistake, or a hostile one).
MAX_FILES = 1000
#: Telegram's limits on the bot's profile texts (telegram.constants.BotDescriptionLimit), in characters.
PROFILE_LIMITS = {"bot_description": 512, "bot_short_description": 120}


def read_yaml(path: Path, problems: list[Problem]) -> Mapping[str, Any] | None:
    """Load one YAML file as a mapping, bounded (see :mod:`bot.curated.safe_yaml`).

    Args:
        path: the file.
        problems: where a problem is appended if it cannot be read (one line each).

    Returns:
        The document, or None when it is unreadable, unsafe or not a mapping.
    """
    try:
        doc = load_text(read_regular(path, MAX_FILE_BYTES).decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, RecursionError) as exc:
        # ValueError: UnsafeFile, or a date like 2023-02-30 that the safe constructor cannot build.
        message = str(exc) if isinstance(exc, UnsafeFile) else f"cannot be read: {type(exc).__name__}: {exc}"
        problems.append(Problem(path.name, "", " ".join(message.split())[:300]))
        return None
    if not isinstance(doc, Mapping):
        problems.append(Problem(path.name, "", "must be a YAML mapping starting with `version:`"))
        return None
    return doc


def parse_messages(
    doc: Mapping[str, Any], file: str, problems: list[Problem], found: dict[str, tuple[str, LocalText]], months: dict[str, tuple[str, ...]]
) -> None:
    """The bot's own sentences from one text file of intents/ (see :mod:`bot.curated.text_catalog`).

    Args:
        doc: the loaded document.
        file: its name, for problems.
        problems: where problems are appended.
        found: key → (file, texts), filled in; a key already read from another file is a problem.
        months: filled in with the month names, when this file has them.
    """
    reader = Reader(file, problems)
    reader.version(doc)
    for key, value in reader.mapping(doc.get("messages"), "messages").items():
        if key in LISTS:
            months.update({lang: tuple(map(str, v)) for lang, v in reader.mapping(value, "messages.months").items()})
            for lang in LANGS:
                if len(months.get(lang, ())) != 12:
                    reader.bad(f"messages.months.{lang}", "needs 12 month names")
            continue
        text = reader.local(value, f"messages.{key}")
        if text is None:
            continue
        if str(key) in found:
            reader.bad(f"messages.{key}", f"is also in {found[str(key)][0]}: a text lives in one file")
            continue
        found[str(key)] = (file, text)
        for lang, local in text.items if key in PROFILE_LIMITS else ():
            if len(local) > PROFILE_LIMITS[key]:
                reader.bad(f"messages.{key}.{lang}", f"is {len(local)} characters; Telegram allows {PROFILE_LIMITS[key]}")


def yaml_files(folder: Path, problems: list[Problem]) -> list[Path]:
    """The ``*.yaml`` files of a folder (not hidden ones), at most :data:`MAX_FILES`.

    Args:
        folder: the folder.
        problems: where a problem is appended when there are too many.

    Returns:
        The paths, sorted (none when there are too many).
    """
    paths = []
    for path in folder.glob("*.yaml"):
        if not path.name.startswith("."):
            paths.append(path)
            if len(paths) > MAX_FILES:
                problems.append(Problem(str(folder), "", f"has more than {MAX_FILES} .yaml files"))
                return []
    return sorted(paths)


def read_events(folder: Path, problems: list[Problem]) -> list[tuple[Event, Mapping[str, Any], str]]:
    """Every event file of a knowledge folder, parsed, each event's id checked against its file name.

    ``validate``, start-up and ``kb import`` all read event files through here, then run
    :func:`bot.curated.checks.event_checks` on the result: one set of checks for all of them.

    Args:
        folder: a folder of ``<event_id>.yaml`` files.
        problems: where problems are appended.

    Returns:
        The usable events with their documents and file names.
    """
    if not folder.is_dir():
        problems.append(Problem(str(folder), "", "folder does not exist"))
        return []
    events: list[tuple[Event, Mapping[str, Any], str]] = []
    for path in yaml_files(folder, problems):
        if path.name == SOURCES_FILE:
            continue  # the articles' metadata, read by :func:`read_articles`
        doc = read_yaml(path, problems)
        event = parse_event(doc, path.name, problems) if doc is not None else None
        if event is not None and doc is not None:
            if event.id != path.stem:
                problems.append(Problem(path.name, "id", f"{event.id!r} should match the file name {path.stem!r}"))
            events.append((event, doc, path.name))
    return events


def read_articles(knowledge_dir: Path, problems: list[Problem]) -> dict[str, Article]:
    """The articles' metadata of a knowledge folder (its sources.yaml).

    Args:
        knowledge_dir: the folder.
        problems: where problems are appended (a missing file is one).

    Returns:
        File name → article.
    """
    path = knowledge_dir / SOURCES_FILE
    if not path.is_file():
        problems.append(Problem(SOURCES_FILE, "", f"is missing from {knowledge_dir}: every article needs its title, outlet and date there"))
        return {}
    doc = read_yaml(path, problems)
    return parse_articles(doc, path.name, problems) if doc is not None else {}


def collect(intents_dir: Path, knowledge_dir: Path, sources_dir: Path | None = None) -> tuple[KnowledgeBase, list[Problem]]:
    """Load everything and report every problem, without raising.

    Args:
        intents_dir: folder of intent files and the text files (messages.yaml, admin_messages.yaml, commands.yaml).
        knowledge_dir: folder of event files.
        sources_dir: the articles; when given, each quote is checked verbatim against its article.

    Returns:
        The knowledge base built from the usable parts, and the problems found.
    """
    problems: list[Problem] = []
    if not intents_dir.is_dir():
        problems.append(Problem(str(intents_dir), "", "folder does not exist"))
    read = read_events(knowledge_dir, problems)
    events = [event for event, _, _ in read]
    articles = read_articles(knowledge_dir, problems) if knowledge_dir.is_dir() else {}
    intents: list[Intent] = []
    texts: dict[str, tuple[str, LocalText]] = {}
    months: dict[str, tuple[str, ...]] = {}
    intent_files: dict[str, str] = {}
    for path in yaml_files(intents_dir, problems) if intents_dir.is_dir() else []:
        doc = read_yaml(path, problems)
        if doc is None:
            continue
        if path.name in TEXT_FILES:
            parse_messages(doc, path.name, problems, texts, months)
            continue
        for intent in parse_intents(doc, path.name, problems):
            intent_files[intent.id] = path.name
            intents.append(intent)
    problems += event_checks(events, sources_dir, [file for _, _, file in read])
    problems += uncited_sources(events, articles, [file for _, _, file in read])
    if sources_dir is not None:
        problems += article_problems(articles, sources_dir)
    problems += intent_checks(intents, intent_files)
    if intents_dir.is_dir():
        missing = [file for file in TEXT_FILES if not (intents_dir / file).is_file()]
        problems += [Problem(file, "", "is missing: the bot needs its own sentences") for file in missing]
        # Missing files are reported once, not once per text they should hold.
        problems += [p for p in catalog_problems(texts) if p.file not in missing]
    messages = Messages({key: text for key, (_, text) in texts.items()}, months)
    return KnowledgeBase(tuple(events), tuple(intents), messages, articles), problems


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
