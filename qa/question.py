"""Read a question before any sentence is scored: what it expects, its names, numbers, focus and period.

"When will the Kessel Bridge reopen?" reads as: form `when`, expecting DATE or TIME (`qa.kinds`);
names {kessel, bridg} (they choose the story); focus {reopen} (it chooses the sentence); no
numbers; no period. "Who won the marathon last year?" asked on 2026-03-01 also carries the period
2025-01-01 to 2025-12-31, which the story's date must fall in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from index.lexical import is_stopword, terms
from index.lexicon import CAPITALISED, MONTH_PATTERN, WEEKDAY_PATTERN
from qa.kinds import (
    HOW_BIG,
    HOW_LONG,
    HOW_MANY,
    HOW_MUCH,
    ORGANISATION,
    OTHER,
    PERSON,
    PLACE,
    TEAM,
    TIME,
    WHAT_SHARE,
    WHEN,
    WHERE,
    WHICH_GROUP,
    WHO,
    Expected,
    nouns_pattern,
)

_TIME_NOUN = nouns_pattern((TIME,))
_PLACE_NOUN = nouns_pattern((PLACE,))
_GROUP_NOUN = nouns_pattern((ORGANISATION, TEAM))
_PERSON_NOUN = nouns_pattern((PERSON,))
# First match wins; each pattern is anchored on words, with no nested repetition (linear time on any input).
_FORMS: tuple[tuple[re.Pattern[str], Expected], ...] = (
    (re.compile(r"\bhow many (?:years|months|weeks|days|hours|minutes)\b"), HOW_LONG),
    (re.compile(r"\bhow much\b|\bwhat (?:price|sum|amount)\b"), HOW_MUCH),
    (re.compile(r"\bwhat (?:percentage|percent|share|proportion|fraction|rate)\b|\bby how much\b"), WHAT_SHARE),
    (re.compile(r"\bhow many\b|\bwhat (?:number|total)\b|\bnumber of\b"), HOW_MANY),
    (re.compile(r"\bhow (?:long|old)\b"), HOW_LONG),
    (re.compile(r"\bhow (?:far|big|large|high|tall|deep|fast|heavy|wide|low|strong|hot|cold|warm|severe|loud|steep)\b"), HOW_BIG),
    (re.compile(rf"\bwhen\b|\b(?:what|which) (?:{_TIME_NOUN})\b|\bwhat time\b"), WHEN),
    (re.compile(rf"\bwhere\b|\b(?:what|which|in what|in which) (?:{_PLACE_NOUN})\b"), WHERE),
    (re.compile(rf"\b(?:which|what|whose) (?:{_GROUP_NOUN})\b"), WHICH_GROUP),
    (re.compile(rf"\b(?:which|what) (?:{_PERSON_NOUN})\b|\bname of the (?:{_PERSON_NOUN})\b"), WHO),
    (re.compile(r"\bwho(?:m|se)?\b"), WHO),
    (re.compile(r"\bwhy\b"), Expected("why")),
    (re.compile(r"\bwhich\b"), Expected("which")),
    (re.compile(r"\bwhat\b"), Expected("what")),
    (re.compile(r"\bhow\b"), Expected("how")),
    # Keyword queries ("Harbin marathon 2025 winner") say what they want with a noun.
    (re.compile(r"\b(?:winner|champion|ceo|chief executive|leader|mayor|coach|manager|author|spokes\w*|founder|chair\w*|head)\b"), WHO),
    (re.compile(r"\b(?:host city|location|venue|hometown|headquarters)\b"), WHERE),
    (re.compile(r"\b(?:date|deadline|opening day|release day)\b"), WHEN),
    (re.compile(r"\b(?:cost|price|profit|revenue|budget|salary|fine|fee|bill|earnings|sales|loss|pay)\b"), HOW_MUCH),
    (re.compile(r"\b(?:turnout|percentage|inflation rate|unemployment rate)\b"), WHAT_SHARE),
)


def expected(question: str) -> Expected:
    """The question's wh-form and the entity labels that would answer it (`qa.kinds`)."""
    lowered = " ".join(question.lower().split())
    return next((kind for pattern, kind in _FORMS if pattern.search(lowered)), OTHER)


_PERIOD = re.compile(
    rf"\b(?:(?:last|this|past|previous) (?P<unit>year|month|week)|(?P<day>yesterday|today)|"
    rf"(?:on|last|this) (?P<weekday>{WEEKDAY_PATTERN})|(?:in|during|since|last|this) (?P<month>{MONTH_PATTERN})(?! \d)|"
    rf"(?P<count>\d{{1,3}}) (?P<ago_unit>days|weeks|months|years) ago)\b"
)
REPORTING_DAYS = 7
"""A story about an event on day d is published from d to d + this many days."""


@dataclass(frozen=True)
class Period:
    """Dates a story must be dated within to match the question's "last year" or "on Monday"."""

    phrase: str
    start: date
    end: date

    def holds(self, day: date) -> bool:
        """Whether a story dated `day` falls in the period."""
        return self.start <= day <= self.end


def question_period(question: str, today: date) -> Period | None:
    """The period a relative date in the question points at, read against `today` (dateparser for the parsing)."""
    match = _PERIOD.search(question.lower())
    if match is None:
        return None
    phrase = match.group(0)
    anchor = _parse_relative(phrase.removeprefix("on ").removeprefix("in ").removeprefix("during ").removeprefix("since "), today)
    if anchor is None:
        return None
    if match.group("unit") == "year" or match.group("ago_unit") == "years":
        return Period(phrase, date(anchor.year, 1, 1), date(anchor.year, 12, 31))
    if match.group("unit") == "month" or match.group("month") or match.group("ago_unit") == "months":
        first = anchor.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Period(phrase, first, following - timedelta(days=1) + timedelta(days=REPORTING_DAYS))
    if match.group("unit") == "week" or match.group("ago_unit") == "weeks":
        monday = anchor - timedelta(days=anchor.weekday())
        return Period(phrase, monday, monday + timedelta(days=6 + REPORTING_DAYS))
    return Period(phrase, anchor, anchor + timedelta(days=REPORTING_DAYS))


def _parse_relative(phrase: str, today: date) -> date | None:
    from datetime import datetime

    import dateparser

    parsed = dateparser.parse(
        phrase,
        languages=["en"],
        settings={"RELATIVE_BASE": datetime(today.year, today.month, today.day), "PREFER_DATES_FROM": "past"},
    )
    return parsed.date() if parsed else None


@dataclass
class Question:
    """A question as the evidence picker reads it."""

    text: str
    expected: Expected
    """Its wh-form and the entity labels that would answer it."""
    terms: set[str]
    names: set[str]
    numbers: set[str]
    period: Period | None = None
    focus: set[str] = field(default_factory=set)
    focus_text: str = ""

    @property
    def not_names(self) -> frozenset[str]:
        """Terms of the question that name no one in particular: none (every capitalised word may be a name)."""
        return frozenset()


def without_names(question: str) -> str:
    """The question with its names taken out ("When will the Kessel Bridge reopen?" → "When will the reopen?")."""
    return " ".join(CAPITALISED.sub(lambda m: m.group(0) if is_stopword(m.group(0)) else "", question).split())


def key_terms(question: str) -> tuple[set[str], set[str]]:
    """The question's names (stemmed capitalised words) and its numbers and years."""
    numbers = {n.strip(".,") for n in re.findall(r"\d[\d,.]*", question)}
    capitalised = [w for w in CAPITALISED.findall(question) if not is_stopword(w)]
    names = {t for word in capitalised for t in terms(word)} - numbers
    return names, numbers


def analyze_question(question: str, *, today: date) -> Question:
    """Everything the picker needs to know about `question`, read once."""
    question_terms = set(terms(question))
    names, numbers = key_terms(question)
    period = question_period(question, today)
    period_terms = set(terms(period.phrase)) if period else set()
    focus = question_terms - names - numbers - period_terms
    return Question(
        text=question,
        expected=expected(question),
        terms=question_terms,
        names=names,
        numbers=numbers,
        period=period,
        focus=focus,
        focus_text=without_names(question) if names and focus else "",
    )
