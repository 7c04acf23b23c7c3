"""The sentences of retrieved chunks as the answerer reads them, and their neighbours in the article.

A `Sentence` is one quotable sentence of a stored chunk, with its entities, its stored vector and
the other sentences of its chunk (`chunk_sentences`). It is read, never changed: what the answerer
finds out about it (features, score, role) lives in new values (`qa.features`, `qa.evidence`).

A sentence that cannot be read alone has a neighbour that makes it readable (`Neighbours`): a
pronoun-led sentence ("He ruled out ...") the sentence before it, a quotation attributed to "she"
or to nobody the sentence that names the speaker. A neighbour outside the chunk is read from the
store, by its article and index (`index.records.StoredChunk.sibling_id`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from index.entities import Entity
from index.lexical import term_set
from index.lexicon import AMOUNT_LABELS, PLAIN_NAME_LABELS
from index.records import StoredChunk
from index.words import WORD

if TYPE_CHECKING:
    from qa.retriever import Hit

_PRONOUN_START = re.compile(r"^[\"“‘']?(he|she|they|it|his|her|their|its|this|these|those|that|such|him|them)\b", re.IGNORECASE)
_PRONOUN_SPEAKER = re.compile(r"[,.!?][\"”’']\s+(he|she|they)\s+\w+", re.IGNORECASE)
SPEECH = re.compile(
    r"\b(said|says|say|told|tells|added|adds|stated|explained|argued|warned|noted|wrote|asked|according to|insisted|declared|announced)\b",
    re.IGNORECASE,
)
"""A verb of speech: a sentence holding one says who spoke."""
QUANTIFIERS = term_set(
    "at least more than fewer less about nearly almost over under around some up to per cent percent million billion thousand hundred trillion"
)
"""Words of an amount that say how much, not what: "at least 30" answers "at least how many journalists"."""
_QUOTE_START = re.compile(r"^[\"“‘]")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")
_WORD_CHARACTER = re.compile(r"\w")


@dataclass(eq=False)
class Sentence:
    """A quotable sentence of a retrieved chunk (compared by identity: two chunks that overlap each hold their own)."""

    text: str
    """The sentence, verbatim: the article's text from `start` to `end`."""
    start: int
    """Its offset in the article text."""
    end: int
    """Just past its end."""
    chunk: StoredChunk
    """The chunk it was read from."""
    chunk_rank: int
    """That chunk's rank among the retrieved ones."""
    entities: list[Entity] = field(default_factory=list)
    """The named entities inside it."""
    vector: np.ndarray | None = field(default=None, repr=False)
    """The sentence's unit vector as stored at index time (None for a neighbour read only for its text)."""
    siblings: list[Sentence] = field(default_factory=list, repr=False)
    """The sentences of the same chunk, in order (this one included)."""

    @property
    def article_id(self) -> str:
        """Id of the sentence's article."""
        return self.chunk.article_id

    @property
    def key(self) -> tuple[str, int]:
        """(article id, start): one sentence, however many chunks hold it."""
        return (self.article_id, self.start)

    def typed(self, labels: frozenset[str], question_terms: set[str]) -> list[Entity]:
        """Entities of these labels that share no word with the question (the answer is news to the asker; an amount's "at
        least" or "million" are not its words; a name with digits in it is a tagging slip)."""
        found = []
        for entity in self.entities:
            text = self.phrase(entity)
            words = term_set(text) - QUANTIFIERS if entity.label in AMOUNT_LABELS else term_set(text)
            if entity.label not in labels or not text.strip() or words & question_terms:
                continue
            if entity.label in PLAIN_NAME_LABELS and any(ch.isdigit() for ch in text):
                continue
            found.append(entity)
        return found

    def phrase(self, entity: Entity) -> str:
        """The text of one of this sentence's entities."""
        return self.text[entity.start - self.start : entity.end - self.start]

    def distances(self, entities: list[Entity], matched: set[str]) -> list[int]:
        """For each entity, how many words it is from the nearest word of the sentence whose term is in `matched`."""
        words = list(WORD.finditer(self.text))
        anchors = [i for i, w in enumerate(words) if term_set(w.group(0)) & matched]
        distances = []
        for entity in entities:
            start, end = entity.start - self.start, entity.end - self.start
            inside = [i for i, w in enumerate(words) if w.start() < end and w.end() > start]
            near = [min(abs(a - inside[0]), abs(a - inside[-1])) for a in anchors] if inside else []
            distances.append(min(near, default=len(words)))
        return distances


def chunk_sentences(chunk: StoredChunk, rank: int, dimension: int = 0) -> list[Sentence]:
    """The chunk's quotable sentences, with their stored vectors when `dimension` (the model's) is given."""
    begin = chunk.start
    entities = chunk.entities
    spans = chunk.sentences
    vectors = chunk.sentence_vectors(dimension) if dimension else None
    sentences = []
    for i, (s, e) in enumerate(spans):
        text = chunk.text[s - begin : e - begin]
        if not _WORD_CHARACTER.search(text):  # zero-width, control or combining characters alone: nothing to quote
            continue
        inside = [x for x in entities if x.start >= s and x.end <= e]
        vector = vectors[i] if vectors is not None else None
        sentences.append(Sentence(text=text, start=s, end=e, chunk=chunk, chunk_rank=rank, entities=inside, vector=vector))
    for sentence in sentences:
        sentence.siblings = sentences
    return sentences


def needs_antecedent(sentence: str) -> bool:
    """Whether the sentence leans on the one before it (starts with a pronoun, or quotes an unnamed 'he')."""
    return bool(_PRONOUN_START.match(sentence) or (_PRONOUN_SPEAKER.search(sentence) and not _NAME.search(_outside_quotes(sentence))))


def needs_speaker(sentence: str) -> bool:
    """Whether the sentence is a bare quotation that does not say who spoke."""
    return bool(_QUOTE_START.match(sentence) and not SPEECH.search(sentence))


def _outside_quotes(sentence: str) -> str:
    """The sentence with quoted speech removed ("..." she said → she said)."""
    return re.sub(r"[\"“][^\"”]*[\"”]", " ", sentence)


class Neighbours:
    """Finds the sentence a sentence leans on: the one before a pronoun, the one naming a quote's speaker.

    Args:
        fetch_chunks: Reads chunks by id from the store (for a neighbour in the next or previous chunk).
    """

    def __init__(self, fetch_chunks: Callable[[list[str]], list[StoredChunk]]) -> None:
        self.fetch_chunks = fetch_chunks

    def antecedent(self, sentence: Sentence) -> Sentence | None:
        """The sentence before, when this one leans on it ("He said ..."); else None."""
        return self.neighbour(sentence, -1) if needs_antecedent(sentence.text) else None

    def named_speaker(self, sentence: Sentence) -> Sentence | None:
        """The sentence after (else before) a quotation that says who spoke, if either does."""
        after = self.neighbour(sentence, +1)
        before = self.neighbour(sentence, -1)
        return next((n for n in (after, before) if n is not None and SPEECH.search(n.text)), None)

    def speaker(self, sentence: Sentence, before: Sentence | None) -> Sentence | None:
        """The sentence that says who spoke or who 'she' is, when this one does not (`before`: its antecedent, if any)."""
        if before is not None:
            return before
        if needs_speaker(sentence.text):
            return self.named_speaker(sentence)
        return None

    def context_for(self, sentence: Sentence) -> list[Sentence]:
        """The sentences to quote with `sentence` so it can be read: its antecedent, or the one naming its speaker."""
        if needs_antecedent(sentence.text):
            before = self.neighbour(sentence, -1)
            return [before] if before is not None else []
        if needs_speaker(sentence.text):
            speaker = self.named_speaker(sentence)
            return [speaker] if speaker is not None else []
        return []

    def neighbour(self, sentence: Sentence, step: int, *, fetch: bool = True) -> Sentence | None:
        """The sentence just before (step -1) or after (+1) in the article, fetching the next chunk if needed (and allowed)."""
        own = sentence.siblings or chunk_sentences(sentence.chunk, sentence.chunk_rank)
        position = next((i for i, s in enumerate(own) if s.start == sentence.start), None)
        if position is not None and 0 <= position + step < len(own):
            return own[position + step]
        if not fetch:
            return None
        index = sentence.chunk.chunk_index + step
        if index < 0 or index >= sentence.chunk.chunk_count:
            return None
        fetched = self.fetch_chunks([sentence.chunk.sibling_id(index)])
        if not fetched:
            return None
        others = [
            c
            for c in chunk_sentences(fetched[0], sentence.chunk_rank)
            if (c.end <= sentence.start if step < 0 else c.start >= sentence.end)
        ]
        if not others:
            return None
        return max(others, key=lambda c: c.end) if step < 0 else min(others, key=lambda c: c.start)


Role = Literal["answer", "context", "related"]


@dataclass(frozen=True)
class Quote:
    """A sentence an answer quotes, with its role and the score it is cited with."""

    sentence: Sentence
    role: Role
    """`answer`: supports the answer; `context`: needed to read one that does; `related`: closest passage of an abstention."""
    score: float
    """How well it answers (context is cited with the score of the sentence it serves)."""

    @property
    def key(self) -> tuple[str, int]:
        """The quoted sentence's key (article id, start)."""
        return self.sentence.key


def collect_sentences(hits: Iterable[Hit], dimension: int) -> list[Sentence]:
    """Every quotable sentence of the retrieved chunks (best first), once however many chunks hold it, with its stored vector."""
    found: dict[tuple[str, int], Sentence] = {}
    for hit in hits:
        for sentence in chunk_sentences(hit.chunk, hit.rank, dimension):
            found.setdefault(sentence.key, sentence)
    return list(found.values())


RELATED_PASSAGES = 3
"""Passages (one sentence each, from different chunks) an abstention lists as related."""


def related_passages(groups: Iterable[Iterable[tuple[Sentence, float]]]) -> list[Quote]:
    """The closest passages of an abstention: from each group in turn (best first within it), its first sentence from a chunk
    not listed yet, up to `RELATED_PASSAGES`, each with its score."""
    related: list[Quote] = []
    chunks: set[str] = set()
    for group in groups:
        for sentence, score in group:
            if sentence.chunk.id not in chunks:
                chunks.add(sentence.chunk.id)
                related.append(Quote(sentence, "related", score))
                break
        if len(related) == RELATED_PASSAGES:
            break
    return related
