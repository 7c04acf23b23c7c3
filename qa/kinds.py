"""What a question asks for, in one vocabulary for both question readers.

The sentence reader (`qa.question`: "Who ...?", "How much ...?", "Which company ...?") and the
descriptive reader (`qa.clues`: "Which company, reported by X and Y, did A and also B?") name what
they look for with the same words:

- an **entity kind** (`EntityKind`): person, organisation, team, place, product, time, or any name;
  how well each NER label fits it (`fit`: descriptive answers score candidates by it), and what a
  sentence answer expects for it (`expects`);
- the **labels a sentence answer expects** (`Expected`): a question's wh-form ("who", "how much",
  "when") with the labels that answer it fully and in part;
- the **kind nouns** (`KIND_NOUNS`): the nouns a question names a kind with ("which company", "who
  is the player", "in which city"), one table for both readers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index.lexicon import AMOUNT_LABELS, GROUP_LABELS, NAME_LABELS, PERSON_LABELS, PLACE_LABELS, TIME_LABELS


@dataclass(frozen=True)
class Expected:
    """The labels of the entity that answers a question of one wh-form: `labels` fully, `also` in part (a sentence answer)."""

    form: str
    """The question's form: who, when, where, which group, how much, how many, what share, how long, how big, why, which,
    what, how, or other."""
    labels: frozenset[str] = frozenset()
    also: frozenset[str] = frozenset()


WHO = Expected("who", PERSON_LABELS, GROUP_LABELS)
WHICH_GROUP = Expected("which group", GROUP_LABELS, PERSON_LABELS)
WHERE = Expected("where", PLACE_LABELS, frozenset({"ORG"}))
WHEN = Expected("when", TIME_LABELS)
HOW_MUCH = Expected("how much", frozenset({"MONEY"}), AMOUNT_LABELS)
WHAT_SHARE = Expected("what share", frozenset({"PERCENT"}), AMOUNT_LABELS)
HOW_MANY = Expected("how many", frozenset({"CARDINAL", "QUANTITY"}), AMOUNT_LABELS)
HOW_LONG = Expected("how long", TIME_LABELS | frozenset({"QUANTITY"}), frozenset({"CARDINAL"}))
HOW_BIG = Expected("how big", frozenset({"QUANTITY"}), AMOUNT_LABELS)
OTHER = Expected("other")


@dataclass(frozen=True, eq=False)  # each kind is one object, hashed by identity
class EntityKind:
    """A kind of entity a question asks for, and how well each NER label fits it.

    `fit` gives each label a weight from 0 to 1: the labels of the kind fit fully, the labels
    spaCy's small model often gives such entities instead fit in part ("Bankman-Fried" is tagged ORG,
    "Scorsese" NORP, "Manchester United" PERSON), and a label not listed fits not at all.
    """

    name: str
    fit: dict[str, float]
    expects: Expected | None = field(default=None)
    """What a sentence answer to "which <noun of this kind>" expects; None when only a descriptive answer reads the kind."""

    @property
    def labels(self) -> frozenset[str]:
        """The labels that fit fully."""
        return frozenset(label for label, weight in self.fit.items() if weight >= 1.0)


PERSON = EntityKind("person", {"PERSON": 1.0, "ORG": 0.5, "NORP": 0.5, "GPE": 0.2, "WORK_OF_ART": 0.2, "PRODUCT": 0.2}, WHO)
ORGANISATION = EntityKind("organisation", {"ORG": 1.0, "PRODUCT": 0.5, "GPE": 0.5, "NORP": 0.5, "PERSON": 0.3, "FAC": 0.3}, WHICH_GROUP)
TEAM = EntityKind("team", {"ORG": 1.0, "GPE": 1.0, "NORP": 1.0, "PERSON": 0.5, "WORK_OF_ART": 0.5, "FAC": 0.3}, WHICH_GROUP)
PLACE = EntityKind("place", {"GPE": 1.0, "LOC": 1.0, "FAC": 1.0, "NORP": 0.5, "ORG": 0.3}, WHERE)
PRODUCT = EntityKind("product", {"ORG": 1.0, "PRODUCT": 1.0, "WORK_OF_ART": 1.0, "PERSON": 0.5, "GPE": 0.5, "FAC": 0.3})
TIME = EntityKind("time", dict.fromkeys(TIME_LABELS, 1.0), WHEN)
ANY_NAME = EntityKind("name", dict.fromkeys(NAME_LABELS, 1.0))
CLASS = EntityKind("class", {"PHRASE": 1.0, "ONE_THING": 0.4, "NORP": 0.5})
"""A group or a type of people or things ("What group of people ...?", "What kind of businesses ...?"): answered by a common
noun phrase (`qa.noun_phrases`: "PHRASE" for a plural head, "ONE_THING" for a singular one), or in part by a NORP name."""


def _listed(words: str) -> tuple[str, ...]:
    """The comma-separated words of a word list written as one string."""
    return tuple(w.strip() for w in words.split(",") if w.strip())


KIND_NOUNS: dict[EntityKind, tuple[str, ...]] = {
    PERSON: _listed(
        "individual, person, people, player, celebrity, artist, star, figure, filmmaker, director, cricketer, quarterback, "
        "athlete, boxer, superstar, free agent, singer, actor, actress, executive, ceo, founder, entrepreneur, politician, "
        "leader, coach, author, journalist, footballer, receiver, golfer, driver, musician, rapper, investor, billionaire, "
        "personality, influencer, fighter, pitcher, striker, manager, minister, president, official, judge, lawyer, scientist, "
        "runner, rider, officer, spokesman, spokeswoman, spokesperson, writer, doctor, nurse, candidate, winner, victim, "
        "suspect, man, woman, councillor, chief, head, mayor"
    ),
    TEAM: _listed("team, club, franchise, side, squad, nation"),
    PLACE: _listed("country, city, state, region, town, venue, stadium, place, village, province, county, district, port, island"),
    PRODUCT: _listed(
        "chatbot, app, application, model, tool, product, console, device, game, show, series, film, movie, album, song, "
        "service, platform, website, site, network, software, feature"
    ),
    ORGANISATION: _listed(
        "company, companies, organization, organisation, entity, institution, firm, exchange, startup, brand, agency, bank, "
        "body, group, retailer, manufacturer, outlet, publication, fund, league, union, university, regulator, studio, "
        "developer, maker, business, corporation, airline, party, government, authority, department, ministry, court, "
        "committee, council, charity, school, operator, broadcaster, supplier, hospital, board"
    ),
    TIME: _listed("year, date, day, month, time, season, week, decade, century"),
}
"""The nouns a question names its entity's kind with ("which company", "who is the player", "in which city"); each noun
names one kind. Descriptive questions read every kind but time; a sentence answer reads the kinds that expect labels."""

NOUN_KIND = {noun: kind for kind, nouns in KIND_NOUNS.items() for noun in nouns}
"""Each kind noun's kind."""


def nouns_pattern(kinds: tuple[EntityKind, ...]) -> str:
    """The nouns of `kinds` as a regex alternation, longest first (so "free agent" is tried before "agent")."""
    import re

    return "|".join(sorted((re.escape(noun) for kind in kinds for noun in KIND_NOUNS[kind]), key=len, reverse=True))
