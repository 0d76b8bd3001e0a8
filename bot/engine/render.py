"""Plain-text rendering of answers (terminal chat, ``ask``, logs); Telegram renders HTML itself."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.answer import MAX_MESSAGE, Answer, SourceRef
from bot.engine.dates import format_date
from bot.engine.model import Article, Messages, labelled

#: A verbatim quote is cut after this many characters (it is the article's sentence, rarely longer).
QUOTE_CHARS = 400
TITLE_CHARS = 160
#: The source an admin's fact has when the admin gave none.
ADMIN_SOURCE = "admin"


def shorten(text: str, limit: int) -> str:
    """Cut a text to at most ``limit`` characters, marking the cut with an ellipsis.

    Args:
        text: any text.
        limit: the maximum length (at least 1).

    Returns:
        The text, or its beginning plus "…".
    """
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


@dataclass(frozen=True)
class Citation:
    """One cited source as a reader sees it: a line naming it, and the verbatim quotes taken from it (maybe none)."""

    line: str
    quote_note: str = ""
    quotes: tuple[str, ...] = ()


def article_line(article: Article | None, file: str, lang: str, messages: Messages) -> str:
    """ "Source: “title”, outlet, date (article in Thai)", with only what the article gives.

    Args:
        article: the article's metadata (None: only its file name is known).
        file: the file name, shown when there is no metadata.
        lang: the reader's language.
        messages: labels, language names and month names.

    Returns:
        The line.
    """
    label = messages.get("source", lang)
    if article is None:
        return labelled(label, file, lang)
    in_lang = messages.get("article_in", lang, lang=messages.get(f"lang_name_{article.lang}", lang))
    parts = [f"“{shorten(article.title, TITLE_CHARS)}”" if article.title else "", article.outlet or ""]
    parts.append(format_date(article.published, "day", lang, messages) if article.published else "")
    named = ", ".join(p for p in parts if p)
    return labelled(label, f"{named} ({in_lang})" if named else in_lang, lang)


def _admin_lines(ref: SourceRef, lang: str, messages: Messages) -> list[str]:
    """An admin's fact: who added it and when, then the article or link the admin gave — never a quote."""
    added = messages.get("source_admin", lang, date=format_date(ref.added, "day", lang, messages)) if ref.added else ""
    lines = [added or messages.get("source_admin_undated", lang)]
    if ref.article is not None:
        lines.append(article_line(ref.article, ref.file, lang, messages))
    elif ref.file and ref.file != ADMIN_SOURCE:
        lines.append(labelled(messages.get("source", lang), ref.file, lang))
    return lines


def citations(answer: Answer, messages: Messages) -> list[Citation]:
    """The answer's sources, one per article (its quotes together, in order), then the admins' facts.

    Args:
        answer: the answer.
        messages: for localized labels.

    Returns:
        The citations, without repeats.
    """
    quotes: dict[tuple[str, Article | None], list[str]] = {}
    admin: list[str] = []
    for ref in answer.sources:
        if ref.origin != "curated":
            admin += [line for line in _admin_lines(ref, answer.lang, messages) if line not in admin]
            continue
        found = quotes.setdefault((ref.file, ref.article), [])
        quote = shorten(ref.quote, QUOTE_CHARS)
        if quote and quote not in found:
            found.append(quote)
    out = []
    for (file, article), texts in quotes.items():
        note_lang = messages.get(f"lang_name_{article.lang}", answer.lang) if article else ""
        note = messages.get("quote_in", answer.lang, lang=note_lang) if article else messages.get("quote", answer.lang)
        out.append(Citation(article_line(article, file, answer.lang, messages), note if texts else "", tuple(texts)))
    return out + [Citation(line) for line in admin]


def source_lines(answer: Answer, messages: Messages) -> list[str]:
    """The sources as plain lines: each article's line, its quotes indented under it.

    Args:
        answer: the answer.
        messages: for the localized labels.

    Returns:
        The lines.
    """
    lines = []
    for cited in citations(answer, messages):
        lines.append(cited.line)
        if cited.quotes:
            lines.append(f"  {labelled(cited.quote_note, '', answer.lang).rstrip()}")
            lines += [f"  “{quote}”" for quote in cited.quotes]
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
    # Telegram shows suggestions as buttons; here they are lines (unless the text lists them already).
    parts += [f"• {s.label}" for s in answer.suggestions if f"• {s.label}" not in answer.body]
    sources = source_lines(answer, messages)
    if sources:
        parts += ["", *sources]
    return shorten("\n".join(parts), MAX_MESSAGE)
