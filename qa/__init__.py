"""newsqa's question answering: hybrid retrieval, evidence sentences, cited answers.

from qa import ask
answer = ask("What did Pistorius regret?")
"""

from index import BadQuestionError, NewsqaError, NoIndexError, Settings
from qa.models import Answer, AppliedFilters, Citation, Copy
from qa.pipeline import Pipeline, ask, get_pipeline
from qa.retriever import HybridRetriever

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
