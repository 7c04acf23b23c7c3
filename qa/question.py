"""Read a question before any sentence is scored: its kind, names, numbers, focus, answer type and period.

"When will the Kessel Bridge reopen?" reads as: kind `when`; names {kessel, bridg} (they choose
the story); focus {reopen} (it chooses the sentence); expected entity labels DATE or TIME; no
numbers; no period. "Who won the marathon last year?" asked on 2026-03-01 also carries the period
2025-01-01 to 2025-12-31, which the story's date must fall in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from index.lexical import is_stopword, terms

PERSON = frozenset({"PERSON"})
GROUP = frozenset({"ORG", "NORP"})
DATE = frozenset({"DATE", "TIME"})
PLACE = frozenset({"GPE", "LOC", "FAC"})
AMOUNT = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})


@dataclass(frozen=True)
class AnswerType:
    """Which entity labels answer a kind of question: `labels` fully, `also` half."""

    kind: str
    labels: frozenset[str] = frozenset()
    also: frozenset[str] = frozenset()


_GROUP_NOUN = (
    r"(?:company|companies|firm|group|organi[sz]ation|team|party|club|agency|bank|university|union|council|court|department|"
    r"ministry|body|airline|retailer|charity|network|operator|broadcaster|manufacturer|supplier|school|hospital|board)"
)
_PERSON_NOUN = (
    r"(?:judge|official|minister|player|driver|runner|rider|officer|spokes\w*|manager|coach|leader|executive|director|author|writer|"
    r"artist|singer|actor|scientist|doctor|nurse|lawyer|candidate|winner|victim|suspect|man|woman|person|councillor|chief|head|mayor)"
)
_PLACE_NOUN = r"(?:city|country|town|state|region|county|place|venue|stadium|village|nation|province|district|port|island)"
_TIME_NOUN = r"(?:year|date|day|month|time|season|week|decade|century)"
# First match wins; each pattern is anchored on words, with no nested repetition (linear time on any input).
_KINDS: tuple[tuple[re.Pattern[str], AnswerType], ...] = (
    (
        re.compile(r"\bhow many (?:years|months|weeks|days|hours|minutes)\b"),
        AnswerType("how long", DATE | frozenset({"QUANTITY"}), frozenset({"CARDINAL"})),
    ),
    (re.compile(r"\bhow much\b|\bwhat (?:price|sum|amount)\b"), AnswerType("how much", frozenset({"MONEY"}), AMOUNT)),
    (
        re.compile(r"\bwhat (?:percentage|percent|share|proportion|fraction|rate)\b|\bby how much\b"),
        AnswerType("what share", frozenset({"PERCENT"}), AMOUNT),
    ),
    (
        re.compile(r"\bhow many\b|\bwhat (?:number|total)\b|\bnumber of\b"),
        AnswerType("how many", frozenset({"CARDINAL", "QUANTITY"}), AMOUNT),
    ),
    (re.compile(r"\bhow (?:long|old)\b"), AnswerType("how long", DATE | frozenset({"QUANTITY"}), frozenset({"CARDINAL"}))),
    (
        re.compile(r"\bhow (?:far|big|large|high|tall|deep|fast|heavy|wide|low|strong|hot|cold|warm|severe|loud|steep)\b"),
        AnswerType("how big", frozenset({"QUANTITY"}), AMOUNT),
    ),
    (re.compile(rf"\bwhen\b|\b(?:what|which) {_TIME_NOUN}\b|\bwhat time\b"), AnswerType("when", DATE)),
    (re.compile(rf"\bwhere\b|\b(?:what|which|in what|in which) {_PLACE_NOUN}\b"), AnswerType("where", PLACE, frozenset({"ORG"}))),
    (re.compile(rf"\b(?:which|what|whose) {_GROUP_NOUN}\b"), AnswerType("which group", GROUP, PERSON)),
    (re.compile(rf"\b(?:which|what) {_PERSON_NOUN}\b|\bname of the {_PERSON_NOUN}\b"), AnswerType("who", PERSON, GROUP)),
    (re.compile(r"\bwho(?:m|se)?\b"), AnswerType("who", PERSON, GROUP)),
    (re.compile(r"\bwhy\b"), AnswerType("why")),
    (re.compile(r"\bwhich\b"), AnswerType("which")),
    (re.compile(r"\bwhat\b"), AnswerType("what")),
    (re.compile(r"\bhow\b"), AnswerType("how")),
    # Keyword queries ("Harbin marathon 2025 winner") say what they want with a noun.
    (
        re.compile(r"\b(?:winner|champion|ceo|chief executive|leader|mayor|coach|manager|author|spokes\w*|founder|chair\w*|head)\b"),
        AnswerType("who", PERSON, GROUP),
    ),
    (re.compile(r"\b(?:host city|location|venue|hometown|headquarters)\b"), AnswerType("where", PLACE, frozenset({"ORG"}))),
    (re.compile(r"\b(?:date|deadline|opening day|release day)\b"), AnswerType("when", DATE)),
    (
        re.compile(r"\b(?:cost|price|profit|revenue|budget|salary|fine|fee|bill|earnings|sales|loss|pay)\b"),
        AnswerType("how much", frozenset({"MONEY"}), AMOUNT),
    ),
    (re.compile(r"\b(?:turnout|percentage|inflation rate|unemployment rate)\b"), AnswerType("what share", frozenset({"PERCENT"}), AMOUNT)),
)
_OTHER = AnswerType("other")


def answer_type(question: str) -> AnswerType:
    """The kind of the question and the entity labels that would answer it."""
    lowered = " ".join(question.lower().split())
    return next((kind for pattern, kind in _KINDS if pattern.search(lowered)), _OTHER)


MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
"""The month names, as a regex alternation (lower case; match with IGNORECASE)."""
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_PERIOD = re.compile(
    rf"\b(?:(?:last|this|past|previous) (?P<unit>year|month|week)|(?P<day>yesterday|today)|"
    rf"(?:on|last|this) (?P<weekday>{_WEEKDAYS})|(?:in|during|since|last|this) (?P<month>{MONTHS})(?! \d)|"
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
    kind: AnswerType
    terms: set[str]
    names: set[str]
    numbers: set[str]
    period: Period | None = None
    focus: set[str] = field(default_factory=set)
    focus_text: str = ""


_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")


def without_names(question: str) -> str:
    """The question with its names taken out ("When will the Kessel Bridge reopen?" → "When will the reopen?")."""
    return " ".join(_CAPITALISED.sub(lambda m: m.group(0) if is_stopword(m.group(0)) else "", question).split())


def key_terms(question: str) -> tuple[set[str], set[str]]:
    """The question's names (stemmed capitalised words) and its numbers and years."""
    numbers = {n.strip(".,") for n in re.findall(r"\d[\d,.]*", question)}
    capitalised = [w for w in _CAPITALISED.findall(question) if not is_stopword(w)]
    names = {t for word in capitalised for t in terms(word)} - numbers
    return names, numbers


def analyze_question(question: str, *, today: date) -> Question:
    """Everything the picker needs to know about `question`, read once."""
    question_terms = set(terms(question))
    names, numbers = key_terms(question)
    period = question_period(question, today)
    kind = answer_type(question)
    period_terms = set(terms(period.phrase)) if period else set()
    focus = question_terms - names - numbers - period_terms
    return Question(
        text=question,
        kind=kind,
        terms=question_terms,
        names=names,
        numbers=numbers,
        period=period,
        focus=focus,
        focus_text=without_names(question) if names and focus else "",
    )
