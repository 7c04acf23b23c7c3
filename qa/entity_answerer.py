"""Answer a descriptive question with the entity its clues agree on, across articles.

"Which company, reported by TechCrunch and The Verge, enforces uniform terms on developers through
its store and also justifies its choice of a default search engine?" asks for an entity that the
articles describe in pieces. The answerer (weights and thresholds are the described fields of
`EntityAnswerSettings`):

1. reads the question (`qa.clues`): the kind asked for and its clues;
2. retrieves chunks for all the clues together and for each clue, within the user's filters and
   again within the outlets and period the question names (soft filters: searched first, never
   required), each chunk with its best rank;
3. matches every clue with every retrieved sentence (`qa.clue_match`);
4. collects the candidates (`qa.candidates`, short forms merged by `qa.aliases`) and scores them
   (`qa.entity_scoring`);
5. answers with the best candidate when it supports at least `min_clue_coverage` of the clues, else
   abstains; the confidence is a Platt scaling of the best candidate's lead: the share of its score
   that the runner-up lacks;
6. quotes, for each clue it supports, its best sentence, and a sentence naming it in full
   (`qa.entity_quotes`); the short answer is that full name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index import ChunkStore, Embedder
from index.filters import ChunkFilter, source_key
from qa.answerers import Retrieved
from qa.candidates import Candidate, collect_candidates
from qa.clue_match import match_clues
from qa.clues import DescriptiveQuestion, read_descriptive
from qa.confidence import ABSTAINED_CONFIDENCE, platt_scaling
from qa.entity_forms import class_mentions, fullest_name, partners
from qa.entity_quotes import quote_entity
from qa.entity_scoring import ScoredCandidate, score_candidates
from qa.evidence import Evidence
from qa.kinds import CLASS
from qa.query import Query
from qa.retriever import Hit, HybridRetriever
from qa.sentences import Quote, Sentence, collect_sentences, related_passages
from qa.settings import EntityAnswerSettings
from qa.short_answer import ShortAnswer


@dataclass(frozen=True)
class EntityRanking:
    """What the answerer found for a descriptive question, before it decides."""

    sentences: list[Sentence]
    """Every retrieved sentence, once."""
    match: np.ndarray
    """How well each sentence matches each clue (clues × sentences, `qa.clue_match`)."""
    ranked: list[ScoredCandidate]
    """The candidates, scored, best first."""


@dataclass(frozen=True)
class ClueHits(Retrieved):
    """The chunks retrieved for a descriptive question's clues, and the clues' embeddings (encoded once, for the matching)."""

    clue_vectors: np.ndarray | None = None


class EntityAnswerer:
    """Finds the entity a descriptive question's clues agree on (`qa.answerers.Answerer`).

    Args:
        embedder: The model that embeds the clues.
        store: The chunk store (one deep dense request for every clue and filter).
        retriever: Hybrid retrieval (BM25 per filter, and the fusion).
        settings: Weights and thresholds.
        candidates: Chunks fetched from each ranking before fusion (`RetrievalSettings.candidates`).
    """

    def __init__(
        self, embedder: Embedder, store: ChunkStore, retriever: HybridRetriever, settings: EntityAnswerSettings, *, candidates: int
    ) -> None:
        self.embedder = embedder
        self.store = store
        self.retriever = retriever
        self.settings = settings
        self.candidates = candidates

    def read(self, query: Query) -> DescriptiveQuestion | None:
        """The question read as a descriptive one (`qa.clues.read_descriptive`), or None when it is not."""
        return read_descriptive(query.question, query.named)

    def retrieve(self, query: Query, reading: DescriptiveQuestion) -> ClueHits:
        """The chunks retrieved for all the clues together and for each clue, within the user's filters, and again within
        the outlets and period the question names (soft filters: searched first, never required), each with its best rank."""
        clues = reading.clues
        clue_vectors = self.embedder.encode(clues)
        texts, vectors = list(clues), list(clue_vectors)
        together = clue_vectors.mean(axis=0)
        together = together / max(float(np.linalg.norm(together)), 1e-9)
        if len(clues) > 1:  # all clues together: their words for BM25, the mean of their vectors for the dense side
            texts.insert(0, " ".join(clues))
            vectors.insert(0, together)
        texts.append(reading.named.about)  # the whole question, so the names it holds outside its clues are looked for too
        vectors.append(together)
        queries = [list(map(float, v)) for v in vectors]
        soft, applied = query.soft_filters
        best: dict[str, Hit] = {}
        depth = max(self.candidates, self.settings.chunks_per_clue)
        # one dense request, deep enough for the soft filters to be applied to its hits in memory
        deep = self.store.dense_search_many(queries, depth * (1 + len(soft)), chunk_filter=query.filters)
        chunk_filter: ChunkFilter | None
        for chunk_filter in [query.filters, *soft]:
            passing = [[(chunk, score) for chunk, score in hits if chunk.passes(chunk_filter)][:depth] for hits in deep]
            for ranked in self.retriever.search(
                texts,
                k=self.settings.chunks_per_clue,
                chunk_filter=chunk_filter,
                revision=query.revision,
                vectors=queries,
                dense_hits=passing,
            ):
                for hit in ranked:
                    if hit.chunk.id not in best or best[hit.chunk.id].rank > hit.rank:
                        best[hit.chunk.id] = hit
        return ClueHits(hits=list(best.values()), soft=applied, clue_vectors=clue_vectors)

    def rank(self, reading: DescriptiveQuestion, retrieved: ClueHits, *, outlets: Sequence[str]) -> EntityRanking:
        """The retrieved sentences, how well each matches each clue, and the candidates they are about, best first (`outlets`:
        every indexed outlet, none of which is an answer)."""
        s = self.settings
        sentences = collect_sentences(retrieved.hits, self.embedder.dimension)
        if not sentences:
            return EntityRanking(sentences, np.zeros((len(reading.clues), 0)), [])
        vectors = retrieved.clue_vectors if retrieved.clue_vectors is not None else self.embedder.encode(reading.clues)
        match = match_clues(reading.clues, vectors, sentences, self.retriever.term_weights, lexical_share=s.lexical_share)
        if reading.kind is CLASS:  # a class is named by a common noun phrase: the best matching sentences are parsed for them
            sentences = class_mentions(sentences, match, limit=s.class_sentences)
        candidates = collect_candidates(reading, sentences, match, list(outlets), s)
        if reading.kind is CLASS and candidates:
            candidates = self._fit_class(reading, candidates)
        return EntityRanking(sentences, match, score_candidates(reading, candidates, sentences, s))

    def _fit_class(self, reading: DescriptiveQuestion, candidates: list[Candidate]) -> list[Candidate]:
        """The candidates of a class question, each with how well its phrase fits the class the question names ("third-party
        sellers" for "merchants", not "the trial"): the cosine of their embeddings, times the share its labels give a plural
        phrase (`qa.kinds.CLASS`)."""
        vectors = self.embedder.encode([reading.kind_phrase, *(c.name for c in candidates)])
        fits = np.maximum(vectors[1:] @ vectors[0], 0.0)
        for candidate, fit in zip(candidates, fits, strict=True):
            labels = sum(candidate.labels.values()) or 1
            candidate.kind_fit = float(fit) * sum(n * CLASS.fit.get(label, 0.0) for label, n in candidate.labels.items()) / labels
        return candidates

    def answer(self, query: Query, reading: DescriptiveQuestion, retrieved: ClueHits) -> Evidence:
        """The entity the clues agree on among what was retrieved, quoted; or an abstention listing the closest passages."""
        s = self.settings
        found = self.rank(reading, retrieved, outlets=query.outlets)
        sentences, match, ranked = found.sentences, found.match, found.ranked
        if not sentences:
            return Evidence(sentences=[], abstained=True, confidence=0.0, best_score=0.0)
        if not ranked:
            first_sentences = sorted(sentences, key=lambda x: (x.chunk_rank, x.start))
            return Evidence(sentences=related_passages([(x, 0.0)] for x in first_sentences), abstained=True, confidence=0.0, best_score=0.0)
        best = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        lead = (best.score - runner_up) / best.score if best.score > 0 else 0.0
        confidence = self.confidence(lead)
        if best.features.clues < s.min_clue_coverage:
            closest = ([(sentences[int(column)], float(row[column])) for column in np.argsort(-row)] for row in match)
            return Evidence(
                sentences=related_passages(closest),
                abstained=True,
                confidence=round(min(confidence, ABSTAINED_CONFIDENCE), 4),
                best_score=lead,
                clues=reading.clues,
            )
        quoted, clue_of, short = self._quote(reading, ranked, sentences)
        return Evidence(
            sentences=quoted,
            abstained=False,
            confidence=round(confidence, 4),
            best_score=lead,
            short=short,
            clues=reading.clues,
            clue_of=clue_of,
        )

    def _quote(
        self, reading: DescriptiveQuestion, ranked: list[ScoredCandidate], sentences: list[Sentence]
    ) -> tuple[list[Quote], dict[tuple[str, int], int], ShortAnswer]:
        """The quotes for the answer (`qa.entity_quotes`), the clue each supports, and the short answer: the chosen entity
        in its fullest form, or the two or three the question asks for, joined ("Meta and IBM")."""
        s = self.settings
        named_outlets = {source_key(o) for o in reading.outlets}
        chosen = partners(ranked, reading.count) if reading.count > 1 else ranked[:1]
        quoted: dict[tuple[str, int], Quote] = {}
        clue_of: dict[tuple[str, int], int] = {}
        shorts = []
        for candidate in chosen:
            name = candidate.candidate.name if reading.kind is CLASS else fullest_name(candidate.candidate.name, sentences)
            quotes, clues, short = quote_entity(
                candidate.candidate,
                sentences,
                named_outlets,
                clue_support=s.clue_support,
                max_sentences=max(1, s.max_sentences // len(chosen)),
                max_words=s.max_words // len(chosen),
                name=name,
            )
            for quote in quotes:
                quoted.setdefault(quote.key, quote)
            clue_of.update({key: row for key, row in clues.items() if key not in clue_of})
            shorts.append(short)
        if len(shorts) == 1:
            return list(quoted.values()), clue_of, shorts[0]
        joined = " and ".join(short.text for short in shorts)
        return list(quoted.values()), clue_of, ShortAnswer(text=joined, start=None, end=None, sentence=None)

    def confidence(self, lead: float) -> float:
        """The chance that the best candidate is right, from its lead over the runner-up (the share of its score the runner-up
        lacks; Platt scaling fitted by bench/calibrate.py): the clues agree on it, and on no other as well."""
        return platt_scaling(lead, slope=self.settings.confidence_slope, intercept=self.settings.confidence_intercept)
