"""Hybrid retrieval: dense (Chroma) and BM25 (bm25s) rankings fused by reciprocal rank.

A `ChunkFilter` (date range, outlets) restricts both sides before fusion: Chroma gets it as a
`where` clause, BM25 scores only the chunks that pass it. After fusion, one copy of each
syndicated story is kept (`one_copy_per_story`), so an answer never quotes two copies.
"""

from __future__ import annotations

import threading
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from index import ChunkStore, StoredChunk
from index.dates import NO_DATE
from index.filters import ChunkFilter
from index.settings import RetrievalSettings
from qa.lexical import TermWeights, terms


class _Bm25Index:
    """BM25 over every stored chunk, with the term weights the answerer reuses."""

    def __init__(self, chunks: list[StoredChunk]) -> None:
        import bm25s

        self.chunks = chunks
        tokens = [terms(c.text) for c in chunks]  # the answerer's terms, so BM25 and overlap agree
        self.weights = TermWeights(tokens)
        self.model: Any = None
        if chunks:
            self.model = bm25s.BM25()
            self.model.index(tokens, show_progress=False)

    def search(self, query: str, k: int, *, chunk_filter: ChunkFilter | None = None) -> list[tuple[StoredChunk, float]]:
        """The k best chunks for `query` among those passing `chunk_filter`, with their BM25 scores (zero scores left out)."""
        query_terms = terms(query)
        if self.model is None or not query_terms:
            return []
        if chunk_filter is None or chunk_filter.empty:
            found, scores = self.model.retrieve([query_terms], k=min(k, len(self.chunks)), show_progress=False, n_threads=1)
            return [(self.chunks[int(i)], float(s)) for i, s in zip(found[0], scores[0], strict=True) if s > 0]
        every = self.model.get_scores(query_terms)  # scores of all chunks; only those passing the filter compete
        passing = [i for i, chunk in enumerate(self.chunks) if chunk.passes(chunk_filter) and every[i] > 0]
        best = sorted(passing, key=lambda i: -float(every[i]))[:k]
        return [(self.chunks[i], float(every[i])) for i in best]


def one_copy_per_story(ranked: list[StoredChunk]) -> list[StoredChunk]:
    """`ranked` with the chunks of only one copy of each story: the story's earliest article if ranked, else the earliest ranked copy."""
    copies: dict[str, dict[str, StoredChunk]] = {}
    for chunk in ranked:
        copies.setdefault(chunk.story_id, {}).setdefault(chunk.article_id, chunk)

    def age(chunk: StoredChunk) -> tuple[bool, int, str]:
        return chunk.date_ordinal == NO_DATE, chunk.date_ordinal, chunk.article_id

    chosen = {story: story if story in articles else min(articles.values(), key=age).article_id for story, articles in copies.items()}
    return [chunk for chunk in ranked if chosen[chunk.story_id] == chunk.article_id]


class HybridRetriever(BaseRetriever):
    """Chunks ranked by dense similarity and by BM25, fused by reciprocal rank.

    The BM25 index is built from the store on first use and rebuilt when the store's revision
    changes (another `update_index`, in this process or another).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: ChunkStore
    """The chunk store to search."""
    k: int = 6
    """Chunks returned."""
    settings: RetrievalSettings = RetrievalSettings()
    """Fusion knobs."""

    _bm25: _Bm25Index | None = PrivateAttr(default=None)
    _revision: str | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def lexical_index(self) -> _Bm25Index:
        """The BM25 index for the store as it is now."""
        revision = self.store.revision
        with self._lock:
            if self._bm25 is None or revision != self._revision:
                self._bm25 = _Bm25Index(list(self.store.iter_chunks()))
                self._revision = revision
            return self._bm25

    @property
    def term_weights(self) -> TermWeights:
        """IDF weights of the BM25 index as last built, without asking the store again."""
        with self._lock:
            built = self._bm25
        return (built or self.lexical_index()).weights

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        chunk_filter: ChunkFilter | None = None,
    ) -> list[Document]:
        k = k or self.k
        lexical = self.lexical_index()
        if not lexical.chunks:
            return []
        depth = max(self.settings.candidates, k)
        query_vector = self.store.embedder.embed_query(query)
        rankings = {
            "dense": (self.settings.dense_weight, self.store.dense_search(query_vector, depth, chunk_filter=chunk_filter)),
            "bm25": (self.settings.bm25_weight, lexical.search(query, depth, chunk_filter=chunk_filter)),
        }
        fused: dict[str, float] = {}
        chunks: dict[str, StoredChunk] = {}
        scores: dict[str, dict[str, float]] = {}
        for name, (weight, ranking) in rankings.items():
            for rank, (chunk, score) in enumerate(ranking):
                fused[chunk.id] = fused.get(chunk.id, 0.0) + weight / (self.settings.rrf_k + rank + 1)
                chunks[chunk.id] = chunk
                scores.setdefault(chunk.id, {})[f"{name}_score"] = round(score, 6)
        ordered = sorted(fused, key=lambda chunk_id: (-fused[chunk_id], chunk_id))
        best = [chunk.id for chunk in one_copy_per_story([chunks[i] for i in ordered])][:k]
        return [
            Document(
                id=chunk_id,
                page_content=chunks[chunk_id].text,
                metadata={
                    **chunks[chunk_id].metadata,
                    **scores[chunk_id],
                    "chunk_id": chunk_id,
                    "rank": rank,
                    "rrf_score": fused[chunk_id],
                },
            )
            for rank, chunk_id in enumerate(best)
        ]
