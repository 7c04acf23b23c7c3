"""Errors newsqa raises on purpose; each message says what went wrong and what to do.

The hierarchy::

    NewsqaError                     base of everything below
    ├── NoIndexError                nothing indexed yet: run `newsqa index`
    ├── NoArticlesError             the articles folder is missing or holds no article
    ├── BadArticleError             one article file (or JSONL line) cannot be read
    ├── BadQuestionError            empty or over-long question (also a ValueError)
    ├── ModelError                  the embedding model cannot be loaded
    ├── StoreError                  the Chroma store cannot be opened, reached, or is for another model
    │   └── OutdatedIndexError      the index was written by an older newsqa (or is damaged): `newsqa index --rebuild`
    ├── IndexBusyError              another index run holds the write lock (and we were told not to wait)
    ├── DownloadError               a feed, or a page it links to, could not be downloaded within bounds
    │   ├── BlockedAddressError     it leads to a loopback, private, link-local, ... address that is not allowed
    │   └── TooLargeError           it is bigger than the byte limit for it
    └── LlmError                    the configured language model (NEWSQA_LLM) cannot be loaded or does not answer;
                                    `ask()` then falls back to the extractive answer, with the message as its notice
"""

from __future__ import annotations


class NewsqaError(Exception):
    """Base of every error newsqa raises on purpose."""


class NoIndexError(NewsqaError):
    """Nothing is indexed yet."""

    def __init__(self, message: str = "No articles are indexed yet: run `newsqa index` first.") -> None:
        super().__init__(message)


class NoArticlesError(NewsqaError):
    """The articles folder is missing or holds no readable article."""


class BadArticleError(NewsqaError):
    """An article file, or one line of a JSONL file, cannot be read."""

    def __init__(self, path: str, reason: str, *, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")


class BadQuestionError(NewsqaError, ValueError):
    """The question is empty, whitespace, or too long."""


class StoreError(NewsqaError):
    """The Chroma store cannot be opened or reached."""


class OutdatedIndexError(StoreError):
    """The index holds chunks of an older `CHUNK_SCHEMA` (or chunks missing a field): only a rebuild can use it."""


class ModelError(NewsqaError):
    """The embedding model cannot be loaded."""


class IndexBusyError(NewsqaError):
    """Another index run holds the store's write lock, and this one was told not to wait."""


class DownloadError(NewsqaError):
    """A feed, or a page a feed links to, could not be downloaded (unreachable, an HTTP error, too slow)."""


class BlockedAddressError(DownloadError):
    """A link leads to an address feeds may not reach (loopback, private, link-local, ...), directly or by a redirect."""


class TooLargeError(DownloadError):
    """A download is bigger than its limit; reading stopped there."""


class LlmError(NewsqaError):
    """The language model `NEWSQA_LLM` names cannot be loaded (a missing package) or does not answer."""
