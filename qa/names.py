"""Names a question holds that nothing indexed holds: the question is about an article that is not indexed.

"Who represented Graham Tulloch in court?" asked of an archive without that story still finds a
"Graham" somewhere, and the sentence picker would quote the best of a bad lot. A name that no
indexed chunk holds ("Tulloch": a word the BM25 index has never seen), or a name of several words
whose words no sentence holds together ("Heather Knight", "Storm Imogen": in the chunks retrieved
for the question, or found by BM25 for the name itself), says the question is about something not indexed, and both
answerers abstain on it. Two names listed ("Charlie Puth and John Legend") are two names; a lower-case word hyphened to a
name ("Miles Franklin-winning") is no part of it; a title or adjective before a name of two words or more ("Goalkeeper
Emiliano Martinez", "Philippine House of Representatives") may stand elsewhere in the passages retrieved.
"""

from __future__ import annotations

import difflib
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable

from index import StoredChunk
from index.lexical import TermWeights, is_stopword, term_set, terms
from index.lexicon import CAPITALISED
from index.words import WORD

NAME_PHRASE = re.compile(r"\b[A-Z][\w.&-]*(?:['’]s)?(?:\s+(?:of\s+|and\s+|&\s+)?[A-Z][\w.&-]*(?:['’]s)?)+")
"""Two or more capitalised words in a row: a name ("Heather Knight", "Bank of America"), once stopwords ("Which", "The") go."""

_ACRONYM = re.compile(r"[A-Z]{2,6}s?|(?:[A-Z]\.){2,}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_TITLE_CASE_SHARE = 0.7
"""A question with at least this share of its words capitalised is in Title Case or capitals: its capitals say nothing."""

Lookup = Callable[[str], list[StoredChunk]]
"""A few indexed chunks holding a phrase's words (BM25), to look for a name the retrieved chunks lack."""


def lowered_words(text: str) -> set[str]:
    """The lower-cased words of a text, as a name's spelling is compared with them."""
    return set(WORD.findall(text.lower()))


def unknown_names(
    text: str,
    weights: TermWeights,
    chunks: Iterable[str],
    lookup: Lookup | None = None,
    *,
    ignore: frozenset[str] = frozenset(),
    typo_similarity: float = 0.85,
) -> list[str]:
    """The names in `text` that nothing indexed holds, sorted; empty when every name is known.

    A name counts as known when the index holds it with or without accents ("Herve" for "Hervé"),
    when it is an acronym (an article may spell out "GDP"), when it is the question's first word
    (capitalised by its place), or when a retrieved chunk holds a word that differs from it by a
    typo ("Hatmanis" for "Hartmanis"). A question in Title Case or capitals has its words checked
    one by one, not as names of several words.

    Args:
        text: The question, without the outlets it names (`qa.clues.without_outlets`).
        weights: IDF of the indexed terms (the BM25 index): a name term it has never seen is unknown.
        chunks: The texts of the chunks retrieved for the question.
        lookup: Finds chunks for a name of several words that the retrieved ones do not hold together.
        ignore: Stemmed terms that are not names here (a descriptive question's kind words), in a word or in a phrase.
        typo_similarity: How alike (difflib's ratio) a name and a retrieved word must be for the name to be a typo of it.
    """
    chunks = list(chunks)
    retrieved_words = set().union(*(lowered_words(chunk) for chunk in chunks))
    unknown = []
    for word in _candidate_names(text):
        names = set(terms(word)) - ignore
        indexed = all(weights.frequency.get(n) for n in names) or set(terms(_folded(word))) <= _folded_vocabulary(weights)
        if names and not indexed and not _near_any(word.lower(), retrieved_words, typo_similarity):
            unknown.append(word)
    if _title_case(text):
        return sorted(set(unknown))
    held = [(term_set(chunk), [term_set(sentence) for sentence in _sentences(chunk)]) for chunk in chunks]
    for phrase in _name_phrases(text):
        words = [{t for t in term_set(word) if len(t) > 1} - ignore for word in phrase.split()]
        if len(set().union(*words)) < 2 or _held_together(words, held, typo_similarity):
            continue
        found = lookup(phrase) if lookup is not None else []
        if not _held_together(words, [(term_set(c.text), [term_set(x) for x in _sentences(c.text)]) for c in found], typo_similarity):
            unknown.append(phrase)
    return sorted(set(unknown))


_LISTED = re.compile(r"\s+(?:and|&)\s+")
_ABOUT_THE_NAME = re.compile(r"-[a-z][\w-]*")
"""A lower-case word hyphened to a name says something about it ("Miles Franklin-winning", "Texas-based")."""


def _name_phrases(text: str) -> list[str]:
    """The names of several words in `text` (`NAME_PHRASE`): two listed are two names ("Charlie Puth and John Legend"; the
    single words of "Procter & Gamble" are checked as words), a lower-case word hyphened to one is no part of it."""
    return [name for phrase in NAME_PHRASE.findall(text) for name in _LISTED.split(_ABOUT_THE_NAME.sub("", phrase))]


def _held_together(words: list[set[str]], held: list[tuple[frozenset[str], list[frozenset[str]]]], typo_similarity: float) -> bool:
    """Whether the chunks hold a name whose words' terms are `words` (`held`: each chunk's terms and its sentences'): one
    sentence holds all of them, or, for a phrase of three words or more, all but the first, which any of the chunks holds
    (a title or an adjective before a name, which the sentence leaves out and another retrieved passage may say:
    "Goalkeeper Emiliano Martinez", "Philippine House of Representatives")."""
    every = set().union(*words)
    rest = set().union(*words[1:])
    titled = len(words) >= 3 and len(rest) >= 2 and _all_held(words[0], frozenset().union(*(c for c, _ in held)), typo_similarity)
    for _, sentences in held:
        if any(_all_held(every, sentence, typo_similarity) for sentence in sentences):
            return True
        if titled and any(_all_held(rest, sentence, typo_similarity) for sentence in sentences):
            return True
    return False


def _sentences(text: str) -> list[str]:
    """`text` cut at sentence ends, roughly: where a name's words must stand together."""
    return _SENTENCE_END.split(text)


def _title_case(text: str) -> bool:
    """Whether most words of `text` are capitalised ("What Did Pistorius Regret", "WHAT DID PISTORIUS REGRET")."""
    words = [w for w in WORD.findall(text) if w[:1].isalpha()]
    return len(words) >= 4 and sum(w[:1].isupper() for w in words) > _TITLE_CASE_SHARE * len(words)


def _all_held(phrase_terms: set[str], held: frozenset[str], typo_similarity: float) -> bool:
    """Whether a sentence holding the terms `held` holds every one of `phrase_terms`, or that term with a typo."""
    return phrase_terms <= held or all(t in held or _near_any(t, held, typo_similarity) for t in phrase_terms)


def _candidate_names(text: str) -> list[str]:
    """The capitalised words of `text` that may be names: not its first word, not a stopword, not an acronym; without a
    lower-case word hyphened to them ("Franklin-winning" is "Franklin")."""
    found = []
    for match in CAPITALISED.finditer(text):
        word = match.group(0)
        first = not text[: match.start()].strip()
        if first or is_stopword(word) or _ACRONYM.fullmatch(word.strip(".")):
            continue
        found.append(_ABOUT_THE_NAME.sub("", word))
    return found


def _folded(word: str) -> str:
    """`word` without accents ("hervé" → "herve")."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_VOCABULARY: dict[int, tuple[TermWeights, frozenset[str]]] = {}
_VOCABULARY_LOCK = threading.Lock()


def _folded_vocabulary(weights: TermWeights) -> frozenset[str]:
    """The indexed terms that hold accents, as terms of the words without them ("hervé" → "herv"), built once per index
    (kept for the last index asked: a new revision's weights replace it)."""
    with _VOCABULARY_LOCK:
        held = _VOCABULARY.get(id(weights))
        if held is None or held[0] is not weights:
            _VOCABULARY.clear()
            folded = frozenset(term for t in weights.frequency if not t.isascii() for term in terms(_folded(t)))
            held = _VOCABULARY[id(weights)] = (weights, folded)
        return held[1]


def _near_any(word: str, words: Iterable[str], typo_similarity: float) -> bool:
    """Whether one of `words` is `word` with a typo: the same first letter and a close spelling (difflib's ratio)."""
    candidates = [w for w in words if w[:1] == word[:1] and abs(len(w) - len(word)) <= 2]
    return bool(difflib.get_close_matches(word, candidates, n=1, cutoff=typo_similarity))
