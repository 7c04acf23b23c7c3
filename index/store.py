"""The live index: the collection the pointer names, followed across rebuilds, and the rebuild itself.

The store is its own record of what is indexed: every chunk's metadata carries its article's id,
content hash and chunk count, so an article counts as indexed only when all its chunks are there
(`index.catalog.stored_articles`).

Which collection is live is said by one record, the metadata of the `<collection>-pointer`
collection (`{"live": name}`); without it the live collection is `<collection>` itself. Readers
resolve the pointer on every question (`revision`), so they follow a rebuild without reopening,
and a read that finds its collection gone (a rebuild dropped it meanwhile) follows the pointer and
reads again. The chunks themselves are read and written through `index.collection.Collection`;
the store owns no embedding model (whoever embeds passes vectors in).

Who writes, and what a crash at each step leaves (see `index.sync` for the order of a sync):
- Only one process writes at a time: every writer holds `index.lock.WriteLock`. Readers take no lock.
- A sync adds an article's new chunks before deleting its old ones: dying in between leaves both
  versions, which readers can still cite; the next sync sees the article as incomplete and
  re-indexes it.
- A rebuild fills a fresh `<collection>-build-<hex>` collection that no reader sees (`new_build`),
  switches the pointer to it in one `modify` (`switch_to`), then deletes the old collection. Dying
  before the switch leaves the old index live and the half-built collection orphaned; dying after
  it leaves the new index live and the old collection orphaned. The next writer deletes orphans
  (`remove_leftovers`).
- Chroma failures (server gone, collection deleted, disk full) surface as `StoreError`.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from index.collection import Collection, CollectionGoneError, open_client, store_errors
from index.faults import crash_point
from index.filters import ChunkFilter
from index.records import StoredChunk
from index.settings import IndexSettings

log = logging.getLogger("newsqa")

T = TypeVar("T")


class ChunkStore:
    """The live index of these settings: the collection the pointer names, followed across rebuilds.

    Args:
        settings: Where the store is (a folder, or a Chroma server) and its collection's name.
        client: An already open Chroma client (`index.collection.open_client`).
        outdated_ok: Open an index of an older chunk schema (only a rebuild does, to replace it).
    """

    def __init__(self, settings: IndexSettings, *, client: Any = None, outdated_ok: bool = False) -> None:
        self.settings = settings
        self.base = settings.collection
        self.pointer = f"{self.base}-pointer"
        self.outdated_ok = outdated_ok
        self.client = client if client is not None else open_client(settings)
        self._lock = threading.RLock()
        self._followers: list[Callable[[], None]] = []
        self.collection = self._open(self.live_name())

    def _open(self, name: str) -> Collection:
        with self._lock:
            self.collection = Collection(self.client, name, self.settings, outdated_ok=self.outdated_ok)
            return self.collection

    @property
    def name(self) -> str:
        """The live collection's name."""
        return self.collection.name

    @property
    def schema(self) -> int:
        """The chunk schema of the live collection (`index.records.CHUNK_SCHEMA` unless opened `outdated_ok`)."""
        return self.collection.schema

    def live_name(self) -> str:
        """The name of the live collection, as the pointer says (the base name before any rebuild)."""
        from chromadb.errors import NotFoundError

        with store_errors(self.settings, "read"):
            try:
                pointer = self.client.get_collection(self.pointer)
            except NotFoundError:
                return self.base
            return str((pointer.metadata or {}).get("live", self.base))

    def refresh(self) -> None:
        """Follow the pointer now (a writer does this once it holds the lock)."""
        self._open(self.live_name())

    def read(self, read: Callable[[Collection], T]) -> T:
        """`read` the live collection; when it vanished under the read (a rebuild switched), follow the pointer and read once more."""
        try:
            return read(self.collection)
        except CollectionGoneError:
            return read(self._open(self.live_name()))

    @property
    def revision(self) -> str:
        """Changes whenever a sync changes the store; tells when BM25 and the catalog must be read again.

        Resolves the live pointer, so a reader follows a rebuild done by another process.
        """

        def current() -> str:
            with store_errors(self.settings, "read"):
                live = self.client.get_collection(self.live_name())
                if live.id != self.collection.id:
                    self._open(live.name)
                return f"{live.id}:{(live.metadata or {}).get('revision', '')}:{live.count()}"

        try:
            return current()
        except CollectionGoneError:  # the pointer moved between reading it and reading what it names
            return current()

    @staticmethod
    def count_in(revision: str) -> int:
        """The number of chunks a `revision` string records."""
        return int(revision.rsplit(":", 1)[1])

    # reads of the live collection, following a rebuild

    def count(self) -> int:
        """Number of chunks stored."""
        return self.read(lambda c: c.count())

    def get_chunks(self, ids: list[str]) -> list[StoredChunk]:
        """The chunks with these ids that exist."""
        return self.read(lambda c: c.get(ids))

    def iter_chunks(self, *, with_text: bool = True, first_only: bool = False) -> Iterator[StoredChunk]:
        """Every stored chunk (`first_only`: each article's first chunk), page by page."""
        return self.collection.iter_chunks(with_text=with_text, first_only=first_only)

    def dense_search_many(
        self, query_vectors: list[list[float]], k: int, *, chunk_filter: ChunkFilter | None = None
    ) -> list[list[tuple[StoredChunk, float]]]:
        """Up to k chunks nearest to each query vector that pass `chunk_filter`, with their cosine similarity (one request)."""
        return self.read(lambda c: c.dense_search_many(query_vectors, k, chunk_filter=chunk_filter))

    # readers in this process that share the store

    def on_change(self, follow: Callable[[], None]) -> None:
        """Call `follow` after every sync through this store object that changed it (`index.sync.update_index`).

        A reader in the same process that shares the store (the chat server, whose uploads and
        `serve --watch` syncs go through its store) reads what it keeps per revision (BM25, the
        catalog) then, instead of at its next question. `follow` runs in the writer's thread, after
        the write lock is released; a failure is logged and does not fail the sync.
        """
        with self._lock:
            self._followers.append(follow)

    def changed(self) -> None:
        """Tell the `on_change` followers that a sync changed the store (`update_index` calls this)."""
        with self._lock:
            followers = list(self._followers)
        for follow in followers:
            try:
                follow()
            except Exception:  # a reader's read-ahead must never fail the writer
                log.exception("the index changed, but reading ahead for the next question failed; it will be read then")

    # rebuilding (under the write lock)

    def new_build(self) -> Collection:
        """A fresh, empty collection for a rebuild, invisible to readers until `switch_to` makes it live."""
        return Collection(self.client, f"{self.base}-build-{uuid.uuid4().hex[:8]}", self.settings)

    def discard(self, build: Collection) -> None:
        """Delete a build that will never be live (its rebuild failed); after a SIGKILL the next writer removes it instead."""
        with store_errors(self.settings, "cleaned up"):
            self.client.delete_collection(build.name)

    def switch_to(self, build: Collection) -> None:
        """Make `build` the live collection in one write to the pointer, then drop the old one.

        Call with the write lock held. A crash before the pointer write leaves the old index live;
        after it, the new one; either way the other collection is a leftover the next writer removes.
        """
        from chromadb.errors import NotFoundError

        old = self.name
        with store_errors(self.settings, "switched"):
            try:
                pointer = self.client.get_collection(self.pointer)
            except NotFoundError:
                pointer = self.client.create_collection(self.pointer, metadata={"live": old})
            crash_point("switch")
            pointer.modify(metadata={"live": build.name})  # the switch: readers see the new index from here on
            crash_point("switch")
            with self._lock:
                self.collection = build
            self.client.delete_collection(old)

    def leftovers(self) -> list[str]:
        """Collections of this index that are neither live nor the pointer: half-built or replaced ones of dead runs."""
        pattern = re.compile(rf"{re.escape(self.base)}(-(build|rebuild|old)-[0-9a-f]{{8}})?")
        live = self.live_name()
        with store_errors(self.settings, "read"):
            names = [c.name for c in self.client.list_collections()]
        return sorted(n for n in names if pattern.fullmatch(n) and n != live)

    def remove_leftovers(self) -> list[str]:
        """Delete the leftovers of dead runs (call with the write lock held); their names."""
        removed = self.leftovers()
        with store_errors(self.settings, "cleaned up"):
            for name in removed:
                self.client.delete_collection(name)
        return removed
