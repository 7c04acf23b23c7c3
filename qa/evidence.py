"""Pick the sentences of the retrieved chunks that best answer a question, and the phrase that answers it.

A sentence is read in its story: the names and subjects that the article's title, its lede and the
sentence just before establish ("the Kessel Bridge" in the lede) count as mentioned by it, so the
question's names choose the story and the rest of the question chooses the sentence. Each candidate
sentence gets these features (weights and thresholds are the described fields of `AnswerSettings`):

- `semantic`: cosine of the question's and the sentence's embeddings (the sentence's was stored at
  index time), mixed with the cosine of the question without its names ("When will the reopen?"),
  which the lede does not win just by naming the subject.
- `alignment`: each content word of the question matched to its closest word of the sentence
  (MaxSim over word vectors: each word encoded alone by the same model, `index.words`); a
  name the story has established counts as matched.
- `lexical`: IDF-weighted share of the question's terms found in the sentence or its story's
  headline and date (which belong to every sentence of the story, so the lede does not win by
  repeating them); names and other terms found only in the story's scope (lede, subjects named
  before, the sentence before) count in part.
- `rank`: the rank of the chunk the sentence came from.
- `answer_type`: the sentence (or the sentence that says who "she" is) holds an entity of the label
  the question asks for (who → PERSON, when → DATE, how much → MONEY, ...) that the question itself
  does not contain; half for a secondary label.
- `nearby`: that entity sits within a few words of a question word the sentence matches ("would
  reopen in April" for "When will the bridge reopen?"), not elsewhere in a lede full of dates.
- `focus`: IDF-weighted share of the question's non-name terms the sentence matches, lexically or
  by a close word vector; too little focus, and no entity of the asked type, means the story is
  right but the question is not answered there ("How many piers were sold?"): the answerer abstains.
- `names`, `numbers`, `period`: the share of the question's names (in the sentence, its antecedent,
  its story's subject; for ruling an answer out, anywhere in the story before it), of its numbers and years (in the sentence, title or date), and whether the story's
  date falls in the question's "last year"; missing ones are penalties, and a missing number or
  period rules the sentence out.

A sentence that cannot be read alone brings its neighbour: a pronoun-led sentence ("He ruled out
...") the sentence before it, a quotation attributed to "she" or to nobody the sentence that names
the speaker.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from langchain_core.documents import Document

from index import Embedder, StoredChunk
from index.chunking import SUBJECT_LABELS
from index.dates import story_date
from index.entities import Entity
from index.settings import AnswerSettings
from index.words import WordVectors
from qa.lexical import TermWeights, acronyms_spelled_out, is_stopword, term_set, terms
from qa.question import Question

_PRONOUN_START = re.compile(r"^[\"“‘']?(he|she|they|it|his|her|their|its|this|these|those|that|such|him|them)\b", re.IGNORECASE)
_PRONOUN_SPEAKER = re.compile(r"[,.!?][\"”’']\s+(he|she|they)\s+\w+", re.IGNORECASE)
_SPEECH = re.compile(
    r"\b(said|says|say|told|tells|added|adds|stated|explained|argued|warned|noted|wrote|asked|according to|insisted|declared|announced)\b",
    re.IGNORECASE,
)
_QUOTE_START = re.compile(r"^[\"“‘]")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")
_WORD = re.compile(r"\w")
_WORD_RUN = re.compile(r"\w+")
_SPEAKER_LABELS = frozenset({"PERSON", "ORG", "NORP"})
_NAMED_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC"})

Role = Literal["answer", "context", "related"]


@dataclass
class Sentence:
    """A candidate evidence sentence and its features."""

    text: str
    start: int
    end: int
    chunk: StoredChunk
    chunk_rank: int
    entities: list[Entity] = field(default_factory=list)
    vector: np.ndarray | None = field(default=None, repr=False)
    """The sentence's unit vector as stored at index time (None in an index built before they were stored)."""
    semantic: float = 0.0
    alignment: float = 0.0
    lexical: float = 0.0
    answer_type: float = 0.0
    nearby: float = 0.0
    matched: set[str] = field(default_factory=set)
    focus: float = 1.0
    names: float = 1.0
    story_names: float = 1.0
    numbers: float = 1.0
    period: float = 1.0
    score: float = 0.0
    role: Role = "answer"
    siblings: list[Sentence] = field(default_factory=list, repr=False)
    """The sentences of the same chunk, in order (this one included)."""

    @property
    def article_id(self) -> str:
        """Id of the sentence's article."""
        return str(self.chunk.metadata["article_id"])

    @property
    def key(self) -> tuple[str, int]:
        """(article id, start): one sentence, however many chunks hold it."""
        return (self.article_id, self.start)

    def typed(self, labels: frozenset[str], question_terms: set[str]) -> list[Entity]:
        """Entities of these labels that share no word with the question (the answer is news to the asker; a name with digits in it is a tagging slip)."""
        found = []
        for entity in self.entities:
            text = self.phrase(entity)
            if entity.label not in labels or not text.strip() or term_set(text) & question_terms:
                continue
            if entity.label in _NAMED_LABELS and any(ch.isdigit() for ch in text):
                continue
            found.append(entity)
        return found

    def phrase(self, entity: Entity) -> str:
        """The text of one of this sentence's entities."""
        return self.text[entity.start - self.start : entity.end - self.start]


@dataclass
class ShortAnswer:
    """The phrase that answers a typed question, with its place in the article (None when no quoted sentence holds it
    verbatim: an entity quoted only by its short form, "the Fed")."""

    text: str
    start: int | None
    end: int | None
    sentence: Sentence | None


@dataclass
class Evidence:
    """What the answerer found: the chosen sentences in reading order, or the closest ones."""

    sentences: list[Sentence]
    abstained: bool
    confidence: float
    best_score: float
    short: ShortAnswer | None = None
    clues: list[str] = field(default_factory=list)
    """The clues of a descriptive question (`qa.clues`); empty for other questions."""
    clue_of: dict[tuple[str, int], int] = field(default_factory=dict)
    """Sentence key → the clue it supports (its index in `clues`)."""


def chunk_sentences(chunk: StoredChunk, rank: int, dimension: int = 0) -> list[Sentence]:
    """The chunk's quotable sentences, with their stored vectors when `dimension` is given and the chunk has them."""
    begin = int(chunk.metadata["start"])
    entities = chunk.entities
    spans = chunk.sentences
    vectors = chunk.sentence_vectors(dimension) if dimension else None
    if vectors is not None and len(vectors) != len(spans):
        vectors = None
    sentences = []
    for i, (s, e) in enumerate(spans):
        text = chunk.text[s - begin : e - begin]
        if not _WORD.search(text):  # zero-width, control or combining characters alone: nothing to quote
            continue
        inside = [x for x in entities if x.start >= s and x.end <= e]
        vector = vectors[i] if vectors is not None else None
        sentences.append(Sentence(text=text, start=s, end=e, chunk=chunk, chunk_rank=rank, entities=inside, vector=vector))
    for sentence in sentences:
        sentence.siblings = sentences
    return sentences


def _as_chunk(document: Document) -> StoredChunk:
    return StoredChunk(id=str(document.metadata.get("chunk_id", document.id)), text=document.page_content, metadata=dict(document.metadata))


def needs_antecedent(sentence: str) -> bool:
    """Whether the sentence leans on the one before it (starts with a pronoun, or quotes an unnamed 'he')."""
    return bool(_PRONOUN_START.match(sentence) or (_PRONOUN_SPEAKER.search(sentence) and not _NAME.search(_outside_quotes(sentence))))


def needs_speaker(sentence: str) -> bool:
    """Whether the sentence is a bare quotation that does not say who spoke."""
    return bool(_QUOTE_START.match(sentence) and not _SPEECH.search(sentence))


def _outside_quotes(sentence: str) -> str:
    """The sentence with quoted speech removed ("..." she said → she said)."""
    return re.sub(r"[\"“][^\"”]*[\"”]", " ", sentence)


class EvidencePicker:
    """Scores candidate sentences, chooses the answer's one to three, and cuts the short answer."""

    def __init__(
        self, embedder: Embedder, settings: AnswerSettings, fetch_chunks: Callable[[list[str]], list[StoredChunk]], words: WordVectors
    ) -> None:
        self.embedder = embedder
        self.words = words
        self.settings = settings
        self.fetch_chunks = fetch_chunks

    def rank(self, question: Question, documents: list[Document], weights: TermWeights) -> list[Sentence]:
        """Every sentence of the retrieved `documents`, scored for `question`, best first."""
        candidates: dict[tuple[str, int], Sentence] = {}
        dimension = self.embedder.dimension
        for rank, document in enumerate(documents):
            for sentence in chunk_sentences(_as_chunk(document), rank, dimension):
                candidates.setdefault(sentence.key, sentence)
        ranked = list(candidates.values())
        if ranked:
            self._score(question, ranked, weights)
            ranked.sort(key=lambda s: -s.score)
        return ranked

    def pick(self, question: Question, documents: list[Document], weights: TermWeights) -> Evidence:
        """Choose the evidence sentences for `question` from the retrieved `documents`."""
        ranked = self.rank(question, documents, weights)
        if not ranked:
            return Evidence(sentences=[], abstained=True, confidence=0.0, best_score=0.0)
        s = self.settings
        best = ranked[0]
        confidence = self.confidence(best.score)
        if (
            best.score < s.abstain_below
            or best.numbers < 1.0
            or best.period == 0.0
            or best.story_names < s.min_name_coverage
            or (best.focus < s.min_focus_coverage and best.answer_type < 1.0)
        ):
            return Evidence(
                sentences=self._related(ranked), abstained=True, confidence=round(min(confidence, 0.5), 4), best_score=best.score
            )
        chosen = self._choose(ranked)
        # a short answer only from a sentence that says something of what is asked, not just the story's subject
        short = self._short(question, best) if confidence >= s.short_min_confidence and best.focus >= s.min_focus_coverage else None
        return Evidence(sentences=chosen, abstained=False, confidence=round(confidence, 4), best_score=best.score, short=short)

    def confidence(self, score: float) -> float:
        """The chance that an answer whose best sentence scores `score` is right (Platt scaling fitted on the dev sets)."""
        z = self.settings.confidence_slope * score + self.settings.confidence_intercept
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def _score(self, question: Question, sentences: list[Sentence], weights: TermWeights) -> None:
        s = self.settings
        queries = [question.text, question.focus_text] if question.focus_text else [question.text]
        (asked, *rest), _ = self.embedder.encode_questions(queries)
        focused = rest[0] if rest else asked
        [(asked_words, asked_vectors)] = self.words.of_texts([question.text])
        rows = [i for i, word in enumerate(asked_words) if not is_stopword(word)]
        words = [set(terms(asked_words[i])) for i in rows]
        question_words = asked_vectors[rows].astype(np.float32)
        idf = {t: weights.idf(t) for t in question.terms}
        total = sum(idf.values()) or 1.0
        focus_total = sum(idf[t] for t in question.focus) or 1.0
        self._fill_vectors(sentences)
        for sentence, (_, sentence_words) in zip(sentences, self.words.of_texts([s.text for s in sentences]), strict=True):
            sentence_terms = term_set(sentence.text)
            scope, mentioned = self._scopes(sentence)
            before = self._antecedent(sentence)
            before_terms = term_set(before.text) if before is not None else frozenset()
            # the headline's words (and the story's date) belong to every sentence of the story, so the
            # lede does not win just by repeating them
            found = question.terms & (sentence_terms | self._title_and_date_terms(sentence)) | acronyms_spelled_out(
                question.text, sentence.text
            )
            scoped_names = question.names & (scope | before_terms)
            scoped_other = (question.terms - question.names - found) & scope

            vector = sentence.vector
            assert vector is not None  # filled above
            sentence.semantic = (1.0 - s.focus_semantic_share) * float(vector @ asked) + s.focus_semantic_share * float(vector @ focused)
            word_scores = self._word_alignment(question_words, sentence_words, words, scoped_names | found)
            sentence.alignment = sum(score for score, _ in word_scores) / len(word_scores) if word_scores else 0.0
            sentence.lexical = (
                sum(idf[t] for t in found)
                + s.scope_name_credit * sum(idf[t] for t in scoped_names - found)
                + s.scope_term_credit * sum(idf[t] for t in scoped_other - scoped_names)
            ) / total
            soft = {t for score, word_terms in word_scores if score >= s.focus_match_similarity for t in word_terms}
            sentence.focus = sum(idf[t] for t in question.focus if t in found or t in soft) / focus_total if question.focus else 1.0
            sentence.answer_type = self._type_match(question, sentence, before)
            sentence.nearby = self._typed_near_focus(question, sentence, (found | soft) & question.focus)
            window = sentence_terms | before_terms | self._title_and_date_terms(sentence)
            if question.names:
                sentence.names = len(question.names & (window | scope)) / len(question.names)
                sentence.story_names = len(question.names & (window | scope | mentioned)) / len(question.names)
            if question.numbers:
                numbers_seen = window | set(re.findall(r"\d[\d,.]*\d|\d", sentence.text))
                sentence.numbers = len(question.numbers & numbers_seen) / len(question.numbers)
            if question.period is not None:
                published = story_date(str(sentence.chunk.metadata.get("date", "")))
                sentence.period = 0.5 if published is None else float(question.period.holds(published))
            sentence.score = (
                s.semantic_weight * sentence.semantic
                + s.alignment_weight * sentence.alignment
                + s.lexical_weight * sentence.lexical
                + s.rank_weight / (1.0 + sentence.chunk_rank)
                + s.type_weight * sentence.answer_type
                + s.nearby_weight * sentence.nearby
                - s.name_weight * (1.0 - sentence.names)
                - s.number_weight * (1.0 - sentence.numbers)
                - s.period_weight * (1.0 - sentence.period)
            )

    def _fill_vectors(self, sentences: list[Sentence]) -> None:
        """Encode the sentences that came without a stored vector (an index built before vectors were stored)."""
        missing = [s for s in sentences if s.vector is None]
        if missing:
            for sentence, vector in zip(missing, self.embedder.encode([s.text for s in missing]), strict=True):
                sentence.vector = vector

    def _scopes(self, sentence: Sentence) -> tuple[frozenset[str], frozenset[str]]:
        """What the story has established before `sentence`: its subject, and every name it has used.

        The subject (title, lede, places, organisations and things named before, the sentence just
        before) gives part credit to a sentence that says "the bridge"; every earlier name only keeps
        a question's name from ruling out a sentence that says "she".
        """
        earlier = [s for s in sentence.siblings if s.start < sentence.start]
        subject = term_set(sentence.chunk.subject_words).union(
            *(term_set(s.phrase(e)) for s in earlier for e in s.entities if e.label in SUBJECT_LABELS)
        )
        if earlier:
            subject = subject.union(term_set(earlier[-1].text))
        mentioned = term_set(sentence.chunk.prior_words).union(*(term_set(s.text) for s in earlier))
        return frozenset(subject), frozenset(mentioned)

    @staticmethod
    def _word_alignment(
        question_words: np.ndarray, sentence_words: np.ndarray, words: list[set[str]], matched: set[str]
    ) -> list[tuple[float, set[str]]]:
        """Per question content word: its best word similarity in the sentence (1.0 when the word is matched or established)."""
        if not words or sentence_words.shape[0] == 0 or question_words.shape[0] == 0:
            return [(1.0 if word_terms & matched else 0.0, word_terms) for word_terms in words]
        best = (question_words @ sentence_words.astype(np.float32).T).max(axis=1).tolist()  # plain floats: numpy per word costs more
        return [(1.0 if word_terms & matched else value, word_terms) for value, word_terms in zip(best, words, strict=True)]

    @staticmethod
    def _title_and_date_terms(sentence: Sentence) -> set[str]:
        meta = sentence.chunk.metadata
        return set(term_set(str(meta.get("title", "")))) | set(re.findall(r"\d+", str(meta.get("date", ""))))

    def _typed_near_focus(self, question: Question, sentence: Sentence, matched: set[str]) -> float:
        """1 when an entity of the asked label sits within `near_words` words of a matched focus word ("reopen in April")."""
        sentence.matched = matched
        if not matched or not question.kind.labels:
            return 0.0
        distances = self._distances(sentence, sentence.typed(question.kind.labels, question.terms), matched)
        return 1.0 if any(d <= self.settings.near_words for d in distances) else 0.0

    @staticmethod
    def _distances(sentence: Sentence, entities: list[Entity], matched: set[str]) -> list[int]:
        """For each entity, how many words it is from the nearest word of the sentence whose term is in `matched`."""
        words = list(_WORD_RUN.finditer(sentence.text))
        anchors = [i for i, w in enumerate(words) if term_set(w.group(0)) & matched]
        distances = []
        for entity in entities:
            start, end = entity.start - sentence.start, entity.end - sentence.start
            inside = [i for i, w in enumerate(words) if w.start() < end and w.end() > start]
            near = [min(abs(a - inside[0]), abs(a - inside[-1])) for a in anchors] if inside else []
            distances.append(min(near, default=len(words)))
        return distances

    def _type_match(self, question: Question, sentence: Sentence, before: Sentence | None) -> float:
        """1 when the sentence holds an entity of the asked label the question lacks, 0.5 for a secondary label, else 0."""
        kind = question.kind
        if not kind.labels:
            return 0.0
        if sentence.typed(kind.labels, question.terms):
            return 1.0
        speaker = self._speaker(sentence, before)
        if speaker is not None and kind.labels & _SPEAKER_LABELS and speaker.typed(kind.labels, question.terms):
            return 1.0
        return 0.5 if kind.also and sentence.typed(kind.also, question.terms) else 0.0

    def _speaker(self, sentence: Sentence, before: Sentence | None) -> Sentence | None:
        """The sentence that says who spoke or who 'she' is, when this one does not."""
        if before is not None:
            return before
        if needs_speaker(sentence.text):
            return self._named_speaker(sentence)
        return None

    def _short(self, question: Question, best: Sentence) -> ShortAnswer | None:
        """The one entity of the asked label in the best sentence (or in the sentence naming its speaker); None when unsure."""
        kind = question.kind
        if not kind.labels:
            return None
        candidates = best.typed(kind.labels, question.terms)
        owner = best
        if not candidates and kind.labels & _SPEAKER_LABELS:
            speaker = self._speaker(best, self._antecedent(best))
            if speaker is not None:
                candidates, owner = speaker.typed(kind.labels, question.terms), speaker
        if not candidates and kind.also and best.matched:
            # "3.2 million pounds" tagged QUANTITY for "how much": a secondary label counts right next to the matched words
            also = best.typed(kind.also, question.terms)
            candidates = [
                e for e, d in zip(also, self._distances(best, also, best.matched), strict=True) if d <= self.settings.near_words // 2
            ]
        distinct = {owner.phrase(e) for e in candidates}
        if len(distinct) > 1 and owner is best and best.matched:
            # several of the asked type: the one nearest the question's matched words, when it is clearly nearest
            distances = self._distances(best, candidates, best.matched)
            nearest = min(distances)
            others = sorted(distances)[1:]
            if nearest <= self.settings.near_words // 2 and all(d > nearest + self.settings.near_words // 2 for d in others):
                candidates = [candidates[distances.index(nearest)]]
                distinct = {owner.phrase(candidates[0])}
        if len(distinct) != 1:
            return None
        entity = candidates[0]
        return ShortAnswer(text=owner.phrase(entity), start=entity.start, end=entity.end, sentence=owner)

    def _antecedent(self, sentence: Sentence) -> Sentence | None:
        """The sentence before, when this one leans on it ("He said ..."); else None."""
        return self._neighbour(sentence, -1) if needs_antecedent(sentence.text) else None

    def _named_speaker(self, sentence: Sentence) -> Sentence | None:
        after = self._neighbour(sentence, +1)
        before = self._neighbour(sentence, -1)
        return next((n for n in (after, before) if n is not None and _SPEECH.search(n.text)), None)

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
                or candidate.period < best.period
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
            speaker = self._named_speaker(sentence)
            if speaker is not None:
                context.append(speaker)
        for member in context:
            member.role = "context"
            member.score = sentence.score  # context is cited for the answer it serves
        return context

    def _neighbour(self, sentence: Sentence, step: int, *, fetch: bool = True) -> Sentence | None:
        """The sentence just before (step -1) or after (+1) in the article, fetching the next chunk if needed (and allowed)."""
        own = sentence.siblings or chunk_sentences(sentence.chunk, sentence.chunk_rank)
        position = next((i for i, s in enumerate(own) if s.start == sentence.start), None)
        if position is not None and 0 <= position + step < len(own):
            return own[position + step]
        if not fetch:
            return None
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
            for c in chunk_sentences(fetched[0], sentence.chunk_rank)
            if (c.end <= sentence.start if step < 0 else c.start >= sentence.end)
        ]
        if not others:
            return None
        return max(others, key=lambda c: c.end) if step < 0 else min(others, key=lambda c: c.start)
