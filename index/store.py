"""The Chroma store of chunks: a local `PersistentClient`, or a `chroma run` server.

The store is its own record of what is indexed: every chunk's metadata carries its article's id,
content hash and chunk count, so an article counts as indexed only when all its chunks are there.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from index.entities import Entity
from index.errors import StoreError
from index.settings import Settings

if TYPE_CHECKING:
    from langchain_chroma import Chroma

    from index.embedding import Embedder

PAGE = 2000
"""Chunks read per `get` when scanning the whole collection."""


@dataclass
class StoredArticle:
    """What the store holds of one article."""

    hash: str
    path: str
    expected_chunks: int
    chunk_ids: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """All chunks of one version of the article are stored."""
        return len(self.chunk_ids) == self.expected_chunks


@dataclass
class IndexStatus:
    """A one-line view of the index."""

    articles: int
    chunks: int
    updated_at: str


@dataclass
class StoredChunk:
    """One chunk as read back from the store."""

    id: str
    text: str
    metadata: dict[str, Any]

    @property
    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans (article offsets) inside this chunk."""
        return [(int(s), int(e)) for s, e in json.loads(self.metadata.get("sentences", "[]"))]

    @property
    def entities(self) -> list[Entity]:
        """Named entities (article offsets, NER label) inside this chunk; none for an index built before NER."""
        return [Entity.from_list(item) for item in json.loads(self.metadata.get("entities", "[]"))]

    @property
    def subject_words(self) -> str:
        """Words of the title, lede and subjects named before this chunk (what the story is about)."""
        return str(self.metadata.get("subject_words", self.metadata.get("title", "")))

    @property
    def prior_words(self) -> str:
        """Words of the title and of all the article text before this chunk (every name it has used)."""
        return str(self.metadata.get("prior_words", self.metadata.get("title", "")))


def open_client(settings: Settings) -> Any:
    """A Chroma client for these settings: HTTP when `chroma_host` is set, else a local folder."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_host:
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
            client.heartbeat()
            return client
        settings.db_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.db_dir), settings=chroma_settings)
    except Exception as error:
        where = (
            f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
            if settings.chroma_host
            else f"the store at {settings.db_dir}"
        )
        raise StoreError(f"Cannot open {where} ({error}). Start the server with `chroma run`, or check NEWSQA_DB_DIR.") from error


class ProgressEmbeddings(Embeddings):
    """Wraps an `Embedder` so that each batch LangChain asks for moves a progress bar."""

    def __init__(self, embedder: Embedder, bar: Any) -> None:
        self.embedder = embedder
        self.bar = bar

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed and count the texts on the bar."""
        vectors = self.embedder.embed_documents(texts)
        self.bar.update(len(texts))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Embed one query."""
        return self.embedder.embed_query(text)


class ChunkStore:
    """Chunks, their vectors and metadata in one Chroma collection, used through langchain-chroma."""

    def __init__(self, settings: Settings, embedder: Embedder, *, client: Any = None, collection: str | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.client = client if client is not None else open_client(settings)
        self.name = collection or settings.collection
        self.vectorstore = self._open_vectorstore(embedder)

    def _open_vectorstore(self, embeddings: Embeddings) -> Chroma:
        from langchain_chroma import Chroma

        vectorstore = Chroma(
            client=self.client,
            collection_name=self.name,
            embedding_function=embeddings,
            collection_metadata={"hnsw:space": "cosine", "embedding_model": self.embedder.name},
        )
        built_with = (self._collection().metadata or {}).get("embedding_model")
        if built_with and built_with != self.embedder.name:
            raise StoreError(
                f"The index was built with embedding model {built_with!r} but the settings ask for "
                f"{self.embedder.name!r}: run `newsqa index --rebuild`, or set NEWSQA_EMBEDDING_MODEL back."
            )
        return vectorstore

    def _collection(self) -> Any:
        return self.client.get_collection(self.name)

    def writer(self, bar: Any) -> Chroma:
        """The collection as a vector store whose embedding calls advance `bar`."""
        from langchain_chroma import Chroma

        return Chroma(client=self.client, collection_name=self.name, embedding_function=ProgressEmbeddings(self.embedder, bar))

    @property
    def revision(self) -> str:
        """Changes whenever a sync changes the store; tells when BM25 must be rebuilt.

        Reopens the collection if another process rebuilt (and so replaced) it.
        """
        current = self._collection()
        if current.id != self.vectorstore._collection.id:
            self.vectorstore = self._open_vectorstore(self.embedder)
        return f"{current.id}:{(current.metadata or {}).get('revision', '')}:{current.count()}"

    def status(self) -> IndexStatus:
        """How many articles and chunks are indexed, and when the index last changed."""
        articles = {str(c.metadata.get("article_id")) for c in self.iter_chunks(with_text=False)}
        collection = self._collection()
        return IndexStatus(
            articles=len(articles), chunks=int(collection.count()), updated_at=str((collection.metadata or {}).get("updated_at", ""))
        )

    def count(self) -> int:
        """Number of chunks stored."""
        return int(self._collection().count())

    def iter_chunks(self, *, with_text: bool = True) -> Iterator[StoredChunk]:
        """Every stored chunk, page by page."""
        include = ["metadatas", "documents"] if with_text else ["metadatas"]
        offset = 0
        while True:
            page = self.vectorstore.get(include=include, limit=PAGE, offset=offset)
            ids = page["ids"]
            if not ids:
                return
            documents = page.get("documents") or [""] * len(ids)
            for chunk_id, text, metadata in zip(ids, documents, page["metadatas"], strict=True):
                yield StoredChunk(id=chunk_id, text=text or "", metadata=dict(metadata or {}))
            offset += len(ids)

    def indexed_articles(self) -> dict[str, StoredArticle]:
        """What the store holds, per article id; a half-written article shows as incomplete."""
        articles: dict[str, StoredArticle] = {}
        for chunk in self.iter_chunks(with_text=False):
            meta = chunk.metadata
            article_id = str(meta["article_id"])
            stored = articles.get(article_id)
            if stored is None:
                stored = articles[article_id] = StoredArticle(
                    hash=str(meta["article_hash"]), path=str(meta.get("path", "")), expected_chunks=int(meta["chunk_count"])
                )
            elif stored.hash != meta["article_hash"]:
                stored.expected_chunks = -1  # two versions present: neither counts as indexed
            stored.chunk_ids.append(chunk.id)
        return articles

    def get_chunks(self, ids: list[str]) -> list[StoredChunk]:
        """The chunks with these ids that exist."""
        if not ids:
            return []
        page = self.vectorstore.get(ids=ids, include=["metadatas", "documents"])
        return [
            StoredChunk(id=i, text=t or "", metadata=dict(m or {}))
            for i, t, m in zip(page["ids"], page["documents"], page["metadatas"], strict=True)
        ]

    def delete(self, ids: list[str]) -> None:
        """Delete chunks by id."""
        for begin in range(0, len(ids), PAGE):
            self.vectorstore.delete(ids=ids[begin : begin + PAGE])

    def mark_changed(self) -> None:
        """Record a new revision in the collection's metadata."""
        collection = self._collection()
        metadata = {key: value for key, value in (collection.metadata or {}).items() if not key.startswith("hnsw:")}
        metadata["revision"] = uuid.uuid4().hex
        metadata["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        collection.modify(metadata=metadata)

    def dense_search(self, query_vector: list[float], k: int) -> list[tuple[StoredChunk, float]]:
        """Up to k chunks nearest to the query vector, with their cosine similarity (Chroma returns fewer when it holds fewer)."""
        if k <= 0:
            return []
        hits = self.vectorstore.similarity_search_by_vector_with_relevance_scores(query_vector, k=k)
        return [
            (StoredChunk(id=str(doc.id), text=doc.page_content, metadata=dict(doc.metadata)), 1.0 - float(distance))
            for doc, distance in hits
        ]

    def replace_with(self, other: ChunkStore) -> None:
        """Make `other` (a freshly built collection) this store's collection, dropping the old one."""
        old = f"{self.name}-old-{uuid.uuid4().hex[:8]}"
        self._collection().modify(name=old)
        other._collection().modify(name=self.name)
        self.client.delete_collection(old)
        self.vectorstore = self._open_vectorstore(self.embedder)
