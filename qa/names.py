"""Names a question holds that nothing indexed holds: the question is about an article that is not indexed.

"Who represented Graham Tulloch in court?" asked of an archive without that story still finds a
"Graham" somewhere, and the sentence picker would quote the best of a bad lot. A name that no
indexed chunk holds ("Tulloch": a word the BM25 index has never seen), or a name of several words
whose words no chunk holds together ("Heather Knight", "Storm Imogen": retrieved for the question,
or found by BM25 for the name itself), says the question is about something not indexed, and both
answerers abstain on it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable

from index import StoredChunk
from qa.lexical import TermWeights, is_stopword, terms

_WORDS = re.compile(r"\w+")
NAME_PHRASE = re.compile(r"\b[A-Z][\w.&-]*(?:['’]s)?(?:\s+(?:of\s+|and\s+|&\s+)?[A-Z][\w.&-]*(?:['’]s)?)+")
"""Two or more capitalised words in a row: a name ("Heather Knight", "Bank of America"), once stopwords ("Which", "The") go."""

_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")
_ACRONYM = re.compile(r"[A-Z]{2,6}s?|(?:[A-Z]\.){2,}")
_TYPO_SIMILARITY = 0.85
"""How alike (difflib's ratio) an unknown name and a retrieved word must be to read the name as a typo of the word."""

Lookup = Callable[[str], list[StoredChunk]]
"""A few indexed chunks holding a phrase's words (BM25), to look for a name the retrieved chunks lack."""


def words_of(text: str) -> set[str]:
    """The lower-cased words of a text, as names are looked for in chunks."""
    return set(_WORDS.findall(text.lower()))


def unknown_names(
    text: str, weights: TermWeights, chunks: Iterable[str], lookup: Lookup | None = None, *, ignore: frozenset[str] = frozenset()
) -> list[str]:
    """The names in `text` that nothing indexed holds, sorted; empty when every name is known.

    A name counts as known when the index holds it with or without accents ("Herve" for "Hervé"),
    when it is an acronym (an article may spell out "GDP"), when it is the question's first word
    (capitalised by its place), or when a retrieved chunk holds a word that differs from it by a
    typo ("Hatmanis" for "Hartmanis").

    Args:
        text: The question (for a descriptive one, without the outlets it names).
        weights: IDF of the indexed terms (the BM25 index): a name term it has never seen is unknown.
        chunks: The texts of the chunks retrieved for the question.
        lookup: Finds chunks for a name of several words that the retrieved ones do not hold together.
        ignore: Stemmed terms that are not names here (a descriptive question's kind words).
    """
    held = [words_of(chunk) for chunk in chunks]
    retrieved_words = set().union(*held) if held else set()
    unknown = []
    for word in _candidate_names(text):
        names = set(terms(word)) - ignore
        indexed = all(weights.frequency.get(n) for n in names) or set(terms(_folded(word))) <= _folded_vocabulary(weights)
        if names and not indexed and not _near_any(word.lower(), retrieved_words):
            unknown.append(word)
    for phrase in NAME_PHRASE.findall(text):
        words = {w for w in words_of(phrase) if len(w) > 1 and not is_stopword(w)}
        if len(words) < 2 or any(_all_held(words, chunk_words) for chunk_words in held):
            continue
        if lookup is None or not any(_all_held(words, words_of(chunk.text)) for chunk in lookup(phrase)):
            unknown.append(phrase)
    return sorted(set(unknown))


def _all_held(words: set[str], held: set[str]) -> bool:
    """Whether a chunk holding the words `held` holds every one of `words`, or that word with a typo."""
    return words <= held or all(w in held or _near_any(w, held) for w in words)


def _candidate_names(text: str) -> list[str]:
    """The capitalised words of `text` that may be names: not its first word, not a stopword, not an acronym."""
    found = []
    for match in _CAPITALISED.finditer(text):
        word = match.group(0)
        first = not text[: match.start()].strip()
        if first or is_stopword(word) or _ACRONYM.fullmatch(word.strip(".")):
            continue
        found.append(word)
    return found


def _folded(word: str) -> str:
    """`word` without accents ("hervé" → "herve")."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_VOCABULARY: dict[int, tuple[TermWeights, frozenset[str]]] = {}


def _folded_vocabulary(weights: TermWeights) -> frozenset[str]:
    """The indexed terms that hold accents, as terms of the words without them ("hervé" → "herv"), built once per index."""
    held = _VOCABULARY.get(id(weights))
    if held is None or held[0] is not weights:
        _VOCABULARY.clear()  # one index at a time: the old one's terms go
        folded = frozenset(term for t in weights.frequency if not t.isascii() for term in terms(_folded(t)))
        held = _VOCABULARY[id(weights)] = (weights, folded)
    return held[1]


def _near_any(word: str, words: set[str]) -> bool:
    """Whether one of `words` is `word` with a typo: the same first letter and a close spelling (difflib's ratio)."""
    candidates = [w for w in words if w[:1] == word[:1] and abs(len(w) - len(word)) <= 2]
    return bool(difflib.get_close_matches(word, candidates, n=1, cutoff=_TYPO_SIMILARITY))
