"""The phrase that answers a typed question ("Who ...?" → "John Healey"), cut from the best sentence, or none when unsure.

The best sentence (or, for "who said ...", the sentence that names the speaker of a bare quote)
must hold exactly one entity of the asked label that the question does not already contain; a
secondary label ("3.2 million pounds" tagged QUANTITY for "how much") counts only right next to
the question's matched words, and of several entities of the asked label the one clearly nearest
those words wins (`near_words`). No short answer beats a wrong one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from index.entities import Entity
from index.filters import source_key
from index.lexical import is_stopword, term_set, terms
from index.lexicon import AMOUNT_LABELS, PLACE_LABELS, SPEAKER_LABELS, TIME_LABELS
from qa.features import Scored
from qa.kinds import HOW_MANY
from qa.question import Question
from qa.sentences import Neighbours, Sentence
from qa.story_subject import described_subject, read_asked


@dataclass
class ShortAnswer:
    """The phrase that answers a typed question, with its place in the article (None when no quoted sentence holds it
    verbatim: an entity quoted only by its short form, "the Fed")."""

    text: str
    start: int | None
    end: int | None
    sentence: Sentence | None


def short_answer(question: Question, best: Scored, neighbours: Neighbours, *, near_words: int) -> ShortAnswer | None:
    """The name a description in the best sentence stands for, or the one entity of the asked label in it (or in the
    sentence naming its speaker) that fits the question; None when unsure."""
    kind = question.expected
    sentence = best.sentence
    fits = _Fit(question, sentence.chunk.source)
    asked = read_asked(question.text, kind)
    subject = described_subject(sentence, asked, question.names, neighbours) if asked is not None else None
    if subject is not None and (subject.repeats or not fits.candidates(sentence, kind.labels)):
        return ShortAnswer(text=subject.name, start=subject.start, end=subject.end, sentence=subject.sentence)
    if not kind.labels:
        return None
    matched = set(best.features.matched)
    candidates = fits.candidates(sentence, kind.labels)
    owner = sentence
    if not candidates and kind.labels & SPEAKER_LABELS:
        speaker = neighbours.speaker(sentence, neighbours.antecedent(sentence))
        if speaker is not None:
            candidates, owner = fits.candidates(speaker, kind.labels), speaker
    if not candidates and kind.also and matched:
        # "3.2 million pounds" tagged QUANTITY for "how much": a secondary label counts right next to the matched words
        also = fits.candidates(sentence, kind.also)
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


_UNIT = re.compile(r"\bhow many ((?:[\w'’-]+ ?){1,3})", re.IGNORECASE)
UNIT_WORDS = 3
"""A figure carries the question's unit when the unit is among the words just after it ("seven counts", "22 Republicans")."""
_SOURCE_BEFORE = re.compile(
    r"(?:according to|(?:report|survey|study|analysis|data|estimates?|figures|research|poll)(?: published)? (?:by|from))(?: the)? $",
    re.IGNORECASE,
)
_SOURCE_AFTER = re.compile(
    r"^(?:['’]s)? (?:report|survey|study|analysis|data|estimates?|figures|research|poll|reported|said in a report)\b", re.IGNORECASE
)
DESCRIBED_LABELS = frozenset({"PERSON", "NORP"})
"""A person or a nationality after "the" or "a" is a description ("the Aussie", "a German"), not a name."""
_ASKS_SOURCE = frozenset(terms("report reported survey study analysis data estimate figures research poll according said say says told"))


class _Fit:
    """Whether an entity of the asked label fits the question as its answer (see the module docstring)."""

    def __init__(self, question: Question, outlet: str) -> None:
        self.question = question
        self.outlet = source_key(outlet)
        self.asks_source = bool(question.terms & _ASKS_SOURCE)
        self.words = {w.lower() for w in re.findall(r"\w+", question.text) if len(w) > 3}
        unit = _UNIT.search(question.text)
        words = unit.group(1).split() if unit else []
        words = words[: next((i for i, w in enumerate(words) if is_stopword(w)), len(words))]
        plural = next((w for w in words if w.lower().endswith("s") and not w.lower().endswith("ss")), words[0] if words else "")
        self.unit = term_set(plural) if question.expected is HOW_MANY else frozenset()

    def candidates(self, owner: Sentence, labels: frozenset[str]) -> list[Entity]:
        """The entities of `labels` in `owner` that may answer: news to the asker, not a source, with the question's unit; a
        place and the region after it one place ("Hartford, Connecticut"), an amount restated after it in another unit
        ("11 million Swedish kronor, or about $1 million") once."""
        found = _restated_once(owner, _places_joined(owner, [e for e in owner.typed(labels, self.question.terms) if self.fits(owner, e)]))
        if self.unit:  # "how many customers": a figure of customers, or none
            found = [
                e
                for e in found
                if self.unit & term_set(" ".join(owner.text[e.end - owner.start :].split()[:UNIT_WORDS]) + " " + owner.phrase(e))
            ]
        return found

    def fits(self, owner: Sentence, entity: Entity) -> bool:
        """Not the story's outlet nor the firm a report is by (unless the question asks who reported), not a description
        ("the Aussie"), not a word the question already holds in another form ("Israel" for "Which Israeli town")."""
        text = owner.phrase(entity)
        before, after = owner.text[: entity.start - owner.start], owner.text[entity.end - owner.start :]
        if source_key(entity.name or text) == self.outlet or source_key(text) == self.outlet:
            return False
        if not self.asks_source and (_SOURCE_BEFORE.search(before) or _SOURCE_AFTER.match(after)):
            return False
        if entity.label in DESCRIBED_LABELS and re.search(r"\b(?:the|a|an)\s+$", before) and " " not in text.strip():
            return False
        word = text.lower()
        return not (" " not in word and len(word) > 3 and any(w != word and (w.startswith(word) or word.startswith(w)) for w in self.words))


_PLACE_JOIN = re.compile(r"^,\s*$")
_RESTATED = re.compile(r"^(?:\s+[\w'’-]+){0,4}?(?:\s*\(\W?|,?\s+or(?:\s+(?:about|around|roughly|some|nearly))?\s+\W?|\s*/\s*)$")
_RELATIVE_DATE = term_set("today yesterday tomorrow tonight now this last next week month year day ago recent recently")


def _places_joined(owner: Sentence, found: list[Entity]) -> list[Entity]:
    """Places written one after the other with a comma between them ("Hartford, Connecticut") as one place."""
    joined: list[Entity] = []
    for entity in found:
        last = joined[-1] if joined else None
        between = owner.text[last.end - owner.start : entity.start - owner.start] if last else ""
        if last is not None and last.label in PLACE_LABELS and entity.label in PLACE_LABELS and _PLACE_JOIN.match(between):
            joined[-1] = Entity(last.start, entity.end, last.label, "")
        else:
            joined.append(entity)
    return joined


def _restated_once(owner: Sentence, found: list[Entity]) -> list[Entity]:
    """Amounts without those restating the amount before them in the sentence ("$69bn (£56bn)", "$221 million, or 10 cents
    per share"), and dates that are only "today" or "next year" (the day the story was written, not an answer)."""
    amounts = [e for e in owner.entities if e.label in AMOUNT_LABELS]
    restating = {
        (later.start, later.end)
        for earlier, later in pairwise(amounts)
        if _RESTATED.match(owner.text[earlier.end - owner.start : later.start - owner.start])
    }
    return [
        e
        for e in found
        if (e.start, e.end) not in restating and not (e.label in TIME_LABELS and term_set(owner.phrase(e)) <= _RELATIVE_DATE)
    ]
