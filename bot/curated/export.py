"""Events back to YAML documents in the curated format, for /export, ``kb export`` and the edit overlay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from bot.engine.model import Article, Event, Fact, LocalText, Sourced

FORMAT_VERSION = 1


def local_doc(text: LocalText) -> dict[str, str]:
    """A LocalText as a {lang: text} mapping."""
    return dict(text.texts())


def questions_doc(questions: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """Alternate questions as a {lang: [question, ...]} mapping (every language the value has, even empty ones)."""
    return {lang: list(items) for lang, items in questions.items()}


def fact_to_doc(fact: Fact) -> dict[str, Any]:
    """One fact as its YAML mapping.

    Args:
        fact: the fact.

    Returns:
        The mapping, in the order of docs/data-format.md.
    """
    doc: dict[str, Any] = {
        "id": fact.id,
        "topics": list(fact.topics),
        "text": local_doc(fact.text),
        "source": fact.source,
        "quote": fact.quote,
    }
    if fact.keywords:
        doc["keywords"] = list(fact.keywords)
    if fact.questions:  # an edit stores the fact's full state: losing these would drop them at the next rebuild
        doc["questions"] = questions_doc(fact.questions)
    if fact.origin != "curated":
        doc["origin"] = fact.origin
    if fact.added is not None:
        doc["added"] = fact.added.isoformat()
    return doc


def _sourced(value: Sourced, key: str = "text") -> dict[str, Any]:
    doc: dict[str, Any] = {key: local_doc(value.text), "fact": value.fact}
    if value.role is not None:
        doc["role"] = local_doc(value.role)
    return doc


def event_to_doc(event: Event, *, with_facts: bool = True) -> dict[str, Any]:
    """One event as the YAML document of its knowledge file.

    Args:
        event: the event.
        with_facts: include the ``facts`` list.

    Returns:
        A mapping that :func:`bot.curated.parse.parse_event` reads back into an equal event.
    """
    doc: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "id": event.id,
        **({"origin": event.origin} if event.origin != "curated" else {}),
        "kind": event.kind,
        "year": event.year,
        "edition": event.edition,
        "source": event.source,
        "names": {lang: list(names) for lang, names in event.names.items()},
        "aliases": list(event.aliases),
    }
    if event.dates is not None:
        dates: dict[str, Any] = {"precision": event.dates.precision, "fact": event.dates.fact}
        if event.dates.start:
            dates["start"] = event.dates.start.isoformat()
        if event.dates.end:
            dates["end"] = event.dates.end.isoformat()
        doc["dates"] = dates
    if event.place is not None:
        doc["place"] = _sourced(event.place)
    rec = event.recurrence
    recurrence: dict[str, Any] = {"rule": rec.rule}
    if rec.since is not None:
        recurrence["since"] = rec.since
    if rec.month_day is not None:
        recurrence["month_day"] = f"{rec.month_day[0]:02d}-{rec.month_day[1]:02d}"
    if rec.fact is not None:
        recurrence["fact"] = rec.fact
    doc["recurrence"] = recurrence
    if event.theme is not None:
        doc["theme"] = _sourced(event.theme)
    if event.organizers:
        doc["organizers"] = [_sourced(o, "name") for o in event.organizers]
    if event.people:
        doc["people"] = [_sourced(p, "name") for p in event.people]
    doc["summary"] = local_doc(event.summary)
    if event.questions:
        doc["questions"] = questions_doc(event.questions)
    if with_facts:
        doc["facts"] = [fact_to_doc(f) for f in event.facts]
    return doc


def articles_to_doc(articles: Mapping[str, Article]) -> dict[str, Any]:
    """The articles' metadata as the document of knowledge/sources.yaml.

    Args:
        articles: file name → article.

    Returns:
        A mapping that :func:`bot.curated.articles.parse_articles` reads back into equal articles.
    """
    entries = []
    for article in articles.values():
        entry: dict[str, Any] = {"file": article.file, "lang": article.lang}
        entry |= {"title": article.title} if article.title else {}
        entry |= {"outlet": article.outlet} if article.outlet else {}
        entry |= {"published": article.published.isoformat()} if article.published else {}
        entries.append(entry)
    return {"version": FORMAT_VERSION, "sources": entries}


def dump_yaml(doc: dict[str, Any]) -> str:
    """A document as readable YAML (Unicode kept, keys in their curated order).

    Args:
        doc: the mapping.

    Returns:
        YAML text.
    """
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)
