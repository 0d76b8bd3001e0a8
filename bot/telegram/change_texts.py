"""How a stored knowledge change reads to an admin, in their language: /history lines and the reply after an edit or undo.

A change is rendered when it is shown, from its structured columns (action, entity, ids, the entry's state before and
after), so every admin reads it in their own language. The English ``summary`` stored with it stays for the log and
``kb history``; it is shown only for a change whose structure does not say what happened (e.g. an edit that set a text
to the one it already had, or an undo whose reverted change is gone).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.curated.export import event_to_doc, fact_to_doc
from bot.engine.model import DEFAULT_LANG, KnowledgeBase, Messages
from bot.engine.render import shorten
from bot.store.knowledge_records import Change
from bot.telegram.formatting import Block
from bot.telegram.services import Services

Doc = Mapping[str, Any]
#: The event field that /event_set's sourcing fact is about, by the fact's topic (see bot.curated.edits.event_set).
_FIELD_OF_TOPIC = {"when": "date", "where": "place", "theme": "theme"}


def state_before(change: Change, baseline: KnowledgeBase) -> Doc | None:
    """The entry as it was before a change.

    Args:
        change: the stored change.
        baseline: the curated knowledge (the YAML), which applies where the entry had no edit yet.

    Returns:
        Its state (an event without its facts, or a fact), or None when it did not exist or was deleted.
    """
    if change.before_json is not None:  # JSON null: it was deleted
        found: Doc | None = json.loads(change.before_json)
        return found
    event = baseline.event(change.event_id)
    if event is None:
        return None
    if change.entity == "event":
        return event_to_doc(event, with_facts=False)
    fact = event.fact(change.entity_id)
    return fact_to_doc(fact) if fact is not None else None


def describe(change: Change, before: Doc | None, lang: str, messages: Messages, undone: tuple[int, str] | None = None) -> str:
    """What a change did, in a language.

    Args:
        change: the stored change.
        before: the entry's state before it (:func:`state_before`).
        lang: the admin's language.
        messages: the bot's texts.
        undone: for an undo, the reverted change's id and its own description (None: unknown).

    Returns:
        The sentence (``#id`` and who are added by the caller); the stored summary when the structure says too little.
    """
    text = _described(change, before, lang, messages, undone)
    return change.summary if text is None else text


def _described(change: Change, before: Doc | None, lang: str, messages: Messages, undone: tuple[int, str] | None) -> str | None:
    get, after, entry = messages.get, _state(change.after_json), change.entity_id
    if change.action == "undo":
        return None if undone is None else get("change_undo", lang, id=undone[0], summary=undone[1])
    if change.action == "import":
        return get(f"change_import_{change.entity}_{'removed' if after is None else 'set'}", lang, event=entry, fact=entry)
    if change.action == "fact_del":
        return None if before is None else get("change_fact_del", lang, fact=entry, text=_pick(before.get("text") or {}, lang))
    if after is None:
        return None
    if change.action == "event_add":
        name = next((n for names in (after.get("names") or {}).values() for n in names), None)
        return None if name is None else get("change_event_add", lang, event=entry, kind=after.get("kind"), year=after.get("year"), name=name)
    if change.action == "question_attach":
        asked = [(code, q) for code, qs in (after.get("questions") or {}).items() for q in qs if q not in _of(before, "questions").get(code, [])]
        return get("change_question_attach", lang, fact=entry, lang=asked[-1][0], question=asked[-1][1]) if asked else None
    if change.action == "event_set" and change.entity == "event":
        return _event_field(change, before or {}, after, lang, messages)
    changed = _changed(_of(before, "text"), after.get("text") or {})
    if not changed:
        return None
    (code, value), topic = changed[0], next(iter(after.get("topics") or []), "")
    if change.action == "event_set":  # the fact that sources the field /event_set changed
        field = _FIELD_OF_TOPIC.get(topic)
        return None if field is None else get("change_event_fact", lang, event=change.event_id, field=field, lang=code, value=value)
    if change.action in ("fact_add", "fact_edit"):
        return get(f"change_{change.action}", lang, fact=entry, lang=code, text=value)
    return None


def _event_field(change: Change, before: Doc, after: Doc, lang: str, messages: Messages) -> str | None:
    """``/event_set``'s change of an event: the one field (and language) that differs; None unless exactly one does."""
    found: list[tuple[str, str, str]] = []
    if before.get("dates") != after.get("dates"):
        dates = after.get("dates") or {}
        found.append(("date", "", "..".join(str(dates[k]) for k in ("start", "end") if dates.get(k))))
    for field in ("place", "theme"):
        found += [(field, code, value) for code, value in _changed(_of(before.get(field), "text"), _of(after.get(field), "text"))]
    found += [("names", code, "; ".join(names)) for code, names in _changed(_of(before, "names"), _of(after, "names"))]
    found += [("summary", code, value) for code, value in _changed(_of(before, "summary"), _of(after, "summary"))]
    if len(found) != 1:
        return None
    field, code, value = found[0]
    if field == "date":
        return messages.get("change_event_date", lang, event=change.entity_id, dates=value)
    return messages.get("change_event_set", lang, event=change.entity_id, field=field, lang=code, value=value)


def _state(raw: str | None) -> Doc | None:
    found: Doc | None = json.loads(raw) if raw is not None else None
    return found


def _of(doc: Doc | None, key: str) -> Mapping[str, Any]:
    """A per-language mapping of a state (text, names, questions…), empty when the state or the key is missing."""
    value = doc.get(key) if doc is not None else None
    return value if isinstance(value, Mapping) else {}


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(language, new value) of each language whose value the change set or altered.

    An empty value is no text (the export lists every language of names, empty or not), so it is never the change.
    """
    return [(code, value) for code, value in after.items() if value and before.get(code) != value]


def _pick(texts: Mapping[str, str], lang: str) -> str:
    """A text in the admin's language, else English, else the first there is."""
    return texts.get(lang) or texts.get(DEFAULT_LANG) or next(iter(texts.values()), "")


async def describe_changes(svc: Services, changes: Sequence[Change], lang: str) -> dict[int, str]:
    """Each change's description in the admin's language, undos naming the change they reverted.

    Args:
        svc: the services (the curated baseline, the knowledge log).
        changes: stored changes.
        lang: the admin's language.

    Returns:
        change id → description.
    """
    undos = [c for c in changes if c.action == "undo"]
    reverted = {(c.undone_by, c.entity, c.entity_id): c for c in await svc.knowledge.undone_by({u.batch_id for u in undos})} if undos else {}
    out: dict[int, str] = {}
    for change in changes:
        original = reverted.get((change.batch_id, change.entity, change.entity_id))
        undone = None
        if original is not None:
            undone = (original.change_id, describe(original, state_before(original, svc.baseline), lang, svc.messages))
        out[change.change_id] = describe(change, state_before(change, svc.baseline), lang, svc.messages, undone)
    return out


def change_block(change: Change, text: str) -> Block:
    """``#id description`` of a change, its entity's id as code (to copy into the next command)."""
    return Block(f"#{change.change_id} {shorten(text, 300)}", codes=(change.entity_id,))
