"""An asked question attached to a fact as one of its alternate questions: pure, an edit like the others.

The edit is the fact's full new state (:func:`bot.curated.export.fact_to_doc`) with the question added under its
language, so storing, undoing and the merge policy work exactly as for ``/fact_edit``.
"""

from __future__ import annotations

from bot.curated.edits import Edit, EditError, find_fact
from bot.curated.export import fact_to_doc, questions_doc
from bot.curated.visible import has_visible
from bot.engine.index import Index
from bot.engine.language import detect_language
from bot.engine.model import LANGS, KnowledgeBase
from bot.engine.text import Normalized

#: The longest alternate question accepted (the question log keeps at most 300 characters).
MAX_QUESTION = 300
ACTION = "question_attach"


def question_key(text: str) -> str:
    """What makes two questions the same: case and spacing aside (as the question log stores them)."""
    return " ".join(text.casefold().split())


def alternate_questions(kb: KnowledgeBase) -> dict[str, str]:
    """Every alternate question of the knowledge base, by :func:`question_key`, with what it belongs to.

    Args:
        kb: the knowledge base.

    Returns:
        question key → "fact <id>" or "the card of <event id>".
    """
    owners: dict[str, str] = {}
    for event in kb.events:
        for questions in event.questions.values():
            owners.update((question_key(q), f"the card of {event.id}") for q in questions)
        for fact in event.facts:
            for questions in fact.questions.values():
                owners.update((question_key(q), f"fact {fact.id}") for q in questions)
    return owners


def attach_question(kb: KnowledgeBase, index: Index, fact_id: str, question: str, lang: str | None = None) -> list[Edit]:
    """The edit that adds ``question`` to a fact's alternate questions.

    Args:
        kb: the knowledge base in use.
        index: its index (for language detection).
        fact_id: the fact.
        question: the question as asked.
        lang: its language (None: detected from the text).

    Returns:
        One edit: the fact's full new state.

    Raises:
        EditError: when the fact does not exist, the question is empty, too long, or already an alternate
            question (of this fact or any other: no two are the same), or the language is unknown.
    """
    event, fact = find_fact(kb, fact_id)
    text = " ".join(question.split())
    if not text or not has_visible(text):
        raise EditError("question_invisible")
    if len(text) > MAX_QUESTION:
        raise EditError("question_long", length=len(text), limit=MAX_QUESTION)
    owner = alternate_questions(kb).get(question_key(text))
    if owner is not None:
        raise EditError("question_taken", question=text, owner=owner)
    if lang is not None and lang not in LANGS:
        raise EditError("bad_lang", lang=lang, langs=", ".join(LANGS))
    lang = lang or detect_language(Normalized.of(text), index.language)
    questions = questions_doc(fact.questions)
    data = fact_to_doc(fact) | {"questions": {**questions, lang: [*questions.get(lang, []), text]}}
    return [Edit(ACTION, "fact", fact.id, event.id, data, f"attached question ({lang}) to {fact.id}: {text}")]
