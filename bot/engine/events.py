"""Find which events a query names: curated names and aliases, tolerant of typos and accents."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extractOne

from bot.engine.model import Event
from bot.engine.text import Normalized, fold, is_thai

#: A name phrase or alias names its event(s) outright; a single word of a name only hints at it.
PHRASE_WEIGHT = 1.0
WORD_WEIGHT = 0.5
YEAR_WEIGHT = 0.4
# "l" and "d": French elisions ("de l'iot" folds to "de l iot").
_FUNCTION_WORDS = frozenset(
    ["the", "and", "of", "for", "in", "des", "les", "del", "de", "la", "le", "et", "du", "au", "aux", "va", "cua", "ve", "cho", "l", "d"]
)
MIN_FUZZY_LEN = 5
#: The longest run of query words compared, as one string, with a several-word name (most names are 2–5 words).
MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class EventHit:
    """How strongly a query points at one event."""

    event_id: str
    score: float
    named: bool  # a whole name or alias matched, not just words of one


@dataclass(frozen=True)
class EventMatch:
    """The events a query points at, best first, and the query words that named them."""

    hits: tuple[EventHit, ...]
    residual: str  # the query without the words that named an event, for intent matching
    mentioned: tuple[str, ...] = ()  # events one of whose name words the query uses, even a common one ("iot")


def _squash(text: str) -> str:
    return "".join(text.split())


def _fuzzy_limit(word: str) -> int:
    return 0 if len(word) < MIN_FUZZY_LEN - 1 else 1 if len(word) < 9 else 2


def _phrase_limit(squashed: str) -> int:
    """Edits allowed between a several-word name and query words, spaces removed.

    Per word, a typo in a syllable of two to four letters ("vo tick" for "vô tích") is out of reach: one edit in
    four letters is as often another word. Over a whole name it is not: "votick" is one edit from "votich" and
    two from anything else in the names. Six letters (the shortest such name, "vo tich") get one edit, as a
    five-to-eight-letter word does; twelve and more get two, as a long word does. Thai names count likewise.
    """
    shortest = 5 if is_thai(squashed) else 6  # Thai: a two-syllable name ("อู๋ซี") is five characters with its marks
    return 0 if len(squashed) < shortest else 1 if len(squashed) < 12 else 2


@dataclass(frozen=True)
class EventMatcher:
    """Immutable lookup tables built from the events' names and aliases."""

    phrases: Mapping[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]  # first word → (words, events)
    thai_phrases: tuple[tuple[str, tuple[str, ...], frozenset[str]], ...]  # Thai part → events, and the name's other words
    name_words: Mapping[str, Mapping[str, float]]  # word → event → weight
    all_name_words: Mapping[str, tuple[str, ...]]  # every word of every name → events (for "which one?")
    years: Mapping[str, tuple[str, ...]]
    vocabulary: tuple[str, ...]
    labels: tuple[tuple[str, str], ...] = ()  # (name or alias folded without spaces, event id)
    #: Several-word names (and their forms without small words) with spaces removed, and their events, for typos.
    squashed: tuple[str, ...] = ()
    squashed_events: tuple[tuple[str, ...], ...] = ()
    known: frozenset[str] = frozenset()

    @classmethod
    def build(cls, events: Sequence[Event], question_words: frozenset[str] = frozenset(), known_words: frozenset[str] = frozenset()) -> EventMatcher:
        """Prepare the tables.

        Args:
            events: all events.
            question_words: words of the intents' examples; a name word among them ("summit", "ngay",
                "the") is too common in questions to hint at an event on its own.
            known_words: every word of the curated texts; a name is only taken as misspelled where the query has a
                word none of them uses ("vô tình", by chance, is one letter from "vô tích" but spelled right).

        Returns:
            The matcher.
        """
        by_phrase: dict[tuple[str, ...], set[str]] = defaultdict(set)
        by_thai: dict[str, set[str]] = defaultdict(set)
        thai_extra: dict[str, set[str]] = defaultdict(set)
        word_events: dict[str, set[str]] = defaultdict(set)
        any_word: dict[str, set[str]] = defaultdict(set)
        years: dict[str, set[str]] = defaultdict(set)
        for event in events:
            years[str(event.year)].add(event.id)
            labels = [n for names in event.names.values() for n in names] + list(event.aliases)
            for label in labels:
                norm = Normalized.of(label)
                if any(is_thai(w) for w in norm.folded_words):
                    key = "".join(w for w in norm.folded_words if is_thai(w))
                    by_thai[key].add(event.id)
                    # "การประชุม iot โลก": the Latin words of a Thai name belong to the name too.
                    thai_extra[key].update(w for w in norm.folded_words if not is_thai(w) and not w.isdigit())
                    continue
                words = tuple(norm.folded_words)
                without_year = tuple(w for w in words if w != str(event.year))
                # People drop the small words of a long name ("convention mondiale iot", "world internet things expo").
                content = tuple(w for w in without_year if w not in _FUNCTION_WORDS)
                for variant in {words, without_year, content if len(content) >= 2 else ()}:
                    if variant:
                        by_phrase[variant].add(event.id)
                for word in without_year:
                    if len(word) >= 3 and not word.isdigit() and word not in _FUNCTION_WORDS:
                        any_word[word].add(event.id)
                    if len(word) >= 3 and not word.isdigit() and word not in _FUNCTION_WORDS and word not in question_words:
                        word_events[word].add(event.id)
        phrases: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = defaultdict(list)
        for words, ids in by_phrase.items():
            phrases[words[0]].append((words, tuple(sorted(ids))))
        name_words = {w: {e: WORD_WEIGHT / len(ids) for e in ids} for w, ids in word_events.items()}
        vocab = sorted({w for words in by_phrase for w in words if not w.isdigit()})
        several = sorted({"".join(words): ids for words, ids in by_phrase.items() if len(words) >= 2}.items())
        spellings: list[tuple[str, str]] = sorted(
            {(_squash(Normalized.of(label).folded), e.id) for e in events for label in (*(n for ns in e.names.values() for n in ns), *e.aliases)}
        )
        return cls(
            {k: tuple(sorted(v, key=lambda p: -len(p[0]))) for k, v in phrases.items()},
            tuple((k, tuple(sorted(v)), frozenset(thai_extra[k])) for k, v in sorted(by_thai.items(), key=lambda kv: -len(kv[0]))),
            name_words,
            {w: tuple(sorted(ids)) for w, ids in any_word.items()},
            {y: tuple(sorted(ids)) for y, ids in years.items()},
            tuple(vocab),
            tuple(spellings),
            tuple(k for k, _ in several),
            tuple(tuple(sorted(ids)) for _, ids in several),
            known_words,
        )

    def similarity(self, text: Normalized) -> dict[str, tuple[float, float]]:
        """How closely the query spells each event's names, whatever the typos (spaces ignored).

        Args:
            text: the normalized query.

        Returns:
            event id → (best share of a name found inside the query, best share of the query that is a name), in [0, 1].
        """
        query = _squash(text.folded)
        out: dict[str, tuple[float, float]] = {}
        if not query:
            return out
        for label, event_id in self.labels:
            # A name found inside the query: only when the query is long enough to hold it ("when" is not inside "wuzhen").
            inside = fuzz.partial_ratio(label, query) / 100 if MIN_FUZZY_LEN <= len(label) <= len(query) else 0.0
            whole = fuzz.ratio(label, query) / 100
            best = out.get(event_id, (0.0, 0.0))
            out[event_id] = (max(best[0], inside), max(best[1], whole))
        return out

    def _canonical(self, word: str) -> str:
        """The name word a query word stands for (itself, or the name word it misspells)."""
        if word in self.name_words or word in self.phrases or is_thai(word) or len(word) < MIN_FUZZY_LEN - 1 or word.isdigit():
            return word
        best = extractOne(word, self.vocabulary, scorer=Levenshtein.distance, score_cutoff=_fuzzy_limit(word))
        # A four-letter word may only be a five-letter name word with one letter dropped ("wotc" for "wiotc"):
        # between four-letter words one edit is too often another word.
        if best is None or abs(len(best[0]) - len(word)) > 2 or (len(word) < MIN_FUZZY_LEN and len(best[0]) < MIN_FUZZY_LEN):
            return word
        return str(best[0])

    def _misspelled_names(self, words: Sequence[str], written: Sequence[str], used: set[int]) -> list[tuple[int, int, tuple[str, ...]]]:
        """Runs of words the exact pass left that spell a several-word name with a typo.

        Args:
            words: the query's folded words (single-word typos already corrected).
            written: the same words as written (folded), to tell a typo from a known word.
            used: positions an exact name took.

        Returns:
            (first position, number of words, events) per name found.
        """
        found: list[tuple[int, int, tuple[str, ...]]] = []
        start = 0
        while start < len(words):
            # The closest spelling wins, then the longer run: a long name's allowance must not swallow the next word.
            best: tuple[float, int, tuple[str, ...]] | None = None
            for size in range(2, min(MAX_NAME_WORDS, len(words) - start) + 1):
                window = words[start : start + size]
                if any(p in used for p in range(start, start + size)) or any(is_thai(w) for w in window):
                    break
                if window[0] in _FUNCTION_WORDS or window[-1] in _FUNCTION_WORDS:
                    continue
                if self.known and all(w in self.known for w in written[start : start + size]):
                    continue
                for form in dict.fromkeys(("".join(window), "".join(w for w in window if w not in _FUNCTION_WORDS))):
                    limit = _phrase_limit(form)
                    hit = extractOne(form, self.squashed, scorer=Levenshtein.distance, score_cutoff=limit) if limit else None
                    if hit is not None and (best is None or (hit[1], -size) < (best[0], -best[1])):
                        best = (hit[1], size, self.squashed_events[hit[2]])
            if best is not None:
                found.append((start, best[1], best[2]))
                start += best[1]
            else:
                start += 1
        return found

    def _misspelled_thai(self, squeezed: str) -> list[tuple[str, tuple[str, ...], frozenset[str]]]:
        """Thai names written with a typo in the query's Thai text ("อู๋ชี" for "อู๋ซี"), longest name first.

        Thai has no spaces to cut it into words, so every stretch of about a name's length is compared with it.

        Args:
            squeezed: the query's Thai text run together, exact names already replaced by spaces.

        Returns:
            (the stretch as written, events, the name's Latin words) per name found.
        """
        found: list[tuple[str, tuple[str, ...], frozenset[str]]] = []
        # Names share lengths: each length's stretches are cut once (until a find changes the text).
        stretches: dict[int, list[str]] = {}
        for thai, ids, others in self.thai_phrases:
            limit = _phrase_limit(thai)
            if not limit:
                continue
            windows = []
            for n in range(len(thai) - limit, len(thai) + limit + 1):
                if n not in stretches:
                    stretches[n] = [w for i in range(len(squeezed) - n + 1) if " " not in (w := squeezed[i : i + n])]
                windows += stretches[n]
            best = extractOne(thai, windows, scorer=Levenshtein.distance, score_cutoff=limit)
            if best is not None:
                found.append((str(best[0]), ids, others))
                squeezed = squeezed.replace(str(best[0]), " ")
                stretches.clear()
        return found

    def match(self, text: Normalized, *, fuzzy: bool = True) -> EventMatch:
        """Score every event the query points at.

        Args:
            text: the normalized query.
            fuzzy: tolerate typos in names (off for curated texts, which are spelled right).

        Returns:
            Hits sorted by score, and the query with the naming words taken out.
        """
        scores: dict[str, float] = defaultdict(float)
        named: set[str] = set()
        used: set[int] = set()
        words = [self._canonical(w) for w in text.folded_words] if fuzzy else list(text.folded_words)
        i = 0
        while i < len(words):
            step = 1
            for phrase, ids in self.phrases.get(words[i], ()):
                if tuple(words[i : i + len(phrase)]) == phrase:
                    for event_id in ids:
                        scores[event_id] += PHRASE_WEIGHT / len(ids)
                        named.add(event_id)
                    used.update(range(i, i + len(phrase)))
                    step = len(phrase)
                    break
            else:
                for event_id, weight in self.name_words.get(words[i], {}).items():
                    scores[event_id] += weight
                    used.add(i)
            i += step
        if fuzzy:
            for start, size, ids in self._misspelled_names(words, text.folded_words, used):
                for event_id in ids:
                    scores[event_id] += PHRASE_WEIGHT / len(ids)
                    named.add(event_id)
                used.update(range(start, start + size))
        rest = [w for i, w in enumerate(text.exact_words) if i not in used]
        # Thai names are matched in the query's Thai text run together: people write them with or without
        # spaces, and a name ("… อูเจิ้น ประจำปี 2566") may span what the tokenizer sees as several words.
        squeezed = "".join(w for w in rest if is_thai(w))
        extra: set[str] = set()
        for thai, ids, others in self.thai_phrases:
            if thai in squeezed:
                squeezed = squeezed.replace(thai, " ")
                extra |= others
                for event_id in ids:
                    scores[event_id] += PHRASE_WEIGHT / len(ids)
                    named.add(event_id)
        if fuzzy and squeezed.strip():
            for thai, ids, others in self._misspelled_thai(squeezed):
                squeezed = squeezed.replace(thai, " ")
                extra |= others
                for event_id in ids:
                    scores[event_id] += PHRASE_WEIGHT / len(ids)
                    named.add(event_id)
        rest = [w for w in rest if not is_thai(w) and fold(w) not in extra] + squeezed.split()
        for word in text.folded_words:
            for event_id in self.years.get(word, ()):
                if event_id in scores:
                    scores[event_id] += YEAR_WEIGHT / len(self.years[word])
                    # The year of a named event is part of its name, not of the question.
                    rest = [w for w in rest if w != word]
        hits = sorted((EventHit(e, s, e in named) for e, s in scores.items()), key=lambda h: (-h.score, h.event_id))
        mentioned = sorted({e for w in words for e in self.all_name_words.get(w, ())})
        return EventMatch(tuple(hits), " ".join(rest), tuple(mentioned))
