"""Read a descriptive question: which kind of entity it asks for, and the clues that describe it.

"Which company, according to articles from TechCrunch and The Verge, enforces uniform terms on
developers through its store and also justifies its choice of a default search engine?" reads as:
an organisation (`qa.kinds`) described as a "company"; named outlets TechCrunch and The Verge
(`qa.outlets`, read once for the query); two clues, "enforces uniform terms on developers through
its store" and "justifies its choice of a default search engine".

A question that asks for an entity by its kind ("which company", "who is the player", "what is
the name of the service") is descriptive when:

- it cites reports (`NamedSources.cites_reports`: it names outlets, indexed or not, or says
  "according to Reuters"): the articles describe the entity in pieces, and the clues must meet in
  one candidate across them; or
- it asks for a class or for two or three entities, which only the entity answerer's candidates
  give, and describes them with two clues or more in a long question.

Any other question is left to the sentence picker: a description that cites no report is about one
story ("Which 49-year-old former Cup Series driver attended ... and interviewed ...?"), whose
sentences, headline and lede answer it (`qa.story_subject`); one about one fact ("Who won the
marathon?"), or asking for a letter or a character, no entity answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from index.lexical import terms
from qa.kinds import ANY_NAME, CLASS, KIND_NOUNS, NOUN_KIND, PERSON, TIME, EntityKind, nouns_pattern
from qa.outlets import NamedSources

_NOUNS = nouns_pattern(tuple(kind for kind in KIND_NOUNS if kind is not TIME))
_ASKS_KIND = re.compile(
    rf"\b(?:which|what|who)\b(?:\s+(?:is|was|are|were))?(?:\s+the)?(?:\s+name\s+of\s+the)?"
    rf"(?P<modifiers>(?:\s+[\w.’'-]+,?){{0,4}}?)\s+(?P<noun>{_NOUNS})s?\b",
    re.IGNORECASE,
)
_ASKS_CLASS = re.compile(
    r"\b(?:which|what)\s+(?:group|kind|type|sort|category|class|segment)s?\s+of\s+(?P<modifiers>(?:[\w’'-]+\s+){0,2}?)(?P<noun>[a-z][\w-]*)\b",
    re.IGNORECASE,
)
"""A question asking for a group or a type ("What group of people", "Which kind of merchants"): a class, not a name."""
_ASKS_PLURAL = re.compile(r"^\W*(?:which|what)\s+(?P<noun>[a-z][a-z-]+s)\b")
"""A question asking for a plural common noun that is no kind of name ("Which users ...", "What materials ..."): a class."""
_ASKS_COUNT = re.compile(
    r"^\W*(?:which|what|name\s+the|who\s+(?:are|were|is|was)\s+the)\s+(?P<count>two|three)\b"
    r"|^\W*who\s+(?:are|were)\s+the\s+(?:[\w’'-]+\s+){1,4}?and\s+(?:her|his|their|the)\s+",
    re.IGNORECASE,
)
"""A question asking for two or three entities ("Which two companies ...", "Who are the pop star and her husband ...")."""
_COUNTS = {"two": 2, "three": 3}
_ASKS_WHO = re.compile(r"^\W*who\b", re.IGNORECASE)
_ASKS_NAME = re.compile(r"\bwhat\s+is\s+the\s+name\s+of\s+the(?P<modifiers>(?:\s+[\w.’'-]+,?){0,3}?)\s+(?P<noun>[\w-]+)\b", re.IGNORECASE)
_ASKS_LETTER = re.compile(
    r"\b(?:single|one)(?:\s+(?:letter|character|digit|symbol)s?|-(?:letter|character))\b|\b(?:first|last|initial)\s+(?:letter|character|initial)s?\b"
    r"|\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?:letter|character|initial|digit|symbol)s?\b",
    re.IGNORECASE,
)
"""A question that asks for a letter, a character or a digit ("which single letter", "its single-letter abbreviation", "the
first letter of"), which no entity answers; a question that only mentions one ("sent an open letter") is not one."""

_CLUE_BREAK = re.compile(
    r"\s*(?:;|(?<!\d),(?!\d)\s*(?:(?:and|but|while|yet)\s+)?(?:also\s+)?"
    r"|\s(?:and|but|yet)\s+(?:also\s+)?(?=(?:is|was|has|had|have|are|were|will|would|can|could|did|does|not|also|recently|"
    r"currently|previously|still|known|being|been|[a-z]+ed)\b)"
    r"|\s+as\s+well\s+as\s+|\s+while\s+(?:also\s+)?|\s+also\s+)",
    re.IGNORECASE,
)
"""Where one clue ends and the next begins: commas, "and is/has/was ...", "while", "as well as", "also"."""
_CLUE_START = re.compile(r"^(?:(?:that|who|which|whose|is|was|has|had|and|both|not\s+only|only|also)\s+)+", re.IGNORECASE)
MAX_CLUES = 8
"""Clues read from one question at most (each is a search): a 2,000-character question is not 60 searches."""
_MIN_CLUE_TERMS = 2
"""A piece with fewer content terms ("composing music") joins the clue before it."""
_MIN_DESCRIPTIVE_WORDS = 12
"""A question that cites no report (asking for a class or for two) is descriptive only with two clues or more and at least
this many words: "Which two rivers meet in the city?" asks one fact."""
_NOT_MODIFIERS = frozenset(
    {"do", "does", "did", "is", "was", "are", "were", "has", "have", "had", "can", "could", "will", "would", "should", "may", "might"}
)
"""Words that cannot stand between "what" and the kind noun: "What tactic did companies employ" asks for a tactic."""


@dataclass(frozen=True)
class DescriptiveQuestion:
    """A question that asks for an entity of a kind, described by clues, perhaps naming outlets and a publication date."""

    text: str
    kind: EntityKind
    kind_words: frozenset[str]
    """Stemmed words of the kind phrase ("AI-powered chatbot" → {ai, power, chatbot}): how the articles may call the entity."""
    clues: list[str]
    named: NamedSources
    """The outlets and the publication period it names, and what it is about without them (`qa.outlets`)."""
    count: int = 1
    """How many entities it asks for ("Which two companies ..." asks for 2)."""
    kind_phrase: str = ""
    """The words that name the kind asked for, as the question writes them ("group of people", "AI-powered chatbot")."""

    @property
    def outlets(self) -> list[str]:
        """Indexed outlets the question names, as they are indexed."""
        return self.named.outlets

    @property
    def published(self) -> tuple[date, date] | None:
        """The period the question says the articles were published in (inclusive), if it says one."""
        return self.named.published

    @property
    def not_names(self) -> frozenset[str]:
        """Terms of the question that name no one in particular (the kind words): the unknown-names check passes them over."""
        return self.kind_words


def read_descriptive(question: str, named: NamedSources) -> DescriptiveQuestion | None:
    """`question` read as a descriptive entity question, or None when it is not one (see the module docstring).

    Args:
        question: The question (standing alone).
        named: What it names as its sources (`qa.outlets.read_named_sources`).
    """
    if _ASKS_LETTER.search(question):
        return None
    kind, modifiers, noun, end = _asked_kind(named.about)
    if kind is None:
        return None
    clues = _clues(named.about[end:])[:MAX_CLUES]
    if not clues:
        return None
    count = _count(named.about)
    more_than_one_name = kind is CLASS or count > 1  # what only the entity answerer's candidates give
    long_description = len(clues) >= 2 and len(question.split()) >= _MIN_DESCRIPTIVE_WORDS
    if not named.cites_reports and not (more_than_one_name and long_description):
        return None
    modifiers = " ".join(word for word in modifiers.split() if word.lower() not in _COUNTS)  # "two companies": a count, no kind
    kind_words = frozenset(terms(f"{modifiers} {noun}")) if noun else frozenset()
    return DescriptiveQuestion(
        text=question,
        kind=kind,
        kind_words=kind_words,
        clues=clues,
        named=named,
        count=count,
        kind_phrase=" ".join(f"{modifiers} {noun}".split()),
    )


def _count(question: str) -> int:
    """How many entities the question asks for: 2 for "Which two ...", "Who are the X and her Y", 3 for "Which three ...", else 1."""
    found = _ASKS_COUNT.search(question)
    if found is None:
        return 1
    return _COUNTS.get((found.group("count") or "two").lower(), 2)


def _asked_kind(masked: str) -> tuple[EntityKind | None, str, str, int]:
    """The kind asked for, its modifiers and noun ("AI-powered", "chatbot"), and where the clues start."""
    group = _ASKS_CLASS.search(masked)
    if group is not None:
        return CLASS, group.group("modifiers").strip(" ,"), group.group("noun").lower(), group.end()
    found = _ASKS_KIND.search(masked)
    if found is not None and not {w.lower().strip(",") for w in found.group("modifiers").split()} & _NOT_MODIFIERS:
        noun = found.group("noun").lower()
        return NOUN_KIND[noun], found.group("modifiers").strip(" ,"), noun, found.end()
    plural = _ASKS_PLURAL.search(masked)
    if plural is not None and plural.group("noun").lower() not in _NOT_MODIFIERS:
        return CLASS, "", plural.group("noun").lower(), plural.end()
    who = _ASKS_WHO.search(masked)
    if who is not None:
        return PERSON, "", "", who.end()
    named = _ASKS_NAME.search(masked)
    if named is not None:
        return ANY_NAME, named.group("modifiers").strip(" ,"), named.group("noun").lower(), named.end()
    return None, "", "", 0


def _clues(body: str) -> list[str]:
    """The clues of the question's body (what follows the kind asked for), each a phrase of at least two content terms."""
    body = _CLUE_START.sub("", body.strip(" ,?.!"))
    clues: list[str] = []
    for piece in _CLUE_BREAK.split(body):
        piece = _CLUE_START.sub("", piece.strip(" ,.?!;:"))
        if not terms(piece):
            continue
        if len(terms(piece)) < _MIN_CLUE_TERMS and clues:
            clues[-1] = f"{clues[-1]} {piece}"
        else:
            clues.append(piece)
    return clues
