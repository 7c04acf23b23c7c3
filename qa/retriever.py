"""Hybrid retrieval: dense (Chroma) and BM25 (bm25s) rankings fused by reciprocal rank.

`HybridRetriever.retrieve` hands the answerer typed `Hit`s (the stored chunk, its rank and its
scores); as a LangChain `BaseRetriever` it returns the same hits as `Document`s, for LangChain users.

A `ChunkFilter` (date range, outlets) restricts both sides before fusion: Chroma gets it as a
`where` clause, BM25 scores only the chunks that pass it. The BM25 index is saved beside the store
and reused by every process while the store's revision stays the same (`index.bm25`). After fusion, one copy of each
syndicated story is kept (`one_copy_per_story`: the one the question ranks first, a look-alike outlet last), so an answer
never quotes two copies.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from index.bm25 import Bm25Index, load_or_build
from index.copies import story_order
from index.embedding import Embedder
from index.filters import ChunkFilter
from index.lexical import TermWeights
from index.lookalikes import lookalike_note
from index.records import StoredChunk
from index.store import ChunkStore
from qa.settings import RetrievalSettings


def one_copy_per_story(
    ranked: list[StoredChunk], fused: Mapping[str, float] | None = None, scores: Mapping[str, Mapping[str, float]] | None = None
) -> list[StoredChunk]:
    """`ranked` with the chunks of only one copy of each story: the copy the question ranks first.

    What a copy is called and dated is whatever its file says, so neither decides: among a story's
    ranked copies, an outlet whose name is no look-alike (`index.lookalikes`) comes before one that
    is, then the copy whose best chunk ranks first (by its `fused` score, when given), and only
    among copies ranked alike the earliest (`story_order`). Copies whose best chunks score the same
    on each side (`scores`: dense and BM25; the same words score the same) are ranked alike, whatever
    order the fusion happened to put them in.
    """
    first_seen: dict[str, dict[str, StoredChunk]] = {}
    for chunk in ranked:
        first_seen.setdefault(chunk.story_id, {}).setdefault(chunk.article_id, chunk)
    position = {chunk.id: at for at, chunk in reversed(list(enumerate(ranked)))}

    def own_rank(chunk: StoredChunk) -> float:
        return -fused[chunk.id] if fused is not None and chunk.id in fused else float(position[chunk.id])

    def same_words(chunk: StoredChunk) -> tuple[str, tuple[tuple[str, float], ...]]:
        return chunk.story_id, tuple(sorted((scores or {}).get(chunk.id, {"position": float(position[chunk.id])}).items()))

    best_alike: dict[tuple[str, tuple[tuple[str, float], ...]], float] = {}
    for copies in first_seen.values():
        for chunk in copies.values():
            best_alike[same_words(chunk)] = min(best_alike.get(same_words(chunk), own_rank(chunk)), own_rank(chunk))
    rank = {chunk.id: best_alike[same_words(chunk)] for copies in first_seen.values() for chunk in copies.values()}

    def preference(chunk: StoredChunk) -> tuple[bool, float, tuple[bool, int, str]]:
        return bool(lookalike_note(chunk.source)), rank[chunk.id], story_order(chunk.date_ordinal, chunk.article_id)

    chosen = {story: min(copies.values(), key=preference).article_id for story, copies in first_seen.items()}
    return [chunk for chunk in ranked if chosen[chunk.story_id] == chunk.article_id]


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk, with its rank among the hits, its fused score and the scores of each ranking it came from."""

    chunk: StoredChunk
    """The stored chunk."""
    rank: int
    """Its place in the fused ranking, from 0 (after one copy per story was kept)."""
    fused: float
    """Its reciprocal-rank fusion score."""
    scores: dict[str, float]
    """`dense_score` and/or `bm25_score`: its score in each ranking that found it."""

    def document(self) -> Document:
        """The hit as a LangChain `Document`: the chunk's text, its stored metadata, its scores, `chunk_id`, `rank` and `rrf_score`."""
        return Document(
            id=self.chunk.id,
            page_content=self.chunk.text,
            metadata={**self.chunk.metadata(), **self.scores, "chunk_id": self.chunk.id, "rank": self.rank, "rrf_score": self.fused},
        )


class HybridRetriever(BaseRetriever):
    """Chunks ranked by dense similarity and by BM25, fused by reciprocal rank.

    The BM25 index is loaded (or built and saved) on first use, and again when the store's revision
    changes (another `update_index`, in this process or another).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: ChunkStore
    """The chunk store to search."""
    embedder: Embedder | None = None
    """The model that embeds queries for the dense side (the one the store was built with); not needed for `lexical_search`."""
    k: int = 6
    """Chunks returned."""
    settings: RetrievalSettings = RetrievalSettings()
    """Fusion knobs."""

    _bm25: Bm25Index | None = PrivateAttr(default=None)
    _revision: str | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def lexical_index(self, revision: str | None = None) -> Bm25Index:
        """The BM25 index for the store as it is now (`revision`: the store's revision, when the caller has just read it)."""
        revision = revision or self.store.revision
        with self._lock:
            if self._bm25 is None or revision != self._revision:
                self._bm25 = load_or_build(self.store, revision)
                self._revision = revision
            return self._bm25

    def lexical_search(self, query: str, k: int, *, chunk_filter: ChunkFilter | None = None) -> list[tuple[StoredChunk, float]]:
        """The k best chunks for `query` by BM25 alone among those passing `chunk_filter`, with their scores."""
        return self.lexical_index().search(self.store, query, k, chunk_filter=chunk_filter)

    @property
    def term_weights(self) -> TermWeights:
        """IDF weights of the BM25 index as last built, without asking the store again."""
        with self._lock:
            built = self._bm25
        return (built or self.lexical_index()).weights

    def _by_best_sentence(self, query_vector: list[float], dense: list[tuple[StoredChunk, float]]) -> list[tuple[StoredChunk, float]]:
        """The dense hits re-ordered by their closest sentence (the stored sentence vectors), mixed with the passage's own score.

        A chunk's vector is the mean of its sentences', which blurs a passage whose one sentence
        answers the question; its best sentence does not.
        """
        share = self.settings.best_sentence_share
        if not share or not dense or not query_vector:  # hits handed in without their query's vector keep their order
            return dense
        query = np.asarray(query_vector, dtype=np.float32)
        scored = []
        for chunk, score in dense:
            vectors = chunk.sentence_vectors(len(query))
            best = float((vectors @ query).max()) if len(vectors) else score
            scored.append((chunk, (1.0 - share) * score + share * best))
        return sorted(scored, key=lambda hit: -hit[1])

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        chunk_filter: ChunkFilter | None = None,
        revision: str | None = None,
    ) -> list[Document]:
        return [hit.document() for hit in self.retrieve(query, k=k, chunk_filter=chunk_filter, revision=revision)]

    def retrieve(
        self, query: str, *, k: int | None = None, chunk_filter: ChunkFilter | None = None, revision: str | None = None
    ) -> list[Hit]:
        """The `k` (default `self.k`) best chunks for `query` among those passing `chunk_filter`, best first, as typed hits.

        `revision`: the store's revision, when the caller has just read it.
        """
        [ranked] = self.search([query], k=k or self.k, chunk_filter=chunk_filter, revision=revision)
        return ranked

    def search(
        self,
        queries: list[str],
        *,
        k: int,
        chunk_filter: ChunkFilter | None = None,
        revision: str | None = None,
        vectors: list[list[float]] | None = None,
        dense_hits: list[list[tuple[StoredChunk, float]]] | None = None,
    ) -> list[list[Hit]]:
        """The k best chunks for each query (fused dense and BM25 ranks, one copy per story), in one dense request for all.

        `vectors`: the queries' embeddings when the caller has them already; `dense_hits`: their dense hits, when the caller
        has searched already (a deeper search filtered in memory: several filters for the price of one request).
        """
        lexical = self.lexical_index(revision)
        if not len(lexical) or not queries:
            return [[] for _ in queries]
        depth = max(self.settings.candidates, k)
        if dense_hits is not None:
            vectors = vectors or [[] for _ in queries]
        elif vectors is None:
            if self.embedder is None:
                raise ValueError("HybridRetriever needs an embedder for its dense side: HybridRetriever(store=..., embedder=Embedder()).")
            vectors = (
                [list(map(float, v)) for v in self.embedder.encode(queries)]
                if len(queries) > 1
                else [self.embedder.embed_query(queries[0])]
            )
        if dense_hits is None:
            dense_hits = self.store.dense_search_many(vectors, depth, chunk_filter=chunk_filter)
        return self._fuse(lexical, queries, vectors, dense_hits, k=k, chunk_filter=chunk_filter)

    def lexical_hits(self, query: str, *, k: int, revision: str | None = None) -> list[Hit]:
        """The k best chunks for `query` by BM25 alone (one copy per story), as typed hits: no embedding, no dense request.

        `revision`: the store's revision, when the caller has just read it.
        """
        lexical = self.lexical_index(revision)
        if not len(lexical):
            return []
        [ranked] = self._fuse(lexical, [query], [[]], [[]], k=k, chunk_filter=None)
        return ranked

    def _fuse(
        self,
        lexical: Bm25Index,
        queries: list[str],
        vectors: list[list[float]],
        dense_hits: list[list[tuple[StoredChunk, float]]],
        *,
        k: int,
        chunk_filter: ChunkFilter | None,
    ) -> list[list[Hit]]:
        """Each query's dense hits and BM25 ranking fused by reciprocal rank, one copy per story, the k best as typed hits."""
        depth = max(self.settings.candidates, k)
        chunks: dict[str, StoredChunk] = {}
        fused_rankings = []
        for query, vector, hits in zip(queries, vectors, dense_hits, strict=True):
            dense = self._by_best_sentence(vector, hits)
            chunks.update((chunk.id, chunk) for chunk, _ in dense)
            rankings = {
                "dense": (self.settings.dense_weight, [(chunk.id, score) for chunk, score in dense]),
                "bm25": (self.settings.bm25_weight, lexical.search_ids(query, depth, chunk_filter=chunk_filter)),
            }
            fused: dict[str, float] = {}
            scores: dict[str, dict[str, float]] = {}
            for name, (weight, ranking) in rankings.items():
                for rank, (chunk_id, score) in enumerate(ranking):
                    fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (self.settings.rrf_k + rank + 1)
                    scores.setdefault(chunk_id, {})[f"{name}_score"] = round(score, 6)
            fused_rankings.append((sorted(fused, key=lambda chunk_id: (-fused[chunk_id], chunk_id)), fused, scores))
        # only the top of each fused order is read: k chunks for the answer, as many again for choosing among copies;
        # BM25 hits the dense side returned need no second read, and a chunk deleted meanwhile is left out
        wanted = {i for ordered, _, _ in fused_rankings for i in ordered[: 2 * k] if i not in chunks}
        chunks.update((chunk.id, chunk) for chunk in self.store.get_chunks(sorted(wanted)))
        results = []
        for ordered, fused, scores in fused_rankings:
            top = ordered[: 2 * k]
            while True:
                best = [chunk.id for chunk in one_copy_per_story([chunks[i] for i in top if i in chunks], fused, scores)][:k]
                if len(best) >= k or len(top) == len(ordered):
                    break
                top = ordered  # copies of one story filled the top: read the rest
                chunks.update((chunk.id, chunk) for chunk in self.store.get_chunks([i for i in top if i not in chunks]))
            results.append([Hit(chunks[i], rank, fused[i], scores[i]) for rank, i in enumerate(best)])
        return results
