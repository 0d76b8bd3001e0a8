"""The immutable search index built from a knowledge base: intents, facts, event names, vocabulary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extractOne

from bot.engine.events import EventMatcher
from bot.engine.language import LanguageModel
from bot.engine.model import Event, Fact, Intent, KnowledgeBase
from bot.engine.text import Normalized, char_ngrams, is_thai
from bot.engine.vectors import VectorSpace, features, idf_from_counts

MIN_FUZZY_LEN = 5
#: In fact matching, the weight left to a feature that is as common as it gets among questions.
CONTENT_FLOOR = 0.6


@dataclass(frozen=True)
class Index:
    """Everything the matcher needs, precomputed once per knowledge base and never mutated."""

    kb: KnowledgeBase
    events: EventMatcher
    language: LanguageModel
    intent_space: VectorSpace
    intent_ranges: tuple[tuple[str, int, int], ...]  # (intent id, first, end) document numbers of its examples
    fact_spaces: Mapping[str, VectorSpace]  # event id → the space of its facts' texts (one document per language)
    fact_docs: Mapping[str, tuple[str, ...]]  # event id → document number → fact id
    intents: Mapping[str, Intent]
    facts: Mapping[str, Fact]
    vocabulary: frozenset[str]
    vocabulary_list: tuple[str, ...]
    thai_grams: frozenset[str]

    @classmethod
    def build(cls, kb: KnowledgeBase) -> Index:
        """Index a knowledge base.

        Args:
            kb: the validated knowledge base.

        Returns:
            The index; building it again for an edited knowledge base and swapping is how edits go live.
        """
        example_docs: list[Mapping[str, float]] = []
        ranges: list[tuple[str, int, int]] = []
        question_words: set[str] = set()
        for intent in kb.intents:
            first = len(example_docs)
            for examples in intent.examples.values():
                for example in examples:
                    norm = Normalized.of(example)
                    question_words.update(norm.folded_words)
                    example_docs.append(features(norm))
            ranges.append((intent.id, first, len(example_docs)))
        events = EventMatcher.build(kb.events, frozenset(question_words))

        def fact_features(event: Event) -> Iterator[tuple[str, Mapping[str, float]]]:
            for fact in event.facts:
                extra = " ".join(fact.keywords)
                for _, text in fact.text.texts():
                    # Facts are searched within their event, so the event's own name says nothing about
                    # which fact is meant: index the text without it, as queries are matched without it.
                    yield fact.id, features(Normalized.of(events.match(Normalized.of(f"{text} {extra}"), fuzzy=False).residual))

        # One idf over all facts (rarity across the whole base), postings per event (search cost per event).
        # Two passes, so only one event's documents are held at a time however large the base grows.
        df: Counter[str] = Counter()
        total = 0
        for event in kb.events:
            for _, doc in fact_features(event):
                df.update(doc.keys())
                total += 1
        idf = idf_from_counts(df, total)
        fact_spaces: dict[str, VectorSpace] = {}
        fact_docs: dict[str, tuple[str, ...]] = {}
        for event in kb.events:
            pairs = list(fact_features(event))
            fact_spaces[event.id] = VectorSpace.build([doc for _, doc in pairs], idf)
            fact_docs[event.id] = tuple(fact_id for fact_id, _ in pairs)
        vocab: set[str] = set()
        thai_grams: set[str] = set()
        for _, text in _all_texts(kb):
            for word in Normalized.of(text).folded_words:
                if is_thai(word):
                    thai_grams.update(char_ngrams(word, (3,)))
                else:
                    vocab.add(word)
        return cls(
            kb=kb,
            events=events,
            language=LanguageModel.train(_all_texts(kb)),
            intent_space=VectorSpace.build(example_docs),
            intent_ranges=tuple(ranges),
            fact_spaces=fact_spaces,
            fact_docs=fact_docs,
            intents={i.id: i for i in kb.intents},
            facts={f.id: f for e in kb.events for f in e.facts},
            vocabulary=frozenset(vocab),
            vocabulary_list=tuple(sorted(w for w in vocab if len(w) >= MIN_FUZZY_LEN - 1)),
            thai_grams=frozenset(thai_grams),
        )

    def content_vector(self, raw: Mapping[str, float], space: VectorSpace) -> tuple[dict[str, float], float]:
        """A query vector for fact matching in which question words count for little.

        Features frequent in the intents' examples ("when", "khi nào", "combien") say what kind of
        answer is wanted, not which fact: they are scaled down by their rarity among the examples,
        so a fact is found by the words that are specific to it. The vector is deliberately not
        renormalized: a question made only of question words matches every fact weakly.

        Args:
            raw: the query's raw features.
            space: the fact space the vector is for.

        Returns:
            The weighted vector over that space, and the total weight before scaling (coverage is a
            share of it).
        """
        top = max(self.intent_space.idf.values(), default=1.0)
        vector = space.vector(raw)
        scale = {f: CONTENT_FLOOR + (1 - CONTENT_FLOOR) * min(1.0, self.intent_space.idf.get(f, top) / top) for f in vector}
        return {f: w * scale[f] for f, w in vector.items()}, sum(vector.values())

    def event(self, event_id: str) -> Event | None:
        """The event with this id, or None."""
        return self.kb.event(event_id)

    def coverage(self, text: Normalized) -> tuple[float, int]:
        """How much of the query the bot's curated texts know, as a guard against out-of-scope questions.

        Latin words count as known when they, or a word one or two typos away, occur in any curated
        text; Thai runs by the share of their character trigrams that occur.

        Args:
            text: the normalized query.

        Returns:
            (known share in [0, 1], number of unknown Latin words of three letters or more).
        """
        known = total = 0.0
        unknown = 0
        for word in text.folded_words:
            if is_thai(word):
                grams = char_ngrams(word, (3,))
                total += len(grams)
                known += sum(1 for g in grams if g in self.thai_grams)
                continue
            total += 1
            if word.isdigit() or word in self.vocabulary or (len(word) >= MIN_FUZZY_LEN and self._near_known(word)):
                known += 1
            elif len(word) >= 3:
                unknown += 1
        return (known / total if total else 1.0), unknown

    def _near_known(self, word: str) -> bool:
        limit = 1 if len(word) < 9 else 2
        return extractOne(word, self.vocabulary_list, scorer=Levenshtein.distance, score_cutoff=limit) is not None


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
    for entry in kb.messages.table.values():
        yield from entry.texts()
