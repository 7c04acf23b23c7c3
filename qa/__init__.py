"""newsqa's question answering: hybrid retrieval, evidence sentences, cited answers.

from qa import ask
answer = ask("What did Pistorius regret?")

The answering machinery (`Pipeline`, `ask`, `get_pipeline`, `HybridRetriever`) is imported on first
use, so `from qa import Settings` stays as light as the index's settings (the CLI starts fast).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from index import BadQuestionError, NewsqaError, NoIndexError
from qa.models import Answer, AppliedFilters, Citation, Copy
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.pipeline import Pipeline, ask, get_pipeline
    from qa.retriever import HybridRetriever

_ON_FIRST_USE = {"Pipeline": "qa.pipeline", "ask": "qa.pipeline", "get_pipeline": "qa.pipeline", "HybridRetriever": "qa.retriever"}

__all__ = [
    "Answer",
    "AppliedFilters",
    "BadQuestionError",
    "Citation",
    "Copy",
    "HybridRetriever",
    "NewsqaError",
    "NoIndexError",
    "Pipeline",
    "Settings",
    "ask",
    "get_pipeline",
]


def __getattr__(name: str) -> Any:
    """`Pipeline`, `ask`, `get_pipeline` and `HybridRetriever`, imported when first asked for."""
    if name not in _ON_FIRST_USE:
        raise AttributeError(f"module 'qa' has no attribute {name!r}")
    value = getattr(importlib.import_module(_ON_FIRST_USE[name]), name)
    globals()[name] = value
    return value
