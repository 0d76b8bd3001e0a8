"""Small replies to messages with no words at all: an emoji, a "?", a bare @mention (an empty text).

Such a message is not a question the bot failed to answer, so it gets no "I don't know" and is not logged as
unanswered; a reaction gets a reaction, an empty nudge an invitation to ask.
"""

from __future__ import annotations

import datetime as dt

from bot.engine.answer import Answer, Context
from bot.engine.model import Messages

#: Intent ids of these replies (for the question log and statistics; not curated intents).
NUDGE, REACTION = "nudge", "reaction"


def reaction(text: str, lang: str, messages: Messages, now: dt.datetime) -> Answer:
    """The small reply to a message without words.

    Args:
        text: the message (no letters or digits in it: emoji, punctuation, nothing).
        lang: the reader's language.
        messages: the bot's sentences.
        now: the current time, for the context.

    Returns:
        A one-line chitchat answer: an invitation to ask for nothing or a bare "?", a small acknowledgement otherwise.
    """
    bare = not text.replace("?", "").replace("？", "").strip()
    intent = NUDGE if bare else REACTION
    body = messages.get("reply_nudge" if bare else "reply_reaction", lang)
    return Answer(lang, "chitchat", (body,), 1.0, intent=intent, context=Context(None, intent, now))
