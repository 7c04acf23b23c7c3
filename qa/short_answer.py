"""The phrase that answers a typed question ("Who ...?" → "John Healey"), cut from the best sentence, or none when unsure.

The best sentence (or, for "who said ...", the sentence that names the speaker of a bare quote)
must hold exactly one entity of the asked label that the question does not already contain; a
secondary label ("3.2 million pounds" tagged QUANTITY for "how much") counts only right next to
the question's matched words, and of several entities of the asked label the one clearly nearest
those words wins (`near_words`). No short answer beats a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.lexicon import SPEAKER_LABELS
from qa.features import Scored
from qa.question import Question
from qa.sentences import Neighbours, Sentence


@dataclass
class ShortAnswer:
    """The phrase that answers a typed question, with its place in the article (None when no quoted sentence holds it
    verbatim: an entity quoted only by its short form, "the Fed")."""

    text: str
    start: int | None
    end: int | None
    sentence: Sentence | None


def short_answer(question: Question, best: Scored, neighbours: Neighbours, *, near_words: int) -> ShortAnswer | None:
    """The one entity of the asked label in the best sentence (or in the sentence naming its speaker); None when unsure."""
    kind = question.expected
    if not kind.labels:
        return None
    sentence, matched = best.sentence, set(best.features.matched)
    candidates = sentence.typed(kind.labels, question.terms)
    owner = sentence
    if not candidates and kind.labels & SPEAKER_LABELS:
        speaker = neighbours.speaker(sentence, neighbours.antecedent(sentence))
        if speaker is not None:
            candidates, owner = speaker.typed(kind.labels, question.terms), speaker
    if not candidates and kind.also and matched:
        # "3.2 million pounds" tagged QUANTITY for "how much": a secondary label counts right next to the matched words
        also = sentence.typed(kind.also, question.terms)
        candidates = [e for e, d in zip(also, sentence.distances(also, matched), strict=True) if d <= near_words // 2]
    distinct = {owner.phrase(e) for e in candidates}
    if len(distinct) > 1 and owner is sentence and matched:
        # several of the asked type: the one nearest the question's matched words, when it is clearly nearest
        distances = sentence.distances(candidates, matched)
        nearest = min(distances)
        others = sorted(distances)[1:]
        if nearest <= near_words // 2 and all(d > nearest + near_words // 2 for d in others):
            candidates = [candidates[distances.index(nearest)]]
            distinct = {owner.phrase(candidates[0])}
    if len(distinct) != 1:
        return None
    entity = candidates[0]
    return ShortAnswer(text=owner.phrase(entity), start=entity.start, end=entity.end, sentence=owner)
