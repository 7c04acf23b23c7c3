"""The indexed articles as readers list them: one entry per article, grouped into stories.

A `Catalog` is read from the store (each article's first chunk, `ChunkStore.catalog`) at one
revision, and is what both the answerer and `newsqa articles` use: which outlets are indexed, and
which articles are copies of one story (`index.copies`), earliest first. It holds no chunk text
and needs no embedding model.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.copies import story_order


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
        entries: One per article, in id order (`ChunkStore.catalog`).
        revision: The store's revision they were read at ("" when it does not matter).
    """

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
