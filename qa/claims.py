"""Check each sentence a language model wrote against the quotes it cites, before anyone reads it.

A generated sentence is supported only when everything it states is in the quotes it cites (and in
what the model was shown beside each quote: the article's title, outlet and date). The checks, in
the order they run (thresholds and weights are the described fields of `ClaimSettings`):

- `cites`: the sentence has at least one `[n]` that names an evidence quote; one without (or with
  a wrong one) is re-pointed to the quote that supports it, if any does (below).
- `facts`: every number (digits or words: "3.5 percent" = "3.5%", "1.6 million" = 1,600,000,
  "two" = 2, "14th" = 14), amount of money and percentage in the sentence has the same value in
  the cited quotes or titles; every month and weekday it names is in them. The year and month of
  the article's publication date count too (the model was shown it); its day and weekday do not.
- `names`: every named entity (spaCy's NER on the sentence, plus each capitalised word inside it,
  and its first word unless the quotes hold a close word for it: "Organizers" ~ "organisers")
  is in the cited quotes, titles or outlets, word for word after normalisation (case, possessive
  's, dots in U.S.); a longer form matches when the quote has part of it and the story spells it
  out ("John Healey" for a quote that says "Healey"), so a name swapped for another from the same
  article is caught.
- `negation`: each negation in the sentence ("not", "never", "didn't") negates words that a
  negation in the quotes negates too, and the sentence drops no negation of theirs ("won" for "did
  not win").
- `similarity`: cosine of the sentence's embedding with the closest cited quote, or one of its
  clauses (alone or two together: a short sentence restates part of a long quote), or all cited
  quotes together (the normalised mean of their vectors), at least `min_similarity`.
- `alignment`: the share of the sentence's content words (stopwords and framing words such as
  "according" or "reported" left out, and names, checked above) that the quotes contain (not their
  titles), or contain a close word for (word vectors from `index.words`, each word encoded alone, similarity at
  least `word_match_similarity`), at least `min_alignment`. Words taken from the question are no
  support (the question's presupposition is what the quote must confirm), and a sentence made only
  of the question's words, or ending in a question mark, states nothing.

Re-pointing: when the sentence's own `[n]` fail (or it has none), each evidence quote alone is
tried (closest first), then with the context sentences the evidence picker gave it, whose names
alone count (who "he" is); the first that supports the sentence is cited instead. Quotes are never pooled beyond that: a
name from one quote and a deed from another make a claim neither makes (the model may still
cite several quotes for one sentence itself). A sentence nothing supports is unsupported, with the first failed check as its reason.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from index.embedding import Embedder, mean_vector
from index.entities import find_entities
from index.lexical import acronyms_spelled_out, is_stopword, terms
from index.words import WordVectors, words_of
from qa.models import Citation
from qa.settings import ClaimSettings

MODEL_MARKER = re.compile(r"\[\s*(?:sources?\s*)?(\d{1,3}(?:\s*(?:,|;|and|&)\s*\d{1,3})*)\s*\]", re.IGNORECASE)
"""A citation marker as models write it: [1], [1, 2], [1][2], [Source 1]."""
_LEADING_MARKERS = re.compile(rf"^(?:\s*{MODEL_MARKER.pattern})+\s*[.,;]?", re.IGNORECASE)

_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"})
_MONTHS = {
    **{m: i for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"], 1
    )},
    **{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12},
}  # fmt: skip
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "dozen": 12, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "half": 0.5, "twice": 2, "double": 2, "triple": 3,
}  # fmt: skip
"""Number words read as their value ("one" is left out: "one of the" states no figure)."""
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12}
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:st|nd|rd|th)?"
    r"(?:\s*-?\s*(thousand|million|billion|trillion)\b|(mn|bn|m|k|b)\b)?"
    r"(\s*(?:%|per\s*cent\b|percent\b|percentage\s+points?\b))?",
    re.IGNORECASE,
)
_NUMBER_WORD = re.compile(
    rf"\b({'|'.join(_NUMBER_WORDS)})\b(?:[\s-]+(thousand|million|billion|trillion))?(\s*(?:per\s*cent|percent)\b)?", re.IGNORECASE
)
_NEGATION = re.compile(r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot|\w+n['’]t)\b", re.IGNORECASE)
_CAPITALISED = re.compile(r"\b[A-Z][\w’'.-]*")
_QUOTE_OPENERS = "\"“‘'("
_IGNORED_CAPITALS = frozenset({"i", "mr", "mrs", "ms", "dr", "prof", "sir", "st"})
FRAMING_WORDS = frozenset(
    {"according", "source", "sources", "article", "articles", "report", "reported", "reports", "reporting", "quote", "quoted",
     "passage", "text", "stated", "states", "mentioned", "mentions", "answer", "question", "also", "however", "therefore"}
)  # fmt: skip
"""Words a fluent answer adds around the facts; they state nothing the quotes must contain."""
_UNIT_WORDS = frozenset({"percent", "cent", "pct"})
"""Words of a number ("52 percent" for "52%"), which the number check has compared already."""


@dataclass(frozen=True)
class Fact:
    """A number the sentence states: its value, and whether it is a percentage."""

    value: float
    percent: bool = False


def _round(value: float) -> float:
    """The value to 6 significant digits, so 1.6 million from "1.6 million" and "1,600,000" compare equal."""
    if value == 0:
        return 0.0
    return round(value, -math.floor(math.log10(abs(value))) + 5)


def numbers_in(text: str) -> set[Fact]:
    """The numbers `text` states (digits, number words and their scales, percentages), as values."""
    found: set[Fact] = set()
    for match in _NUMBER.finditer(text):
        whole, decimals, scale, short_scale, percent = match.groups()
        value = float(whole.replace(",", "") + (f".{decimals}" if decimals else ""))
        if scale or short_scale:  # a short scale only written onto the number: "£1.6m", "3bn" (not "10 m", metres)
            value *= _SCALES[(scale or short_scale).lower()]
        found.add(Fact(_round(value), bool(percent)))
    for match in _NUMBER_WORD.finditer(text):
        word, scale, percent = match.groups()
        value = _NUMBER_WORDS[word.lower()] * (_SCALES[scale.lower()] if scale else 1.0)
        found.add(Fact(_round(value), bool(percent)))
    return found


def _words(text: str) -> set[str]:
    """Lower-cased words, with possessive 's dropped and the dots of U.S. removed."""
    text = re.sub(r"\b((?:[A-Za-z]\.){2,})", lambda m: m.group(1).replace(".", ""), text)
    return {re.sub(r"['’]s$", "", w) for w in words_of(text)}


def _published(published: str) -> set[str]:
    """The year and month of a `YYYY-MM-DD` publication date, as words ("2024", "april"): what a sentence may take from the date
    the model was shown. Not the day or weekday: the story's events happened on other days ("won on Sunday", published Monday)."""
    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        return set()
    return {str(day.year), next(m for m, i in _MONTHS.items() if i == day.month)}


def months_and_weekdays(text: str) -> set[str]:
    """The months (as their full names) and weekdays a text names (capitalised: "may" the verb is not May)."""
    found = set()
    for word in re.findall(r"\b[A-Z][a-z]+\b", text):
        lowered = word.lower()
        if lowered in _MONTHS:
            found.add(next(m for m, i in _MONTHS.items() if i == _MONTHS[lowered]))
        elif lowered in _WEEKDAYS:
            found.add(lowered)
    return found


@dataclass
class Verdict:
    """What the check found for one sentence."""

    supported: bool
    citations: list[int]
    reason: str = ""
    similarity: float = 0.0
    alignment: float = 0.0


@dataclass(frozen=True)
class GeneratedSentence:
    """One sentence of a model's answer, split from its `[n]` markers."""

    text: str
    markers: tuple[int, ...]


def _numbers(text: str) -> tuple[int, ...]:
    """The evidence numbers of every marker in `text`, in order."""
    return tuple(int(n) for group in MODEL_MARKER.findall(text) for n in re.findall(r"\d+", group))


def split_generated(text: str) -> list[GeneratedSentence]:
    """The sentences of a generated answer, each with the markers it carries (markers after its full stop included)."""
    from index.chunking import split_sentences

    sentences: list[GeneratedSentence] = []
    for start, end in split_sentences(text):
        piece = text[start:end]
        leading = _LEADING_MARKERS.match(piece)
        if leading and sentences:  # "... the race. [1] He ...": the marker belongs to the sentence before
            last = sentences[-1]
            sentences[-1] = GeneratedSentence(last.text, last.markers + _numbers(leading.group(0)))
            piece = piece[leading.end() :]
        markers = _numbers(piece)
        plain = " ".join(MODEL_MARKER.sub(" ", piece).split())
        plain = re.sub(r"\s+([.,;:!?])", r"\1", plain)
        if re.search(r"\w", plain):
            sentences.append(GeneratedSentence(plain, markers))
    return sentences


class ClaimChecker:
    """Judges each generated sentence against the evidence quotes; re-points wrong or missing `[n]`.

    Args:
        embedder: The embedding model the index uses (sentences are compared by cosine).
        words: Word vectors (each word encoded alone) for the word alignment.
        settings: The thresholds (`ClaimSettings`).
    """

    def __init__(self, embedder: Embedder, words: WordVectors, settings: ClaimSettings) -> None:
        self.embedder = embedder
        self.words = words
        self.settings = settings

    def check_all(self, sentences: Sequence[GeneratedSentence], evidence: Sequence[Citation], *, question: str = "") -> list[Verdict]:
        """A verdict for each sentence against the evidence quotes (numbered by `Citation.n`).

        `question`: what the model was asked; its words may be echoed ("the men's race") without
        counting against the alignment, but its names and numbers are no support.
        """
        if not sentences:
            return []
        # every word vector the checks will ask for, encoded in one pass (the rest come from memory)
        self.words.vectors(
            [w for text in (*(f"{c.quote} {c.title} {c.source}" for c in evidence), *(s.text for s in sentences)) for w in words_of(text)]
        )
        clauses = {c.n: [c.quote, *_clauses(c.quote)] for c in evidence}
        texts = [t for c in evidence for t in clauses[c.n]]
        vectors = self.embedder.encode([*texts, *(s.text for s in sentences)])
        quote_vectors: dict[int, np.ndarray] = {}
        row = 0
        for c in evidence:
            quote_vectors[c.n] = vectors[row : row + len(clauses[c.n])]
            row += len(clauses[c.n])
        return [self._check(sentence, vectors[row + i], list(evidence), quote_vectors, question) for i, sentence in enumerate(sentences)]

    def check(self, sentence: GeneratedSentence, evidence: Sequence[Citation], *, question: str = "") -> Verdict:
        """The verdict for one sentence against the evidence quotes."""
        return self.check_all([sentence], evidence, question=question)[0]

    def _check(
        self, sentence: GeneratedSentence, vector: np.ndarray, evidence: list[Citation], quote_vectors: dict[int, np.ndarray], question: str
    ) -> Verdict:
        by_n = {c.n: c for c in evidence}
        claimed = self._claimed(sentence.text, question)
        cited = [by_n[n] for n in dict.fromkeys(sentence.markers) if n in by_n]
        first: Verdict | None = None
        if cited:
            first = self._judge(claimed, vector, cited, quote_vectors)
            if first.supported:
                return first
        if claimed.text.rstrip().endswith("?"):
            return Verdict(False, [], "asks a question instead of answering")
        closest = sorted(evidence, key=lambda c: -float((quote_vectors[c.n] @ vector).max()))
        # one quote at a time, then with the context the evidence picker gave it (the sentence saying who "he" is): never all
        # quotes together, where a name from one and a deed from another would make a claim no source makes
        tries: list[tuple[list[Citation], list[Citation]]] = []
        for quote in closest:
            context = [c for c in evidence if c.role == "context" and c.article_id == quote.article_id and c.n != quote.n]
            tries += [
                ([quote], names) for names in ([], context) if not (names == [] and [quote] == cited) and ([quote], names) not in tries
            ]
        for candidates, context in tries:
            verdict = self._judge(claimed, vector, candidates, quote_vectors, context)
            if verdict.supported:
                return verdict
            first = first or verdict
        if first is None:
            return Verdict(False, [], "cites no source, and no source supports it")
        if not cited:
            first.reason = f"cites no source, and none supports it ({first.reason})"
        return Verdict(False, [], first.reason, first.similarity, first.alignment)

    def _claimed(self, text: str, question: str) -> _Claimed:
        """What a sentence states that the check looks for: its numbers, months, names, negations, words."""
        entities = find_entities(text, [(0, len(text))])
        names = [text[e.start : e.end] for e in entities if e.label in _NAME_LABELS]
        inside = [(e.start, e.end) for e in entities if e.label in _NAME_LABELS]
        first_words = []
        for match in _CAPITALISED.finditer(text):
            start = match.start()
            word = match.group(0).rstrip(".")
            lowered = word.lower()
            if any(a <= start < b for a, b in inside) or lowered in _IGNORED_CAPITALS or lowered in _MONTHS or lowered in _WEEKDAYS:
                continue
            before = text[:start].rstrip()
            if not before or before[-1] in ".!?:" + _QUOTE_OPENERS:
                # a first word is capitalised anyway: a name only if it is no common word the quotes have a close one for
                if not is_stopword(lowered) and lowered not in FRAMING_WORDS:
                    first_words.append(word)
                continue
            names.append(word)
        content = [w for w in words_of(text) if not is_stopword(w) and w not in FRAMING_WORDS and w not in _UNIT_WORDS and not w.isdigit()]
        asked = set(terms(question))
        return _Claimed(
            text=text,
            facts=numbers_in(text),
            dates=months_and_weekdays(text),
            names=names,
            first_words=first_words,
            negations=_negated_scopes(text),
            content=list(dict.fromkeys(content)),
            restates=bool(content) and bool(asked) and all(set(terms(w)) <= asked for w in content),
        )

    def _judge(
        self,
        claimed: _Claimed,
        vector: np.ndarray,
        cited: list[Citation],
        quote_vectors: dict[int, np.ndarray],
        context: Sequence[Citation] = (),
    ) -> Verdict:
        """Whether `cited` support everything `claimed` states; the first failed check as the reason.

        `context`: sentences that only say who a quote's "he" is: their names count, nothing else of them.
        """
        s = self.settings
        numbers = sorted(c.n for c in [*cited, *context])
        quotes = " ".join(c.quote for c in cited)
        shown = " ".join(f"{c.title} {c.source}" for c in cited)
        whole = np.stack([quote_vectors[c.n][0] for c in cited])
        clauses = np.concatenate([quote_vectors[c.n] for c in cited])
        similarity = float(max((clauses @ vector).max(), mean_vector(whole) @ vector))
        alignment = self._alignment(claimed, quotes)

        def verdict(reason: str = "") -> Verdict:
            return Verdict(not reason, numbers if not reason else [], reason, round(similarity, 4), round(alignment, 4))

        offered = numbers_in(quotes + " " + shown) | {f for c in cited for f in numbers_in(" ".join(_published(c.date)))}
        values = {f.value for f in offered}
        percents = {f.value for f in offered if f.percent}
        for fact in claimed.facts:
            if fact.value not in values or (fact.percent and fact.value not in percents):
                return verdict(f"states {_show(fact)}, which the cited quotes do not")
        dates = months_and_weekdays(quotes + " " + shown) | {w for c in cited for w in _published(c.date)}
        for day in sorted(claimed.dates - dates):
            return verdict(f"names {day.capitalize()}, which the cited quotes do not")
        who = " ".join(c.quote for c in context)
        vocabulary = _words(f"{quotes} {shown} {who}")
        story = " ".join([quotes, shown, who, *(c.passage for c in cited)])
        for name in claimed.names:
            if not self._name_found(name, vocabulary, story):
                return verdict(f"names {name}, which the cited quotes do not")
        for word in claimed.first_words:
            if not self._name_found(word, vocabulary, story) and not self._close_word(word, vocabulary):
                return verdict(f"names {word}, which the cited quotes do not")
        quoted = _negated_scopes(quotes)
        for cue, scope in claimed.negations:
            if scope and not any(scope & theirs for _, theirs in quoted):
                return verdict(f"says '{cue}' where the cited quotes do not")
        claimed_terms = set(terms(claimed.text))
        for cue, scope in quoted:
            if len(scope) >= 2 and len(scope & claimed_terms) >= 2 and not any(scope & mine for _, mine in claimed.negations):
                return verdict(f"leaves out the cited quote's '{cue}'")
        if claimed.restates:
            return verdict("only repeats the question")
        if similarity < s.min_similarity:
            return verdict(f"says something else than the cited quotes (similarity {similarity:.2f})")
        if alignment < s.min_alignment:
            return verdict(f"says more than the cited quotes (only {alignment:.0%} of its words found in them)")
        return verdict()

    @staticmethod
    def _name_found(name: str, vocabulary: set[str], story: str) -> bool:
        """Whether every word of `name` is in the quotes, or the quotes hold part of it and the story spells it out.

        A word matches one it begins or ends ("Ethiopia" and "Ethiopian", not "Ethan" and "Ethiopian"):
        a demonym is the place's name; a name swapped for another shares no such stem.
        """
        words = {w for w in _words(name) if w not in _IGNORED_CAPITALS and not is_stopword(w)}
        found = {w for w in words if w in vocabulary or any(_same_stem(w, v) for v in vocabulary)}
        if found == words or (name.isupper() and acronyms_spelled_out(name, story)):  # GDP for "gross domestic product"
            return True
        return bool(found) and re.search(rf"\b{re.escape(name)}\b", story, re.IGNORECASE) is not None

    def _close_word(self, word: str, vocabulary: set[str]) -> bool:
        """Whether the quotes hold a word close to `word` (a common word that happens to open the sentence: Organizers ~ organisers)."""
        candidates = [w for w in vocabulary if not is_stopword(w) and not w.isdigit()]
        if not candidates:
            return False
        lowered = word.lower()
        table = self.words.vectors([lowered, *candidates])
        best = (np.stack([table[w] for w in candidates]).astype(np.float32) @ table[lowered].astype(np.float32)).max()
        return bool(best >= self.settings.word_match_similarity)

    def _alignment(self, claimed: _Claimed, support: str) -> float:
        """Share of the content words (names aside: checked on their own) found in the quotes: the same stem, or a close word vector.

        Titles are no support here: "broke a record" from a headline about another record is a claim the quote does not make.
        """
        named = {w for name in [*claimed.names, *claimed.first_words] for w in _words(name)}
        content = [w for w in claimed.content if w not in named]
        if not content:
            return 1.0 if named else 0.0
        support_words = [w for w in dict.fromkeys(words_of(support)) if not is_stopword(w)]
        support_terms = set(terms(support))
        missing = [w for w in content if not set(terms(w)) <= support_terms or not terms(w)]
        if missing and support_words:
            table = self.words.vectors([*missing, *support_words])
            matrix = np.stack([table[w] for w in support_words]).astype(np.float32)
            best = (np.stack([table[w] for w in missing]).astype(np.float32) @ matrix.T).max(axis=1)
            unmatched = int((best < self.settings.word_match_similarity).sum())
        else:
            unmatched = len(missing)
        return (len(content) - unmatched) / len(content)


@dataclass
class _Claimed:
    text: str
    facts: set[Fact]
    dates: set[str]
    names: list[str]
    first_words: list[str]
    negations: list[tuple[str, set[str]]]
    content: list[str]
    restates: bool
    """Every content word of it is the question's: it says nothing the question did not."""


def _same_stem(word: str, other: str) -> bool:
    """Whether one word starts the other and they differ by at most 3 letters (Ethiopia, Ethiopian; Kenya, Kenyan)."""
    short, long = sorted((word, other), key=len)
    return len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 3


def _negated_scopes(text: str) -> list[tuple[str, set[str]]]:
    """Each negation in `text` ("not", "never", "didn't") with the next three content terms it negates."""
    return [(m.group(0), set(terms(text[m.end() : m.end() + 80])[:3])) for m in _NEGATION.finditer(text)]


_CLAUSE_BREAK = re.compile(r"\s*[,;:—–]\s*|\s+(?:and|but|while|after|when|as|said|says|told)\s+")


def _clauses(quote: str) -> list[str]:
    """The quote's clauses, alone and two by two, so a short claim is compared with the part of the quote it restates."""
    parts = [p for p in _CLAUSE_BREAK.split(quote) if len(p.split()) >= 2]
    if len(parts) < 2:
        return []
    return parts + [f"{a} {b}" for a, b in itertools.pairwise(parts)]


def _show(fact: Fact) -> str:
    """A number as the reason names it: 2019, 18,400, 1,600,000, 3.5%."""
    value = f"{fact.value:g}" if not fact.value.is_integer() else f"{int(fact.value):,}" if fact.value >= 10_000 else f"{int(fact.value)}"
    return f"{value}%" if fact.percent else value
