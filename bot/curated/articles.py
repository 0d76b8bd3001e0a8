"""The source articles' metadata (knowledge/sources.yaml): parsed, and checked against the articles and the facts.

Every field but the language is optional: a title, outlet or date is written down only when the article gives it.
When the articles folder is at hand, the title and the outlet must occur verbatim in their article, so nothing can
be made up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.curated.problems import Problem
from bot.curated.reader import CURATED, Reader, parse_date
from bot.engine.model import LANGS, Article, Event

SOURCES_FILE = "sources.yaml"
#: A source is a plain file name in the articles folder (no folders, nothing hidden).
_FILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
FIELDS = frozenset({"file", "lang", "title", "outlet", "published"})


def parse_articles(doc: Mapping[str, Any], file: str, problems: list[Problem]) -> dict[str, Article]:
    """The articles of knowledge/sources.yaml.

    Args:
        doc: the loaded document (``version:`` and a ``sources:`` list).
        file: its name, for problems.
        problems: where problems are appended, each naming the entry by its file.

    Returns:
        File name → article, for the usable entries.
    """
    reader = Reader(file, problems)
    reader.version(doc)
    articles: dict[str, Article] = {}
    for i, raw in enumerate(reader.seq(doc.get("sources"), "sources", required=True)):
        entry = reader.mapping(raw, f"sources[{i}]")
        name = reader.text(entry.get("file"), f"sources[{i}].file")
        where = f"source {name}" if name else f"sources[{i}]"
        for key in sorted(set(entry) - FIELDS):
            reader.bad(f"{where}.{key}", f"unknown field (use {', '.join(sorted(FIELDS))})")
        if name is not None and not _FILE_RE.match(name):
            reader.bad(f"{where}.file", f"{name!r} must be a file name in the articles folder")
            name = None
        lang = entry.get("lang")
        if lang not in LANGS:
            reader.bad(f"{where}.lang", f"{lang!r} must be one of {', '.join(LANGS)} (the article's language)")
        title = reader.text(entry.get("title"), f"{where}.title", required=False)
        outlet = reader.text(entry.get("outlet"), f"{where}.outlet", required=False)
        published = parse_date(reader, entry.get("published"), f"{where}.published")
        if name is None or lang not in LANGS:
            continue
        if name in articles:
            reader.bad(f"{where}.file", "is listed more than once")
            continue
        articles[name] = Article(name, str(lang), title, outlet, published)
    return articles


def article_problems(articles: Mapping[str, Article], sources_dir: Path) -> list[Problem]:
    """Articles listed in sources.yaml that are not in the folder, or whose title or outlet is not in their text.

    Args:
        articles: the parsed metadata.
        sources_dir: the articles folder.

    Returns:
        The problems, each naming the entry.
    """
    problems = []
    for name, article in articles.items():
        path = sources_dir / name
        if not path.is_file():
            problems.append(Problem(SOURCES_FILE, f"source {name}", f"no such article in {sources_dir}"))
            continue
        text = " ".join(path.read_text(encoding="utf-8").split())
        for key, value in (("title", article.title), ("outlet", article.outlet)):
            if value is not None and " ".join(value.split()) not in text:
                problems.append(Problem(SOURCES_FILE, f"source {name}.{key}", f"not found verbatim in the article: {value[:60]!r}"))
    return problems


def uncited_sources(events: Sequence[Event], articles: Mapping[str, Article], files: Sequence[str]) -> list[Problem]:
    """Curated facts and events whose source has no entry in sources.yaml (a reader would see a bare file name).

    Args:
        events: the parsed events.
        articles: the parsed metadata.
        files: the file each event was read from.

    Returns:
        One problem per fact or event citing an article without metadata.
    """
    problems = []
    for event, name in zip(events, files, strict=True):
        if event.origin == CURATED and event.source and event.source not in articles:
            problems.append(Problem(name, "source", f"{event.source!r} has no entry in {SOURCES_FILE}"))
        for fact in event.facts:
            if fact.origin == CURATED and fact.source not in articles:
                problems.append(Problem(name, f"fact {fact.id}.source", f"{fact.source!r} has no entry in {SOURCES_FILE}"))
    return problems
