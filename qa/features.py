"""What a candidate sentence says about a question: its features, and the score they add up to.

A sentence is read in its story: the names and subjects that the article's title, its lede and the
sentence just before establish ("the Kessel Bridge" in the lede) count as mentioned by it, so the
question's names choose the story and the rest of the question chooses the sentence. Each candidate
sentence gets these features (`SentenceFeatures`; weights and thresholds are the described fields of
`AnswerSettings`, and `SentenceFeatures.score` is their weighted sum):

- `semantic`: cosine of the question's and the sentence's embeddings (the sentence's was stored at
  index time), mixed with the cosine of the question without its names ("When will the reopen?"),
  which the lede does not win just by naming the subject (`focus_semantic_share`).
- `alignment`: each content word of the question matched to its closest word of the sentence
  (MaxSim over word vectors: each word encoded alone by the same model, `index.words`); a
  name the story has established counts as matched.
- `lexical`: IDF-weighted share of the question's terms found in the sentence or its story's
  headline and date (which belong to every sentence of the story, so the lede does not win by
  repeating them); names and other terms found only in the story's scope (lede, subjects named
  before, the sentence before) count in part (`scope_name_credit`, `scope_term_credit`).
- `rank`: the rank of the chunk the sentence came from (`rank_weight / (1 + rank)`).
- `expected_entity`: the sentence (or the sentence that says who "she" is) holds an entity of the label
  the question asks for (who → PERSON, when → DATE, how much → MONEY, ...) that the question itself
  does not contain; `secondary_type_credit` for a secondary label.
- `nearby`: that entity sits within `near_words` words of a question word the sentence matches
  ("would reopen in April" for "When will the bridge reopen?"), not elsewhere in a lede full of dates.
- `focus`: IDF-weighted share of the question's non-name terms the sentence matches, lexically or
  by a close word vector (`focus_match_similarity`); too little focus, and no entity of the asked
  type, means the story is right but the question is not answered there ("How many piers were
  sold?"): the answerer abstains (`qa.decision`).
- `names`, `numbers`, `period`: the share of the question's names (in the sentence, its antecedent,
  its story's subject; for ruling an answer out, `story_names`: anywhere in the story before it), of
  its numbers and years (in the sentence, title or date; for ruling an answer out, `story_numbers`:
  a year where a name would be, in the sentence or its story's scope, "who moved to Monaco in 2020"
  said a sentence before; another figure anywhere in the retrieved text of its article), and how well the story's date fits the
  question's "this week" or "last year" (`qa.question.Period`: 1 inside it, less for each day
  outside, 0 past `period_margin_days`, or at once before a day it names, "on Tuesday";
  `undated_period_credit` for an undated story); missing
  ones are penalties, and a missing number, or a story dated well outside the period, rules the
  sentence out.

A new feature is one field of `SentenceFeatures`, computed in `FeatureReader.features`, weighted in
`SentenceFeatures.score` by a new described field of `AnswerSettings`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from index import Embedder
from index.dates import story_date
from index.lexical import TermWeights, acronyms_spelled_out, is_stopword, term_set, terms
from index.lexicon import SPEAKER_LABELS, SUBJECT_LABELS
from index.words import WordVectors
from qa.question import Question
from qa.sentences import Neighbours, Sentence
from qa.settings import AnswerSettings


@dataclass(frozen=True)
class SentenceFeatures:
    """The features of one candidate sentence for one question (see the module docstring)."""

    semantic: float = 0.0
    alignment: float = 0.0
    lexical: float = 0.0
    expected_entity: float = 0.0
    nearby: float = 0.0
    matched: frozenset[str] = field(default_factory=frozenset)
    """The question's focus terms the sentence matches, lexically or by a close word vector (where a short answer is looked for)."""
    focus: float = 1.0
    names: float = 1.0
    story_names: float = 1.0
    numbers: float = 1.0
    story_numbers: float = 1.0
    """The share of the question's numbers its story holds: a year in the sentence or the story's scope, another figure anywhere
    in the retrieved text of its article."""
    period: float = 1.0

    def score(self, settings: AnswerSettings, chunk_rank: int) -> float:
        """The weighted sum of the features, for a sentence of the chunk ranked `chunk_rank`."""
        s = settings
        return (
            s.semantic_weight * self.semantic
            + s.alignment_weight * self.alignment
            + s.lexical_weight * self.lexical
            + s.rank_weight / (1.0 + chunk_rank)
            + s.type_weight * self.expected_entity
            + s.nearby_weight * self.nearby
            - s.name_weight * (1.0 - self.names)
            - s.number_weight * (1.0 - self.numbers)
            - s.period_weight * (1.0 - self.period)
        )


@dataclass(frozen=True, eq=False)
class Scored:
    """A candidate sentence with its features and score for one question."""

    sentence: Sentence
    features: SentenceFeatures
    score: float


class FeatureReader:
    """Reads the features of candidate sentences for one question: what the question needs is computed once.

    Args:
        question: The question as `qa.question.analyze_question` read it.
        sentences: Every candidate sentence (their word vectors are read together, once).
        weights: IDF of the indexed terms (from the BM25 index).
        embedder: The model (its cache holds the question's vectors, encoded at retrieval).
        words: Word vectors for the alignment (`index.words`).
        neighbours: Finds a sentence's antecedent or speaker.
        settings: The weights and thresholds.
    """

    def __init__(
        self,
        question: Question,
        sentences: list[Sentence],
        weights: TermWeights,
        *,
        embedder: Embedder,
        words: WordVectors,
        neighbours: Neighbours,
        settings: AnswerSettings,
    ) -> None:
        self.question = question
        self.neighbours = neighbours
        self.settings = settings
        queries = [question.text, question.focus_text] if question.focus_text else [question.text]
        (self.asked, *rest), _ = embedder.encode_questions(queries)
        self.focused = rest[0] if rest else self.asked
        [(asked_words, asked_vectors)] = words.of_texts([question.text])
        rows = [i for i, word in enumerate(asked_words) if not is_stopword(word)]
        self.words = [set(terms(asked_words[i])) for i in rows]
        self.question_words = asked_vectors[rows].astype(np.float32)
        self.idf = {t: weights.idf(t) for t in question.terms}
        self.total = sum(self.idf.values()) or 1.0
        self.focus_total = sum(self.idf[t] for t in question.focus) or 1.0
        self.numbers = {n.replace(",", "") for n in question.numbers}
        self.years = {n for n in self.numbers if _YEAR.fullmatch(n)}
        self._story_numbers: dict[str, set[str]] = {}
        for chunk in {id(s.chunk): s.chunk for s in sentences}.values():
            self._story_numbers.setdefault(chunk.article_id, _numbers(chunk.title)).update(_numbers(chunk.text))
        self._sentence_words = {
            id(sentence): vectors for sentence, (_, vectors) in zip(sentences, words.of_texts([s.text for s in sentences]), strict=True)
        }

    def features(self, sentence: Sentence) -> SentenceFeatures:
        """The features of one of the candidate sentences."""
        s, question, idf = self.settings, self.question, self.idf
        sentence_terms = term_set(sentence.text)
        scope, mentioned = _scopes(sentence)
        before = self.neighbours.antecedent(sentence)
        before_terms = term_set(before.text) if before is not None else frozenset()
        # the headline's words (and the story's date) belong to every sentence of the story, so the
        # lede does not win just by repeating them
        found = question.terms & (sentence_terms | _title_and_date_terms(sentence)) | acronyms_spelled_out(question.text, sentence.text)
        scoped_names = question.names & (scope | before_terms)
        scoped_other = (question.terms - question.names - found) & scope

        vector = sentence.vector
        assert vector is not None  # every candidate comes with its stored vector (`chunk_sentences` with the dimension)
        semantic = (1.0 - s.focus_semantic_share) * float(vector @ self.asked) + s.focus_semantic_share * float(vector @ self.focused)
        word_scores = _word_alignment(self.question_words, self._sentence_words[id(sentence)], self.words, scoped_names | found)
        alignment = sum(score for score, _ in word_scores) / len(word_scores) if word_scores else 0.0
        lexical = (
            sum(idf[t] for t in found)
            + s.scope_name_credit * sum(idf[t] for t in scoped_names - found)
            + s.scope_term_credit * sum(idf[t] for t in scoped_other - scoped_names)
        ) / self.total
        soft = {t for score, word_terms in word_scores if score >= s.focus_match_similarity for t in word_terms}
        focus = sum(idf[t] for t in question.focus if t in found or t in soft) / self.focus_total if question.focus else 1.0
        matched = frozenset((found | soft) & question.focus)
        window = sentence_terms | before_terms | _title_and_date_terms(sentence)
        names = story_names = numbers = story_numbers = period = 1.0
        if question.names:
            names = len(question.names & (window | scope)) / len(question.names)
            story_names = len(question.names & (window | scope | mentioned)) / len(question.names)
        if question.numbers:
            numbers_seen = {n.replace(",", "") for n in window} | _numbers(sentence.text)
            numbers = len(self.numbers & numbers_seen) / len(self.numbers)
            # a year names the story, as a name does (in the sentence or its scope); other figures may sit a sentence away
            in_story = (numbers_seen | scope) & self.years | (numbers_seen | self._story_numbers[sentence.article_id]) - self.years
            story_numbers = len(self.numbers & in_story) / len(self.numbers)
        if question.period is not None:
            published = story_date(sentence.chunk.date)
            margin = 0 if question.period.named_day else s.period_margin_days
            period = s.undated_period_credit if published is None else _period_fit(question.period.days_outside(published), margin)
        return SentenceFeatures(
            semantic=semantic,
            alignment=alignment,
            lexical=lexical,
            expected_entity=self._expected_entity(sentence, before),
            nearby=self._typed_near_focus(sentence, matched),
            matched=matched,
            focus=focus,
            names=names,
            story_names=story_names,
            numbers=numbers,
            story_numbers=story_numbers,
            period=period,
        )

    def _expected_entity(self, sentence: Sentence, before: Sentence | None) -> float:
        """1 when the sentence holds an entity of the asked label the question lacks, `secondary_type_credit` for a secondary
        label, else 0."""
        kind, question = self.question.expected, self.question
        if not kind.labels:
            return 0.0
        if sentence.typed(kind.labels, question.terms):
            return 1.0
        speaker = self.neighbours.speaker(sentence, before)
        if speaker is not None and kind.labels & SPEAKER_LABELS and speaker.typed(kind.labels, question.terms):
            return 1.0
        return self.settings.secondary_type_credit if kind.also and sentence.typed(kind.also, question.terms) else 0.0

    def _typed_near_focus(self, sentence: Sentence, matched: frozenset[str]) -> float:
        """1 when an entity of the asked label sits within `near_words` words of a matched focus word ("reopen in April")."""
        question = self.question
        if not matched or not question.expected.labels:
            return 0.0
        distances = sentence.distances(sentence.typed(question.expected.labels, question.terms), set(matched))
        return 1.0 if any(d <= self.settings.near_words for d in distances) else 0.0


def _scopes(sentence: Sentence) -> tuple[frozenset[str], frozenset[str]]:
    """What the story has established before `sentence`: its subject, and every name it has used.

    The subject (title, lede, places, organisations and things named before, the sentence just
    before) gives part credit to a sentence that says "the bridge"; every earlier name only keeps
    a question's name from ruling out a sentence that says "she".
    """
    earlier = [s for s in sentence.siblings if s.start < sentence.start]
    subject = term_set(sentence.chunk.subject_words).union(
        *(term_set(s.phrase(e)) for s in earlier for e in s.entities if e.label in SUBJECT_LABELS)
    )
    if earlier:
        subject = subject.union(term_set(earlier[-1].text))
    mentioned = term_set(sentence.chunk.prior_words).union(*(term_set(s.text) for s in earlier))
    return frozenset(subject), frozenset(mentioned)


def _word_alignment(
    question_words: np.ndarray, sentence_words: np.ndarray, words: list[set[str]], matched: set[str]
) -> list[tuple[float, set[str]]]:
    """Per question content word: its best word similarity in the sentence (1.0 when the word is matched or established)."""
    if not words or sentence_words.shape[0] == 0 or question_words.shape[0] == 0:
        return [(1.0 if word_terms & matched else 0.0, word_terms) for word_terms in words]
    best = (question_words @ sentence_words.astype(np.float32).T).max(axis=1).tolist()  # plain floats: numpy per word costs more
    return [(1.0 if word_terms & matched else value, word_terms) for value, word_terms in zip(best, words, strict=True)]


_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_YEAR = re.compile(r"1[89]\d\d|2[01]\d\d")


def _numbers(text: str) -> set[str]:
    """The numbers written in `text`, without thousands separators ("1,100" → "1100")."""
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def _period_fit(days_outside: int, margin: int) -> float:
    """1 for a story dated in the question's period, less for each day outside it, 0 (ruled out) past `margin` days."""
    return max(0.0, 1.0 - days_outside / (margin + 1))


def _title_and_date_terms(sentence: Sentence) -> set[str]:
    return set(term_set(sentence.chunk.title)) | set(re.findall(r"\d+", sentence.chunk.date))
