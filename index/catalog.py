"""The indexed articles, read from the chunks that hold them: what a sync compares, what readers list, the status line.

The store is its own record of what is indexed (`index.records`: every chunk carries its article's
id, content hash and chunk count), so everything about articles is read from chunks here:

- `stored_articles`: per article, its hash, chunks and stories: what a sync compares with the folder;
- `Catalog`: one entry per article (from each article's first chunk) at one revision, grouped into
  stories (`index.copies`), earliest first: what the answerer and `newsqa articles` use, and which
  outlets are indexed;
- `index_status`: how many articles and chunks, and when the index last changed (ids only);
- `article_text`: an article's text as far as its stored chunks hold it ("show in article").

None of it needs the embedding model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from index.copies import story_order
from index.records import article_key

if TYPE_CHECKING:
    from index.collection import Collection
    from index.store import ChunkStore


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


def stored_articles(collection: Collection | ChunkStore) -> dict[str, StoredArticle]:
    """What a collection (or the live index) holds, per article id; a half-written article shows as incomplete."""
    articles: dict[str, StoredArticle] = {}
    for chunk in collection.iter_chunks(with_text=False):
        stored = articles.get(chunk.article_id)
        if stored is None:
            stored = articles[chunk.article_id] = StoredArticle(hash=chunk.article_hash, path=chunk.path, expected_chunks=chunk.chunk_count)
        elif stored.hash != chunk.article_hash:
            stored.expected_chunks = -1  # two versions present: neither counts as indexed
        stored.chunk_ids.append(chunk.id)
        stored.story_ids.add(chunk.story_id)
    return articles


@dataclass
class IndexStatus:
    """A one-line view of the index."""

    articles: int
    chunks: int
    updated_at: str


def index_status(store: ChunkStore) -> IndexStatus:
    """How many articles and chunks are indexed, and when the index last changed (reads ids, no chunk metadata)."""
    first_chunks = store.read(lambda c: c.first_chunk_ids())
    articles = {article_key(chunk_id) for chunk_id in first_chunks}
    return IndexStatus(
        articles=len(articles), chunks=store.count(), updated_at=str(store.read(lambda c: c.metadata()).get("updated_at", ""))
    )


def article_text(store: ChunkStore, article_id: str) -> str:
    """The article's text as far as its stored chunks hold it, each placed at its offset (gaps become spaces)."""
    text = ""
    for start, piece in sorted((chunk.start, chunk.text) for chunk in store.read(lambda c: c.of_article(article_id))):
        text = text.ljust(start) if len(text) < start else text
        text = text[:start] + piece + text[start + len(piece) :]
    return text


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


class Catalog:
    """Every indexed article at one revision of the store, and the stories their copies form.

    Args:
        entries: One per article, in id order (`Catalog.read` reads them from the store).
        revision: The store's revision they were read at ("" when it does not matter).
    """

    @classmethod
    def read(cls, store: ChunkStore, revision: str = "") -> Catalog:
        """The catalog of the live index, from each article's first chunk (`revision`: the store's, when just read)."""
        entries: dict[str, CatalogEntry] = {}
        for chunk in store.iter_chunks(with_text=False, first_only=True):
            entries.setdefault(
                chunk.article_id,
                CatalogEntry(
                    id=chunk.article_id,
                    title=chunk.title,
                    date=chunk.date,
                    source=chunk.source,
                    url=chunk.url,
                    chunks=chunk.chunk_count,
                    story_id=chunk.story_id,
                    date_ordinal=chunk.date_ordinal,
                    source_key=chunk.source_key,
                ),
            )
        return cls([entries[key] for key in sorted(entries)], revision=revision)

    def __init__(self, entries: list[CatalogEntry], *, revision: str = "") -> None:
        self.entries = entries
        self.revision = revision
        self.stories: dict[str, list[CatalogEntry]] = {}
        """Story id → its copies, earliest first (`index.copies.story_order`)."""
        for entry in sorted(entries, key=lambda e: story_order(e.date_ordinal, e.id)):
            self.stories.setdefault(entry.story_id, []).append(entry)
        self._story_of = {e.id: e.story_id for e in entries}

    def copies_of(self, article_id: str) -> list[CatalogEntry]:
        """The other indexed copies of the article's story, earliest first (none for an article that is not indexed)."""
        story = self._story_of.get(article_id)
        return [e for e in self.stories.get(story or "", []) if e.id != article_id]

    def outlets(self) -> list[str]:
        """The indexed outlets, each as its first article (in id order) names it, sorted case-insensitively."""
        names: dict[str, str] = {}
        for entry in self.entries:
            if entry.source_key:
                names.setdefault(entry.source_key, entry.source)
        return [names[key] for key in sorted(names)]
