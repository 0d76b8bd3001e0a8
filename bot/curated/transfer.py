"""Export the current knowledge to a folder of event files, and import such a folder as edits."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.curated.articles import SOURCES_FILE
from bot.curated.checks import event_checks
from bot.curated.edits import Edit
from bot.curated.export import articles_to_doc, dump_yaml, event_to_doc, fact_to_doc
from bot.curated.loader import read_events
from bot.curated.parse import parse_event
from bot.curated.problems import CurationError, Problem
from bot.engine.model import KnowledgeBase


def export_folder(kb: KnowledgeBase, folder: Path) -> list[Path]:
    """Write one knowledge file per event (the curated format, admin edits included), and the articles' sources.yaml.

    Args:
        kb: the knowledge to write.
        folder: created if needed; existing event files there are overwritten.

    Returns:
        The event files written (the folder is a whole knowledge folder: sources.yaml is written too).
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SOURCES_FILE).write_text(dump_yaml(articles_to_doc(kb.articles)), encoding="utf-8")
    written = []
    for event in kb.events:
        path = folder / f"{event.id}.yaml"
        path.write_text(dump_yaml(event_to_doc(event)), encoding="utf-8")
        written.append(path)
    return written


def read_folder(folder: Path, sources_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """Event documents from a folder, validated exactly as ``validate`` validates ``knowledge/``.

    The same reader (regular files only, size cap, no aliases, bounded nesting) and the same checks: each event id
    matches its file name and is used once, each fact id once across all files, quotes verbatim when ``sources_dir``
    is given.

    Args:
        folder: a folder of ``<event_id>.yaml`` files.
        sources_dir: the articles, for the quote check (None: skipped, as in ``validate``).

    Returns:
        event id → document.

    Raises:
        CurationError: naming every problem, when any file is invalid (nothing is imported then).
    """
    problems: list[Problem] = []
    read = read_events(folder, problems)
    problems += event_checks([event for event, _, _ in read], sources_dir, [file for _, _, file in read])
    if problems:
        raise CurationError(problems)
    return {event.id: dict(doc) for event, doc, _ in read}


def _event_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "facts"}


def import_edits(current: KnowledgeBase, docs: Mapping[str, Mapping[str, Any]]) -> list[Edit]:
    """The edits that make the current knowledge equal to the imported documents.

    Args:
        current: the knowledge in use (baseline plus edits).
        docs: the imported event documents (from :func:`read_folder`).

    Returns:
        Edits for every event and fact that differs, is new, or is missing from the import.
    """
    edits: list[Edit] = []
    for event in current.events:
        if event.id not in docs:
            edits.append(Edit("import", "event", event.id, event.id, None, f"import removed event {event.id}"))
            edits += [Edit("import", "fact", f.id, event.id, None, f"import removed {f.id}") for f in event.facts]
    for event_id, doc in docs.items():
        have = current.event(event_id)
        # Compare in the exported form, so formatting and defaults never count as a change.
        problems: list[Problem] = []
        parsed = parse_event(doc, event_id, problems)
        assert parsed is not None
        wanted = event_to_doc(parsed)
        if have is None or _event_fields(event_to_doc(have)) != _event_fields(wanted):
            edits.append(Edit("import", "event", event_id, event_id, _event_fields(wanted), f"import set event {event_id}"))
        old = {f["id"]: f for f in (event_to_doc(have)["facts"] if have else [])}
        new = {f.id: fact_to_doc(f) for f in parsed.facts}
        for fact_id, fact in new.items():
            if old.get(fact_id) != fact:
                edits.append(Edit("import", "fact", fact_id, event_id, fact, f"import set {fact_id}"))
        edits += [Edit("import", "fact", fid, event_id, None, f"import removed {fid}") for fid in old if fid not in new]
    return edits
