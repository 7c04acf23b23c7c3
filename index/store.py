"""The Chroma store of chunks: a local `PersistentClient`, or a `chroma run` server.

The store is its own record of what is indexed: every chunk's metadata carries its article's id,
content hash and chunk count, so an article counts as indexed only when all its chunks are there.

Which collection is live is said by one record, the metadata of the `<collection>-pointer`
collection (`{"live": name}`); without it the live collection is `<collection>` itself. Readers
resolve the pointer on every question (`revision`), so they follow a rebuild without reopening.

Who writes, and what a crash at each step leaves (see `index.sync` for the order of a sync):
- Only one process writes at a time: every writer holds `index.lock.WriteLock`. Readers take no lock.
- A sync adds an article's new chunks before deleting its old ones: dying in between leaves both
  versions, which readers can still cite; the next sync sees the article as incomplete and
  re-indexes it.
- A rebuild fills a fresh `<collection>-build-<hex>` collection that no reader sees, switches the
  pointer to it in one `modify`, then deletes the old collection. Dying before the switch leaves
  the old index live and the half-built collection orphaned; dying after it leaves the new index
  live and the old collection orphaned. The next writer deletes orphans (`remove_leftovers`).
- Chroma failures (server gone, collection deleted, disk full) surface as `StoreError`.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from index.chunking import CHUNK_SCHEMA, article_key
from index.dates import date_ordinal
from index.embedding import unpack_vectors
from index.entities import Entity, SalientName
from index.errors import NewsqaError, StoreError
from index.faults import crash_point
from index.filters import ChunkFilter, source_key
from index.settings import Settings
from index.words import WordVectors

if TYPE_CHECKING:
    from index.embedding import Embedder

PAGE = 2000
"""Chunks read per `get` when scanning the whole collection."""

T = TypeVar("T")


@dataclass
class StoredArticle:
    """What the store holds of one article."""

    hash: str
    path: str
    expected_chunks: int
    chunk_ids: list[str] = field(default_factory=list)
    story_ids: set[str] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        """All chunks of one version of the article are stored."""
        return len(self.chunk_ids) == self.expected_chunks


@dataclass
class CatalogEntry:
    """One indexed article as `newsqa articles` lists it: what to cite it by, its chunks and its story."""

    id: str
    title: str
    date: str
    source: str
    url: str
    chunks: int
    story_id: str
    date_ordinal: int
    source_key: str


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
    def article_id(self) -> str:
        """Id of the chunk's article."""
        return str(self.metadata.get("article_id", ""))

    @property
    def date_ordinal(self) -> int:
        """The article's date as `date.toordinal()`, 0 when unknown (read from the date for an index built before filters)."""
        stored = self.metadata.get("date_ordinal")
        return int(stored) if stored is not None else date_ordinal(str(self.metadata.get("date", "")))

    @property
    def source_key(self) -> str:
        """The article's outlet as filters compare it (case and spacing folded)."""
        stored = self.metadata.get("source_key")
        return str(stored) if stored is not None else source_key(str(self.metadata.get("source", "")))

    @property
    def story_id(self) -> str:
        """The story this article is a copy of (`index.copies`); its own id when it has no copies."""
        return str(self.metadata.get("story_id") or self.article_id)

    def passes(self, chunk_filter: ChunkFilter | None) -> bool:
        """Whether the chunk's article passes `chunk_filter` (None passes everything)."""
        return chunk_filter is None or chunk_filter.admits(self.date_ordinal, self.source_key)

    @property
    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans (article offsets) inside this chunk."""
        return [(int(s), int(e)) for s, e in json.loads(self.metadata.get("sentences", "[]"))]

    def sentence_vectors(self, dimension: int) -> NDArray[np.float32] | None:
        """The unit vectors of the chunk's sentences, in span order, as stored at index time (None before they were stored)."""
        packed = self.metadata.get("sentence_vectors")
        if not packed:
            return None
        return unpack_vectors(str(packed), dimension)

    @property
    def entities(self) -> list[Entity]:
        """Named entities (article offsets, NER label) inside this chunk; none for an index built before NER."""
        return [Entity.from_list(item) for item in json.loads(self.metadata.get("entities", "[]"))]

    @property
    def article_names(self) -> list[SalientName]:
        """The article's most mentioned names with their counts and labels; none for an index built before names."""
        return [SalientName.from_list(item) for item in json.loads(self.metadata.get("article_names", "[]"))]

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


class ChunkStore:
    """Chunks, their vectors and metadata in one Chroma collection.

    Opened without a `collection`, the store follows the live pointer (the index readers see);
    opened with one, it is that collection only (a rebuild's target). The embedding model loads on
    first use, so a sync with nothing to embed never imports torch.
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None, *, client: Any = None, collection: str | None = None) -> None:
        self.settings = settings
        self.base = settings.collection
        self.pointer = f"{self.base}-pointer"
        self.follows_pointer = collection is None
        self.client = client if client is not None else open_client(settings)
        self._embedder = embedder
        self._lock = threading.RLock()
        self._open(collection or self.live_name())
        self.words = WordVectors(lambda: self.embedder, settings.db_dir / "words", self.model_name)
        """Word vectors for the answerer, kept beside the store (`index.words`)."""

    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded on first use."""
        with self._lock:
            if self._embedder is None:
                from index.embedding import Embedder

                self._embedder = Embedder(self.settings.embedding_model, batch_size=self.settings.embedding_batch_size)
            return self._embedder

    @property
    def model_name(self) -> str:
        """The embedding model this store is opened for (without loading it)."""
        return self._embedder.name if self._embedder is not None else self.settings.embedding_model

    @contextmanager
    def _failures_as_store_error(self, doing: str) -> Iterator[None]:
        try:
            yield
        except Exception as error:
            if not _is_store_failure(error):
                raise
            if self.settings.chroma_host:
                advice = f"Check that the Chroma server at {self.settings.chroma_url} is running (`chroma run`) and that NEWSQA_CHROMA_TOKEN is right."
            elif _is_missing_collection(error):
                advice = "The index changed or was removed meanwhile: ask again, or run `newsqa index`."
            else:
                advice = f"Check that {self.settings.db_dir} is there and the disk is not full; if the index is damaged, run `newsqa index --rebuild`."
            raise StoreError(f"The index could not be {doing} ({type(error).__name__}: {error}). {advice}") from error

    def _read(self, doing: str, read: Callable[[], T]) -> T:
        """Run `read`; when the collection vanished under it (a rebuild switched), follow the pointer and try once more."""
        with self._failures_as_store_error(doing):
            try:
                return read()
            except Exception as error:
                if not (self.follows_pointer and _is_store_failure(error) and _is_missing_collection(error)):
                    raise
            self._open(self.live_name())
            return read()

    def _open(self, name: str) -> None:
        from langchain_chroma import Chroma

        with self._lock, self._failures_as_store_error("opened"):
            vectorstore = Chroma(
                client=self.client,
                collection_name=name,
                collection_metadata={"hnsw:space": "cosine", "embedding_model": self.model_name},
            )
            collection = self.client.get_collection(name)
            built_with = (collection.metadata or {}).get("embedding_model")
            if built_with and built_with != self.model_name:
                raise StoreError(
                    f"The index was built with embedding model {built_with!r} but the settings ask for "
                    f"{self.model_name!r}: run `newsqa index --rebuild`, or set NEWSQA_EMBEDDING_MODEL back."
                )
            self.name, self.vectorstore, self._collection_id = name, vectorstore, collection.id

    def live_name(self) -> str:
        """The name of the live collection, as the pointer says (the base name before any rebuild)."""
        from chromadb.errors import NotFoundError

        with self._failures_as_store_error("read"):
            try:
                pointer = self.client.get_collection(self.pointer)
            except NotFoundError:
                return self.base
            return str((pointer.metadata or {}).get("live", self.base))

    def refresh(self) -> None:
        """Follow the pointer now (a writer does this once it holds the lock)."""
        if self.follows_pointer:
            self._open(self.live_name())

    def _collection(self) -> Any:
        return self.client.get_collection(self.name)

    @property
    def revision(self) -> str:
        """Changes whenever a sync changes the store; tells when BM25 must be rebuilt.

        Resolves the live pointer, so a reader follows a rebuild done by another process.
        """

        def read() -> str:
            current = self.client.get_collection(self.live_name() if self.follows_pointer else self.name)
            if current.id != self._collection_id:
                self._open(current.name)
            return f"{current.id}:{(current.metadata or {}).get('revision', '')}:{current.count()}"

        return self._read("read", read)

    def status(self) -> IndexStatus:
        """How many articles and chunks are indexed, and when the index last changed (reads ids, no chunk metadata)."""
        first_chunks = self._read("read", lambda: self._collection().get(where={"chunk_index": 0}, include=[])["ids"])
        articles = {article_key(chunk_id) for chunk_id in first_chunks}
        collection = self._read("read", self._collection)
        return IndexStatus(
            articles=len(articles), chunks=int(collection.count()), updated_at=str((collection.metadata or {}).get("updated_at", ""))
        )

    @staticmethod
    def count_in(revision: str) -> int:
        """The number of chunks a `revision` string records."""
        return int(revision.rsplit(":", 1)[1])

    def count(self) -> int:
        """Number of chunks stored."""
        return self._read("read", lambda: int(self._collection().count()))

    def iter_chunks(self, *, with_text: bool = True, first_only: bool = False) -> Iterator[StoredChunk]:
        """Every stored chunk (`first_only`: each article's first chunk), page by page."""
        include = ["metadatas", "documents"] if with_text else ["metadatas"]
        where: Any = {"chunk_index": 0} if first_only else None
        offset = 0
        while True:
            with self._failures_as_store_error("read"):
                page = self.vectorstore.get(where=where, include=include, limit=PAGE, offset=offset)
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
            if int(meta.get("schema", 1)) < CHUNK_SCHEMA or "sentence_vectors" not in meta:
                stored.expected_chunks = -1  # indexed by an older version (no sentence vectors, no names): the next sync indexes it again
            stored.chunk_ids.append(chunk.id)
            stored.story_ids.add(str(meta.get("story_id", "")))
        return articles

    def catalog(self) -> list[CatalogEntry]:
        """Every indexed article (title, date, outlet, url, chunk count, story), in id order: read from each article's first chunk."""
        entries: dict[str, CatalogEntry] = {}
        for chunk in self.iter_chunks(with_text=False, first_only=True):
            meta = chunk.metadata
            entries.setdefault(
                chunk.article_id,
                CatalogEntry(
                    id=chunk.article_id,
                    title=str(meta.get("title", "")),
                    date=str(meta.get("date", "")),
                    source=str(meta.get("source", "")),
                    url=str(meta.get("url", "")),
                    chunks=int(meta.get("chunk_count", 1)),
                    story_id=chunk.story_id,
                    date_ordinal=chunk.date_ordinal,
                    source_key=chunk.source_key,
                ),
            )
        return [entries[key] for key in sorted(entries)]

    def article_text(self, article_id: str) -> str:
        """The article's text as far as its stored chunks hold it, each placed at its offset (gaps become spaces)."""
        chunks = self._read("read", lambda: self.vectorstore.get(where={"article_id": article_id}, include=["metadatas", "documents"]))
        pieces = sorted(
            (int((meta or {}).get("start", 0)), text or "") for text, meta in zip(chunks["documents"], chunks["metadatas"], strict=True)
        )
        text = ""
        for start, piece in pieces:
            text = text.ljust(start) if len(text) < start else text
            text = text[:start] + piece + text[start + len(piece) :]
        return text

    def set_story_ids(self, story_ids: dict[str, str]) -> None:
        """Rewrite the `story_id` of these chunks (id → story id) in place: metadata only, nothing is re-embedded."""
        ids = sorted(story_ids)
        with self._failures_as_store_error("written"):
            collection = self._collection()
            for begin in range(0, len(ids), PAGE):
                page = ids[begin : begin + PAGE]
                collection.update(ids=page, metadatas=[{"story_id": story_ids[i]} for i in page])

    def get_chunks(self, ids: list[str]) -> list[StoredChunk]:
        """The chunks with these ids that exist."""
        if not ids:
            return []
        page = self._read("read", lambda: self.vectorstore.get(ids=ids, include=["metadatas", "documents"]))
        return [
            StoredChunk(id=i, text=t or "", metadata=dict(m or {}))
            for i, t, m in zip(page["ids"], page["documents"], page["metadatas"], strict=True)
        ]

    def add(self, texts: list[str], metadatas: list[dict[str, Any]], ids: list[str], embeddings: NDArray[np.float32]) -> None:
        """Store already embedded chunks (replacing any with the same ids), in as few writes as Chroma allows."""
        with self._failures_as_store_error("written"):
            collection = self._collection()
            step = min(PAGE, int(self.client.get_max_batch_size()))
            for begin in range(0, len(ids), step):
                end = begin + step
                collection.upsert(
                    ids=ids[begin:end], documents=texts[begin:end], metadatas=metadatas[begin:end], embeddings=embeddings[begin:end]
                )

    def copy_from(self, other: ChunkStore, ids: list[str]) -> None:
        """Copy chunks with their vectors from another collection (a rebuild keeps what it could not re-split)."""
        if not ids:
            return
        with self._failures_as_store_error("copied"):
            page = self.client.get_collection(other.name).get(ids=ids, include=["embeddings", "documents", "metadatas"])
            self._collection().upsert(
                ids=page["ids"], embeddings=page["embeddings"], documents=page["documents"], metadatas=page["metadatas"]
            )

    def delete(self, ids: list[str]) -> None:
        """Delete chunks by id."""
        with self._failures_as_store_error("written"):
            for begin in range(0, len(ids), PAGE):
                self.vectorstore.delete(ids=ids[begin : begin + PAGE])

    def mark_changed(self) -> None:
        """Record a new revision in the collection's metadata."""
        with self._failures_as_store_error("written"):
            collection = self._collection()
            metadata = {key: value for key, value in (collection.metadata or {}).items() if not key.startswith("hnsw:")}
            metadata["revision"] = uuid.uuid4().hex
            metadata["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            collection.modify(metadata=metadata)

    def dense_search(
        self, query_vector: list[float], k: int, *, chunk_filter: ChunkFilter | None = None
    ) -> list[tuple[StoredChunk, float]]:
        """Up to k chunks nearest to the query vector that pass `chunk_filter` (a Chroma `where`), with their cosine similarity."""
        return self.dense_search_many([query_vector], k, chunk_filter=chunk_filter)[0]

    def dense_search_many(
        self, query_vectors: list[list[float]], k: int, *, chunk_filter: ChunkFilter | None = None
    ) -> list[list[tuple[StoredChunk, float]]]:
        """`dense_search` for several query vectors in one request to Chroma, one result list per vector."""
        if k <= 0 or not query_vectors:
            return [[] for _ in query_vectors]
        where = chunk_filter.where() if chunk_filter is not None else None
        found = self._read(
            "searched",
            lambda: self._collection().query(
                query_embeddings=query_vectors, n_results=k, where=where, include=["documents", "metadatas", "distances"]
            ),
        )
        results = []
        for row in range(len(query_vectors)):
            results.append(
                [
                    (StoredChunk(id=str(chunk_id), text=text or "", metadata=dict(meta or {})), 1.0 - float(distance))
                    for chunk_id, text, meta, distance in zip(
                        found["ids"][row],
                        (found["documents"] or [[]] * len(query_vectors))[row],
                        (found["metadatas"] or [[]] * len(query_vectors))[row],
                        (found["distances"] or [[]] * len(query_vectors))[row],
                        strict=True,
                    )
                    if meta  # a hit whose record is gone (deleted, or lost to a killed writer) is left out
                ]
            )
        return results

    def new_build(self) -> ChunkStore:
        """A fresh, empty collection for a rebuild, invisible to readers until `switch_to` makes it live."""
        return ChunkStore(self.settings, self.embedder, client=self.client, collection=f"{self.base}-build-{uuid.uuid4().hex[:8]}")

    def switch_to(self, build: ChunkStore) -> None:
        """Make `build` the live collection in one write to the pointer, then drop the old one.

        Call with the write lock held. A crash before the pointer write leaves the old index live;
        after it, the new one; either way the other collection is a leftover the next writer removes.
        """
        from chromadb.errors import NotFoundError

        old = self.name
        with self._failures_as_store_error("switched"):
            try:
                pointer = self.client.get_collection(self.pointer)
            except NotFoundError:
                pointer = self.client.create_collection(self.pointer, metadata={"live": old})
            crash_point("switch")
            pointer.modify(metadata={"live": build.name})  # the switch: readers see the new index from here on
            crash_point("switch")
            self._open(build.name)
            self.client.delete_collection(old)

    def leftovers(self) -> list[str]:
        """Collections of this index that are neither live nor the pointer: half-built or replaced ones of dead runs."""
        pattern = re.compile(rf"{re.escape(self.base)}(-(build|rebuild|old)-[0-9a-f]{{8}})?")
        live = self.live_name()
        with self._failures_as_store_error("read"):
            names = [c.name for c in self.client.list_collections()]
        return sorted(n for n in names if pattern.fullmatch(n) and n != live)

    def remove_leftovers(self) -> list[str]:
        """Delete the leftovers of dead runs (call with the write lock held); their names."""
        removed = self.leftovers()
        with self._failures_as_store_error("cleaned up"):
            for name in removed:
                self.client.delete_collection(name)
        return removed
