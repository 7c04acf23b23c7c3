"""newsqa's indexing layer: load articles, split them into sentence-aligned chunks, embed, store.

Nothing here imports `qa` or `ui`; heavy libraries (torch, chromadb) load on first use.
"""

from index.articles import Article, ArticleLoader, LoadResult, SkippedFile
from index.catalog import Catalog, CatalogEntry
from index.chunking import Chunk, chunk_article, split_sentences
from index.embedding import Embedder
from index.errors import (
    BadArticleError,
    BadQuestionError,
    IndexBusyError,
    LlmError,
    ModelError,
    NewsqaError,
    NoArticlesError,
    NoIndexError,
    OutdatedIndexError,
    StoreError,
)
from index.filters import ChunkFilter
from index.records import StoredChunk
from index.settings import IndexSettings
from index.store import ChunkStore
from index.sync import IndexReport, update_index

__all__ = [
    "Article",
    "ArticleLoader",
    "BadArticleError",
    "BadQuestionError",
    "Catalog",
    "CatalogEntry",
    "Chunk",
    "ChunkFilter",
    "ChunkStore",
    "Embedder",
    "IndexBusyError",
    "IndexReport",
    "IndexSettings",
    "LlmError",
    "LoadResult",
    "ModelError",
    "NewsqaError",
    "NoArticlesError",
    "NoIndexError",
    "OutdatedIndexError",
    "SkippedFile",
    "StoreError",
    "StoredChunk",
    "chunk_article",
    "split_sentences",
    "update_index",
]
