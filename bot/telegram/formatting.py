"""Answers as Telegram HTML: every dynamic value escaped, cut into messages Telegram accepts.

Text is kept as plain :class:`Block` values until the very end; splitting happens on the plain text before it is
escaped and wrapped, so a cut can never fall inside a tag or a character reference.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.engine import MAX_MESSAGE, Answer
from bot.engine.model import Messages, labelled
from bot.engine.render import citations

#: An answer is sent as at most this many messages; the rest is cut and marked with an ellipsis.
MAX_PARTS = 4
ELLIPSIS = "…"
#: A block that must be cut starts in the current message only if at least this much room is left there.
MIN_ROOM = 200
#: Quotes stay out of the way: collapsed under the source line until the reader taps them.
QUOTE_TAG = "blockquote expandable"
_TOKENS = re.compile(r"\s+|\S+")


@dataclass(frozen=True)
class Block:
    """One line of a reply: plain text, an optional tag (b, i, or a tag with attributes) for the whole line, and ids in it to show as code."""

    text: str
    tag: str | None = None
    codes: tuple[str, ...] = ()  # ids shown as <code> wherever they occur: they copy with a tap


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Escape a dynamic value for Telegram's HTML parse mode (&, <, >)."""
    return html.escape(text, quote=False)


def _wrap(tag: str | None, inner: str) -> str:
    return f"<{tag}>{inner}</{tag.split()[0]}>" if tag and inner else inner


def _marked(inner: str, codes: tuple[str, ...]) -> str:
    """Escaped text with each whole occurrence of an id wrapped in <code> (a cut one stays plain: still valid)."""
    wanted = sorted({escape(code) for code in codes if code}, key=len, reverse=True)
    if not wanted:
        return inner
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, wanted)) + r")(?!\w)")
    return pattern.sub(lambda m: f"<code>{m.group()}</code>", inner)


def answer_blocks(answer: Answer, messages: Messages) -> list[Block]:
    """The lines of an answer: bold title, body, then its sources in italics, each with its quotes collapsed.

    Args:
        answer: the engine's answer.
        messages: for the localized source labels.

    Returns:
        The blocks; an event card leaves its source to the card's Source button.
    """
    blocks = [Block(answer.title, "b")] if answer.title else []
    blocks += [Block(line) for line in answer.body]
    cited = citations(answer, messages) if answer.kind != "summary" else []
    if cited:
        blocks.append(Block(""))
    for citation in cited:
        blocks.append(Block(citation.line, "i"))
        if citation.quotes:
            head = labelled(citation.quote_note, "", answer.lang).rstrip()
            blocks.append(Block("\n".join([head, *(f"“{quote}”" for quote in citation.quotes)]), QUOTE_TAG))
    return blocks


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Mc", "Me")


def _hard_split(token: str, first: int, budget: int) -> list[str]:
    """Cut a long run without spaces (Thai, URLs) into slices that fit, never before a combining mark."""
    slices: list[str] = []
    start, size = 0, 0
    for i, ch in enumerate(token):
        cost = utf16_len(escape(ch))
        if size + cost > (budget if slices else first) and i > start:
            cut = i
            while cut > start + 1 and _is_mark(token[cut]):
                cut -= 1
            slices.append(token[start:cut])
            start, size = cut, utf16_len(escape(token[cut:i]))
        size += cost
    slices.append(token[start:])
    return slices


def _split_plain(text: str, budget: int, first: int) -> list[str]:
    """Cut plain text into pieces whose escaped form fits (``first`` for the first piece, then ``budget``)."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for token in _TOKENS.findall(text):
        cap = budget if parts else first
        cost = utf16_len(escape(token))
        if size + cost <= cap:
            current.append(token)
            size += cost
            continue
        if current:
            parts.append("".join(current).rstrip())
            current, size, cap = [], 0, budget
        if token.isspace():
            continue
        slices = [token] if cost <= cap else _hard_split(token, cap, budget)
        parts += slices[:-1]
        current, size = [slices[-1]], utf16_len(escape(slices[-1]))
    if current:
        parts.append("".join(current).rstrip())
    return [p for p in parts if p]


def _pieces(block: Block, limit: int, room: int) -> list[str]:
    """A block as HTML pieces within ``limit``; when it must be cut, the first piece fills the ``room`` left."""
    whole = _wrap(block.tag, _marked(escape(block.text), block.codes))
    if utf16_len(whole) <= limit:
        return [whole]
    overhead = utf16_len(_wrap(block.tag, "x")) - 1 + len("<code></code>") * sum(block.text.count(c) for c in block.codes if c)
    first = room - overhead if room - overhead >= MIN_ROOM else limit - overhead
    return [_wrap(block.tag, _marked(escape(part), block.codes)) for part in _split_plain(block.text, limit - overhead, first)]


def render(blocks: Iterable[Block], limit: int = MAX_MESSAGE, max_parts: int = MAX_PARTS) -> list[str]:
    """Blocks as HTML messages, one line per block, each message at most ``limit`` UTF-16 units.

    Args:
        blocks: the lines.
        limit: the longest message (Telegram: 4096).
        max_parts: the most messages; beyond that the text is cut and ends with "…".

    Returns:
        At least one non-empty message.
    """
    if limit < 2 or max_parts < 1:
        raise ValueError("limit must be at least 2 and max_parts at least 1")
    chunks: list[list[str]] = [[]]
    sizes = [0]
    for block in blocks:
        room = limit - sizes[-1] - (1 if chunks[-1] else 0)
        for piece in _pieces(block, limit, room):
            cost = utf16_len(piece) + (1 if chunks[-1] else 0)
            if sizes[-1] + cost > limit:
                chunks.append([])
                sizes.append(0)
                if not piece:
                    continue  # a blank line does not start a message
                cost = utf16_len(piece)
            chunks[-1].append(piece)
            sizes[-1] += cost
    chunks = [c for c in chunks if "".join(c).strip()]
    if len(chunks) > max_parts:
        chunks = chunks[:max_parts]
        last = chunks[-1]
        while last and utf16_len("\n".join([*last, ELLIPSIS])) > limit:
            last.pop()
        last.append(ELLIPSIS)
    return ["\n".join(c).strip("\n") for c in chunks] or [ELLIPSIS]


def render_answer(answer: Answer, messages: Messages, limit: int = MAX_MESSAGE, max_parts: int = MAX_PARTS) -> list[str]:
    """An answer as HTML messages (see :func:`render`)."""
    return render(answer_blocks(answer, messages), limit, max_parts)


def text_blocks(lines: Sequence[str], tag: str | None = None) -> list[Block]:
    """Plain lines (the bot's own sentences, problems...) as blocks."""
    return [Block(line, tag) for line in lines]
