"""Whether the best sentence answers the question, how sure that is, and which sentences an answer quotes.

The decision reads the ranked candidates (`qa.features.Scored`, best first) and never changes them:

- `confidence`: a Platt scaling of the best score (`confidence_slope`, `confidence_intercept`, fitted by
  `bench/calibrate.py` on the dev sets) into the chance that the answer is right;
- `abstains`: the best score is below `abstain_below`, or the best sentence rules itself out
  (`rules_out`): its story misses a number the question names (a year in its scope, another figure
  anywhere in it), it is dated well outside the question's period, its story mentions too few of
  the question's names (`min_name_coverage`), or it matches too little of the question's focus
  (`min_focus_coverage`) and holds no entity of the asked type. An abstention quotes the closest
  passages as related and its confidence is at most `qa.confidence.ABSTAINED_CONFIDENCE`;
- `choose`: the best sentence and further ones within `second_sentence_margin` of it that stay in
  its story (names, numbers, period), up to `max_sentences`, each with the sentence it needs to be
  read (`qa.sentences.Neighbours.context_for`), which is quoted as context with its score;
- `with_naming`: when the short answer is written in a sentence not quoted (the lede that names
  the story's subject, `qa.story_subject`), that sentence is quoted as context before the best
  one, in place of further sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.confidence import platt_scaling
from qa.features import Scored
from qa.sentences import Neighbours, Quote, Role, Sentence, related_passages
from qa.settings import AnswerSettings


@dataclass(frozen=True)
class Choice:
    """The sentences an answer quotes, in reading order, and the score its best sentence is cited with."""

    quotes: list[Quote]
    best_score: float


class Decision:
    """Decides from ranked candidates: answer or abstain, with what confidence, quoting which sentences.

    Args:
        settings: The thresholds (`AnswerSettings`).
        neighbours: Finds the sentence a candidate needs to be read.
    """

    def __init__(self, settings: AnswerSettings, neighbours: Neighbours) -> None:
        self.settings = settings
        self.neighbours = neighbours

    def confidence(self, score: float) -> float:
        """The chance that an answer whose best sentence scores `score` is right (Platt scaling fitted on the dev sets)."""
        return platt_scaling(score, slope=self.settings.confidence_slope, intercept=self.settings.confidence_intercept)

    def rules_out(self, candidate: Scored) -> bool:
        """Whether a candidate cannot be the answer, however well it scores (see the module docstring)."""
        s, f = self.settings, candidate.features
        return (
            f.story_numbers < 1.0
            or f.period == 0.0
            or f.story_names < s.min_name_coverage
            or (f.focus < s.min_focus_coverage and f.expected_entity < 1.0)
        )

    def abstains(self, best: Scored) -> bool:
        """Whether the best candidate is too weak, or rules itself out (see the module docstring)."""
        return best.score < self.settings.abstain_below or self.rules_out(best)

    @staticmethod
    def related(ranked: list[Scored]) -> list[Quote]:
        """The closest passages of an abstention: the best sentence of each of the best chunks."""
        return related_passages([(item.sentence, item.score)] for item in ranked)

    def choose(self, ranked: list[Scored]) -> Choice:
        """The sentences to quote (see the module docstring), grouped with their context, each group in reading order.

        A sentence brought in as context for a candidate is cited as context with that candidate's
        score, and compared with that score from then on: this holds for the sentence as its chunk
        holds it (an overlapping chunk's copy of it is another candidate), including one already
        chosen, or the best one, whose score is then the one the answer reports.
        """
        s = self.settings
        best = ranked[0]
        cited: dict[int, tuple[Role, float]] = {id(item.sentence): ("answer", item.score) for item in ranked}

        def score(sentence: Sentence) -> float:
            return cited[id(sentence)][1]

        chosen: dict[tuple[str, int], Sentence] = {}
        groups: list[list[Sentence]] = []
        for candidate in ranked:
            if len(chosen) >= s.max_sentences:
                break
            own, top = candidate.features, best.features
            if candidate is not best and (
                score(candidate.sentence) < score(best.sentence) - s.second_sentence_margin
                or candidate.sentence.key in chosen
                or own.names < top.names  # a further sentence may not drift to another story
                or own.numbers < top.numbers
                or own.period < top.period
            ):
                continue
            context = self.neighbours.context_for(candidate.sentence)
            for member in context:
                cited[id(member)] = ("context", score(candidate.sentence))  # context is cited for the answer it serves
            group = [g for g in [candidate.sentence, *context] if g.key not in chosen]
            if len(chosen) + len(group) > s.max_sentences and candidate is not best:
                continue
            for member in group:
                chosen[member.key] = member
            groups.append(sorted(group, key=lambda g: g.start))
        quotes = [Quote(member, *cited[id(member)]) for group in groups for member in group]
        return Choice(quotes=quotes, best_score=score(best.sentence))

    def with_naming(self, choice: Choice, naming: Sentence, best: Sentence) -> list[Quote]:
        """The best sentence's group (it and its context) with `naming`, the sentence that writes the short answer (the lede
        naming the story's subject), quoted before it as context when it is not quoted yet: the naming sentence takes the
        place of further sentences, so the answer stays short."""
        quotes = choice.quotes
        if any(q.key == naming.key for q in quotes):
            return quotes
        group = [q for q in quotes if q.sentence is best or (q.role == "context" and q.score == choice.best_score)]
        return [Quote(naming, "context", choice.best_score), *group]
