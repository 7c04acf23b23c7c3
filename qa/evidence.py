"""Pick the sentences of the retrieved chunks that best answer a question.

Each sentence is scored by its embedding similarity to the question, the IDF-weighted share of the
question's terms it holds, the rank of its chunk, and a cue for the question type (who → a name,
when → a date, how many → a number). A sentence that cannot be read alone brings its neighbour: a
pronoun-led sentence ("He ruled out ...") the sentence before it, a bare quotation the sentence
that says who spoke.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from langchain_core.documents import Document

from index import Embedder, StoredChunk
from index.settings import AnswerSettings
from qa.lexical import TermWeights, acronyms_spelled_out, is_stopword, terms

_PRONOUN_START = re.compile(r"^[\"“‘']?(he|she|they|it|his|her|their|its|this|these|those|that|such|him|them)\b", re.IGNORECASE)
_PRONOUN_SPEAKER = re.compile(r"[,.!?][\"”’']\s+(he|she|they)\s+\w+", re.IGNORECASE)
_SPEECH = re.compile(
    r"\b(said|says|say|told|tells|added|adds|stated|explained|argued|warned|noted|wrote|asked|according to|insisted|declared|announced)\b",
    re.IGNORECASE,
)
_QUOTE_START = re.compile(r"^[\"“‘]")
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})s?\b")
_DATE_WORD = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|december|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|century|centuries|decade|year|years|today|yesterday|ago|since|until|during)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|hundred|thousand|million|billion|dozen|half|percent)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")
_PLACE = re.compile(r"\b(in|at|from|near|to)\s+(the\s+)?[A-Z]")


Role = Literal["answer", "context", "related"]


@dataclass
class Sentence:
    """A candidate evidence sentence and its scores."""

    text: str
    start: int
    end: int
    chunk: StoredChunk
    chunk_rank: int
    semantic: float = 0.0
    alignment: float = 0.0
    lexical: float = 0.0
    names: float = 1.0
    numbers: float = 1.0
    cue: float = 0.0
    score: float = 0.0
    role: Role = "answer"

    @property
    def article_id(self) -> str:
        """Id of the sentence's article."""
        return str(self.chunk.metadata["article_id"])

    @property
    def key(self) -> tuple[str, int]:
        """(article id, start): one sentence, however many chunks hold it."""
        return (self.article_id, self.start)


@dataclass
class Evidence:
    """What the answerer found: the chosen sentences in reading order, or the closest ones."""

    sentences: list[Sentence]
    abstained: bool
    confidence: float
    best_score: float


def question_cue(question: str) -> re.Pattern[str] | None:
    """The pattern a sentence should match for this kind of question, if any."""
    q = question.lower()
    if re.search(r"\bhow (many|much|long|old|far|big|large|high|low|tall|fast)\b|\bwhat (percentage|percent|number|amount)\b", q):
        return _NUMBER
    if re.search(r"\bwhen\b|\bwhat (year|date|day|month|century|time)\b|\bwhich (year|century|decade)\b", q):
        return _YEAR if "year" in q else re.compile(f"{_YEAR.pattern}|{_DATE_WORD.pattern}", re.IGNORECASE)
    if re.search(r"\bwho(m|se)?\b", q):
        return _NAME
    if re.search(r"\bwhere\b", q):
        return _PLACE
    return None


def _content_piece(piece: str) -> bool:
    """A word piece of the question that carries meaning (not [CLS], punctuation or a stopword)."""
    word = piece.removeprefix("##")
    return piece not in ("[CLS]", "[SEP]") and word.isalnum() and (piece.startswith("##") or not is_stopword(word))


def key_terms(question: str) -> tuple[set[str], set[str]]:
    """What an answering sentence must mention: the question's names, and its numbers and years."""
    numbers = {n.strip(".,") for n in re.findall(r"\d[\d,.]*", question)}
    capitalised = [w for w in re.findall(r"\b[A-Z][\w'’-]*", question) if not is_stopword(w)]
    names = {t for word in capitalised for t in terms(word)} - numbers
    return names, numbers


def _chunk_sentences(chunk: StoredChunk, rank: int) -> list[Sentence]:
    begin = int(chunk.metadata["start"])
    return [Sentence(text=chunk.text[s - begin : e - begin], start=s, end=e, chunk=chunk, chunk_rank=rank) for s, e in chunk.sentences]


def _as_chunk(document: Document) -> StoredChunk:
    return StoredChunk(id=str(document.metadata.get("chunk_id", document.id)), text=document.page_content, metadata=dict(document.metadata))


def needs_antecedent(sentence: str) -> bool:
    """Whether the sentence leans on the one before it (starts with a pronoun, or quotes an unnamed 'he')."""
    return bool(_PRONOUN_START.match(sentence) or (_PRONOUN_SPEAKER.search(sentence) and not _NAME.search(sentence)))


def needs_speaker(sentence: str) -> bool:
    """Whether the sentence is a bare quotation that does not say who spoke."""
    return bool(_QUOTE_START.match(sentence) and not _SPEECH.search(sentence))


class EvidencePicker:
    """Scores candidate sentences and chooses the answer's one to three."""

    def __init__(self, embedder: Embedder, settings: AnswerSettings, fetch_chunks: Callable[[list[str]], list[StoredChunk]]) -> None:
        self.embedder = embedder
        self.settings = settings
        self.fetch_chunks = fetch_chunks

    def rank(self, question: str, documents: list[Document], weights: TermWeights) -> list[Sentence]:
        """Every sentence of the retrieved `documents`, scored for `question`, best first."""
        candidates: dict[tuple[str, int], Sentence] = {}
        for rank, document in enumerate(documents):
            for sentence in _chunk_sentences(_as_chunk(document), rank):
                candidates.setdefault(sentence.key, sentence)
        ranked = list(candidates.values())
        if ranked:
            self._score(question, ranked, weights)
            ranked.sort(key=lambda s: -s.score)
        return ranked

    def pick(self, question: str, documents: list[Document], weights: TermWeights) -> Evidence:
        """Choose the evidence sentences for `question` from the retrieved `documents`."""
        ranked = self.rank(question, documents, weights)
        if not ranked:
            return Evidence(sentences=[], abstained=True, confidence=0.0, best_score=0.0)
        best = ranked[0]
        confidence = 1.0 / (1.0 + math.exp(-8.0 * (best.score - self.settings.abstain_below)))
        if best.score < self.settings.abstain_below or best.numbers < 1.0 or best.names < self.settings.min_name_coverage:
            related = self._related(ranked)
            return Evidence(sentences=related, abstained=True, confidence=round(min(confidence, 0.5), 4), best_score=best.score)
        return Evidence(sentences=self._choose(ranked), abstained=False, confidence=round(confidence, 4), best_score=best.score)

    def _score(self, question: str, sentences: list[Sentence], weights: TermWeights) -> None:
        s = self.settings
        encoded = self.embedder.encode_sentences([question] + [c.text for c in sentences])
        asked = encoded[0]
        content = [i for i, piece in enumerate(asked.pieces) if _content_piece(piece)]
        question_tokens = asked.tokens[content].astype(np.float32)
        question_terms = set(terms(question))
        total = sum(weights.idf(t) for t in question_terms) or 1.0
        cue = question_cue(question)
        names, numbers = key_terms(question)
        for sentence, vectors in zip(sentences, encoded[1:], strict=True):
            before = self._antecedent_terms(sentence) if names or numbers else set()
            # "He ruled out ..." mentions the question's Hegseth through its antecedent
            found = question_terms.intersection(terms(sentence.text)) | acronyms_spelled_out(question, sentence.text) | (names & before)
            sentence.semantic = float(vectors.sentence @ asked.sentence)
            if content:  # each question word's best match among the sentence's words (MaxSim)
                sentence.alignment = float((question_tokens @ vectors.tokens[1:-1].astype(np.float32).T).max(axis=1).mean())
            sentence.lexical = sum(weights.idf(t) for t in found) / total
            sentence.cue = 1.0 if cue is not None and cue.search(sentence.text) else 0.0
            if names or numbers:
                window = self._window_terms(sentence) | before
                sentence.names = sum(1 for k in names if k in window) / len(names) if names else 1.0
                sentence.numbers = sum(1 for k in numbers if k in window) / len(numbers) if numbers else 1.0
            rank = 1.0 / (1.0 + sentence.chunk_rank)
            sentence.score = (
                s.semantic_weight * sentence.semantic
                + s.alignment_weight * sentence.alignment
                + s.lexical_weight * sentence.lexical
                + s.rank_weight * rank
                + s.cue_weight * sentence.cue
                - s.name_weight * (1.0 - sentence.names)
                - s.number_weight * (1.0 - sentence.numbers)
            )

    def _window_terms(self, sentence: Sentence) -> set[str]:
        """Terms of the sentence and of its article's title and date."""
        meta = sentence.chunk.metadata
        found = set(terms(f"{sentence.text} {meta.get('title', '')}")) | set(re.findall(r"\d+", str(meta.get("date", ""))))
        found |= set(re.findall(r"\d[\d,.]*\d|\d", sentence.text))
        return found

    def _antecedent_terms(self, sentence: Sentence) -> set[str]:
        """Terms of the sentence before, when this one leans on it ("He said ..."); else none."""
        if not needs_antecedent(sentence.text):
            return set()
        before = self._neighbour(sentence, -1)
        return set(terms(before.text)) if before is not None else set()

    def _choose(self, ranked: list[Sentence]) -> list[Sentence]:
        best = ranked[0]
        chosen: dict[tuple[str, int], Sentence] = {}
        groups: list[list[Sentence]] = []
        for candidate in ranked:
            if len(chosen) >= self.settings.max_sentences:
                break
            if candidate is not best and (
                candidate.score < best.score - self.settings.second_sentence_margin
                or candidate.key in chosen
                or candidate.names < best.names  # a further sentence may not drift to another story
                or candidate.numbers < best.numbers
            ):
                continue
            group = [candidate, *self._context_for(candidate)]
            group = [g for g in group if g.key not in chosen]
            if len(chosen) + len(group) > self.settings.max_sentences and candidate is not best:
                continue
            for member in group:
                chosen[member.key] = member
            groups.append(sorted(group, key=lambda g: g.start))
        return [member for group in groups for member in group]

    def _related(self, ranked: list[Sentence]) -> list[Sentence]:
        related: list[Sentence] = []
        seen_chunks: set[str] = set()
        for sentence in ranked:
            if sentence.chunk.id in seen_chunks:
                continue
            seen_chunks.add(sentence.chunk.id)
            sentence.role = "related"
            related.append(sentence)
            if len(related) == 3:
                break
        return related

    def _context_for(self, sentence: Sentence) -> list[Sentence]:
        context: list[Sentence] = []
        if needs_antecedent(sentence.text):
            before = self._neighbour(sentence, -1)
            if before is not None:
                context.append(before)
        elif needs_speaker(sentence.text):
            after = self._neighbour(sentence, +1)
            before = self._neighbour(sentence, -1)
            speaker = next((n for n in (after, before) if n is not None and _SPEECH.search(n.text)), None)
            if speaker is not None:
                context.append(speaker)
        for member in context:
            member.role = "context"
            member.score = sentence.score  # context is cited for the answer it serves
        return context

    def _neighbour(self, sentence: Sentence, step: int) -> Sentence | None:
        """The sentence just before (step -1) or after (+1) in the article, fetching the next chunk if needed."""
        spans = sentence.chunk.sentences
        position = next((i for i, (s, _) in enumerate(spans) if s == sentence.start), None)
        if position is not None and 0 <= position + step < len(spans):
            begin = int(sentence.chunk.metadata["start"])
            s, e = spans[position + step]
            return Sentence(
                text=sentence.chunk.text[s - begin : e - begin], start=s, end=e, chunk=sentence.chunk, chunk_rank=sentence.chunk_rank
            )
        meta = sentence.chunk.metadata
        index = int(meta["chunk_index"]) + step
        if index < 0 or index >= int(meta["chunk_count"]):
            return None
        prefix = sentence.chunk.id.rsplit("-", 1)[0]
        fetched = self.fetch_chunks([f"{prefix}-{index:04d}"])
        if not fetched:
            return None
        others = [
            c
            for c in _chunk_sentences(fetched[0], sentence.chunk_rank)
            if (c.end <= sentence.start if step < 0 else c.start >= sentence.end)
        ]
        if not others:
            return None
        return max(others, key=lambda c: c.end) if step < 0 else min(others, key=lambda c: c.start)
