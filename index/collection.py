"""One Chroma collection of chunks: what a sync writes into and a question searches.

A `Collection` stores `StoredChunk` records (`index.records`) with their vectors: it adds,
deletes, reads and searches them, and keeps the collection's revision record. It knows nothing of
which collection is live (`index.store.ChunkStore` follows the pointer) or of articles and stories
(`index.catalog`), and it owns no model: vectors come in with the chunks and with the queries.

Chroma is reached through a client made by `open_client` (a local `PersistentClient`, or a
`chroma run` server); every failure of Chroma or of what is under it (the disk, sqlite, the HTTP
connection) becomes a `StoreError` that says what to do (`store_errors`). A collection that vanished
under a reader (a rebuild switched the pointer and dropped it) is a `CollectionGoneError`, which the
live store answers by following the pointer.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from index.errors import NewsqaError, StoreError
from index.filters import ChunkFilter
from index.records import CHUNK_SCHEMA, FIRST_CHUNKS, StoredChunk, of_article, outdated_index, story_update
from index.settings import IndexSettings

PAGE = 2000
"""Chunks read or written per request when going through many."""


class CollectionGoneError(StoreError):
    """The collection was deleted while it was being read: a rebuild replaced it (the live store follows the pointer)."""


def open_client(settings: IndexSettings) -> Any:
    """A Chroma client for these settings: HTTP when `chroma_host` is set, else a local folder."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_token is not None:
        # Chroma's own token auth: `Authorization: Bearer <token>` on every request
        chroma_settings = ChromaSettings(
            anonymized_telemetry=False,
            chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
            chroma_client_auth_credentials=settings.chroma_token.get_secret_value(),
        )
    try:
        if settings.chroma_host:
            client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, ssl=settings.chroma_ssl, settings=chroma_settings
            )
            client.heartbeat()
            return client
        settings.db_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.db_dir), settings=chroma_settings)
    except Exception as error:
        detail = str(error)
        if settings.chroma_token is not None:
            detail = detail.replace(settings.chroma_token.get_secret_value(), "**********")  # never echo the token
        if settings.chroma_host:
            raise StoreError(
                f"Cannot open the Chroma server at {settings.chroma_url} ({detail}). "
                "Start the server with `chroma run`, or check NEWSQA_CHROMA_HOST, NEWSQA_CHROMA_TOKEN and NEWSQA_CHROMA_SSL."
            ) from error
        if isinstance(error, OSError):
            raise StoreError(
                f"Cannot open the store at {settings.db_dir} ({detail}). Point NEWSQA_DB_DIR at a folder newsqa may write to."
            ) from error
        raise StoreError(
            f"Cannot open the store at {settings.db_dir} ({detail}). If it is damaged or from another Chroma version, "
            "move the folder away (or point NEWSQA_DB_DIR elsewhere) and run `newsqa index` to build a new one."
        ) from error


def _is_store_failure(error: BaseException) -> bool:
    """Whether `error` comes from Chroma or what is under it (the disk, sqlite, the HTTP connection)."""
    if isinstance(error, NewsqaError):
        return False
    if isinstance(error, OSError | sqlite3.Error):
        return True
    return any(kind.__module__.split(".")[0] in {"chromadb", "httpx", "httpcore"} for kind in type(error).__mro__)


def _is_missing_collection(error: BaseException) -> bool:
    from chromadb.errors import NotFoundError

    return isinstance(error, NotFoundError) or "does not exist" in str(error)


@contextmanager
def store_errors(settings: IndexSettings, doing: str) -> Iterator[None]:
    """Turn a failure of Chroma (or of the disk, sqlite, the connection) into a `StoreError` that says what to do.

    `doing` completes "The index could not be ..." (read, written, searched, ...).
    """
    try:
        yield
    except Exception as error:
        if not _is_store_failure(error):
            raise
        if settings.chroma_host:
            advice = (
                f"Check that the Chroma server at {settings.chroma_url} is running (`chroma run`) and that NEWSQA_CHROMA_TOKEN is right."
            )
        elif _is_missing_collection(error):
            advice = "The index changed or was removed meanwhile: ask again, or run `newsqa index`."
        else:
            advice = (
                f"Check that {settings.db_dir} is there and the disk is not full; if the index is damaged, run `newsqa index --rebuild`."
            )
        kind = CollectionGoneError if _is_missing_collection(error) else StoreError
        raise kind(f"The index could not be {doing} ({type(error).__name__}: {error}). {advice}") from error


def _schema_of(collection: Any) -> int:
    """The `CHUNK_SCHEMA` a collection's chunks were written with: as its metadata records it, or (for a collection
    written before the record existed) the oldest of its chunks' own, checked on two chunks at most; an empty one is current."""
    recorded = (collection.metadata or {}).get("chunk_schema")
    if recorded is not None:
        return int(recorded)
    first = collection.get(limit=1, include=["metadatas"])
    if not first["ids"]:
        return CHUNK_SCHEMA
    older = collection.get(where={"schema": {"$lt": CHUNK_SCHEMA}}, limit=1, include=["metadatas"])
    metadata = (older["metadatas"] or first["metadatas"])[0] or {}
    return int(metadata.get("schema", 1))


class Collection:
    """One Chroma collection of chunks, opened (and created when missing) for one embedding model.

    Args:
        client: The Chroma client (`open_client`).
        name: The collection's name.
        settings: Where the store is (for messages) and which embedding model it must have been built with.
        outdated_ok: Open a collection of an older `CHUNK_SCHEMA` (only a rebuild does, to replace it) instead of
            refusing it with `OutdatedIndexError`.

    Raises:
        StoreError: It was built with another embedding model, or Chroma failed.
        OutdatedIndexError: It holds chunks of an older schema (and `outdated_ok` is not set).
    """

    def __init__(self, client: Any, name: str, settings: IndexSettings, *, outdated_ok: bool = False) -> None:
        self.client = client
        self.name = name
        self.settings = settings
        model = settings.embedding_model
        with store_errors(settings, "opened"):
            self._chroma = client.get_or_create_collection(
                name=name,
                embedding_function=None,
                metadata={"hnsw:space": "cosine", "embedding_model": model, "chunk_schema": CHUNK_SCHEMA},
            )
            built_with = (self._chroma.metadata or {}).get("embedding_model")
            if built_with and built_with != model:
                raise StoreError(
                    f"The index was built with embedding model {built_with!r} but the settings ask for "
                    f"{model!r}: run `newsqa index --rebuild`, or set NEWSQA_EMBEDDING_MODEL back."
                )
            self.schema = _schema_of(self._chroma)
            """The `CHUNK_SCHEMA` of its chunks."""
        if self.schema < CHUNK_SCHEMA and not outdated_ok:
            raise outdated_index(self.where, self.schema)
        self.id = self._chroma.id

    @property
    def where(self) -> str:
        """Where the collection is, for messages: the store folder or server, and the collection's name."""
        place = self.settings.chroma_url if self.settings.chroma_host else str(self.settings.db_dir)
        return f"{place} (collection {self.name})"

    def _errors(self, doing: str) -> Any:
        return store_errors(self.settings, doing)

    def _records(self, page: dict[str, Any]) -> list[StoredChunk]:
        documents = page.get("documents") or [""] * len(page["ids"])
        return [
            StoredChunk.from_stored(chunk_id, text, metadata or {}, where=self.where)
            for chunk_id, text, metadata in zip(page["ids"], documents, page["metadatas"], strict=True)
        ]

    # reading

    def metadata(self) -> dict[str, Any]:
        """The collection's own metadata as stored now (revision, updated_at, embedding model, schema)."""
        with self._errors("read"):
            return dict(self.client.get_collection(self.name).metadata or {})

    def count(self) -> int:
        """Number of chunks stored."""
        with self._errors("read"):
            return int(self._chroma.count())

    def get(self, ids: list[str]) -> list[StoredChunk]:
        """The chunks with these ids that exist."""
        if not ids:
            return []
        with self._errors("read"):
            page = self._chroma.get(ids=ids, include=["metadatas", "documents"])
        return self._records(page)

    def of_article(self, article_id: str) -> list[StoredChunk]:
        """Every stored chunk of one article (all its versions)."""
        with self._errors("read"):
            page = self._chroma.get(where=of_article(article_id), include=["metadatas", "documents"])
        return self._records(page)

    def first_chunk_ids(self) -> list[str]:
        """The ids of each article's first chunk (one per article and version); no metadata is read."""
        with self._errors("read"):
            return list(self._chroma.get(where=FIRST_CHUNKS, include=[])["ids"])

    def iter_chunks(self, *, with_text: bool = True, first_only: bool = False) -> Iterator[StoredChunk]:
        """Every stored chunk (`first_only`: each article's first chunk), page by page."""
        include = ["metadatas", "documents"] if with_text else ["metadatas"]
        where: Any = FIRST_CHUNKS if first_only else None
        offset = 0
        while True:
            with self._errors("read"):
                page = self._chroma.get(where=where, include=include, limit=PAGE, offset=offset)
            if not page["ids"]:
                return
            yield from self._records(page)
            offset += len(page["ids"])

    def dense_search_many(
        self, query_vectors: list[list[float]], k: int, *, chunk_filter: ChunkFilter | None = None
    ) -> list[list[tuple[StoredChunk, float]]]:
        """Up to k chunks nearest to each query vector that pass `chunk_filter` (a Chroma `where`), with their cosine
        similarity, in one request for all: one result list per vector."""
        if k <= 0 or not query_vectors:
            return [[] for _ in query_vectors]
        where = chunk_filter.where() if chunk_filter is not None else None
        with self._errors("searched"):
            found = self._chroma.query(
                query_embeddings=query_vectors, n_results=k, where=where, include=["documents", "metadatas", "distances"]
            )
        rows = len(query_vectors)
        return [
            [
                (StoredChunk.from_stored(str(chunk_id), text, metadata, where=self.where), 1.0 - float(distance))
                for chunk_id, text, metadata, distance in zip(
                    found["ids"][row],
                    (found["documents"] or [[]] * rows)[row],
                    (found["metadatas"] or [[]] * rows)[row],
                    (found["distances"] or [[]] * rows)[row],
                    strict=True,
                )
                if metadata  # a hit whose record is gone (deleted, or lost to a killed writer) is left out
            ]
            for row in range(rows)
        ]

    # writing (under the write lock, `index.lock.WriteLock`)

    def add(self, chunks: list[StoredChunk], embeddings: NDArray[np.float32]) -> None:
        """Store already embedded chunks (replacing any with the same ids), in as few writes as Chroma allows."""
        with self._errors("written"):
            step = min(PAGE, int(self.client.get_max_batch_size()))
            for begin in range(0, len(chunks), step):
                batch = chunks[begin : begin + step]
                self._chroma.upsert(
                    ids=[c.id for c in batch],
                    documents=[c.text for c in batch],
                    metadatas=[c.metadata() for c in batch],
                    embeddings=embeddings[begin : begin + step],
                )

    def copy_from(self, other: Collection, ids: list[str]) -> None:
        """Copy chunks with their vectors from another collection (a rebuild keeps what it could not re-split)."""
        if not ids:
            return
        with self._errors("copied"):
            page = other._chroma.get(ids=ids, include=["embeddings", "documents", "metadatas"])
            self._chroma.upsert(ids=page["ids"], embeddings=page["embeddings"], documents=page["documents"], metadatas=page["metadatas"])

    def delete(self, ids: list[str]) -> None:
        """Delete chunks by id."""
        with self._errors("written"):
            for begin in range(0, len(ids), PAGE):
                self._chroma.delete(ids=ids[begin : begin + PAGE])

    def set_story_ids(self, story_ids: dict[str, str]) -> None:
        """Rewrite the `story_id` of these chunks (id → story id) in place: metadata only, nothing is re-embedded."""
        ids = sorted(story_ids)
        with self._errors("written"):
            for begin in range(0, len(ids), PAGE):
                page = ids[begin : begin + PAGE]
                self._chroma.update(ids=page, metadatas=[story_update(story_ids[i]) for i in page])

    def mark_changed(self) -> None:
        """Record a new revision (and this code's `CHUNK_SCHEMA`, which its chunks now have) in the collection's metadata."""
        with self._errors("written"):
            current = self.client.get_collection(self.name)
            metadata = {key: value for key, value in (current.metadata or {}).items() if not key.startswith("hnsw:")}
            metadata["revision"] = uuid.uuid4().hex
            metadata["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            metadata["chunk_schema"] = self.schema
            current.modify(metadata=metadata)
