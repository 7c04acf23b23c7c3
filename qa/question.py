"""Read a question before any sentence is scored: what it expects, its names, numbers, focus and period.

"When will the Kessel Bridge reopen?" reads as: form `when`, expecting DATE or TIME (`qa.kinds`);
names {kessel, bridg} (they choose the story); focus {reopen} (it chooses the sentence); no
numbers; no period. "Who won the marathon last year?" asked on 2026-03-01 also carries the period
2025-01-01 to 2026-03-01, in which the story about it is dated (`Period`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from index.lexical import is_stopword, terms
from index.lexicon import CAPITALISED, MONTH_PATTERN, MONTHS, WEEKDAY_PATTERN, WEEKDAYS
from qa.kinds import (
    HOW_BIG,
    HOW_LONG,
    HOW_MANY,
    HOW_MUCH,
    KIND_NOUNS,
    NOUN_KIND,
    OTHER,
    PERSON,
    WHAT_SHARE,
    WHEN,
    WHERE,
    WHO,
    Expected,
    nouns_pattern,
)

_WHICH_NOUN = re.compile(
    r"\b(?i:which|what|whose|in which|in what) "
    r"(?:(?!(?i:is|was|are|were|do|does|did|has|have|had|will|would|can|could|the|this|that|these|its|his|her|their|of|in|on|at|to)\b)"
    rf"[\w'’-]+ ){{0,4}}?(?P<noun>{nouns_pattern(tuple(KIND_NOUNS))})\b"
)
""""Which" and its noun, up to four words on ("which 33-year-old boxing superstar", "in which French city"), the nearest
kind noun (`qa.kinds.KIND_NOUNS`) written in lower case (so "Which European Council president" asks for a president), with
no verb, article or preposition between them ("which bank warned this week" asks for a bank, not a week)."""
# First match wins; each pattern is anchored on words, with no nested repetition (linear time on any input).
_AMOUNTS: tuple[tuple[re.Pattern[str], Expected], ...] = (
    (re.compile(r"\bhow many (?:years|months|weeks|days|hours|minutes)\b"), HOW_LONG),
    (re.compile(r"\bhow much\b|\bwhat (?:price|sum|amount)\b"), HOW_MUCH),
    (re.compile(r"\bwhat (?:percentage|percent|share|proportion|fraction|rate)\b|\bby how much\b"), WHAT_SHARE),
    (re.compile(r"\bhow many\b|\bwhat (?:number|total)\b|\bnumber of\b"), HOW_MANY),
    (re.compile(r"\bhow (?:long|old)\b"), HOW_LONG),
    (re.compile(r"\bhow (?:far|big|large|high|tall|deep|fast|heavy|wide|low|strong|hot|cold|warm|severe|loud|steep)\b"), HOW_BIG),
    (re.compile(r"\bwhen\b|\bwhat time\b"), WHEN),
    (re.compile(r"\bwhere\b"), WHERE),
)
_OTHERS: tuple[tuple[re.Pattern[str], Expected], ...] = (
    (re.compile(rf"\bname of the (?:{nouns_pattern((PERSON,))})\b"), WHO),
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


_RELATIVE = re.compile(
    r"(?<=[\w,])(?<!\band)(?<!\bor)(?<!\bbut)(?<!\bof)(?<!\bto)(?<!\bby)(?<!\bfor)(?<!\bwith)(?<!\bfrom)(?<!\bin)(?<!\bon)(?<!\bat)"
    r" (?:who|whom|whose|when|where|why)\b",
    re.IGNORECASE,
)
"""A "who", "when" or "where" right after a word or a comma opens a relative clause ("Lucas Goeller, the boy who needs a
transplant", "scolded him when he took the stand"): it does not say what the question asks; after a preposition or a
conjunction ("of whom", "and where") it still asks."""


def expected(question: str) -> Expected:
    """The question's wh-form and the entity labels that would answer it (`qa.kinds`); relative clauses say nothing of it.

    An amount ("how many"), "when" and "where" first; then "which" and its noun (a kind noun: "which company" expects an
    organisation, "which app" any name); then "who", "why" and the bare forms; then a keyword query's noun ("winner").
    """
    text = _RELATIVE.sub(" that", " ".join(question.split()))
    lowered = text.lower()
    found = next((kind for pattern, kind in _AMOUNTS if pattern.search(lowered)), None)
    if found is not None:
        return found
    which = _WHICH_NOUN.search(text)
    if which is not None:
        return NOUN_KIND[which.group("noun")].expects or Expected("which")
    return next((kind for pattern, kind in _OTHERS if pattern.search(lowered)), OTHER)


_PERIOD = re.compile(
    rf"\b(?:(?P<which>this|last|past|previous) (?P<unit>year|month|week)|(?P<day>yesterday|today)|"
    rf"(?:(?:this|last|past|the) (?:past )?|at the |over the )(?P<weekend>weekend)|"
    rf"(?:on|last|this) (?P<weekday>{WEEKDAY_PATTERN})|(?P<possessive>{WEEKDAY_PATTERN})['’]s|"
    rf"(?:in|during|since|last|this) (?P<month>{MONTH_PATTERN})(?! \d)|"
    rf"(?P<count>\d{{1,3}}) (?P<ago_unit>days|weeks|months|years) ago|(?P<recent>recently|lately|in recent (?:days|weeks)))\b"
)
RECENT_DAYS = 30
"""What "recently" and "lately" reach back to: a month of news."""


@dataclass(frozen=True)
class Period:
    """When the question's "this week", "last year" or "on Monday" says its story happened, as a reader means it.

    An event is reported from the day it happens, so a story about it is dated from `start` (the
    first day the phrase can mean) to the day of the question (`end`): "this week" asked on a
    Thursday is the seven days up to that Thursday, including the weekend before it, not the
    calendar week; "on Tuesday" is the last Tuesday up to today; "last year" is from the first of
    January of last year. A story dated a few days outside a reader's loose "this week" or "this
    month" is less likely the one meant, not ruled out (`days_outside`; `qa.features` weighs it); a
    story dated before a day the question names cannot report it.
    """

    phrase: str
    start: date
    end: date
    named_day: bool = False
    """It names a day ("on Tuesday", "yesterday", "three days ago"): a story dated before that day cannot report it, so no
    margin before `start` (`qa.features`)."""

    def holds(self, day: date) -> bool:
        """Whether a story dated `day` falls in the period."""
        return self.start <= day <= self.end

    def days_outside(self, day: date) -> int:
        """How many days before `start` or after `end` a story dated `day` is (0 inside the period)."""
        return max((self.start - day).days, (day - self.end).days, 0)


def question_period(question: str, today: date) -> Period | None:
    """The period a relative date in the question points at, read against `today` (see `Period`)."""
    match = _PERIOD.search(question.lower())
    if match is None:
        return None
    start = _period_start(match, today)
    named_day = bool(match.group("weekday") or match.group("possessive") or match.group("day") or match.group("ago_unit") == "days")
    return Period(match.group(0), min(start, today), today, named_day)


def _period_start(match: re.Match[str], today: date) -> date:
    """The first day the matched phrase can mean, asked on `today`."""
    unit, which = match.group("unit"), match.group("which")
    if unit == "year":
        return today - timedelta(days=365) if which == "past" else date(today.year - (which in ("last", "previous")), 1, 1)
    if unit == "month":
        if which == "past":
            return today - timedelta(days=30)
        first = today.replace(day=1)
        return (first - timedelta(days=1)).replace(day=1) if which in ("last", "previous") else first
    if unit == "week":
        return today - timedelta(days=14 if which in ("last", "previous") else 7)
    if match.group("weekend"):
        saturday = today - timedelta(days=(today.weekday() - 5) % 7)
        return saturday - timedelta(days=1)  # Friday night's games are the weekend's news too
    weekday = match.group("weekday") or match.group("possessive")
    if weekday:
        back = (today.weekday() - WEEKDAYS.index(weekday)) % 7
        return today - timedelta(days=back or 7)  # "on Friday" asked on a Friday means the Friday before
    if match.group("month"):
        month = MONTHS.index(match.group("month")) + 1
        return date(today.year - (month > today.month), month, 1)
    if match.group("count"):
        days = {"days": 1, "weeks": 7, "months": 30, "years": 365}[match.group("ago_unit")] * int(match.group("count"))
        return today - timedelta(days=days)
    if match.group("recent"):
        return today - timedelta(days=RECENT_DAYS)
    return today - timedelta(days=match.group("day") == "yesterday")


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
