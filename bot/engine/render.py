"""Plain-text rendering of answers (terminal chat, ``ask``, logs); Telegram renders HTML itself."""

from __future__ import annotations

from bot.engine.answer import MAX_MESSAGE, Answer
from bot.engine.model import Messages, labelled

QUOTE_CHARS = 160


def shorten(text: str, limit: int) -> str:
    """Cut a text to at most ``limit`` characters, marking the cut with an ellipsis.

    Args:
        text: any text.
        limit: the maximum length (at least 1).

    Returns:
        The text, or its beginning plus "…".
    """
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def source_lines(answer: Answer, messages: Messages) -> list[str]:
    """One line per cited article: "Source: file — “quote”".

    Args:
        answer: the answer.
        messages: for the localized label.

    Returns:
        The lines, one per distinct (file, quote).
    """
    label = messages.get("source", answer.lang)
    seen: set[tuple[str, str]] = set()
    lines = []
    for ref in answer.sources:
        if (ref.file, ref.quote) in seen:
            continue
        seen.add((ref.file, ref.quote))
        quote = f" — “{shorten(ref.quote, QUOTE_CHARS)}”" if ref.quote else ""
        lines.append(labelled(label, f"{ref.file}{quote}", answer.lang))
    return lines


def to_plain(answer: Answer, messages: Messages) -> str:
    """The answer as the plain text a user would read.

    Args:
        answer: the answer.
        messages: for localized labels.

    Returns:
        Title, body and sources, at most :data:`MAX_MESSAGE` characters.
    """
    parts = [answer.title] if answer.title else []
    parts += list(answer.body)
    sources = source_lines(answer, messages)
    if sources:
        parts += ["", *sources]
    return shorten("\n".join(parts), MAX_MESSAGE)
