"""Which sentence of which article answers each reference of a comparison question.

Every sentence retrieved for a reference (within its outlet, `qa.compare_answerer`) is scored for it
by a weighted sum of these features (each weight a described field of `CompareSettings`):

- `topic`: embedding cosine of the sentence with the reference's topic ("Meta's moderation bias
  problem suppressing Palestinian voices"): it states what the question says this article said;
- `claim`: embedding cosine with what the articles are compared on (the question without its
  outlets): it speaks to the comparison;
- `topic_terms`: the IDF-weighted share of the topic's terms the sentence holds;
- `claim_terms`: the summed IDF of the claim's terms the sentence holds, over 10 (not a share: the claim is the whole
  question, and a sentence holding a few of its rare words, "favored Eagles", states what it asks about);
- `title_terms`: the IDF-weighted share of the topic's terms the article's title holds: the article
  is about the topic, not only the sentence;
- `in_period`: the article was published on the day (or in the period) the reference gives;
- `rank`: the rank of the sentence's chunk in the reference's retrieval (the fused ranking knows
  the whole passage), subtracted.

Each reference then takes its best sentence from an article no other reference took (`assign`),
the references with the clearest best sentence choosing first: two references to TechCrunch are two
TechCrunch articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.lexical import TermWeights, term_set
from qa.sentences import Quote, Sentence
from qa.settings import CompareSettings
from qa.side_by_side import Pick

CLAIM_TERMS_SCALE = 10.0
"""The summed IDF of the claim's terms a sentence holds is divided by this, to stand beside cosines (a rare word's IDF is
about 5 here)."""


@dataclass(frozen=True)
class ReferenceFeatures:
    """How well one sentence answers one reference (see the module docstring for each feature)."""

    topic: float
    claim: float
    topic_terms: float
    claim_terms: float
    title_terms: float
    in_period: bool
    rank: int

    def score(self, s: CompareSettings) -> float:
        """The weighted sum of the features (weights: `CompareSettings`)."""
        return (
            s.topic_weight * self.topic
            + s.claim_weight * self.claim
            + s.topic_terms_weight * self.topic_terms
            + s.claim_terms_weight * self.claim_terms
            + s.title_terms_weight * self.title_terms
            + s.period_weight * self.in_period
            - s.rank_weight * self.rank / max(s.chunks_per_reference, 1)
        )


@dataclass(frozen=True)
class Scored:
    """A sentence scored for a reference."""

    sentence: Sentence
    features: ReferenceFeatures
    score: float


def weighted_share(wanted: frozenset[str], held: frozenset[str], weights: TermWeights) -> float:
    """The IDF-weighted share of the `wanted` terms that `held` holds (0 when nothing is wanted)."""
    total = sum(weights.idf(term) for term in wanted)
    return sum(weights.idf(term) for term in wanted & held) / total if total else 0.0


def score_sentences(
    sentences: Sequence[Sentence],
    *,
    topic: tuple[str, np.ndarray],
    claim: tuple[str, np.ndarray],
    in_period: frozenset[str],
    weights: TermWeights,
    settings: CompareSettings,
) -> list[Scored]:
    """Each sentence scored for one reference, best first.

    Args:
        sentences: The sentences retrieved for the reference (each with its stored vector).
        topic: The reference's topic, and its unit vector.
        claim: What the articles are compared on, and its unit vector.
        in_period: Ids of the chunks found within the period the reference gives.
        weights: IDF of the indexed terms.
        settings: The feature weights.
    """
    topic_terms, claim_terms = term_set(topic[0]), term_set(claim[0])
    titles: dict[str, float] = {}
    scored = []
    for sentence in sentences:
        if sentence.vector is None:
            continue
        held = term_set(sentence.text)
        title = sentence.chunk.title
        if title not in titles:
            titles[title] = weighted_share(topic_terms, term_set(title), weights)
        features = ReferenceFeatures(
            topic=float(sentence.vector @ topic[1]),
            claim=float(sentence.vector @ claim[1]),
            topic_terms=weighted_share(topic_terms, held, weights),
            claim_terms=sum(weights.idf(term) for term in claim_terms & held) / CLAIM_TERMS_SCALE,
            title_terms=titles[title],
            in_period=sentence.chunk.id in in_period,
            rank=sentence.chunk_rank,
        )
        scored.append(Scored(sentence, features, features.score(settings)))
    scored.sort(key=lambda item: -item.score)
    return scored


def assign(rankings: Sequence[Sequence[Scored]]) -> list[Scored | None]:
    """Each reference's sentence: its best one from an article no other reference took, the references whose best sentence
    scores highest choosing first; None for a reference left with no article."""
    chosen: list[Scored | None] = [None] * len(rankings)
    taken: set[str] = set()
    for i in sorted(range(len(rankings)), key=lambda i: -(rankings[i][0].score if rankings[i] else float("-inf"))):
        best = next((item for item in rankings[i] if item.sentence.article_id not in taken), None)
        if best is not None:
            taken.add(best.sentence.article_id)
            chosen[i] = best
    return chosen


ANOTHER_ARTICLE = "another article from the outlets named, closest to what they are compared on"
"""What the quote of `another_article` answers, as its citation says."""


def another_article(rankings: Sequence[Sequence[Scored]], chosen: Sequence[Scored | None], *, claim_terms_weight: float) -> Scored | None:
    """The sentence closest to the claim (its cosine and its rare words) among those retrieved for the references, from an
    article no reference took; None when there is none."""
    taken = {item.sentence.article_id for item in chosen if item is not None}
    pool = [item for ranking in rankings for item in ranking if item.sentence.article_id not in taken]
    if not pool:
        return None
    return max(pool, key=lambda item: item.features.claim + claim_terms_weight * item.features.claim_terms)


def second_sentences(
    rankings: Sequence[Sequence[Scored]], chosen: Sequence[Scored | None], picks: Sequence[Pick], *, margin: float, max_words: int
) -> list[Pick]:
    """Each chosen article's second-best sentence for its reference, when it scores within `margin` of the best, the closest
    first, while the answer (`picks` so far and these) stays within `max_words` words."""
    words = sum(len(pick.quote.sentence.text.split()) for pick in picks)
    seconds: list[tuple[float, int, Scored]] = []
    for i, (ranking, best) in enumerate(zip(rankings, chosen, strict=True)):
        if best is None:
            continue
        second = next(
            (item for item in ranking if item.sentence.article_id == best.sentence.article_id and item.sentence.key != best.sentence.key),
            None,
        )
        if second is not None and best.score - second.score <= margin:
            seconds.append((best.score - second.score, i, second))
    added = []
    for _, i, item in sorted(seconds, key=lambda x: x[0]):
        length = len(item.sentence.text.split())
        if words + length <= max_words:
            added.append(Pick(Quote(item.sentence, "answer", item.score), i))
            words += length
    return added
