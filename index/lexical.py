"""The analyzer of BM25 and of lexical overlap: bm25s's token pattern, NLTK's English stopwords (shipped in bm25s), Snowball stems.

It lives in `index/` because the BM25 index built at index time (`index.bm25`) and the answerer's
per-question term matching (`qa/`) must split text the same way.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from bm25s.stopwords import STOPWORDS_EN_PLUS

QUESTION_WORDS = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "did",
        "does",
        "do",
        "was",
        "were",
        "is",
        "are",
        "has",
        "have",
        "had",
        "said",
        "says",
        "say",
        "tell",
        "told",
        "according",
        "name",
        "many",
        "much",
        "kind",
        "type",
    ]
)
TOKEN = re.compile(r"(?u)\b\w\w+\b|\b\d\b")
# "won" is there for "won't", but "Who won ...?" needs it; "us" stays out of the list too, so U.S. can match US.
_STOP = frozenset((set(STOPWORDS_EN_PLUS) - {"won"}) | QUESTION_WORDS)


def is_stopword(word: str) -> bool:
    """Whether `word` (any case) is a stopword or a question word."""
    return word.lower() in _STOP


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


_DOTTED_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")


def terms(text: str) -> list[str]:
    """Stemmed content terms of `text`, in order (stopwords and question words dropped; U.S. reads as US)."""
    text = _DOTTED_ACRONYM.sub(lambda m: m.group(0).replace(".", "") + " ", text)
    words = [w for w in TOKEN.findall(text.lower()) if w not in _STOP]
    return list(_stemmer().stemWords(words))


@lru_cache(maxsize=32768)
def term_set(text: str) -> frozenset[str]:
    """The distinct terms of a sentence or scope (cached: the same sentences come back question after question)."""
    return frozenset(terms(text))


_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")


def acronyms_spelled_out(question: str, text: str) -> set[str]:
    """Stemmed acronyms of the question (MVP, GDP) that `text` spells out (most valuable player)."""
    found: set[str] = set()
    words = [w for w in re.findall(r"[A-Za-z]+", text) if w.lower() not in {"of", "and", "the", "for"}]
    initials = "".join(w[0].upper() for w in words)
    for acronym in set(_ACRONYM.findall(question)):
        if acronym in initials:
            found.update(terms(acronym))
    return found


class TermWeights:
    """Inverse document frequency of terms over the indexed chunks."""

    def __init__(self, documents: Iterable[list[str]]) -> None:
        frequency: Counter[str] = Counter()
        count = 0
        for document in documents:
            frequency.update(set(document))
            count += 1
        self.count = max(count, 1)
        self.frequency = frequency

    @classmethod
    def from_frequencies(cls, frequency: Counter[str], count: int) -> TermWeights:
        """Weights from saved document frequencies and document count (a persisted BM25 index)."""
        weights = cls([])
        weights.frequency, weights.count = frequency, max(count, 1)
        return weights

    def idf(self, term: str) -> float:
        """BM25-style idf, always positive; unseen terms weigh most."""
        seen = self.frequency.get(term, 0)
        return math.log(1.0 + (self.count - seen + 0.5) / (seen + 0.5))
