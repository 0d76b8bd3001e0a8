"""Which languages of a fact still hold an older text, from the sequence of its texts over its changes.

Each language's text reflects a *version* of what the fact says. Rewriting a text that was up to date moves the
fact on to a new version (the meaning changed); writing a language that was behind, or one the fact did not
have yet, brings it up to date (a translation catching up) and changes no one else. So after "en" is edited the
others are older; after "th" is then translated too, only the untouched ones are, never the language just written
nor the one written just before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise


def stale_languages(states: Sequence[Mapping[str, str]]) -> list[str]:
    """The languages whose text is older than the fact's latest version.

    Args:
        states: the fact's text per language, oldest first: as it was before its first recorded change, then
            after each change; the last one is the current state.

    Returns:
        Language codes, sorted (empty when every language is up to date, or for fewer than two states).
    """
    if not states:
        return []
    version = dict.fromkeys(states[0], 0)
    latest = 0
    for before, after in pairwise(states):
        changed = [lang for lang, text in after.items() if before.get(lang) != text]
        if any(lang in before and version.get(lang) == latest for lang in changed):
            latest += 1
        version = {lang: version.get(lang, latest) for lang in after} | dict.fromkeys(changed, latest)
    return sorted(lang for lang, seen in version.items() if seen < latest)
