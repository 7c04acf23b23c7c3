"""Pick the sentences of the retrieved chunks that best answer a question, and the phrase that answers it.

`EvidencePicker` puts four parts together, each with one job, none changing what it is given:

1. `qa.sentences`: the quotable sentences of the retrieved chunks (`chunk_sentences`), and the
   neighbour a sentence needs to be read (`Neighbours`: the sentence before "He ...", the one that
   names a quote's speaker), read from the store by article and index when it is in another chunk;
2. `qa.features`: each sentence's features for the question and the score they add up to (the
   module docstring lists every feature; each weight is a described field of `AnswerSettings`);
3. `qa.decision`: answer or abstain, the calibrated confidence, and which sentences to quote;
4. `qa.short_answer`: the phrase that answers a typed question, or none.

Its result, `Evidence`, is what `qa.pipeline.compose_answer` turns into an `Answer`; every answerer
(`qa.answerers`) returns the same type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from index import Embedder, StoredChunk
from index.lexical import TermWeights
from index.words import WordVectors
from qa.confidence import ABSTAINED_CONFIDENCE
from qa.decision import Decision
from qa.features import FeatureReader, Scored
from qa.question import Question
from qa.retriever import Hit
from qa.sentences import Neighbours, Quote, collect_sentences
from qa.settings import AnswerSettings
from qa.short_answer import ShortAnswer, short_answer
from qa.side_by_side import SideBySide


@dataclass(frozen=True)
class Evidence:
    """What an answerer found: the quoted sentences in reading order, or the closest ones."""

    sentences: list[Quote]
    abstained: bool
    confidence: float
    best_score: float
    short: ShortAnswer | None = None
    clues: list[str] = field(default_factory=list)
    """The clues of a descriptive question (`qa.clues`); empty for other questions."""
    clue_of: dict[tuple[str, int], int] = field(default_factory=dict)
    """Sentence key → the clue it supports (its index in `clues`)."""
    reason: str = ""
    """For an abstention that knows why, the reason in one sentence ("No article from Reuters is indexed.")."""
    side_by_side: SideBySide | None = None
    """For a comparison or a timeline: how its dated quotes stand side by side (`qa.side_by_side`)."""

    def not_indexed(self, reason: str = "") -> Evidence:
        """An abstention instead of this evidence, its sentences listed as related: the question names someone, something
        or some outlet no indexed article holds (`qa.names`, `qa.outlets`), so what was found is only related."""
        return Evidence(
            sentences=[Quote(quote.sentence, "related", quote.score) for quote in self.sentences],
            abstained=True,
            confidence=round(min(self.confidence, ABSTAINED_CONFIDENCE), 4),
            best_score=self.best_score,
            reason=reason,
            side_by_side=self.side_by_side,
        )


class EvidencePicker:
    """Scores candidate sentences, decides, chooses the answer's one to three, and cuts the short answer.

    Args:
        embedder: The model (the question's vectors; every sentence's was stored at index time).
        settings: Weights and thresholds.
        fetch_chunks: Reads chunks by id from the store, for a neighbour in another chunk.
        words: Word vectors for the alignment feature (`index.words`).
    """

    def __init__(
        self, embedder: Embedder, settings: AnswerSettings, fetch_chunks: Callable[[list[str]], list[StoredChunk]], words: WordVectors
    ) -> None:
        self.embedder = embedder
        self.words = words
        self.settings = settings
        self.neighbours = Neighbours(fetch_chunks)
        self.decision = Decision(settings, self.neighbours)

    def rank(self, question: Question, hits: list[Hit], weights: TermWeights) -> list[Scored]:
        """Every sentence of the retrieved chunks (`hits`, best first), once, scored for `question`, best first."""
        sentences = collect_sentences(hits, self.embedder.dimension)
        if not sentences:
            return []
        reader = FeatureReader(
            question, sentences, weights, embedder=self.embedder, words=self.words, neighbours=self.neighbours, settings=self.settings
        )
        scored = []
        for sentence in sentences:
            features = reader.features(sentence)
            scored.append(Scored(sentence, features, features.score(self.settings, sentence.chunk_rank)))
        scored.sort(key=lambda item: -item.score)
        return scored

    def pick(self, question: Question, hits: list[Hit], weights: TermWeights) -> Evidence:
        """Choose the evidence sentences for `question` from the retrieved chunks (`hits`)."""
        ranked = self.rank(question, hits, weights)
        if not ranked:
            return Evidence(sentences=[], abstained=True, confidence=0.0, best_score=0.0)
        s = self.settings
        best = ranked[0]
        confidence = self.decision.confidence(best.score)
        if self.decision.abstains(best):
            return Evidence(
                sentences=self.decision.related(ranked),
                abstained=True,
                confidence=round(min(confidence, ABSTAINED_CONFIDENCE), 4),
                best_score=best.score,
            )
        choice = self.decision.choose(ranked)
        # a short answer only from a sentence that says something of what is asked, not just the story's subject
        short = (
            short_answer(question, best, self.neighbours, near_words=s.near_words)
            if confidence >= s.short_min_confidence and best.features.focus >= s.min_focus_coverage
            else None
        )
        quotes = choice.quotes
        if short is not None and short.sentence is not None:
            quotes = self.decision.with_naming(choice, short.sentence, best.sentence)
        return Evidence(sentences=quotes, abstained=False, confidence=round(confidence, 4), best_score=choice.best_score, short=short)
