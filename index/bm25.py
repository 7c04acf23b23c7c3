"""BM25 over every stored chunk, persisted beside the store and keyed to its revision.

The index is built once per store revision and saved under `<db_dir>/bm25/<store>/<key>/`, where `<store>`
hashes where the store is (its folder, or the server's address) and the collection, and `<key>`
the revision (`ChunkStore.revision`, which changes on every sync); a server token is never part of either.
A process whose store is at a saved revision memory-maps that index (`bm25s` `load(mmap=True)`)
instead of reading every chunk again. A sync that changes the store builds and saves the new one
itself (`update_index` calls `save_bm25_index`, so every writer does: `newsqa index`, `watch`, `fetch`,
`serve --watch`, the chat's uploads and any Python caller) and removes the others; a reader that asks
before it is saved builds and saves its own.

BM25 and the answerer's term weights share one analyzer, `index.lexical.terms`.

What a folder holds: bm25s's own files (scores, vocabulary, parameters), `rows.json` (the chunk
id, date and outlet of every row, so a hit maps back to its chunk and filters run without
Chroma) and `weights.json` (document frequencies for the answerer's `TermWeights`). Chunk texts
are not kept: the few chunks a search returns are read from the store by id.

How it survives, and who else may be writing:
- Any number of readers (chat servers, `newsqa ask`) and the writer may build at once; each writes into its own
  `.tmp-<pid>-<hex>` folder and renames it into place in one `os.rename`, so nobody ever loads a
  half-written index. If another reader's rename wins, the loser discards its own copy.
- Dying while writing (fault points `bm25-save`, `bm25-rename`; `tests/test_bm25_persist.py` kills
  real processes there) leaves only a `.tmp-` folder, which the next save removes once its pid is
  gone. A folder that fails to load (removed meanwhile, damaged) is rebuilt.
- An index is saved only when the store's revision is the same after reading every chunk as
  before, so a sync running meanwhile never gets its half-done state saved under a revision.
- Removing an old folder under a reader that memory-mapped it is harmless on POSIX: the mapping
  keeps the files until it is dropped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import NewsqaError
from index.faults import crash_point
from index.filters import ChunkFilter
from index.lexical import TermWeights, terms
from index.records import StoredChunk
from index.store import ChunkStore

log = logging.getLogger("newsqa")

ROWS = "rows.json"
WEIGHTS = "weights.json"
BUILDS = 0
"""Indexes built from the store's chunks in this process (a load from disk does not count); tests read it."""


class Bm25Index:
    """BM25 over every stored chunk (by row), with the term weights the answerer reuses."""

    def __init__(self, model: Any, ids: list[str], dates: np.ndarray, outlets: np.ndarray, outlet_keys: list[str], weights: TermWeights):
        self.model = model
        self.ids = ids
        self.dates = dates
        self.outlets = outlets
        self.outlet_keys = outlet_keys
        self.weights = weights

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, chunks: Iterable[StoredChunk]) -> Bm25Index:
        """Index these chunks with the answerer's terms (so BM25 and overlap agree); texts are dropped once tokenised."""
        import bm25s

        global BUILDS
        BUILDS += 1
        ids: list[str] = []
        dates: list[int] = []
        outlets: list[int] = []
        outlet_codes: dict[str, int] = {}
        tokens: list[list[str]] = []
        for chunk in chunks:
            ids.append(chunk.id)
            dates.append(chunk.date_ordinal)
            outlets.append(outlet_codes.setdefault(chunk.source_key, len(outlet_codes)))
            tokens.append(terms(chunk.text))
        model: Any = None
        if ids:
            model = bm25s.BM25()
            model.index(tokens, show_progress=False)
        return cls(
            model,
            ids,
            np.asarray(dates, dtype=np.int64),
            np.asarray(outlets, dtype=np.int32),
            list(outlet_codes),
            TermWeights(tokens),
        )

    def save(self, folder: Path) -> None:
        """Write the index into `folder` (which must not exist yet; the caller renames it into place)."""
        folder.mkdir(parents=True)
        if self.model is not None:
            self.model.save(str(folder), show_progress=False)
        crash_point("bm25-save")  # half written: the scores are there, the rows not yet
        rows = {"ids": self.ids, "dates": self.dates.tolist(), "outlets": self.outlets.tolist(), "outlet_keys": self.outlet_keys}
        (folder / ROWS).write_text(json.dumps(rows), encoding="utf-8")
        weights = {"count": self.weights.count, "frequency": dict(self.weights.frequency)}
        (folder / WEIGHTS).write_text(json.dumps(weights), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Bm25Index:
        """The index saved in `folder`, its scores memory-mapped."""
        import bm25s

        rows = json.loads((folder / ROWS).read_text(encoding="utf-8"))
        saved = json.loads((folder / WEIGHTS).read_text(encoding="utf-8"))
        model = bm25s.BM25.load(str(folder), mmap=True, show_progress=False) if rows["ids"] else None
        return cls(
            model,
            rows["ids"],
            np.asarray(rows["dates"], dtype=np.int64),
            np.asarray(rows["outlets"], dtype=np.int32),
            rows["outlet_keys"],
            TermWeights.from_frequencies(Counter(saved["frequency"]), int(saved["count"])),
        )

    def _passing(self, chunk_filter: ChunkFilter) -> np.ndarray:
        """Which rows pass `chunk_filter` (the array twin of `ChunkFilter.admits`)."""
        passing = np.ones(len(self.ids), dtype=bool)
        if chunk_filter.dated:
            low, high = chunk_filter.bounds()
            passing &= (self.dates >= low) & (self.dates <= high)
        if chunk_filter.sources is not None:
            allowed = [code for code, key in enumerate(self.outlet_keys) if key in chunk_filter.sources]
            passing &= np.isin(self.outlets, allowed)
        return passing

    def search_ids(self, query: str, k: int, *, chunk_filter: ChunkFilter | None = None) -> list[tuple[str, float]]:
        """The ids of the k best chunks for `query` among those passing `chunk_filter`, with their BM25 scores (zero scores left out)."""
        query_terms = terms(query)
        if self.model is None or not query_terms or k <= 0:
            return []
        if chunk_filter is None or chunk_filter.empty:
            found, scores = self.model.retrieve([query_terms], k=min(k, len(self.ids)), show_progress=False, n_threads=1)
            return [(self.ids[int(i)], float(s)) for i, s in zip(found[0], scores[0], strict=True) if s > 0]
        every = np.asarray(self.model.get_scores(query_terms))  # scores of all chunks; only those passing the filter compete
        candidates = np.flatnonzero(self._passing(chunk_filter) & (every > 0))
        best = sorted(candidates.tolist(), key=lambda i: (-float(every[i]), i))[:k]
        return [(self.ids[i], float(every[i])) for i in best]

    def search(
        self,
        store: ChunkStore,
        query: str,
        k: int,
        *,
        chunk_filter: ChunkFilter | None = None,
    ) -> list[tuple[StoredChunk, float]]:
        """`search_ids`, with each chunk read from `store` (one read; a chunk deleted meanwhile is left out)."""
        hits = self.search_ids(query, k, chunk_filter=chunk_filter)
        chunks = {chunk.id: chunk for chunk in store.get_chunks([chunk_id for chunk_id, _ in hits])}
        return [(chunks[chunk_id], score) for chunk_id, score in hits if chunk_id in chunks]


def cache_folder(store: ChunkStore) -> Path:
    """The folder that holds this store's saved BM25 indexes (one per revision): where the store is and its collection, hashed."""
    return store.settings.db_dir / "bm25" / store.settings.store_digest()


def revision_key(revision: str) -> str:
    """The saved index's folder name for the store at `revision`."""
    return hashlib.sha256(revision.encode()).hexdigest()[:24]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_others(folder: Path, keep: str) -> None:
    """Remove saved indexes other than `keep`, and temp folders of dead writers."""
    for entry in folder.iterdir():
        if entry.name == keep:
            continue
        if entry.name.startswith(".tmp-"):
            pid = entry.name.split("-")[1]
            if pid.isdigit() and _pid_alive(int(pid)):
                continue  # another reader is writing it right now
        shutil.rmtree(entry, ignore_errors=True)


def save_bm25_index(store: ChunkStore) -> None:
    """Build and save the BM25 index of `store` as it is now, unless it is saved already.

    `update_index` calls it after a sync that changed the store, so the next question of a reader
    sharing this folder loads the index instead of building it (16 s at 20,000 articles, `bench/SCALE.md`).
    It is an optimisation: a failure is logged, and each reader builds the index as before.
    """
    try:
        revision = store.revision
        if not (cache_folder(store) / revision_key(revision)).is_dir():
            load_or_build(store, revision)
    except (NewsqaError, OSError) as error:
        log.warning("BM25 index not saved for readers (%s); each reader builds it at its next question", error)


def load_or_build(store: ChunkStore, revision: str) -> Bm25Index:
    """The BM25 index of `store` at `revision`: loaded when saved, else built from the store and saved."""
    folder = cache_folder(store)
    key = revision_key(revision)
    saved = folder / key
    if saved.is_dir():
        try:
            return Bm25Index.load(saved)
        except (OSError, ValueError, KeyError):
            shutil.rmtree(saved, ignore_errors=True)  # removed meanwhile or damaged: build it again
    built = Bm25Index.build(store.iter_chunks())
    if store.revision != revision:
        return built  # a sync ran while we read: usable now, but not what `revision` names
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        built.save(temp)
        crash_point("bm25-rename")  # wholly written, not yet in place
        os.rename(temp, saved)  # atomic: readers see no folder or the whole one
    except OSError:
        shutil.rmtree(temp, ignore_errors=True)  # another reader saved it first, or the disk is full: keep ours in memory
        return built
    _remove_others(folder, key)
    return built
