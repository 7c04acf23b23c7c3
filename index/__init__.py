"""newsqa's indexing layer: load articles, split them into sentence-aligned chunks, embed, store.

Nothing here imports `qa` or `ui`; heavy libraries (torch, chromadb) load on first use.
"""

from index.articles import Article, ArticleLoader, LoadResult, SkippedFile
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
    StoreError,
)
from index.filters import ChunkFilter
from index.settings import Settings
from index.store import CatalogEntry, ChunkStore, StoredChunk
from index.sync import IndexReport, update_index

__all__ = [
    "Article",
    "ArticleLoader",
    "BadArticleError",
    "BadQuestionError",
    "CatalogEntry",
    "Chunk",
    "ChunkFilter",
    "ChunkStore",
    "Embedder",
    "IndexBusyError",
    "IndexReport",
    "LlmError",
    "LoadResult",
    "ModelError",
    "NewsqaError",
    "NoArticlesError",
    "NoIndexError",
    "Settings",
    "SkippedFile",
    "StoreError",
    "StoredChunk",
    "chunk_article",
    "split_sentences",
    "update_index",
]
