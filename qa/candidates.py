"""The entities a descriptive question's answer may be: every entity the retrieved sentences are about, with what supports it.

Candidates are the named entities of the retrieved chunks under their names in the article
(`index.entities`: a later "Bankman-Fried" is "Sam Bankman-Fried"). A sentence counts as about an
entity when it names it first (1: the clue is said of its subject; `Sentence.entities` are in reading order, a class's
phrases subject first) or later (`object_share`), when
a sentence up to `look_back` before it in the passage does (`mention_decay` to that power: "He
..."), and in part when the entity is one of its article's `top_names` most mentioned names
(`salience_share` times its share). A clue's support for an entity is its best match
(`qa.clue_match`) among the sentences about it; at `clue_support` the clue counts as supported.
Short forms are then merged into the names they shorten (`qa.aliases`), and names that cannot
answer are left out: one the question itself holds, an outlet, or (unless a product is asked for)
a name with digits in it, which is a tagging slip ("Wes Welker 2011").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from index import StoredChunk
from index.entities import SalientName, clean_name
from index.filters import source_key
from index.lexical import term_set, terms
from qa.aliases import merge_short_forms
from qa.clues import DescriptiveQuestion
from qa.kinds import CLASS
from qa.outlets import outlet_keys
from qa.sentences import Sentence
from qa.settings import EntityAnswerSettings

_NEXT_TO = 3
"""Words between a name and the kind words for them to stand next to each other."""
_DIGIT = re.compile(r"\d")


@dataclass
class Candidate:
    """One entity the clues may describe, with what supports it (filled in while the sentences are read)."""

    name: str
    support: np.ndarray
    """Per clue: its best match among the sentences about this entity, relative to the clue's best match anywhere."""
    by_article: list[dict[str, tuple[float, Sentence]]]
    """Per clue: for each article, its best sentence about this entity and how well it matches the clue."""
    mentions: int = 0
    """How often the retrieved sentences name it."""
    first: int = 0
    """How many of those mentions come first in their sentence (its subject)."""
    kind_words: int = 0
    """How often the question's kind words stand next to it ("the chatbot ChatGPT")."""
    salience: float = 0.0
    """Its largest share of an article's names among the retrieved articles."""
    labels: Counter[str] = field(default_factory=Counter)
    """How often its full form was tagged with each label."""
    kind_fit: float | None = None
    """How well it fits the kind asked for, when that is not read from its labels: a class's phrase against the question's
    kind phrase (`qa.entity_answerer`)."""

    def supporting(self, threshold: float) -> list[tuple[int, float, Sentence]]:
        """(clue, match, sentence) for each clue and article where a sentence about this entity supports the clue at `threshold`."""
        return [
            (row, value, sentence)
            for row, articles in enumerate(self.by_article)
            for value, sentence in articles.values()
            if value >= threshold
        ]

    def record(self, row: int, value: float, sentence: Sentence) -> None:
        """Keep `sentence` as the article's best for clue `row` if it matches better than the one kept."""
        kept = self.by_article[row].get(sentence.article_id)
        if kept is None or value > kept[0]:
            self.by_article[row][sentence.article_id] = (value, sentence)

    def absorb(self, short: Candidate) -> None:
        """Take in what supports `short`, a short form of this name ("the Fed" into "Federal Reserve")."""
        for row, articles in enumerate(short.by_article):
            for value, sentence in articles.values():
                self.record(row, value, sentence)
        self.support = np.maximum(self.support, short.support)
        self.mentions += short.mentions
        self.first += short.first
        self.kind_words += short.kind_words
        self.salience = max(self.salience, short.salience)
        self.labels.update(short.labels)


def collect_candidates(
    question: DescriptiveQuestion, sentences: list[Sentence], match: np.ndarray, outlets: list[str], settings: EntityAnswerSettings
) -> list[Candidate]:
    """Every entity the sentences are about, with its clue support and counts, merged across articles (see the module docstring).

    Args:
        question: The question as read.
        sentences: The retrieved sentences, in the order of `match`'s columns.
        match: How well each sentence matches each clue (`qa.clue_match.match_clues`).
        outlets: Every indexed outlet: no outlet is an answer.
        settings: The shares and thresholds.
    """
    s = settings
    found: dict[str, Candidate] = {}
    seen_articles: set[str] = set()
    uses: dict[str, set[tuple[str, str]]] = defaultdict(set)  # article → (mention, its name in the article)

    def candidate(name: str) -> Candidate:
        if name not in found:
            clues = len(question.clues)
            found[name] = Candidate(name=name, support=np.zeros(clues), by_article=[{} for _ in range(clues)])
        return found[name]

    seen_chunks: set[str] = set()
    names_only = question.kind is not CLASS  # a class is named by a phrase of the sentence itself, never by an article's names
    for column, sentence in enumerate(sentences):
        chunk = sentence.chunk
        names = chunk.article_names if names_only else []
        if chunk.article_id not in seen_articles:
            seen_articles.add(chunk.article_id)
            top = max((n.mentions for n in names), default=1)
            for salient in names:
                entry = candidate(salient.name)
                entry.salience = max(entry.salience, salient.mentions / top)
                entry.labels.update(salient.labels)
        if chunk.id not in seen_chunks and names_only:
            seen_chunks.add(chunk.id)
            uses[chunk.article_id] |= _mention_names(chunk)
        about = _about(sentence, names, s) if names_only else {}
        named = [e for e in sentence.entities if e.name]  # in order: the first is what the sentence is about
        for order, entity in enumerate(named):
            entry = candidate(entity.name)
            about[entity.name] = max(about.get(entity.name, 0.0), 1.0 if entity.name == named[0].name else s.object_share)
            entry.mentions += 1
            entry.first += order == 0 or named[0].name == entity.name
            if sentence.phrase(entity).lower().endswith(entity.name.lower()):  # its full form: tagged more reliably than a short one
                entry.labels[entity.label] += 1
            entry.kind_words += _next_to_kind_words(sentence, entity.start, entity.end, question.kind_words)
        for name, share in about.items():
            entry = candidate(name)
            values = match[:, column] * share
            for row in np.nonzero(values >= s.clue_support)[0]:  # only supporting sentences are quoted or counted
                entry.record(int(row), float(values[row]), sentence)
            entry.support = np.maximum(entry.support, values)
    merge_short_forms(found, uses.values(), merge_share=s.merge_share)
    excluded = _excluded(question, outlets)
    return [c for c in found.values() if c.support.any() and not excluded(c.name)]


def _about(sentence: Sentence, names: list[SalientName], s: EntityAnswerSettings) -> dict[str, float]:
    """The entities a sentence is about besides those it names, each with its share: its article's most mentioned names
    (`salience_share`), and the names of the sentences just before it in the passage (`mention_decay` per sentence back)."""
    about: dict[str, float] = {}
    if names:
        top = max(n.mentions for n in names)
        for salient in names[: s.top_names]:
            about[salient.name] = s.salience_share * salient.mentions / top
    position = next(i for i, other in enumerate(sentence.siblings) if other.start == sentence.start)
    for distance in range(s.look_back, 0, -1):
        if position - distance >= 0:
            for entity in sentence.siblings[position - distance].entities:
                if entity.name:
                    about[entity.name] = max(about.get(entity.name, 0.0), s.mention_decay**distance)
    return about


def _excluded(question: DescriptiveQuestion, outlets: list[str]) -> Callable[[str], bool]:
    """A test for names that cannot answer: held by the question, an outlet, or (unless a product is asked for) with digits."""
    asked = set(terms(question.text))
    outlet_names = outlet_keys(outlets)

    def excluded(name: str) -> bool:
        name_terms = set(terms(name))
        return (
            not name_terms
            or name_terms <= asked
            or source_key(name) in outlet_names
            or (question.kind.name != "product" and bool(_DIGIT.search(name)))
        )

    return excluded


def _next_to_kind_words(sentence: Sentence, start: int, end: int, kind_words: frozenset[str]) -> int:
    """1 when the kind words stand right before the mention ("the chatbot ChatGPT") or in an apposition after it
    ("Snapchat, the social media platform"; "Binance is an exchange"), else 0."""
    if not kind_words:
        return 0
    before = re.findall(r"[\w'’-]+", sentence.text[: start - sentence.start])[-_NEXT_TO:]
    after = re.match(
        rf"\s*(?:,|\s(?:is|was|as))\s*(?:(?:a|an|the|its|one)\s+)?((?:[\w-]+\s+){{0,{_NEXT_TO - 1}}}[\w-]+)",
        sentence.text[end - sentence.start :],
    )
    return int(bool(term_set(" ".join(before)) & kind_words or (after and term_set(after.group(1)) & kind_words)))


def _mention_names(chunk: StoredChunk) -> set[tuple[str, str]]:
    """Each mention of the chunk (as a name) with its name in the article: ("Bankman-Fried", "Sam Bankman-Fried")."""
    begin = chunk.start
    return {(clean_name(chunk.text[e.start - begin : e.end - begin]), e.name) for e in chunk.entities if e.name}
