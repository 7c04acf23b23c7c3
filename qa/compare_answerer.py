"""Answer a question that sets articles side by side with one dated quote per article it refers to.

"Between the TechCrunch report on Meta's moderation bias problem published on October 19, 2023,
and the TechCrunch report on Meta's compliance with COPPA published on November 27, 2023, was there
a change ...?" No one sentence answers it: each article's fact does. The answerer
(`qa.answerers.Answerer`; weights and thresholds are the described fields of `CompareSettings`):

1. reads the question's references to articles (`qa.references`): outlet, topic, day or period;
2. retrieves, for each reference, within its outlet (and the user's filters), for its topic and
   for the claim the articles are compared on: once within the period it gives, once without it
   (the dense side is one request per reference, filtered in memory for the period);
3. scores every sentence retrieved for a reference (`qa.reference_match`: topic, claim, their terms,
   the title, the period, the rank) and gives each reference its best sentence from an article no
   other reference took;
4. says plainly which references match no indexed article (no sentence is `min_topic_similarity`
   close to its topic, or the topic names something no indexed article holds: "No article from Polygon on ... is
   indexed.") and answers the rest: one quote per article, in date order, each saying which
   reference it answers (`qa.side_by_side`). It says no yes or no: the reader, or a language model
   whose every sentence is checked (`qa.generate`), compares the quotes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from index import ChunkStore, Embedder
from index.filters import ChunkFilter, source_key
from qa.answerers import Retrieved
from qa.confidence import ABSTAINED_CONFIDENCE, platt_scaling
from qa.evidence import Evidence
from qa.names import unknown_names
from qa.query import Query
from qa.reference_match import ANOTHER_ARTICLE, Scored, another_article, assign, score_sentences, second_sentences
from qa.references import ArticleReference, ComparisonQuestion, read_comparison
from qa.retriever import Hit, HybridRetriever
from qa.sentences import Quote, collect_sentences, related_passages
from qa.settings import CompareSettings
from qa.side_by_side import Pick, SideBySide, dated_evidence, not_found


@dataclass(frozen=True)
class ReferenceHits(Retrieved):
    """The chunks retrieved for each reference of a comparison, and the vectors they were searched with."""

    per_reference: tuple[tuple[Hit, ...], ...] = ()
    """Each reference's chunks, within its outlet, each with its best rank."""
    in_period: tuple[frozenset[str], ...] = ()
    """Each reference's chunk ids found within the period it gives."""
    vectors: np.ndarray | None = None
    """The unit vectors of each reference's topic, then of the claim."""


class CompareAnswerer:
    """Answers a comparison with one dated quote per article it refers to (see the module docstring).

    Args:
        embedder: The model that embeds the topics and the claim.
        store: The chunk store (one dense request per reference).
        retriever: Hybrid retrieval (BM25 per filter, and the fusion).
        settings: Weights and thresholds.
        typo_similarity: How close a word must be to an indexed one to count as a typo of it (`qa.names`).
    """

    def __init__(
        self, embedder: Embedder, store: ChunkStore, retriever: HybridRetriever, settings: CompareSettings, *, typo_similarity: float
    ) -> None:
        self.embedder = embedder
        self.store = store
        self.retriever = retriever
        self.settings = settings
        self.typo_similarity = typo_similarity

    def read(self, query: Query) -> ComparisonQuestion | None:
        """The question read as a comparison (`qa.references.read_comparison`), or None when it is not one."""
        return read_comparison(query.question, query.named, query.outlets, today=query.today)

    def retrieve(self, query: Query, reading: ComparisonQuestion) -> ReferenceHits:
        """Each reference's chunks: within its outlet and the user's filters, for its topic and for the claim, in its period and
        without it."""
        texts = [reference.topic or reading.claim for reference in reading.references]
        topics = self.embedder.encode_questions(texts)[0]
        # the claim's vector is the mean of the topics': the question is mostly its references, and a long text is the slowest to embed
        mean = np.mean(topics, axis=0)
        vectors = np.vstack([*topics, mean / max(float(np.linalg.norm(mean)), 1e-9)])
        claim = [float(x) for x in vectors[-1]]
        k = self.settings.chunks_per_reference
        per_reference: list[tuple[Hit, ...]] = []
        in_period: list[frozenset[str]] = []
        best: dict[str, Hit] = {}
        for reference, vector in zip(reading.references, vectors, strict=False):
            outlet = _within(query.filters, ChunkFilter(sources=frozenset(source_key(o) for o in reference.outlets)))
            if outlet is None or not reference.indexed:  # its outlet is not indexed, or the user's filters leave none of its articles
                per_reference.append(())
                in_period.append(frozenset())
                continue
            queries, searched = [[float(x) for x in vector], claim], [texts[len(per_reference)], reading.claim]
            period = _within(outlet, _period_filter(reference)) if reference.published is not None else None
            deep = self.store.dense_search_many(queries, k * 3, chunk_filter=outlet)
            found: dict[str, Hit] = {}
            dated: set[str] = set()
            for chunk_filter in [f for f in (period, outlet) if f is not None]:
                passing = [[(chunk, score) for chunk, score in hits if chunk.passes(chunk_filter)][:k] for hits in deep]
                ranked = self.retriever.search(
                    searched, k=k, chunk_filter=chunk_filter, revision=query.revision, vectors=queries, dense_hits=passing
                )
                for hit in (hit for hits in ranked for hit in hits):
                    if chunk_filter is period:
                        dated.add(hit.chunk.id)
                    if hit.chunk.id not in found or found[hit.chunk.id].rank > hit.rank:
                        found[hit.chunk.id] = hit
            per_reference.append(tuple(found.values()))
            in_period.append(frozenset(dated))
            for hit in found.values():
                if hit.chunk.id not in best or best[hit.chunk.id].rank > hit.rank:
                    best[hit.chunk.id] = hit
        return ReferenceHits(hits=list(best.values()), per_reference=tuple(per_reference), in_period=tuple(in_period), vectors=vectors)

    def answer(self, query: Query, reading: ComparisonQuestion, retrieved: ReferenceHits) -> Evidence:
        """One quote per reference that matches an indexed article (and perhaps one more article and second sentences), in
        date order; the others said plainly."""
        vectors = retrieved.vectors if retrieved.vectors is not None else self.embedder.encode([reading.claim])
        rankings: list[list[Scored]] = []
        for i, reference in enumerate(reading.references):
            sentences = collect_sentences(retrieved.per_reference[i], self.embedder.dimension)
            scored = score_sentences(
                sentences,
                topic=(reference.topic or reading.claim, vectors[i]),
                claim=(reading.claim, vectors[-1]),
                in_period=retrieved.in_period[i],
                weights=self.retriever.term_weights,
                settings=self.settings,
            )
            rankings.append(scored if self._matches(reference, scored) else [])
        chosen = assign(rankings)
        described = [reference.describe() for reference in reading.references]
        if not any(chosen):
            closest = ([(s, 0.0) for s in collect_sentences(hits, self.embedder.dimension)] for hits in retrieved.per_reference if hits)
            side = SideBySide("comparison", described)
            return Evidence(sentences=related_passages(closest), abstained=True, confidence=0.0, best_score=0.0, side_by_side=side)
        picks = [Pick(Quote(item.sentence, "answer", item.score), i) for i, item in enumerate(chosen) if item is not None]
        if self.settings.another_article:
            other = another_article(rankings, chosen, claim_terms_weight=self.settings.claim_terms_weight)
            if other is not None:
                picks.append(Pick(Quote(other.sentence, "answer", other.score), len(described)))
                described.append(ANOTHER_ARTICLE)
        picks += second_sentences(rankings, chosen, picks, margin=self.settings.second_sentence_margin, max_words=self.settings.max_words)
        searched = "among the articles searched" if query.filters is not None else "indexed"
        unmatched = [
            not_found(reference.outlet, reference.topic).replace("is indexed", f"is {searched}")
            for reference, item in zip(reading.references, chosen, strict=True)
            if item is None
        ]
        quotes, side = dated_evidence("comparison", picks, references=described, unmatched=unmatched)
        weakest = min(item.score for item in chosen if item is not None)
        confidence = platt_scaling(weakest, slope=self.settings.confidence_slope, intercept=self.settings.confidence_intercept)
        if unmatched:
            confidence = min(confidence, ABSTAINED_CONFIDENCE)
        return Evidence(sentences=quotes, abstained=False, confidence=round(confidence, 4), best_score=weakest, side_by_side=side)

    def _matches(self, reference: ArticleReference, scored: list[Scored]) -> bool:
        """Whether an indexed article matches the reference: a sentence is `min_topic_similarity` close to its topic, and its
        topic holds no name that no indexed article holds (a word the index has never seen, or a typo of one retrieved: `qa.names`)."""
        if not scored or max(item.features.topic for item in scored) < self.settings.min_topic_similarity:
            return False
        texts = [item.sentence.chunk.text for item in scored[:20]]
        missing = unknown_names(reference.topic, self.retriever.term_weights, texts, typo_similarity=self.typo_similarity)
        return not any(len(name.split()) == 1 for name in missing)  # names of several words: the question-wide check's


def _within(outer: ChunkFilter | None, inner: ChunkFilter) -> ChunkFilter | None:
    """The articles both filters admit, or None when no article can pass both."""
    if outer is None:
        return inner
    since = max((d for d in (outer.since, inner.since) if d is not None), default=None)
    until = min((d for d in (outer.until, inner.until) if d is not None), default=None)
    if since is not None and until is not None and since > until:
        return None
    sources = inner.sources if outer.sources is None else outer.sources if inner.sources is None else outer.sources & inner.sources
    if sources is not None and not sources:
        return None
    return replace(inner, since=since, until=until, sources=sources)


def _period_filter(reference: ArticleReference) -> ChunkFilter:
    """The period a reference gives, as a filter (an open end stays open)."""
    assert reference.published is not None
    first, last = reference.published
    return ChunkFilter(since=None if first == date.min else first, until=None if last == date.max else last)
