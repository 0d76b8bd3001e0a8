"""The immutable search index built from a knowledge base: units, lexical and semantic text groups, names, vocabulary."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extractOne

from bot.engine.events import EventMatcher
from bot.engine.examples import Example, ExampleIndex
from bot.engine.language import LanguageModel
from bot.engine.lexical import LexicalIndex
from bot.engine.model import Event, Fact, Intent, KnowledgeBase
from bot.engine.semantic import Encoder, FloatArray, SemanticIndex
from bot.engine.text import Normalized, char_ngrams, is_thai
from bot.engine.units import UnitTable, build_units

MIN_FUZZY_LEN = 5


@dataclass(frozen=True)
class Index:
    """Everything the matcher needs, precomputed once per knowledge base and never mutated."""

    kb: KnowledgeBase
    events: EventMatcher
    language: LanguageModel
    table: UnitTable
    lexical: LexicalIndex
    specificity: Mapping[str, float]  # lexical feature → how little questions in general use it
    semantic: SemanticIndex | None
    examples: ExampleIndex | None  # the labelled questions, embedded (only with the encoder)
    intents: Mapping[str, Intent]
    facts: Mapping[str, Fact]
    vocabulary: frozenset[str]
    #: Words long enough for typo tolerance, by length: a word further off in length than the allowed edits cannot
    #: be within them, so only a few lengths are searched (the whole vocabulary was most of an answer at 10,000 facts).
    vocabulary_by_length: Mapping[int, tuple[str, ...]]
    thai_grams: frozenset[str]

    @classmethod
    def build(cls, kb: KnowledgeBase, encoder: Encoder | None = None, examples: Sequence[Example] = (), vectors: FloatArray | None = None) -> Index:
        """Index a knowledge base.

        Args:
            kb: the validated knowledge base.
            encoder: the sentence encoder (None: lexical signals only).
            examples: labelled questions for the neighbour features (used only with the encoder).
            vectors: their embeddings by this encoder, when shipped (else they are embedded, through the cache).

        Returns:
            The index; building it again for an edited knowledge base and swapping is how edits go live.
        """
        question_words = {w for i in kb.intents for xs in i.examples.values() for x in xs for w in Normalized.of(x).folded_words}
        vocab: set[str] = set()
        thai_grams: set[str] = set()
        for _, text in _all_texts(kb):
            for word in Normalized.of(text).folded_words:
                if is_thai(word):
                    thai_grams.update(char_ngrams(word, (3,)))
                else:
                    vocab.add(word)
        events = EventMatcher.build(kb.events, frozenset(question_words), frozenset(vocab))
        table = build_units(kb)

        def residual(text: str) -> str:
            # Event names are a signal of their own: lexical matching sees the rest of the text, as for queries.
            return events.match(Normalized.of(text), fuzzy=False).residual

        lexical_texts = [(g, residual(t)) for g, group in enumerate(table.groups) for t in (*group.questions, *group.statements, " ".join(group.keywords)) if t]
        semantic = None
        if encoder is not None:
            questions = [(g, t) for g, group in enumerate(table.groups) for t in group.questions]
            statements = [(g, t) for g, group in enumerate(table.groups) for t in group.statements]
            semantic = SemanticIndex.build(encoder, questions, statements, len(table.groups) + 1)
        lexical = LexicalIndex.build(lexical_texts, len(table.groups) + 1)
        asking = [residual(x) for i in kb.intents if i.kind != "out_of_scope" for xs in i.examples.values() for x in xs]
        return cls(
            kb=kb,
            events=events,
            language=LanguageModel.train(_all_texts(kb)),
            table=table,
            lexical=lexical,
            specificity=lexical.specificity(asking),
            semantic=semantic,
            examples=ExampleIndex.build(encoder, examples, table, vectors) if encoder is not None else None,
            intents={i.id: i for i in kb.intents},
            facts={f.id: f for e in kb.events for f in e.facts},
            vocabulary=frozenset(vocab),
            vocabulary_by_length=_by_length(w for w in vocab if len(w) >= MIN_FUZZY_LEN - 1),
            thai_grams=frozenset(thai_grams),
        )

    def event(self, event_id: str) -> Event | None:
        """The event with this id, or None."""
        return self.kb.event(event_id)

    def unknown_share(self, text: Normalized) -> float:
        """The share of the query that no curated text knows, as a signal against out-of-scope questions.

        Latin words count as known when they, or a word one or two typos away, occur in any curated
        text; Thai runs by the share of their character trigrams that occur.

        Args:
            text: the normalized query.

        Returns:
            Unknown share in [0, 1] (0 for an empty query).
        """
        known = total = 0.0
        for word in text.folded_words:
            if is_thai(word):
                grams = char_ngrams(word, (3,))
                total += len(grams)
                known += sum(1 for g in grams if g in self.thai_grams)
                continue
            total += 1
            if word.isdigit() or len(word) < 3 or word in self.vocabulary or (len(word) >= MIN_FUZZY_LEN and self._near_known(word)):
                known += 1
        return 1.0 - known / total if total else 0.0

    def _near_known(self, word: str) -> bool:
        limit = 1 if len(word) < 9 else 2
        for length in range(len(word) - limit, len(word) + limit + 1):
            words = self.vocabulary_by_length.get(length, ())
            if words and extractOne(word, words, scorer=Levenshtein.distance, score_cutoff=limit) is not None:
                return True
        return False


def _by_length(words: Iterator[str]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for word in sorted(words):
        found.setdefault(len(word), []).append(word)
    return {length: tuple(ws) for length, ws in found.items()}


def _all_texts(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """Every curated (language, text) pair: examples, names, summaries, facts, messages."""
    for intent in kb.intents:
        for lang, examples in intent.examples.items():
            for example in examples:
                yield lang, example
    for event in kb.events:
        for lang, names in event.names.items():
            for name in names:
                yield lang, name
        for alias in event.aliases:
            yield "", alias
        yield from event.summary.texts()
        for fact in event.facts:
            yield from fact.text.texts()
            for keyword in fact.keywords:
                yield "", keyword
            for lang, questions in fact.questions.items():
                for question in questions:
                    yield lang, question
        for lang, questions in event.questions.items():
            for question in questions:
                yield lang, question
    for entry in kb.messages.table.values():
        yield from entry.texts()
