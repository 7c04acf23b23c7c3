"""The name a sentence's description stands for: "the retailer" is ASOS, "the 58-year-old" is Joe Schmidt.

News names its subject once, in the headline or the lede, and then describes it: "In July and
August, the retailer said it was hit by wet weather". A question asking "Which online retailer ...?"
is answered by that sentence, but the name it asks for is in the story, not in the sentence. Three
rules find it:

1. **A description** is "the", "this" or "these" and at most three more words ending in a kind noun
   (`qa.kinds.KIND_NOUNS`: company, startup, retailer, founder, ...), an age ("the 28-year-old", a
   person) or a word of what the question asks for ("the Cupertino tech giant" for "which tech
   giant"), with nothing but words between them; "a" or "an" opens one only when it repeats the
   question's description ("A Utah mother of six who ..." for "Which Utah mother of six ...?").
2. **It stands for the answer** when it is what the sentence is about, and of a kind the question
   asks for: it opens the sentence (after a leading clause of a few words: "Importantly, the
   58-year-old, ..."), or it repeats the question's own description, two of its words or its age
   ("the chemical billionaire" for "Which chemical billionaire ...?", "dodged the 28-year-old").
3. **It stands for** the name that opens the sentence before (within its first words: "Jim
   Ratcliffe's move to Monaco ..." then "The chemical billionaire looks set to buy ..."), else for
   the story's subject: the most mentioned of the article's names that the headline holds, else the
   first name in the lede; always one that fits the description's kind (`EntityKind.fit`), is not
   the story's outlet and shares no word with the question's own names (a common noun of the question
   may be a word of it: "Simply Homes" for "Which startup expects to have 108 homes ...?").

The name is cited where it is written: in the sentence before, or in the lede sentence that names
it (`Subject.sentence`); a name the headline alone holds has no place in the text
(`ShortAnswer(start=None)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.chunking import LEDE_SENTENCES
from index.entities import Entity
from index.filters import source_key
from index.lexical import is_stopword, term_set
from index.lexicon import NAME_LABELS
from qa.kinds import ANY_NAME, NOUN_KIND, ORGANISATION, PERSON, PLACE, EntityKind, Expected
from qa.sentences import Neighbours, Sentence, chunk_sentences

_ASKED = re.compile(r"\b(?:which|what|whose|who (?:is|was|are|were) the)\s+(?P<phrase>[^,;:?!.]+)", re.IGNORECASE)
_TOKEN = re.compile(r"[\w’'-]+|[^\w\s’'-]")
_AGE = re.compile(r"(\d{1,3})-year-old")
_INDEFINITE = frozenset({"a", "an"})
"""An indefinite description stands for a name only when it repeats the question's ("A Utah mother of six who ...")."""
_DETERMINERS = frozenset({"the", "this", "these"}) | _INDEFINITE
ASKED_WORDS = 4
"""Words after "which" read as what the question asks for ("which 33-year-old boxing superstar")."""
DESCRIPTION_WORDS = 4
"""Most words of a description after its determiner ("the Cupertino tech giant")."""
LEADING_CLAUSE_WORDS = 12
"""Most words of a leading clause before a description that opens the sentence ("In July and August, the retailer ...")."""
OPENING_NAME_WORDS = 6
"""A name within this many words of the start of the sentence before opens it (after "Founded in 2020," or a quote)."""
HEADLINE_FIT = 0.3
"""A headline's name may be the story's subject when its labels fit the kind at least this well (spaCy tags "Flipboard" a
person as often as not); its mentions, each counted by that fit, rank it."""
_KIND_OF_FORM = {"who": PERSON, "which group": ORGANISATION, "where": PLACE}
MIN_FIT = 0.5
"""A name fits a description's kind when its labels fit at least this well (`EntityKind.fit`; spaCy's usual confusions count in part)."""


@dataclass(frozen=True)
class Asked:
    """What a question asks for, as a description would say it: its words ("tech giant") and age ("33-year-old")."""

    kind: EntityKind | None
    """The kind of name it asks for (None: any name: "which edtech")."""
    words: frozenset[str]
    heads: frozenset[str]
    """Its first and last word ("streamer" in "which streamer's ... increase", "retailer" in "which online retailer")."""
    ages: frozenset[str]


def read_asked(question: str, expected: Expected) -> Asked | None:
    """What the question asks for when it asks for a name ("Which online retailer ...?", "Who ...?"), else None."""
    kind = _KIND_OF_FORM.get(expected.form)
    if kind is None and expected.form != "which":
        return None
    match = _ASKED.search(question)
    phrase: list[str] = []
    for word in match.group("phrase").split() if match else []:
        if phrase and is_stopword(word):
            break
        phrase.append(word)
        if len(phrase) == ASKED_WORDS or _kind_noun(word):  # "which company maintained ...": the noun ends it
            break
    if kind is None:  # "which app": a kind noun says the kind; "which edtech" asks for any name
        kind = next((NOUN_KIND[_head(w)] for w in phrase if _kind_noun(w)), None)
    text = " ".join(phrase)
    heads = {_head(phrase[0]), _head(phrase[-1])} if phrase else set()
    return Asked(kind=kind, words=term_set(text), heads=frozenset(term_set(" ".join(heads))), ages=frozenset(_AGE.findall(text)))


@dataclass(frozen=True)
class Description:
    """A description in a sentence ("the retailer"), where it is, and the kind of name it stands for."""

    start: int
    """Offset of its first character in the sentence."""
    end: int
    kind: EntityKind | None
    """None: the kind the question asks for."""
    opens: bool
    """It opens the sentence, or its main clause after a short leading clause."""
    repeats: bool
    """It repeats what the question asks for (two of its words, or its age)."""


def descriptions(text: str, asked: Asked) -> list[Description]:
    """The descriptions of `text` (see the module docstring), in order."""
    tokens = list(_TOKEN.finditer(text))
    found = []
    for i, token in enumerate(tokens):
        if token.group(0).lower() not in _DETERMINERS:
            continue
        for j in range(i + 1, min(i + 1 + DESCRIPTION_WORDS, len(tokens))):
            word = tokens[j].group(0)
            if not (word[0].isalnum()):
                break
            head = _head(word)
            age = _AGE.fullmatch(head)
            if not (age or head in NOUN_KIND or term_set(head) & asked.words):
                continue
            words = term_set(text[token.start() : tokens[j].end()])
            repeats = bool(age and age.group(1) in asked.ages) or len(words & asked.words) >= 2 or bool(term_set(head) & asked.heads)
            if token.group(0).lower() in _INDEFINITE and not repeats:
                break
            kind = PERSON if age else NOUN_KIND.get(head)
            found.append(Description(token.start(), tokens[j].end(), kind, _opens(text[: token.start()]), repeats))
            break
    return found


def _opens(before: str) -> bool:
    """Whether a description after `before` opens its sentence (or its main clause, after a short leading clause)."""
    before = before.strip(" \"“‘'")
    return not before or (before.endswith(",") and len(before.split()) <= LEADING_CLAUSE_WORDS)


def _kind_noun(word: str) -> bool:
    """Whether a word of the question is a kind noun ("company"; not the "City" of "Kansas City")."""
    return word[:1].islower() and _head(word) in NOUN_KIND


def _head(word: str) -> str:
    """A word as a description's head: lower case, without a possessive, singular when a kind noun is ("startups")."""
    word = word.lower().removesuffix("’s").removesuffix("'s")
    return word[:-1] if word.endswith("s") and word[:-1] in NOUN_KIND else word


@dataclass(frozen=True)
class Subject:
    """The name a description stands for, where it is written (None: the headline only), and whether it outranks a name the
    sentence itself holds (the description repeats what the question asks for)."""

    name: str
    start: int | None
    end: int | None
    sentence: Sentence | None
    repeats: bool


def described_subject(sentence: Sentence, asked: Asked, question_names: set[str], neighbours: Neighbours) -> Subject | None:
    """The name a description of `sentence` that answers the question stands for (see the module docstring), or None;
    `question_names`: the terms of the question's own names (`Question.names`), which no answer holds."""
    for description in descriptions(sentence.text, asked):
        kind = description.kind or asked.kind or ANY_NAME
        if asked.kind is not None and not (asked.kind.labels & kind.labels):
            continue
        if not (description.opens or description.repeats):
            continue
        named = _Names(sentence, kind, question_names, neighbours)
        found = named.earlier_in_sentence(description) or named.before() or named.story_subject()
        if found is not None:
            name, start, end, holder = found
            return Subject(name, start, end, holder, description.repeats)
    return None


_Found = tuple[str, int | None, int | None, Sentence | None]


class _Names:
    """The names a description in `sentence` may stand for, of a kind, none the question names, not the story's outlet."""

    def __init__(self, sentence: Sentence, kind: EntityKind, question_names: set[str], neighbours: Neighbours) -> None:
        self.sentence = sentence
        self.kind = kind
        self.question_names = question_names
        self.neighbours = neighbours
        self.outlet = source_key(sentence.chunk.source)
        self.lede = _lede(sentence, neighbours)
        self.headlined = self._headlined()

    def fits(self, entity: Entity, text: str) -> bool:
        """Whether a mention may be what the description stands for."""
        return (
            entity.label in NAME_LABELS
            and self.kind.fit.get(entity.label, 0.0) >= MIN_FIT
            and not term_set(text) & self.question_names
            and source_key(entity.name or text) != self.outlet
        )

    def earlier_in_sentence(self, description: Description) -> _Found | None:
        """The name nearest before the description in its own sentence, of a label that fits its kind fully ("Twitch ... after
        the company opened")."""
        at = self.sentence.start + description.start
        earlier = [
            e
            for e in self.sentence.entities
            if e.end <= at and self.kind.fit.get(e.label, 0.0) >= 1.0 and self.fits(e, self.sentence.phrase(e))
        ]
        return _placed(self.sentence, earlier[-1], self.sentence.phrase(earlier[-1])) if earlier else None

    def before(self) -> _Found | None:
        """In the sentence before: the story's subject when it names it, else the fitting name that opens it."""
        before = self.neighbours.neighbour(self.sentence, -1)
        if before is None:
            return None
        for name in self.headlined:
            mention = next((e for e in before.entities if e.name == name), None)
            if mention is not None:  # "James" in the sentence before is the headline's Reece James: cited in full where written
                return _written(before, name) or self.in_lede(name) or _placed(before, mention, before.phrase(mention))
        opening = len(" ".join(before.text.split()[:OPENING_NAME_WORDS]))
        for entity in before.entities:
            if entity.start - before.start >= opening:
                break
            if self.fits(entity, before.phrase(entity)):
                return _placed(before, entity, before.phrase(entity))
        return None

    def story_subject(self) -> _Found | None:
        """The story's subject: the most mentioned fitting name the headline holds (cited in the lede when it is written there),
        else the lede's first fitting name."""
        if self.headlined:
            return self.in_lede(self.headlined[0]) or (self.headlined[0], None, None, None)
        for holder in self.lede:
            for entity in holder.entities:
                if self.fits(entity, holder.phrase(entity)):
                    return _placed(holder, entity, holder.phrase(entity))
        return None

    def in_lede(self, name: str) -> _Found | None:
        """Where the lede writes `name` in full, if it does."""
        return next((found for found in (_written(s, name) for s in self.lede) if found is not None), None)

    def _headlined(self) -> list[str]:
        """The article's fitting names that its headline holds, most mentioned first (its salient names, and the lede's names)."""
        chunk = self.sentence.chunk
        title = {w.lower() for w in re.findall(r"\w+", chunk.title)}
        labels = {n.name: (n.mentions, n.labels) for n in chunk.article_names}
        for holder in self.lede:
            for entity in holder.entities:
                if entity.name and entity.label in NAME_LABELS and entity.name not in labels:
                    labels[entity.name] = (1, {entity.label: 1})
        headlined = [
            (mentions * _label_fit(counts, self.kind), name)
            for name, (mentions, counts) in labels.items()
            if {w.lower() for w in re.findall(r"\w+", name)} - _common(name) & title
            and _label_fit(counts, self.kind) >= HEADLINE_FIT
            and not term_set(name) & self.question_names
            and source_key(name) != self.outlet
        ]
        return [name for _, name in sorted(headlined, key=lambda item: -item[0])]


def _written(holder: Sentence, name: str) -> _Found | None:
    """Where a sentence writes `name` in full: inside one of its mentions of it, else as words of its own."""
    for entity in holder.entities:
        text = holder.phrase(entity)
        if entity.name == name and name in text:
            at = entity.start + text.index(name)
            return name, at, at + len(name), holder
    found = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", holder.text)
    return (name, holder.start + found.start(), holder.start + found.end(), holder) if found else None


def _common(name: str) -> set[str]:
    """Words of a name that say nothing alone ("the", "of")."""
    return {w.lower() for w in re.findall(r"\w+", name) if is_stopword(w) or len(w) < 3}


def _label_fit(labels: dict[str, int], kind: EntityKind) -> float:
    """How well a name's labels (how often spaCy gave each) fit a kind, on average."""
    total = sum(labels.values())
    return sum(kind.fit.get(label, 0.0) * count for label, count in labels.items()) / total if total else 0.0


def _lede(sentence: Sentence, neighbours: Neighbours) -> list[Sentence]:
    """The first sentences of the sentence's article (its first chunk, read from the store when it was not retrieved)."""
    chunk = sentence.chunk
    if chunk.chunk_index == 0:
        first = sentence.siblings or chunk_sentences(chunk, sentence.chunk_rank)
    else:
        fetched = neighbours.fetch_chunks([chunk.sibling_id(0)])
        first = chunk_sentences(fetched[0], sentence.chunk_rank) if fetched else []
    return first[:LEDE_SENTENCES]


def _placed(holder: Sentence, entity: Entity, text: str) -> _Found:
    """A name where a sentence writes it: its fullest form when the mention holds it verbatim ("Jim Ratcliffe's"), else the mention."""
    name = entity.name if entity.name and entity.name in text else text
    at = entity.start + text.index(name)
    return name, at, at + len(name), holder
