"""Keep the Chroma store in step with the articles folder, by content hash.

A sync, in order, all under the store's write lock (`index.lock.WriteLock`; readers take none):
1. remove the leftovers of dead runs (half-built or replaced collections), and report them;
2. the fast path: when the sync manifest (`index.manifest`) says the folder and the store are as
   the last complete sync left them (same store revision, same files with the same stamps, or
   touched files that still hold the same articles), report everything unchanged and stop here:
   no file parsed, no MinHash, no chunk metadata read;
3. otherwise remove the manifest, read the folder and compare content hashes with what the store
   holds; when nothing changed, go on with 7 without loading the embedding model (or torch);
4. for each new or changed article: embed and add its new chunks, then delete its old ones (in
   batches of articles: every sentence of a batch is encoded once, in one call, its words the word
   file lacks are appended to it (`index.words`), and the batch's chunks are written together);
5. delete the chunks of articles gone from the folder;
6. a rebuild does 4 into a fresh collection and then switches the live pointer to it;
7. group syndicated copies (`index.copies`, over every article in the folder, on every sync that
   is not the fast path) and rewrite the `story_id` of any stored chunk whose story changed (a copy
   deleted or edited into a story of its own): metadata only, nothing is re-embedded. New chunks
   are written in 4 with their story id already right;
8. write the manifest of what this sync saw and the store's new revision;
9. when the store changed, build and save its BM25 index for the new revision (`index.bm25`), so
   the next question of any reader sharing the folder loads it instead of building it; then, with
   the lock released, tell the readers in this process that share the store (`ChunkStore.on_change`).

What a SIGKILL at each step leaves: before 4, nothing changed. In 4, every article is either
fully indexed in its old or new version, or (between add and delete) in both; the next sync
re-indexes it. In 5, some removed articles are still there; the next sync removes them. In 6,
see `ChunkStore.switch_to`: the old or the new index is live, never none. In 7, some chunks keep
a stale story id (an answer may cite two copies); the manifest was removed in 3, so the next sync
is a full one and fixes them. In 8, the old manifest or the new one (`os.replace`). In 9, a temp
folder of BM25 at most, which the next save removes; readers build the index themselves meanwhile.
`tests/test_crash.py` kills a real run at these points.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, Field

from index.articles import Article, ArticleLoader, SkippedFile
from index.bm25 import save_bm25_index
from index.catalog import StoredArticle, stored_articles
from index.chunking import Chunk, chunk_article
from index.copies import StoryInput, story_ids
from index.embedding import mean_vector, pack_vectors
from index.errors import ModelError, NoArticlesError, OutdatedIndexError
from index.faults import crash_point
from index.formats import format_names
from index.lock import WriteLock
from index.manifest import manifest_of, read_manifest, remove_manifest, unchanged_since, write_manifest
from index.records import CHUNK_SCHEMA, StoredChunk, article_version, outdated_index, yield_fingerprint
from index.settings import IndexSettings
from index.store import ChunkStore
from index.words import WordVectors

if TYPE_CHECKING:
    from index.collection import Collection
    from index.embedding import Embedder

log = logging.getLogger("newsqa")


class IndexReport(BaseModel):
    """What one `update_index` run did."""

    added: int = Field(0, description="Articles indexed for the first time.")
    updated: int = Field(0, description="Articles whose content changed (or were half-indexed) and were re-indexed.")
    removed: int = Field(0, description="Articles no longer in the folder whose chunks were deleted.")
    unchanged: int = Field(0, description="Articles already indexed with the same content hash; not touched.")
    skipped: int = Field(0, description="Files or JSONL lines that could not be read.")
    chunks_embedded: int = Field(0, description="Chunks embedded in this run.")
    total_chunks: int = Field(0, description="Chunks in the store after the run.")
    seconds: float = Field(0.0, description="Wall time of the run.")
    finished_at: datetime | None = Field(None, description="When the run finished (UTC).")
    added_ids: list[str] = Field(default_factory=list, description="Ids of the added articles.")
    updated_ids: list[str] = Field(default_factory=list, description="Ids of the updated articles.")
    removed_ids: list[str] = Field(default_factory=list, description="Ids of the removed articles.")
    skipped_files: list[SkippedFile] = Field(default_factory=list, description="Each skipped file or line, and why.")
    stories_updated: int = Field(
        0, description="Articles already stored whose story id was rewritten (a copy of theirs was deleted, edited or added)."
    )
    leftovers_removed: list[str] = Field(
        default_factory=list, description="Collections left by dead runs (half-built or replaced) that this run deleted."
    )
    changed: bool = Field(False, description="Whether the store changed (a new revision): readers' BM25 and catalog are stale.")

    def describe(self) -> str:
        """The run in one line, as the CLI, the watcher, the chat's upload report and its status line say it:
        "1 added, 0 updated, 0 removed, 3 unchanged, 0 skipped; 4 chunks embedded, 40 in the index (1.2 s)"."""
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, {self.unchanged} unchanged, {self.skipped} skipped; "
            f"{self.chunks_embedded} chunks embedded, {self.total_chunks} in the index ({self.seconds:.1f} s)"
        )

    def summary(self) -> dict[str, int | float]:
        """The counts, as printed by `newsqa index --json`."""
        return self.model_dump(
            include={"added", "updated", "removed", "unchanged", "skipped", "chunks_embedded", "total_chunks", "seconds"}
        )


def update_index(
    settings: IndexSettings | None = None,
    *,
    articles_dir: Path | None = None,
    rebuild: bool = False,
    embedder: Embedder | None = None,
    store: ChunkStore | None = None,
    progress: bool = False,
    wait: bool = True,
) -> IndexReport:
    """Sync the store with the articles folder: add new, re-index changed, drop removed articles.

    Unchanged articles are not embedded again, and when nothing changed the model is not even
    loaded. New chunks of a changed article are stored before its old ones are deleted, so a failed
    run leaves every previously indexed article answerable. With `rebuild`, everything is
    re-embedded into a fresh collection that becomes live only once it is complete. Runs hold the
    store's write lock, so they happen one at a time. A run that changed the store also saves its
    BM25 index (`index.bm25`): the index is complete when this returns, whoever called it.

    Args:
        settings: Where the articles and the store are; the defaults (and `NEWSQA_*`) otherwise.
        articles_dir: Overrides `settings.articles_dir`.
        rebuild: Re-embed every article.
        embedder: An already loaded model, to avoid loading it again (else it is loaded when something is to be embedded).
        store: An already open store, to avoid opening it again (readers sharing it are told of a change, `ChunkStore.on_change`).
        progress: Show a progress bar while embedding.
        wait: When another run holds the lock, wait for it (saying so); else raise `IndexBusyError`.
    """
    started = time.perf_counter()
    settings = settings or IndexSettings()
    folder = Path(articles_dir or settings.articles_dir)
    live = store or ChunkStore(settings, outdated_ok=rebuild)
    model = _Model(settings, embedder)
    with WriteLock(settings, wait=wait):
        live.refresh()  # another writer may have switched the index while we waited
        report = IndexReport(leftovers_removed=live.remove_leftovers())
        for name in report.leftovers_removed:
            log.warning("Removed %s, left by an index run that did not finish", name)
        _sync(live, model, folder, settings, report, rebuild=rebuild, progress=progress)
        if report.changed:
            if progress:
                print("Saving the BM25 index for the next question…", file=sys.stderr)
            save_bm25_index(live)
    report.seconds = round(time.perf_counter() - started, 3)
    report.finished_at = datetime.now(UTC)
    if report.changed:
        live.changed()
    return report


class _Model:
    """The embedding model a sync needs, and the word file it appends to: loaded only when something is to be embedded."""

    def __init__(self, settings: IndexSettings, embedder: Embedder | None) -> None:
        self.settings = settings
        self._embedder = embedder
        self.words = WordVectors.beside(settings, self.embedder)
        """The word vectors of the store's word file (`index.words`), which each sync extends."""

    def embedder(self) -> Embedder:
        """The model, loaded on first use."""
        if self._embedder is None:
            from index.embedding import Embedder

            self._embedder = Embedder(self.settings.embedding_model, batch_size=self.settings.embedding_batch_size)
        return self._embedder


def _sync(
    live: ChunkStore, model: _Model, folder: Path, settings: IndexSettings, report: IndexReport, *, rebuild: bool, progress: bool
) -> None:
    """The body of `update_index`, with the lock held."""
    loader = ArticleLoader(folder, limits=settings.limits)
    if not rebuild and _unchanged_by_manifest(live, loader, settings, report):
        return
    remove_manifest(settings)  # from here the store may change: until this sync completes, the next one is a full one
    started_ns = time.time_ns()
    loaded = loader.load()
    if not loaded.articles:
        reasons = "; ".join(str(s) for s in loaded.skipped[:5])
        raise NoArticlesError(
            f"No readable articles in {folder}{f' ({reasons})' if reasons else ''}. Add {format_names()} articles there; "
            "nothing in the index was changed."
        )
    report.skipped_files = list(loaded.skipped)
    stored = _stored_articles(live, rebuild=rebuild)
    todo: list[Article] = []
    fingerprint = yield_fingerprint(settings)
    for article in loaded.articles:
        previous = stored.get(article.id)
        if rebuild or previous is None or previous.hash != article_version(article.content_hash, fingerprint) or not previous.complete:
            (report.added_ids if previous is None else report.updated_ids).append(article.id)
            todo.append(article)
        else:
            report.unchanged += 1
    stories = story_ids(
        (StoryInput(a.id, a.text, a.date) for a in loaded.articles),
        threshold=settings.copies.threshold,
        window_days=settings.copies.window_days,
    )
    present = {a.id for a in loaded.articles}
    skipped_paths = {s.path for s in loaded.skipped}
    gone = {i: p for i, p in stored.items() if i not in present and p.path not in skipped_paths}
    for article_id, previous in stored.items():
        if article_id not in present and article_id not in gone:
            log.warning("Keeping indexed article %s: its file %s could not be read this time", article_id, previous.path)

    if rebuild:
        target = live.new_build()
        try:
            report.chunks_embedded, split = _store_articles(
                target, model, todo, {}, stories, settings=settings, report=report, progress=progress
            )
            unsplit = {a.id for a in todo} - split
            kept = _kept(stored, unsplit, present, gone)
            target.copy_from(live.collection, [i for previous in kept for i in previous.chunk_ids])
            report.stories_updated = _restamp_stories(target, stored_articles(target), stories)
        except BaseException:
            live.discard(target)  # never made live; after a SIGKILL the next writer removes it
            raise
        live.switch_to(target)
    else:
        written = live.collection
        report.chunks_embedded, split = _store_articles(
            written, model, todo, stored, stories, settings=settings, report=report, progress=progress
        )
        unsplit = {a.id for a in todo} - split
        kept = _kept(stored, unsplit, present, gone)
        for previous in gone.values():
            written.delete(previous.chunk_ids)
        report.stories_updated = _restamp_stories(written, stored_articles(written) if split or gone else stored, stories)
    report.removed_ids = sorted(gone)

    if split or report.removed_ids or rebuild or report.stories_updated:
        live.collection.mark_changed()
        report.changed = True
    report.skipped = len(report.skipped_files)
    report.added, report.updated, report.removed = len(report.added_ids), len(report.updated_ids), len(report.removed_ids)
    report.total_chunks = live.count()
    if not kept and not unsplit:  # the store now holds exactly what the folder does
        manifest = manifest_of(loaded, folder=folder, settings=settings, revision=live.revision, started_ns=started_ns)
        if manifest is not None:
            write_manifest(settings, manifest)


def _stored_articles(live: ChunkStore, *, rebuild: bool) -> dict[str, StoredArticle]:
    """What the live index holds; for a rebuild of an index that only a rebuild can read (`OutdatedIndexError`), nothing:
    none of it is kept, every article is embedded again."""
    try:
        if live.schema < CHUNK_SCHEMA:
            raise outdated_index(live.collection.where, live.schema)
        return stored_articles(live)
    except OutdatedIndexError as error:
        if not rebuild:
            raise
        log.warning("Rebuilding the whole index: %s", error)
        return {}


def _unchanged_by_manifest(live: ChunkStore, loader: ArticleLoader, settings: IndexSettings, report: IndexReport) -> bool:
    """Fill `report` from the sync manifest when it shows that nothing changed (`index.manifest`); False means: do the full sync."""
    manifest = read_manifest(settings)
    if manifest is None or not loader.root.is_dir():
        return False
    current = unchanged_since(manifest, loader, settings=settings, revision=live.revision)
    if current is None:
        return False
    if current is not manifest:
        write_manifest(settings, current)  # files read again, same articles: remember their new stamps
    report.skipped_files = current.skipped()
    for skip in report.skipped_files:
        log.warning("Skipping %s", skip)
    report.unchanged = current.article_count
    report.skipped = len(report.skipped_files)
    report.total_chunks = live.count()
    return True


def _kept(stored: dict[str, StoredArticle], unsplit: set[str], present: set[str], gone: dict[str, StoredArticle]) -> list[StoredArticle]:
    """Stored articles this sync keeps as they are: those that could not be split this time, and files that turned unreadable."""
    return [p for i, p in stored.items() if i in unsplit or (i not in present and i not in gone)]


def _split_articles(articles: list[Article], settings: IndexSettings, report: IndexReport) -> Iterator[tuple[Article, list[Chunk]]]:
    """Each article with its chunks, one at a time; an article that fails to split is skipped (and reported), keeping what is indexed of it."""
    fingerprint = yield_fingerprint(settings)
    for article in articles:
        try:
            chunks = chunk_article(
                article,
                chunk_size=settings.chunking.chunk_size,
                chunk_overlap=settings.chunking.chunk_overlap,
                max_sentence_chars=settings.limits.max_sentence_chars,
                version=article_version(article.content_hash, fingerprint),
            )
        except ModelError:  # the NER model is missing: every article would fail, and the message says how to install it
            raise
        except Exception as error:  # one bad article must not stop the others
            log.warning("Skipping %s: it could not be split into chunks (%s)", article.path, error)
            report.skipped_files.append(
                SkippedFile(
                    path=article.path,
                    reason=f"could not be split into chunks ({type(error).__name__}: {error}); its indexed version is kept",
                )
            )
            for ids in (report.added_ids, report.updated_ids):
                if article.id in ids:
                    ids.remove(article.id)
            continue
        yield article, chunks


def _restamp_stories(collection: Collection, stored: dict[str, StoredArticle], stories: dict[str, str]) -> int:
    """Rewrite the story id of stored articles whose copies changed; returns how many articles were rewritten.

    Articles not in `stories` (kept because their file could not be read this time) keep theirs.
    """
    updates: dict[str, str] = {}
    restamped = 0
    for article_id, article in stored.items():
        story = stories.get(article_id)
        if story is not None and article.story_ids != {story}:
            updates.update(dict.fromkeys(article.chunk_ids, story))
            restamped += 1
    if updates:
        crash_point("restamp")  # the chunks are written and deleted; only story ids are stale
        collection.set_story_ids(updates)
    return restamped


def _store_articles(
    collection: Collection,
    model: _Model,
    todo: list[Article],
    stored: dict[str, StoredArticle],
    stories: dict[str, str],
    *,
    settings: IndexSettings,
    report: IndexReport,
    progress: bool,
) -> tuple[int, set[str]]:
    """Split, embed and store the articles a batch at a time, then delete their stale chunks: the chunks and vectors of one
    batch are in memory at once, however many articles there are. Returns the chunks embedded and the ids of the articles split.
    """
    from tqdm.auto import tqdm

    embedded, split = 0, set[str]()
    with tqdm(total=len(todo), desc="Indexing articles", unit="article", disable=not progress or not todo) as bar:
        for batch in _batches(_split_articles(todo, settings, report), settings.index_batch_sentences):
            records, vectors = _embed_batch(model.embedder(), model.words, batch, stories, yield_fingerprint(settings))
            crash_point("embed")  # a batch is embedded, not yet written
            collection.add(records, vectors)
            embedded += len(records)
            split.update(article.id for article, _ in batch)
            bar.update(len(batch))
            for article, chunks in batch:
                previous = stored.get(article.id)
                if previous is not None:
                    fresh = {c.id for c in chunks}
                    stale = [i for i in previous.chunk_ids if i not in fresh]
                    if stale:
                        crash_point("replace")  # both versions are stored now
                        collection.delete(stale)
            del records, vectors  # the batch's vectors and metadata, so their memory can go back
            _return_freed_memory()
    return embedded, split


def _return_freed_memory() -> None:
    """Hand the heap pages freed by the last batch back to the system (glibc's `malloc_trim`; elsewhere nothing).

    Without it glibc keeps them, fragmented by each batch's tensors and strings of other sizes, and
    peak memory grew by about 65 MB per 1,000 articles indexed; with it, it stays at what one batch
    needs (`bench/SCALE.md`)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Any:
    """glibc's `malloc_trim`, or None where the C library has none (macOS, musl)."""
    return getattr(ctypes.CDLL(None), "malloc_trim", None)


def _batches(plans: Iterable[tuple[Article, list[Chunk]]], sentences: int) -> Iterator[list[tuple[Article, list[Chunk]]]]:
    """Articles grouped in order as they come, each group holding about `sentences` sentences (an article is never split)."""
    batch: list[tuple[Article, list[Chunk]]] = []
    size = 0
    for plan in plans:
        batch.append(plan)
        size += sum(len(c.sentences) for c in plan[1])
        if size >= sentences:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _embed_batch(
    embedder: Embedder, words: WordVectors, batch: list[tuple[Article, list[Chunk]]], stories: dict[str, str], fingerprint: str
) -> tuple[list[StoredChunk], NDArray[np.float32]]:
    """The records and vectors of a batch's chunks, encoding every distinct sentence once (and new words, `index.words`).

    A chunk's vector is the normalised mean of its sentences' (a sentence shared by two chunks
    through the overlap is encoded once); a chunk with no sentence span is encoded whole.
    """
    spans: dict[tuple[str, int, int], int] = {}
    texts: list[str] = []
    for article, chunks in batch:
        for chunk in chunks:
            for start, end in chunk.sentences or [(chunk.start, chunk.end)]:
                if (article.id, start, end) not in spans:
                    spans[(article.id, start, end)] = len(texts)
                    texts.append(article.text[start:end])
    encoded = embedder.encode(texts)
    words.learn(texts)
    records, vectors = [], []
    for article, chunks in batch:
        for chunk in chunks:
            rows = encoded[[spans[(article.id, s, e)] for s, e in chunk.sentences or [(chunk.start, chunk.end)]]]
            packed = pack_vectors(rows) if chunk.sentences else ""
            version = article_version(article.content_hash, fingerprint)
            records.append(
                StoredChunk.build(article, chunk, len(chunks), version=version, story_id=stories[article.id], sentence_vectors=packed)
            )
            vectors.append(mean_vector(rows))
    return records, np.stack(vectors) if vectors else np.zeros((0, embedder.dimension), np.float32)
