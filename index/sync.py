"""Keep the Chroma store in step with the articles folder, by content hash."""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path

from pydantic import BaseModel, Field

from index.articles import Article, ArticleLoader, SkippedFile
from index.chunking import chunk_article, chunk_metadata
from index.embedding import Embedder
from index.errors import NoArticlesError
from index.settings import Settings
from index.store import ChunkStore

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
    added_ids: list[str] = Field(default_factory=list, description="Ids of the added articles.")
    updated_ids: list[str] = Field(default_factory=list, description="Ids of the updated articles.")
    removed_ids: list[str] = Field(default_factory=list, description="Ids of the removed articles.")
    skipped_files: list[SkippedFile] = Field(default_factory=list, description="Each skipped file or line, and why.")

    def summary(self) -> dict[str, int | float]:
        """The counts, as printed by `newsqa index --json`."""
        return self.model_dump(
            include={"added", "updated", "removed", "unchanged", "skipped", "chunks_embedded", "total_chunks", "seconds"}
        )


def update_index(
    settings: Settings | None = None,
    *,
    articles_dir: Path | None = None,
    rebuild: bool = False,
    embedder: Embedder | None = None,
    store: ChunkStore | None = None,
    progress: bool = False,
) -> IndexReport:
    """Sync the store with the articles folder: add new, re-index changed, drop removed articles.

    Unchanged articles are not embedded again. New chunks of a changed article are stored before
    its old ones are deleted, so a failed run leaves every previously indexed article answerable.
    With `rebuild`, everything is re-embedded into a fresh collection that replaces the old one
    only once it is complete.

    Args:
        settings: Where the articles and the store are; the defaults (and `NEWSQA_*`) otherwise.
        articles_dir: Overrides `settings.articles_dir`.
        rebuild: Re-embed every article.
        embedder: An already loaded model, to avoid loading it again.
        store: An already open store, to avoid opening it again.
        progress: Show a progress bar while embedding.
    """
    started = time.perf_counter()
    settings = settings or Settings()
    folder = Path(articles_dir or settings.articles_dir)
    loaded = ArticleLoader(folder).load()
    if not loaded.articles:
        reasons = "; ".join(str(s) for s in loaded.skipped[:5])
        raise NoArticlesError(
            f"No readable articles in {folder}{f' ({reasons})' if reasons else ''}. Add .txt, .md, .html, .json "
            "or .jsonl articles there; nothing in the index was changed."
        )
    embedder = embedder or (store.embedder if store else Embedder(settings.embedding_model, batch_size=settings.embedding_batch_size))
    live = store or ChunkStore(settings, embedder)
    target = (
        ChunkStore(settings, embedder, client=live.client, collection=f"{live.name}-rebuild-{uuid.uuid4().hex[:8]}") if rebuild else live
    )

    report = IndexReport(skipped=len(loaded.skipped), skipped_files=loaded.skipped)
    stored = target.indexed_articles()
    todo: list[Article] = []
    for article in loaded.articles:
        previous = stored.get(article.id)
        if previous is None:
            report.added_ids.append(article.id)
            todo.append(article)
        elif previous.hash != article.content_hash or not previous.complete:
            report.updated_ids.append(article.id)
            todo.append(article)
        else:
            report.unchanged += 1

    try:
        report.chunks_embedded = _store_articles(target, todo, settings, stored, progress=progress)
    except BaseException:
        if rebuild:
            live.client.delete_collection(target.name)
        raise

    present = {a.id for a in loaded.articles}
    skipped_paths = {s.path for s in loaded.skipped}
    for article_id, previous in stored.items():
        if article_id in present:
            continue
        if previous.path in skipped_paths:  # unreadable now, but what was indexed is kept
            log.warning("Keeping indexed article %s: its file %s could not be read this time", article_id, previous.path)
            continue
        target.delete(previous.chunk_ids)
        report.removed_ids.append(article_id)

    if rebuild:
        live.replace_with(target)
    if todo or report.removed_ids or rebuild:
        live.mark_changed()
    report.added, report.updated, report.removed = len(report.added_ids), len(report.updated_ids), len(report.removed_ids)
    report.total_chunks = live.count()
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _store_articles(store: ChunkStore, articles: list[Article], settings: Settings, stored: dict, *, progress: bool) -> int:
    """Embed and store each article's chunks, then delete its stale ones; returns chunks embedded."""
    from tqdm.auto import tqdm

    plans = [
        (article, chunk_article(article, chunk_size=settings.chunking.chunk_size, chunk_overlap=settings.chunking.chunk_overlap))
        for article in articles
    ]
    total = sum(len(chunks) for _, chunks in plans)
    with tqdm(total=total, desc="Embedding chunks", unit="chunk", disable=not progress or total == 0) as bar:
        writer = store.writer(bar)
        for article, chunks in plans:
            writer.add_texts(
                texts=[c.text for c in chunks],
                metadatas=[chunk_metadata(article, c, len(chunks)) for c in chunks],
                ids=[c.id for c in chunks],
            )
            previous = stored.get(article.id)
            if previous is not None:
                fresh = {c.id for c in chunks}
                store.delete([i for i in previous.chunk_ids if i not in fresh])
    return total
