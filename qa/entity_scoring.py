"""Score the candidates of a descriptive question: how well the clues agree on each.

Each candidate (`qa.candidates.Candidate`) gets these features (`EntityFeatures`), each divided by
the best candidate's value of it, then weighted by its `<feature>_weight` in `EntityAnswerSettings`
and summed:

- `clues`: the share of the clues it supports;
- `articles`: distinct articles (up to 3) holding a sentence that supports a clue for it;
- `outlets`: the share of the outlets the question names among those articles' outlets;
- `mentions`: log(1 + how often the retrieved sentences name it);
- `salience`: its largest share of an article's names among the retrieved articles;
- `subject`: the share of its mentions that come first in their sentence (its subject);
- `kind`: how well its full form's NER labels fit the kind asked for (`qa.kinds.EntityKind.fit`,
  smoothed: spaCy's small model often tags a person ORG);
- `kind_words`: how often (up to 3) the question's kind words stand next to it ("the chatbot
  ChatGPT", "Snapchat, the social media platform");
- `period`: the share of its supporting articles published in the period the question names;
- `names`: the share of the question's names (its capitalised words, outlets aside) that its
  supporting articles hold between them, in their titles or retrieved sentences: the story the question
  is about ("moved into pharmacy with Netmeds and fashion with Zivame" is not met by a sentence on
  Amazon's acquisitions that names neither).

A new feature is one field of `EntityFeatures`, computed in `entity_features`, with a described
`<name>_weight` in `EntityAnswerSettings`.
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass, fields
from datetime import date

from index.dates import story_date
from index.filters import source_key
from index.lexical import term_set
from qa.candidates import Candidate
from qa.clues import DescriptiveQuestion
from qa.question import key_terms
from qa.sentences import Sentence
from qa.settings import EntityAnswerSettings


@dataclass(frozen=True)
class EntityFeatures:
    """The features of one candidate for one descriptive question (see the module docstring)."""

    clues: float
    articles: float
    outlets: float
    mentions: float
    salience: float
    subject: float
    kind: float
    kind_words: float
    period: float
    names: float


FEATURES = tuple(f.name for f in fields(EntityFeatures))
"""The features' names, in the order of the module docstring; each has a `<name>_weight` in `EntityAnswerSettings`."""


@dataclass(frozen=True)
class ScoredCandidate:
    """A candidate with its features and score for one question."""

    candidate: Candidate
    features: EntityFeatures
    score: float


def entity_features(
    question: DescriptiveQuestion, candidate: Candidate, clue_support: float, names: frozenset[str], held: dict[str, frozenset[str]]
) -> EntityFeatures:
    """The features of one candidate (see the module docstring)."""
    c = candidate
    supporting = [sentence for _, _, sentence in c.supporting(clue_support)]
    articles = {x.article_id for x in supporting}
    named_outlets = {source_key(o) for o in question.outlets}
    labels = sum(c.labels.values())
    fitting = sum(n * question.kind.fit.get(label, 0.0) for label, n in c.labels.items())
    return EntityFeatures(
        clues=float((c.support >= clue_support).mean()),
        articles=min(len(articles), 3) / 3,
        outlets=len({x.chunk.source_key for x in supporting} & named_outlets) / len(named_outlets) if named_outlets else 0.0,
        mentions=math.log1p(c.mentions),
        salience=c.salience,
        subject=c.first / c.mentions if c.mentions else 0.0,
        kind=c.kind_fit if c.kind_fit is not None else (fitting + 0.5) / (labels + 1),
        kind_words=min(c.kind_words, 3) / 3,
        period=_in_period(supporting, question.published),
        names=_names_held(names, articles, held),
    )


def score_candidates(
    question: DescriptiveQuestion, candidates: list[Candidate], sentences: list[Sentence], settings: EntityAnswerSettings
) -> list[ScoredCandidate]:
    """The candidates scored and ranked, best first (see the module docstring); the candidates are not changed.

    `sentences` are the retrieved sentences the candidates were collected from: what each article is known to hold.
    """
    names = _question_names(question)
    held = _article_terms(sentences)
    features = [entity_features(question, c, settings.clue_support, names, held) for c in candidates]
    best = [max(values) for values in zip(*(astuple(f) for f in features), strict=True)] if features else []
    weights = [getattr(settings, f"{name}_weight") for name in FEATURES]
    scored = [
        ScoredCandidate(c, f, sum(w * v / top for w, v, top in zip(weights, astuple(f), best, strict=True) if top > 0))
        for c, f in zip(candidates, features, strict=True)
    ]
    return sorted(scored, key=lambda x: (-x.score, -x.candidate.mentions, x.candidate.name))


def _question_names(question: DescriptiveQuestion) -> frozenset[str]:
    """The stemmed names of the question, its outlets aside ("Netmeds", "Zivame" and "Clovia"; not "TechCrunch")."""
    return frozenset(key_terms(question.named.about)[0])


def _article_terms(sentences: list[Sentence]) -> dict[str, frozenset[str]]:
    """The stemmed terms of each article's title and of its retrieved sentences."""
    held: dict[str, set[str]] = {}
    for sentence in sentences:
        held.setdefault(sentence.article_id, set(term_set(sentence.chunk.title))).update(term_set(sentence.text))
    return {article: frozenset(found) for article, found in held.items()}


def _names_held(names: frozenset[str], articles: set[str], held: dict[str, frozenset[str]]) -> float:
    """The share of the question's `names` that the supporting `articles` hold between them (1 when it names none)."""
    if not names:
        return 1.0
    found = frozenset().union(*(held.get(article, frozenset()) for article in articles))
    return len(names & found) / len(names)


def _in_period(supporting: list[Sentence], period: tuple[date, date] | None) -> float:
    """The share of the supporting articles published in `period` (0 when the question names none)."""
    if period is None or not supporting:
        return 0.0
    days = {x.article_id: story_date(x.chunk.date) for x in supporting}
    return sum(1 for day in days.values() if day is not None and period[0] <= day <= period[1]) / len(days)
