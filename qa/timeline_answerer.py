"""Answer "How has the coverage of X changed since October?" with one dated quote per article about X, in date order.

A timeline question (`qa.references.read_timeline`: "How has the coverage of X changed since ...?",
"What has been reported about X, in order?", "a timeline of X") asks how the coverage developed, not
for one fact. The answerer (`qa.answerers.Answerer`; limits in `CompareSettings`) retrieves for the
subject within the user's filters and the period the question gives, keeps each article's sentence
closest to the subject (one copy of a syndicated story: the retriever keeps one, and the answer lists
the others as copies), keeps the articles whose sentence is close enough (`timeline_min_similarity`),
at most `timeline_articles` of them, the closest, and quotes them in date order (`qa.side_by_side`).
A subject no indexed article names is abstained on, as every answer is (`qa.names`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from index import Embedder
from index.filters import ChunkFilter
from index.lexical import term_set
from qa.answerers import Retrieved
from qa.confidence import platt_scaling
from qa.evidence import Evidence
from qa.query import Query
from qa.reference_match import weighted_share
from qa.references import TimelineQuestion, read_timeline
from qa.retriever import HybridRetriever
from qa.sentences import Quote, Sentence, collect_sentences, related_passages
from qa.settings import CompareSettings
from qa.side_by_side import Pick, SideBySide, dated_evidence


@dataclass(frozen=True)
class SubjectHits(Retrieved):
    """The chunks retrieved for a timeline's subject, and the subject's unit vector (encoded once)."""

    vector: np.ndarray | None = None


class TimelineAnswerer:
    """Answers a timeline question with one dated quote per article about its subject (see the module docstring).

    Args:
        embedder: The model that embeds the subject.
        retriever: Hybrid retrieval.
        settings: How many articles at most, and how close their sentence must be.
    """

    def __init__(self, embedder: Embedder, retriever: HybridRetriever, settings: CompareSettings) -> None:
        self.embedder = embedder
        self.retriever = retriever
        self.settings = settings

    def read(self, query: Query) -> TimelineQuestion | None:
        """The question read as a timeline question, or None when it is not one."""
        return read_timeline(query.question, query.named, today=query.today)

    def retrieve(self, query: Query, reading: TimelineQuestion) -> SubjectHits:
        """The chunks retrieved for the subject, within the user's filters and from the day the question gives."""
        chunk_filter = query.filters
        if reading.since is not None:
            base = chunk_filter or ChunkFilter()
            since = max(reading.since, base.since) if base.since else reading.since
            chunk_filter = replace(base, since=since)
        vector = self.embedder.encode([reading.subject])[0]
        [hits] = self.retriever.search(
            [reading.subject],
            k=self.settings.timeline_articles * 3,
            chunk_filter=chunk_filter,
            revision=query.revision,
            vectors=[[float(x) for x in vector]],
        )
        return SubjectHits(hits=hits, vector=vector)

    def answer(self, query: Query, reading: TimelineQuestion, retrieved: SubjectHits) -> Evidence:
        """Each close-enough article's sentence closest to the subject, at most `timeline_articles`, in date order."""
        sentences = collect_sentences(retrieved.hits, self.embedder.dimension)
        if not sentences:
            return Evidence(sentences=[], abstained=True, confidence=0.0, best_score=0.0, side_by_side=SideBySide("timeline"))
        vector = retrieved.vector if retrieved.vector is not None else self.embedder.encode([reading.subject])[0]
        subject_terms = term_set(reading.subject)
        weights = self.retriever.term_weights
        best: dict[str, tuple[float, Sentence]] = {}
        for sentence in sentences:
            if sentence.vector is None:
                continue
            closeness = float(sentence.vector @ vector)
            score = closeness + self.settings.topic_terms_weight * weighted_share(subject_terms, term_set(sentence.text), weights)
            if closeness >= self.settings.timeline_min_similarity and (
                sentence.article_id not in best or best[sentence.article_id][0] < score
            ):
                best[sentence.article_id] = (score, sentence)
        kept = sorted(best.values(), key=lambda item: -item[0])[: self.settings.timeline_articles]
        if not kept:
            closest = sorted(sentences, key=lambda s: -float(s.vector @ vector) if s.vector is not None else 0.0)
            return Evidence(
                sentences=related_passages([(s, 0.0)] for s in closest),
                abstained=True,
                confidence=0.0,
                best_score=0.0,
                side_by_side=SideBySide("timeline"),
            )
        quotes, side = dated_evidence("timeline", [Pick(Quote(sentence, "answer", score)) for score, sentence in kept])
        top = kept[0][0]
        confidence = platt_scaling(top, slope=self.settings.confidence_slope, intercept=self.settings.confidence_intercept)
        return Evidence(sentences=quotes, abstained=False, confidence=round(confidence, 4), best_score=top, side_by_side=side)
