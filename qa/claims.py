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
  not win"); nor does it state, un-negated, a word (or a close word) that the quotes hold only
  under a negation, read from the parse as the whole clause it governs ("people were hurt" for
  "the company did not say whether anyone was hurt").
- `opposites`: no word of the sentence stands where the quotes say its opposite ("rejected" for
  "approved", "fell" for "rose", "lost" for "won": the one lexicon of such pairs is `qa.opposites`),
  unless one of the two is negated ("did not approve" for "rejected").
- `similarity`: cosine of the sentence's embedding with the closest cited quote, or one of its
  clauses (alone or two together: a short sentence restates part of a long quote), or all cited
  quotes together (the normalised mean of their vectors), at least `min_similarity`.
- `clauses`: the sentence is cut at its clauses and coordinated clauses (spaCy's parse,
  `qa.clauses`: "..., and the mayor was arrested for bribery", "... because the company
  beat forecasts", "..., who finished in ..."), and each clause of two content words or more must
  be that close to the quotes too (`min_clause_similarity`): a supported sentence with an event
  appended is not supported.
- `words`: every content word of the sentence (stopwords and framing words such as "according" or
  "reported" left out, and names, checked above) is in the quotes (not their titles) as itself, its
  stem or its lemma ("rose" for "rise"), or as an accepted paraphrase: a close word (word vectors
  from `index.words`, each word encoded alone, similarity at least `word_match_similarity`) that is
  not its opposite. `min_alignment` (1.0: all of them) is the share that must be; the reason names
  the words that are not ("explosions", "injured"). Words taken from the question are no support
  (the question's presupposition is what the quote must confirm), and a sentence made only of the
  question's words, or ending in a question mark, states nothing.

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
from index.entities import find_entities, parse
from index.lexical import acronyms_spelled_out, is_stopword, terms
from index.lexicon import MONTHS, NAME_LABELS, WEEKDAYS
from index.words import WordVectors, words_of
from qa.clauses import clauses_of, lemmas_of, negated_words, nouns_of
from qa.models import Citation
from qa.opposites import opposes
from qa.settings import ClaimSettings

MODEL_MARKER = re.compile(r"\[\s*(?:sources?\s*)?(\d{1,3}(?:\s*(?:,|;|and|&)\s*\d{1,3})*)\s*\]", re.IGNORECASE)
"""A citation marker as models write it: [1], [1, 2], [1][2], [Source 1]."""
_LEADING_MARKERS = re.compile(rf"^(?:\s*{MODEL_MARKER.pattern})+\s*[.,;]?", re.IGNORECASE)

_NAME_LABELS = NAME_LABELS | {"LANGUAGE"}
"""What a claim must not change: every name, a language's too."""
_MONTHS = {
    **{m: i for i, m in enumerate(MONTHS, 1)},
    **{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12},
}
"""Month names and their abbreviations, by number."""
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
"""A capitalised word, an initialism's dots included ("U.S."): `index.lexicon.CAPITALISED` stops at the first dot."""
_QUOTE_OPENERS = "\"“‘'("
_IGNORED_CAPITALS = frozenset({"i", "mr", "mrs", "ms", "dr", "prof", "sir", "st"})
FRAMING_WORDS = frozenset(
    {"according", "source", "sources", "article", "articles", "report", "reported", "reports", "reporting", "quote", "quoted",
     "passage", "text", "stated", "states", "mentioned", "mentions", "answer", "question", "also", "however", "therefore",
     "called", "described", "added", "noted", "explained"}
)  # fmt: skip
"""Words a fluent answer adds around the facts; they state nothing the quotes must contain."""
LIGHT_WORDS = frozenset(
    {"take", "takes", "took", "taken", "taking", "place", "held", "hold", "holds", "make", "makes", "made", "still"}
)  # fmt: skip
"""Support verbs that carry no fact of their own ("will take place at", "was held at", "cuts made in March" for "introduced"),
and "still": what they are said of (the place, the cuts) must be in the quotes, they need not be."""
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
        elif lowered in WEEKDAYS:
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
        self.support = WordSupport(words, settings.word_match_similarity)

    def check_all(self, sentences: Sequence[GeneratedSentence], evidence: Sequence[Citation], *, question: str = "") -> list[Verdict]:
        """A verdict for each sentence against the evidence quotes (numbered by `Citation.n`).

        `question`: what the model was asked; its words are no support (a sentence must find them in
        the quotes like any other), and a sentence made only of them states nothing.
        """
        if not sentences:
            return []
        # every word vector the checks will ask for, encoded in one pass (the rest come from memory)
        self.words.vectors(
            [w for text in (*(f"{c.quote} {c.title} {c.source}" for c in evidence), *(s.text for s in sentences)) for w in words_of(text)]
        )
        count = len(evidence)
        docs = parse([*(c.quote for c in evidence), *(c.title for c in evidence), *(s.text for s in sentences)])
        outlet_words = frozenset(w for c in evidence for w in words_of(c.source))
        # a quote is compared as a whole, by its clauses as commas and "said" cut it, and by the clauses its parse gives (the
        # same cut as the sentence's own, so a sentence that repeats a quote finds each of its clauses there)
        clauses = {
            c.n: list(dict.fromkeys([c.quote, *_clauses(c.quote), *clauses_of(doc, FRAMING_WORDS, every=True)]))
            for c, doc in zip(evidence, docs, strict=False)
        }
        texts = [t for c in evidence for t in clauses[c.n]]
        lemmas = {c.n: lemmas_of(doc) for c, doc in zip(evidence, docs, strict=False)}
        denied = {c.n: negated_words(doc) for c, doc in zip(evidence, docs, strict=False)}
        nouns = {c.n: nouns_of(doc) for c, doc in zip(evidence, docs[count : 2 * count], strict=True)}
        said = [clauses_of(doc, FRAMING_WORDS | outlet_words) for doc in docs[2 * count :]]
        vectors = self.embedder.encode([*texts, *(s.text for s in sentences), *(c for parts in said for c in parts)])
        quote_vectors: dict[int, np.ndarray] = {}
        row = 0
        for c in evidence:
            quote_vectors[c.n] = vectors[row : row + len(clauses[c.n])]
            row += len(clauses[c.n])
        sentence_rows = row
        row += len(sentences)
        verdicts = []
        for i, (sentence, parts) in enumerate(zip(sentences, said, strict=True)):
            doc = docs[2 * count + i]
            parsed = _Parsed(
                clauses=parts,
                clause_vectors=vectors[row : row + len(parts)],
                lemma={token.text.lower(): token.lemma_.lower() for token in doc},
                nouns={t.text.lower() for t in doc if t.pos_ == "NOUN"},
                proper={t.text for t in doc if t.pos_ == "PROPN"},
                negated=negated_words(doc)[0],
                quote_lemmas=lemmas,
                title_nouns=nouns,
                quote_negated=denied,
            )
            row += len(parts)
            verdicts.append(self._check(sentence, vectors[sentence_rows + i], list(evidence), quote_vectors, question, parsed))
        return verdicts

    def check(self, sentence: GeneratedSentence, evidence: Sequence[Citation], *, question: str = "") -> Verdict:
        """The verdict for one sentence against the evidence quotes."""
        return self.check_all([sentence], evidence, question=question)[0]

    def _check(
        self,
        sentence: GeneratedSentence,
        vector: np.ndarray,
        evidence: list[Citation],
        quote_vectors: dict[int, np.ndarray],
        question: str,
        parsed: _Parsed,
    ) -> Verdict:
        by_n = {c.n: c for c in evidence}
        claimed = read_claim(sentence.text, question, parsed)
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
        said_by = f"{quotes} {' '.join(c.source for c in cited)}"  # "<outlet> reported that ...": the outlet was shown with the quote
        alignment = self.support.alignment(claimed, said_by, cited)

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
            if not self.support.name_found(name, vocabulary, story):
                return verdict(f"names {name}, which the cited quotes do not")
        for word in claimed.first_words:
            if not self.support.name_found(word, vocabulary, story) and not self.support.close_word(word, vocabulary):
                return verdict(f"names {word}, which the cited quotes do not")
        quoted = _negated_scopes(quotes)
        for cue, scope in claimed.negations:
            if scope and not any(scope & theirs for _, theirs in quoted):
                return verdict(f"says '{cue}' where the cited quotes do not")
        claimed_terms = set(terms(claimed.text))
        for cue, scope in quoted:
            if len(scope) >= 2 and len(scope & claimed_terms) >= 2 and not any(scope & mine for _, mine in claimed.negations):
                return verdict(f"leaves out the cited quote's '{cue}'")
        contradiction = self.support.contradiction(claimed, quotes, cited, quoted) or self.support.denied(claimed, said_by, cited)
        if contradiction:
            return verdict(contradiction)
        if claimed.restates:
            return verdict("only repeats the question")
        if similarity < s.min_similarity:
            return verdict(f"says something else than the cited quotes (similarity {similarity:.2f})")
        for clause, clause_vector in zip(claimed.parsed.clauses, claimed.parsed.clause_vectors, strict=True):
            close = float(max((clauses @ clause_vector).max(), mean_vector(whole) @ clause_vector))
            if close < s.min_clause_similarity:
                return verdict(f"adds what the cited quotes do not say: '{clause}' (similarity {close:.2f})")
        if alignment < s.min_alignment:
            missing = ", ".join(f"'{w}'" for w in self.support.missing(claimed, said_by, cited)[:4])
            return verdict(f"says more than the cited quotes: {missing} not in them ({alignment:.0%} of its words found)")
        return verdict()


class WordSupport:
    """Whether the words of a claim are in the quotes it cites (as themselves, their stem or lemma, or a close word that is
    not their opposite), and where the quotes say a word's opposite, or say it only under a negation.

    Args:
        words: Word vectors (each word encoded alone).
        word_match_similarity: The word-vector similarity at which a word counts as found (`ClaimSettings`).
    """

    def __init__(self, words: WordVectors, word_match_similarity: float) -> None:
        self.words = words
        self.word_match_similarity = word_match_similarity

    @staticmethod
    def contradiction(claimed: _Claimed, quotes: str, cited: list[Citation], quoted: list[tuple[str, set[str]]]) -> str:
        """Why the sentence contradicts the quotes: a word of it whose opposite (`qa.opposites`) they say instead, neither negated."""
        quote_words = set(words_of(quotes))
        quote_lemmas = set().union(*(claimed.parsed.quote_lemmas.get(c.n, set()) for c in cited))
        negated_here = set().union(*(scope for _, scope in claimed.negations))
        negated_there = set().union(*(scope for _, scope in quoted))
        for word in sorted(claimed.said - quote_words):
            if claimed.parsed.lemma.get(word, word) in quote_lemmas or set(terms(word)) & negated_here:
                continue
            against = [w for w in sorted(quote_words) if opposes(word, w) and not set(terms(w)) & negated_there]
            if against:
                return f"says '{word}' where the cited quotes say '{against[0]}'"
        return ""

    @staticmethod
    def name_found(name: str, vocabulary: set[str], story: str) -> bool:
        """Whether every word of `name` is in the quotes, or the quotes hold part of it and the story spells it out.

        A word matches one it begins or ends ("Ethiopia" and "Ethiopian", not "Ethan" and "Ethiopian"):
        a demonym is the place's name; a name swapped for another shares no such stem.
        """
        words = {w for w in _words(name) if w not in _IGNORED_CAPITALS and not is_stopword(w)}
        found = {w for w in words if w in vocabulary or any(_same_stem(w, v) for v in vocabulary)}
        if found == words or (name.isupper() and acronyms_spelled_out(name, story)):  # GDP for "gross domestic product"
            return True
        return bool(found) and re.search(rf"\b{re.escape(name)}\b", story, re.IGNORECASE) is not None

    def close_word(self, word: str, vocabulary: set[str]) -> bool:
        """Whether the quotes hold a word close to `word` (a common word that happens to open the sentence: Organizers ~ organisers)."""
        candidates = [w for w in vocabulary if not is_stopword(w) and not w.isdigit()]
        if not candidates:
            return False
        lowered = word.lower()
        table = self.words.vectors([lowered, *candidates])
        best = (np.stack([table[w] for w in candidates]).astype(np.float32) @ table[lowered].astype(np.float32)).max()
        return bool(best >= self.word_match_similarity)

    def alignment(self, claimed: _Claimed, support: str, cited: Sequence[Citation]) -> float:
        """Share of the content words (names aside: checked on their own) found in the quotes: the same stem or lemma, or a close
        word vector that is not their opposite.

        Titles are no support here: "broke a record" from a headline about another record is a claim the quote does not make.
        """
        content = self.content(claimed)
        if not content:
            return 1.0 if any([*claimed.names, *claimed.first_words]) else 0.0
        return (len(content) - len(self.unmatched(claimed, content, support, cited))) / len(content)

    def missing(self, claimed: _Claimed, support: str, cited: Sequence[Citation]) -> list[str]:
        """The content words of the sentence the quotes do not hold in any accepted form (for the reason)."""
        return self.unmatched(claimed, self.content(claimed), support, cited)

    @staticmethod
    def content(claimed: _Claimed) -> list[str]:
        """The sentence's content words that are not part of a name."""
        named = {w for name in [*claimed.names, *claimed.first_words] for w in _words(name)}
        return [w for w in claimed.content if w not in named]

    def unmatched(self, claimed: _Claimed, content: list[str], support: str, cited: Sequence[Citation]) -> list[str]:
        """The words of `content` that `support` (the cited quotes) holds in no accepted form (`_matched`)."""
        return [w for w, match in self.matched(claimed, content, support, cited).items() if match is None]

    def matched(self, claimed: _Claimed, content: list[str], support: str, cited: Sequence[Citation]) -> dict[str, str | None]:
        """Each word of `content` → the word of `support` (the cited quotes) it is found as: itself (the same stem or lemma),
        a title's noun, or a close word that is not its opposite; None where there is none."""
        support_words = [w for w in dict.fromkeys(words_of(support)) if not is_stopword(w)]
        support_terms = set(terms(support))
        support_lemmas = set().union(*(claimed.parsed.quote_lemmas.get(c.n, set()) for c in cited))
        title_nouns = set().union(*(claimed.parsed.title_nouns.get(c.n, set()) for c in cited))
        matched: dict[str, str | None] = {}
        for w in content:
            lemma = claimed.parsed.lemma.get(w, w)
            itself = (bool(terms(w)) and set(terms(w)) <= support_terms) or lemma in support_lemmas
            titled = _is_noun(claimed, w) and (w in title_nouns or lemma in title_nouns)
            matched[w] = w if itself or titled else None
        missing = [w for w, match in matched.items() if match is None]
        if not missing or not support_words:
            return matched
        table = self.words.vectors([*missing, *support_words])
        matrix = np.stack([table[w] for w in support_words]).astype(np.float32)
        similar = np.stack([table[w] for w in missing]).astype(np.float32) @ matrix.T
        for row, word in enumerate(missing):  # an opposite is never a paraphrase, however close its vector
            for column, other in enumerate(support_words):
                if opposes(word, other):
                    similar[row, column] = -1.0
        for word, scores in zip(missing, similar, strict=True):
            best = int(scores.argmax())
            if scores[best] >= self.word_match_similarity:
                matched[word] = support_words[best]
        return matched

    def denied(self, claimed: _Claimed, support: str, cited: Sequence[Citation]) -> str:
        """Why the sentence states what the quotes only deny or leave open: a word of it found in the quotes only under their
        negation ("several people were injured" for "did not say whether anyone was hurt"), where it negates nothing itself."""
        negated: set[str] = set()
        stated: set[str] = set()
        for c in cited:
            under, outside = claimed.parsed.quote_negated.get(c.n, (set(), set()))
            negated, stated = negated | under, stated | outside
        only = negated - stated
        if not only:
            return ""
        for word, match in self.matched(claimed, self.content(claimed), support, cited).items():
            if match is None or word in claimed.parsed.negated:
                continue
            forms = {match, claimed.parsed.lemma.get(match, match)} if match != word else {word, claimed.parsed.lemma.get(word, word)}
            if forms & only and not forms & stated:
                return f"says '{word}' where the cited quotes say it under a negation ('{match}')"
        return ""


def read_claim(text: str, question: str, parsed: _Parsed) -> _Claimed:
    """What a sentence states that the check looks for: its numbers, months, names, negations, words and clauses."""
    entities = find_entities(text, [(0, len(text))])
    names = [text[e.start : e.end] for e in entities if e.label in _NAME_LABELS]
    inside = [(e.start, e.end) for e in entities if e.label in _NAME_LABELS]
    first_words = []
    for match in _CAPITALISED.finditer(text):
        start = match.start()
        word = match.group(0).rstrip(".")
        lowered = word.lower()
        if any(a <= start < b for a, b in inside) or lowered in _IGNORED_CAPITALS or lowered in _MONTHS or lowered in WEEKDAYS:
            continue
        before = text[:start].rstrip()
        if not before or before[-1] in ".!?:" + _QUOTE_OPENERS:
            # a first word is capitalised anyway: a name if the parse says so ("Dunmore, 61, was sentenced"), else only if
            # it is no common word the quotes have a close one for ("Organizers" ~ "organisers")
            if word in parsed.proper:
                names.append(word)
            elif not is_stopword(lowered) and lowered not in FRAMING_WORDS:
                first_words.append(word)
            continue
        names.append(word)
    content = [w for w in words_of(text) if not is_stopword(w) and w not in FRAMING_WORDS | LIGHT_WORDS | _UNIT_WORDS and not w.isdigit()]
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
        parsed=parsed,
        said=set(words_of(text)),
    )


@dataclass
class _Parsed:
    """What spaCy's parse gives the check of one sentence: its clauses (with their vectors) and lemmas, and the quotes' lemmas."""

    clauses: list[str]
    """The sentence's clauses of two content words or more, when it has more than one clause (else none: the sentence is one)."""
    clause_vectors: np.ndarray
    lemma: dict[str, str]
    """Each lower-cased word of the sentence → its lemma ("rose" → "rise")."""
    nouns: set[str]
    """The sentence's words used as nouns, lower-cased."""
    proper: set[str]
    """The sentence's words the parse takes for proper nouns, as written."""
    negated: set[str]
    """The sentence's words (and lemmas) that a negation of its own governs ("did not say whether anyone was hurt")."""
    quote_lemmas: dict[int, set[str]]
    """Each evidence quote's number → the lemmas of its words."""
    title_nouns: dict[int, set[str]]
    """Each evidence quote's number → the nouns of its article's title, as written and as lemmas: what "the event" is."""
    quote_negated: dict[int, tuple[set[str], set[str]]]
    """Each evidence quote's number → its words (and lemmas) under a negation, and those it states outside any."""


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
    parsed: _Parsed
    said: set[str]
    """Every lower-cased word of it, stopwords included ("more", "before" have opposites too)."""


def _is_noun(claimed: _Claimed, word: str) -> bool:
    """Whether the sentence uses `word` as a noun (a title's noun may name what the quote calls "the event"; nothing else of it
    is support)."""
    return word in claimed.parsed.nouns


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
