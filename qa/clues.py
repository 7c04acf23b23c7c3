"""Read a descriptive question: which entity it asks for, the clues that describe it, and the outlets and dates it names.

"Which company, according to articles from TechCrunch and The Verge, enforces uniform terms on
developers through its store and also justifies its choice of a default search engine?" reads as:
an organisation (ORG, PRODUCT) described as a "company"; named outlets TechCrunch and The Verge
(matched against the indexed outlets, quoted or not, "according to", "as reported by", "articles
from both X and Y"); two clues, "enforces uniform terms on developers through its store" and
"justifies its choice of a default search engine". A date the question says the articles were
published in ("published in November 2023") is read too.

A question is descriptive when it asks for an entity by its kind ("which company", "who is the
player", "what is the name of the service") and names the outlets that reported it, or describes
it with two clues or more in a long question; a question about one fact ("Who won the marathon?") is not, and is left
to the sentence picker. Questions that ask for a letter or a character are never descriptive: no
entity answers them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from index.lexical import terms
from qa.question import MONTHS


@dataclass(frozen=True, eq=False)  # each kind is one object, hashed by identity
class EntityKind:
    """What kind of entity a question asks for, and how well each NER label fits it.

    `fit` gives each label a weight from 0 to 1: the labels of the kind fit fully, the labels
    spaCy's small model often gives such entities instead fit in part ("Bankman-Fried" is tagged ORG,
    "Scorsese" NORP, "Manchester United" PERSON), and a label not listed fits not at all.
    """

    name: str
    fit: dict[str, float]

    @property
    def labels(self) -> frozenset[str]:
        """The labels that fit fully."""
        return frozenset(label for label, weight in self.fit.items() if weight >= 1.0)


PERSON = EntityKind("person", {"PERSON": 1.0, "ORG": 0.5, "NORP": 0.5, "GPE": 0.2, "WORK_OF_ART": 0.2, "PRODUCT": 0.2})
ORGANISATION = EntityKind("organisation", {"ORG": 1.0, "PRODUCT": 0.5, "GPE": 0.5, "NORP": 0.5, "PERSON": 0.3, "FAC": 0.3})
TEAM = EntityKind("team", {"ORG": 1.0, "GPE": 1.0, "NORP": 1.0, "PERSON": 0.5, "WORK_OF_ART": 0.5, "FAC": 0.3})
PLACE = EntityKind("place", {"GPE": 1.0, "LOC": 1.0, "FAC": 1.0, "NORP": 0.5, "ORG": 0.3})
PRODUCT = EntityKind("product", {"ORG": 1.0, "PRODUCT": 1.0, "WORK_OF_ART": 1.0, "PERSON": 0.5, "GPE": 0.5, "FAC": 0.3})
ANY_NAME = EntityKind("name", dict.fromkeys(("PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"), 1.0))


def _listed(words: str) -> tuple[str, ...]:
    """The comma-separated words of a word list written as one string."""
    return tuple(w.strip() for w in words.split(",") if w.strip())


KIND_NOUNS: dict[EntityKind, tuple[str, ...]] = {
    PERSON: _listed(
        "individual, person, people, player, celebrity, artist, star, figure, filmmaker, director, cricketer, quarterback, "
        "athlete, boxer, superstar, free agent, singer, actor, actress, executive, ceo, founder, entrepreneur, politician, "
        "leader, coach, author, journalist, footballer, receiver, golfer, driver, musician, rapper, investor, billionaire, "
        "personality, influencer, fighter, pitcher, striker, manager, minister, president, official, judge, lawyer, scientist"
    ),
    TEAM: _listed("team, club, franchise, side, squad, nation"),
    PLACE: _listed("country, city, state, region, town, venue, stadium"),
    PRODUCT: _listed(
        "chatbot, app, application, model, tool, product, console, device, game, show, series, film, movie, album, song, "
        "service, platform, website, site, network, software, feature"
    ),
    ORGANISATION: _listed(
        "company, companies, organization, organisation, entity, institution, firm, exchange, startup, brand, agency, bank, "
        "body, group, retailer, manufacturer, outlet, publication, fund, league, union, university, regulator, studio, "
        "developer, maker, business, corporation, airline, party, government, authority, department, ministry, court, "
        "committee, council, charity, school"
    ),
}
"""The nouns a question names its entity's kind with ("which company", "who is the player"); one place for all of them."""

_NOUN_KIND = {noun: kind for kind, nouns in KIND_NOUNS.items() for noun in nouns}
_NOUNS = "|".join(sorted((re.escape(n) for n in _NOUN_KIND), key=len, reverse=True))
_ASKS_KIND = re.compile(
    rf"\b(?:which|what|who)\b(?:\s+(?:is|was|are|were))?(?:\s+the)?(?:\s+name\s+of\s+the)?"
    rf"(?P<modifiers>(?:\s+[\w.’'-]+,?){{0,4}}?)\s+(?P<noun>{_NOUNS})s?\b",
    re.IGNORECASE,
)
_ASKS_WHO = re.compile(r"^\W*who\b", re.IGNORECASE)
_ASKS_NAME = re.compile(r"\bwhat\s+is\s+the\s+name\s+of\s+the(?P<modifiers>(?:\s+[\w.’'-]+,?){0,3}?)\s+(?P<noun>[\w-]+)\b", re.IGNORECASE)
_ASKS_LETTER = re.compile(
    r"\b(?:single|one)\s+(?:letter|character|digit|symbol)s?\b|\b(?:first|last|initial)\s+(?:letter|character|initial)s?\b"
    r"|\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?:letter|character|initial|digit|symbol)s?\b",
    re.IGNORECASE,
)
"""A question that asks for a letter, a character or a digit ("which single letter", "the first letter of"), which no
entity answers; a question that only mentions one ("sent an open letter") is not one."""

_OUTLET = "\u2039outlet\u203a"  # stands for a named outlet while the clues are cut out
_REPORTING = frozenset(
    _listed(
        "as, recently, reported, covered, featured, discussed, mentioned, highlighted, described, noted, identified, "
        "recognized, recognised, reviewed, scrutinized, scrutinised, according, to, by, in, on, from, both, articles, "
        "article, reports, report, sources, source, including, the, a, an, series, of, analyses, analysis, pieces, piece, "
        "also, and, again, multiple, other, another, news, stories, story, coverage, via, per, like, such"
    )
)
"""Words that only say who reported a clue ("as reported by both", "according to articles from"); dropped around outlets."""
_CLUE_BREAK = re.compile(
    r"\s*(?:;|(?<!\d),(?!\d)\s*(?:(?:and|but|while|yet)\s+)?(?:also\s+)?"
    r"|\s(?:and|but|yet)\s+(?:also\s+)?(?=(?:is|was|has|had|have|are|were|will|would|can|could|did|does|not|also|recently|"
    r"currently|previously|still|known|being|been|[a-z]+ed)\b)"
    r"|\s+as\s+well\s+as\s+|\s+while\s+(?:also\s+)?|\s+also\s+)",
    re.IGNORECASE,
)
"""Where one clue ends and the next begins: commas, "and is/has/was ...", "while", "as well as", "also"."""
_REPORTED_BY = re.compile(
    r"(?:,\s*)?\b(?:(?:as\s+)?(?:recently\s+)?(?:reported|covered|featured|discussed|mentioned|described|noted)\s+(?:in|by|on)"
    r"(?:\s+(?:an?|the)?\s*(?:articles?|reports?|pieces?|stories)\s+(?:from|by|in))?|according\s+to(?:\s+(?:an?|the)?\s*"
    r"(?:articles?|reports?|pieces?)\s+(?:from|by|in))?)\s+(?:both\s+)?['‘\"]?[A-Z][\w.&'’-]*(?:\s+(?:[A-Z][\w.&'’-]*|and|&|of))*['’\"]?"
)
"""A reporting phrase naming an outlet that is not indexed ("as reported by Reuters"): it says who reported, not a clue."""
_CLUE_START = re.compile(r"^(?:(?:that|who|which|whose|is|was|has|had|and|both|not\s+only|only|also)\s+)+", re.IGNORECASE)
MAX_CLUES = 8
"""Clues read from one question at most (each is a search): a 2,000-character question is not 60 searches."""
_MIN_CLUE_TERMS = 2
"""A piece with fewer content terms ("composing music") joins the clue before it."""
_MIN_DESCRIPTIVE_WORDS = 12
"""A question that names no outlet is descriptive only with two clues or more and at least this many words: "Who was the
Normans' main enemy in Italy, the Byzantine Empire and Armenia?" asks one fact."""
_NOT_MODIFIERS = frozenset(_listed("do, does, did, is, was, are, were, has, have, had, can, could, will, would, should, may, might"))
"""Words that cannot stand between "what" and the kind noun: "What tactic did companies employ" asks for a tactic."""

_WHO_PUBLISHED = (
    r"(?:\s+(?:by|in|on|from)\s+(?:both\s+)?['‘\"]?(?-i:[A-Z][\w.&'’|-]*(?:\s+(?:[A-Z][\w.&'’|-]*|and|&|of|the|\||-)){0,8})['’\"]?)?"
)
"""An outlet between the verb and the date ("reported by The Verge in November 2023"): capitalised words, quoted or not.
Case matters inside it, so that a lower-case word is only ever a connector: no two ways to read a word, no backtracking."""
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_PUBLISHED = re.compile(
    rf"\b(?:published|posted|dated|released|reported|written|covered|(?:article|report|story|piece)s?\s+(?:from|of))"
    rf"{_WHO_PUBLISHED},?\s+(?:on|in|during|around)?\s*"
    rf"(?P<date>(?:{_DAY}\s+)?(?:{MONTHS})\s+(?:{_DAY},?\s+)?\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b",
    re.IGNORECASE,
)


@dataclass
class DescriptiveQuestion:
    """A question that asks for an entity of a kind, described by clues, perhaps naming outlets and a publication date."""

    text: str
    kind: EntityKind
    kind_words: set[str]
    """Stemmed words of the kind phrase ("AI-powered chatbot" → {ai, power, chatbot}): how the articles may call the entity."""
    clues: list[str]
    outlets: list[str] = field(default_factory=list)
    """Indexed outlets the question names, as they are indexed."""
    published: tuple[date, date] | None = None
    """The period the question says the articles were published in (inclusive), if it says one."""
    about: str = ""
    """The question without the outlets it names and its "as reported by ...": what it is about, names included."""


def read_descriptive(question: str, outlets: Sequence[str]) -> DescriptiveQuestion | None:
    """`question` read as a descriptive entity question, or None when it is not one (see the module docstring).

    Args:
        question: The question as asked.
        outlets: The indexed outlets' names, against which the outlets it names are matched.
    """
    if _ASKS_LETTER.search(question):
        return None
    named, masked = _mask_outlets(question, outlets)
    kind, modifiers, noun, end = _asked_kind(masked)
    if kind is None:
        return None
    published = _published(question)
    clues = _clues(masked[end:])[:MAX_CLUES]
    if not clues:
        return None
    if not named and (len(clues) < 2 or len(question.split()) < _MIN_DESCRIPTIVE_WORDS):
        return None
    kind_words = set(terms(f"{modifiers} {noun}")) if noun else set()
    return DescriptiveQuestion(
        text=question, kind=kind, kind_words=kind_words, clues=clues, outlets=named, published=published, about=masked
    )


def _asked_kind(masked: str) -> tuple[EntityKind | None, str, str, int]:
    """The kind asked for, its modifiers and noun ("AI-powered", "chatbot"), and where the clues start."""
    found = _ASKS_KIND.search(masked)
    if found is not None and not {w.lower().strip(",") for w in found.group("modifiers").split()} & _NOT_MODIFIERS:
        noun = found.group("noun").lower()
        return _NOUN_KIND[noun], found.group("modifiers").strip(" ,"), noun, found.end()
    who = _ASKS_WHO.search(masked)
    if who is not None:
        return PERSON, "", "", who.end()
    named = _ASKS_NAME.search(masked)
    if named is not None:
        return ANY_NAME, named.group("modifiers").strip(" ,"), named.group("noun").lower(), named.end()
    return None, "", "", 0


def outlet_forms(outlet: str) -> list[tuple[str, bool]]:
    """The ways a question may name an outlet, longest first, each with whether case matters when matching it.

    "The Roar | Sports Writers Blog" may be named as itself, "The Roar", "Roar" or "Sports Writers Blog";
    "Cnbc | World Business News Leader" as "CNBC". A one-word form in ordinary capitals ("Age",
    "Fortune", "Cnbc") must keep its capital or be all capitals, so "ranging in age" names no outlet.
    """
    forms = {outlet.strip()}
    for separator in (" | ", " - "):
        if separator in outlet:
            head, tail = outlet.split(separator, 1)
            forms.add(head.strip())
            if separator == " | " and len(tail.split()) >= 2:
                forms.add(tail.strip())
    forms |= {f[4:] for f in forms if f.lower().startswith("the ") and len(f) > 6}
    usable = [f for f in forms if len(f) >= 3]
    return sorted(((f, len(f.split()) == 1 and f[:1].isupper() and f[1:].islower()) for f in usable), key=lambda x: -len(x[0]))


def _mask_outlets(question: str, outlets: Sequence[str]) -> tuple[list[str], str]:
    """The indexed outlets the question names, and the question with each of them and its "as reported by" cut out.

    A form shared by several outlets ("BBC News" for "BBC News - Technology" and "BBC News - Entertainment & Arts")
    names them all.
    """
    owners: dict[tuple[str, bool], list[str]] = {}
    for outlet in outlets:
        for written in outlet_forms(outlet):
            owners.setdefault(written, []).append(outlet)
    spans: list[tuple[int, int, list[str]]] = []
    for (form, exact), named_by in sorted(owners.items(), key=lambda item: -len(item[0][0])):  # longest first
        pattern = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.IGNORECASE)
        for match in pattern.finditer(question):
            if exact and match.group(0) not in (form, form.upper()):
                continue
            if len(form.split()) == 1 and _beside_a_name(question, match.start(), match.end()):
                continue  # "Tyreek Hill" names a player, not the outlet The Hill
            if not _stands_as_outlet(question, match.start(), match.end()):
                continue  # "Which company ..." asks a question: it does not name the outlet "Which company"
            if not any(match.start() < end and match.end() > start for start, end, _ in spans):
                spans.append((match.start(), match.end(), named_by))
    named = list(dict.fromkeys(outlet for _, _, named_by in sorted(spans) for outlet in named_by))
    masked = question
    for start, end, _ in sorted(spans, reverse=True):
        masked = f"{masked[:start]} {_OUTLET} {masked[end:]}"
    masked = re.sub(rf"['‘’\"]\s*{_OUTLET}\s*['‘’\"]", f" {_OUTLET} ", masked)
    masked = re.sub(rf"{_OUTLET}(?:\s*(?:,|and|, and|&)\s*{_OUTLET})+", _OUTLET, masked)
    words: list[str] = []
    for word in masked.split():
        if word == _OUTLET:
            while words and words[-1].strip(",").lower() in _REPORTING:
                words.pop()
        words.append(word)
    masked = re.sub(rf"\s*{_OUTLET}\s*(?:reports?|articles?|coverage|['’]s)?", " ", " ".join(words))
    masked = _REPORTED_BY.sub(" ", masked)
    return named, " ".join(masked.split())


def without_outlets(question: str, outlets: Sequence[str]) -> str:
    """The question without the indexed outlets it names and its "as reported by ...": what it is about, names included."""
    return _mask_outlets(question, outlets)[1]


_INTERROGATIVES = frozenset({"which", "what", "who", "whom", "whose", "where", "when", "why", "how"})
_OUTLET_BEFORE = re.compile(r"(?:\b(?:to|by|from|in|on|at|the|both|and)|[&'\"‘“])\s*$", re.IGNORECASE)
"""What stands right before an outlet's name: "according to", "reported by", "articles from", "in", "the", "both", "and" (in
a list of outlets), an opening quote."""
_OUTLET_AFTER = re.compile(r"^['’\"”]?\s*(?:['’]s\b|articles?\b|reports?\b|reported\b|coverage\b|stor(?:y|ies)\b|pieces?\b)", re.IGNORECASE)
"""What stands right after an outlet's name: "'s", "article", "report", "reported", "coverage", "story"."""


def _stands_as_outlet(question: str, start: int, end: int) -> bool:
    """Whether the outlet name at `question[start:end]` stands as an outlet, not as the question's own words.

    Only a name that begins with a question word ("Which", "Which company", "How To Geek") can be mistaken for them, so only
    such a name needs to stand where an outlet does: after "according to", "by", "from", "the", "both", "and" or a quote
    mark ("according to Which?", "the Which? article"), or before "article", "report", "reported", "'s" but not opening
    the question or a clause ("Which reported ..." asks). Any other name is matched wherever the question has it.
    """
    first = re.sub(r"\W", "", question[start:end].split()[0]).lower()
    if first not in _INTERROGATIVES:
        return True
    before = question[:start]
    if _OUTLET_BEFORE.search(before):
        return True
    opens = re.search(r"(?:^|[.;:!?,]\s*)$", before) is not None
    return not opens and _OUTLET_AFTER.match(question[end:]) is not None


def _beside_a_name(text: str, start: int, end: int) -> bool:
    """Whether the span is right after or before another capitalised word (part of a longer name)."""
    before = re.search(r"([A-Za-z][\w.'’-]*)\s+$", text[:start])
    after = re.match(r"\s+([A-Za-z][\w.'’-]*)", text[end:])
    return any(m is not None and m.group(1)[:1].isupper() for m in (before, after))


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


def _published(question: str) -> tuple[date, date] | None:
    """The publication period the question names ("published in November 2023", "reported by The Verge on 5 October
    2023"), if any (dateparser reads it); a date of what happened ("a rise in usage during December 2022") is not one."""
    found = _PUBLISHED.search(question)
    if found is None:
        return None
    import dateparser

    text = found.group("date")
    parsed = dateparser.parse(text, languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first"})
    if parsed is None:
        return None
    day = parsed.date()
    if re.fullmatch(rf"(?i)(?:{MONTHS})\s+\d{{4}}", text.strip()):
        following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        return day.replace(day=1), following - timedelta(days=1)
    return day, day
