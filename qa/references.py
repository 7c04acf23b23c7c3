"""Read a question that sets articles side by side: which articles it refers to, and what it compares them on.

"Between the TechCrunch report on Meta's moderation bias problem published on October 19, 2023, and
the TechCrunch report on Meta's compliance with COPPA published on November 27, 2023, was there a
change ...?" refers to two articles. Each reference (`ArticleReference`) is read from where the
question names an indexed outlet (`qa.outlets.outlet_mentions`, quoted or not, as `the X article`,
`X's report`, `reports by X`, `according to X` say it):

- its **outlet**, and the **topic** words around it: those after it ("the X report on ...", "X
  suggests that ..."), or those before it when it is the agent of a reporting verb ("... was
  reported by X"); outlets named together ("'The Verge' and 'Engadget' articles both suggest")
  share their topic;
- its **date or period**, when the words after it give one: "published on October 7, 2023" (that
  day), "before October 22" (until that day), "after November 16" (from that day: a question dates
  its articles by their days, so "the report after October 4" may be October 4's), "on the same
  date" (the day of the reference before it); a day without a year is in the year the question's
  other dates give, else the latest such day by `Query.today`;
- one outlet may stand for several articles: "the articles from Sporting News", one reference per
  date it is given ("as reported by X after October 4 and before November 1"), per step of a
  change ("changed from A to B"), "the same source", "a subsequent report", "another article".

What the references are compared on (`ComparisonQuestion.claim`) is the question without its
outlets and reporting words (`qa.outlets.NamedSources.about`). A question is read this way only when
it asks yes or no ("Does ...", "Between ..., was there ...") or which of its articles did something,
and refers to two articles or more; a question asking for an entity or a fact ("Which company,
reported by X and Y, ...") is not. A question asking how the coverage of something developed
("How has the coverage of X changed since October?", "What has been reported about X, in order?")
is read as a timeline (`TimelineQuestion`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from index.lexical import is_stopword, term_set, terms
from index.lexicon import MONTH_PATTERN, MONTHS
from qa.outlets import NamedSources, OutletMention, outlet_mentions

_AUXILIARY = r"(?:does|did|do|is|was|were|are|has|have|had|can|could|would|will|should)"
_POLAR = re.compile(rf"^\W*{_AUXILIARY}\b", re.IGNORECASE)
"""A yes-or-no question: it starts with an auxiliary verb ("Did the Fortune report ...?")."""
_LEAD = re.compile(r"^\W*(?:between|after|before|regarding|considering|following|given|in\s+light\s+of)\b", re.IGNORECASE)
_CLAUSE_START = re.compile(
    rf",['\x22”’]?\s*(?:(?P<polar>{_AUXILIARY})|(?P<wh>who|whom|whose|which|what|where|when|why|how))\b", re.IGNORECASE
)
"""After a leading clause ("Between the report ... and the report ..., was there a change ...?"), the first clause that
starts with an auxiliary verb or a question word is the question: yes or no, or asking for something."""
_WHICH_OF_THEM = re.compile(r"\bwhich\s+(?:news\s+)?(?:source|outlet|publication|report|article)s?\b", re.IGNORECASE)
"""A question that asks which of its articles did something ("..., which news source reported ...?")."""
_ASKS_FOR_SOMETHING = re.compile(r"^\W*(?:who|whom|whose|which|what|where|when|why|how)\b", re.IGNORECASE)

_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"(?P<iso>\b\d{{4}}-\d{{2}}-\d{{2}})(?:T[\d:+.-]+)?"
    rf"|\b(?P<month>{MONTH_PATTERN})\s+(?P<day>{_DAY})\b(?:,?\s+(?P<year>\d{{4}}))?"
    rf"|\b(?P<day2>{_DAY})\s+(?P<month2>{MONTH_PATTERN})\b(?:,?\s+(?P<year2>\d{{4}}))?",
    re.IGNORECASE,
)
"""A day as questions write it: "October 7, 2023", "October 13th", "7 October 2023", "2023-10-04T20:07:42+00:00"."""
_BEFORE = re.compile(r"\b(?:before|prior\s+to|until|earlier\s+than)\s+(?:the\s+)?$", re.IGNORECASE)
_AFTER = re.compile(r"\b(?:after|since|following|later\s+than)\s+(?:the\s+)?$", re.IGNORECASE)
_TIME_OF_DAY = re.compile(r"\b(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?\b", re.IGNORECASE)

_AGENT_BEFORE = re.compile(
    r"\b(?:reported|discussed|featured|described|highlighted|mentioned|covered|detailed|noted|published|stated|claimed|"
    r"according|suggested|indicated|portrayed|written|posted|released)(?:\s+\w+)?\s+(?:by|in|on|to)\s+(?:both\s+)?['‘\"“]?\s*$",
    re.IGNORECASE,
)
"""An outlet that is the agent of a reporting verb ("... was reported by X", "discussed in X"): its topic is before it."""
_TOGETHER = re.compile(r"^\s*['’‘\"”“]?\s*(?:,|and|&|or|, and|/)\s*['’‘\"”“]?\s*$", re.IGNORECASE)
"""Nothing but "and" or a comma between two outlets: they are named together and share their topic."""
_PLURAL_AFTER = re.compile(r"^\s*['’\"”]?\s*(?:articles|reports|pieces|stories)\b", re.IGNORECASE)
_PLURAL_BEFORE = re.compile(
    r"\b(?:both\s+)?(?:the\s+)?(?:two\s+)?(?:articles|reports|pieces|stories)\s+(?:from|by|in)\s+['‘\"“]?\s*$", re.IGNORECASE
)
"""An outlet standing for two of its articles: "the articles from Sporting News", "'Sporting News' articles"."""
_SAME_SOURCE = re.compile(
    r"\b(?:the\s+)?same\s+(?:news\s+)?(?:source|publication|outlet|publisher)\b"
    r"|\b(?:a|an|the)\s+(?:subsequent|later|following|other|second|another)\s+(?:\w+\s+)?(?:article|report|piece|story|review)\b"
    r"|\banother\s+(?:article|report|piece|story)\b",
    re.IGNORECASE,
)
"""An article the question refers to without naming its outlet again: the outlet named last."""
_FROM_TO = re.compile(
    r"\bfrom\s+(?P<first>.+?)\s+to\s+(?P<second>.+?)(?:,?\s+(?:and\s+)?(?:finally\s+)?to\s+(?P<third>.+?))?(?=\?|$)", re.IGNORECASE
)
"""The steps of a change ("changed from addressing A to concerns about B"): one article each."""
_CHANGE = re.compile(
    r"\b(?:chang\w*|shift\w*|remain\w*|consisten\w*|inconsisten\w*|differ\w*|same|agree\w*|disagree\w*|contrast\w*|similar\w*|"
    r"before|after|earlier|later|subsequent\w*|both|while|compared|whereas|align\w*|discrepanc\w*)\b",
    re.IGNORECASE,
)
"""Words that say articles are being compared, for a question that names one outlet only."""
_REPORTING_WORDS = re.compile(
    r"\b(?:(?:was|were|is|are|been|being|as)\s+)?(?:published|posted|dated|reported|discussed|featured|covered|highlighted|mentioned|"
    r"described|detailed)(?:\s+(?:on|at|in|by|later|earlier|shortly\s+after))*\b",
    re.IGNORECASE,
)
"""Words that only say an article was published or reported, wherever they stand in a topic."""
_FILLER = frozenset(
    re.findall(
        r"\w+",
        "the a an article articles report reports piece pieces story stories review published posted dated on in at by from about "
        "regarding concerning that and or both of to s was were is are has have had does did do then later there before after same date day",
    )
)
"""Words that only connect a reference to its topic ("the ... report published on ... about"): trimmed off a topic's ends."""
_TIMELINE = re.compile(
    r"^\W*(?:how\s+(?:has|have|did)\s+(?:the\s+)?(?:coverage|reporting|news|story|stories)\s+(?:of|on|about)\s+(?P<a>.+?)\s+"
    r"(?:changed|developed|evolved|unfolded)(?P<since>\s+(?:since|after|from)\s+.+?)?"
    r"|what\s+(?:has|have)\s+(?:been\s+)?(?:reported|written|said)\s+(?:about|on)\s+(?P<b>.+?),?\s+in\s+(?:date\s+|chronological\s+)?order"
    r"|(?:give\s+me\s+|show\s+me\s+)?(?:a|the)\s+timeline\s+of\s+(?P<c>.+?))\W*$",
    re.IGNORECASE,
)
"""A question asking how the coverage of something developed: answered with one dated quote per article, in date order."""


@dataclass(frozen=True)
class ArticleReference:
    """One article a comparison question refers to: the outlet it names, its topic, the day or period it gives."""

    outlets: tuple[str, ...]
    """The indexed outlets the reference names (usually one; "The Independent" names each of its sections)."""
    written: str
    """The outlet as the question writes it."""
    topic: str
    """The words of the question that say what this article is about ("Meta's moderation bias problem")."""
    published: tuple[date, date] | None = None
    """The day or period the question gives for it (inclusive), if any."""

    @property
    def outlet(self) -> str:
        """The outlet as the answer names it: the indexed outlet, or how the question wrote it when it names several."""
        return self.outlets[0] if len(self.outlets) == 1 else self.written

    @property
    def indexed(self) -> bool:
        """Whether the outlet it names is indexed (an article from one that is not cannot be found)."""
        return bool(self.outlets)

    def describe(self) -> str:
        """The reference in words: "the TechCrunch article on Meta's moderation bias problem (2023-10-19)"."""
        when = ""
        if self.published is not None:
            first, last = self.published
            when = f" ({first.isoformat()})" if first == last else f" ({_period(first, last)})"
        about = f" on {self.topic}" if self.topic else ""
        outlet = self.outlet if self.outlet.lower().startswith("the ") else f"the {self.outlet}"
        return f"{outlet} article{about}{when}"


@dataclass(frozen=True)
class ComparisonQuestion:
    """A question that sets two or more articles side by side (see the module docstring)."""

    text: str
    references: list[ArticleReference]
    claim: str
    """What the articles are compared on: the question without its outlets and reporting words."""
    named: NamedSources
    not_indexed: list[str] = field(default_factory=list)
    """Outlets the question names that no indexed article comes from ("the Reuters report")."""

    @property
    def not_names(self) -> frozenset[str]:
        """Every term of the question: the question-wide check for unknown names passes them over, because each reference is
        checked on its own (`qa.compare_answerer`: a reference whose topic names what no indexed article holds, or whose outlet
        is not indexed, is said plainly, and the rest answered)."""
        return term_set(" ".join([self.claim, *self.not_indexed]))


@dataclass(frozen=True)
class TimelineQuestion:
    """A question asking how the coverage of something developed: its subject, and the period it asks about."""

    text: str
    subject: str
    since: date | None
    named: NamedSources

    @property
    def not_names(self) -> frozenset[str]:
        """No term is passed over: a subject nothing indexed names is abstained on."""
        return frozenset()


def read_timeline(question: str, named: NamedSources, *, today: date) -> TimelineQuestion | None:
    """`question` read as a timeline question, or None when it is not one."""
    found = _TIMELINE.match(question.strip())
    if found is None:
        return None
    subject = next(s for s in (found.group("a"), found.group("b"), found.group("c")) if s)
    since = None
    if found.group("since"):
        days = list(_dates(found.group("since"), today=today))
        month = re.search(rf"\b({MONTH_PATTERN})\b(?:\s+(\d{{4}}))?", found.group("since"), re.IGNORECASE)
        if days:
            since = days[0][2]
        elif month is not None:
            number = MONTHS.index(month.group(1).lower()) + 1
            year = int(month.group(2)) if month.group(2) else today.year - (number > today.month)
            since = date(year, number, 1)
    return TimelineQuestion(text=question, subject=subject.strip(" ,'\"‘’“”"), since=since, named=named)


def read_comparison(question: str, named: NamedSources, outlets: Sequence[str], *, today: date) -> ComparisonQuestion | None:
    """`question` read as one that sets articles side by side, or None when it is not one (see the module docstring).

    Args:
        question: The question, standing alone.
        named: What it names as its sources (`Query.named`).
        outlets: The indexed outlets.
        today: The day a date without a year is read against (else the year the question's other dates give).
    """
    if not _asks_yes_or_no(question):
        return None
    mentions = outlet_mentions(question, outlets)
    if not mentions:
        return None
    unindexed = _unindexed_mentions(question, mentions)
    year = _question_year(question, today)
    references = _references(question, sorted([*mentions, *unindexed], key=lambda m: m.start), year=year, today=today)
    if len(references) < 2:
        return None
    not_indexed = [question[m.start : m.end] for m in unindexed]
    return ComparisonQuestion(text=question, references=references, claim=named.about, named=named, not_indexed=not_indexed)


_NAMED_OUTLET = r"['‘\x22“]?([A-Z][\w.&'’-]*(?:\s+(?:[A-Z][\w.&'’-]*|of|&))*)['’\x22”]?"
_UNINDEXED = re.compile(
    rf"\b(?:the|a|an)\s+{_NAMED_OUTLET}\s+(?:article|report|piece|story|review)s?\b"
    rf"|\b(?:article|report|piece|story|review)s?\s+(?:from|by|in)\s+{_NAMED_OUTLET}"
    rf"|\b(?:reported|published|covered)\s+(?:by|in)\s+{_NAMED_OUTLET}"
    rf"|\baccording\s+to\s+{_NAMED_OUTLET}"
)
"""An outlet named as one ("the Reuters report", "an article from Reuters", "according to Reuters"): one that is not
indexed still refers to an article, which the answer says is not indexed."""


def _unindexed_mentions(question: str, indexed: list[OutletMention]) -> list[OutletMention]:
    """Where the question names, as an outlet, one that is not indexed (it names no indexed outlet there)."""
    found = []
    for match in _UNINDEXED.finditer(question):
        start, end = next((match.span(g) for g in range(1, 5) if match.group(g)), (0, 0))
        name = question[start:end]
        if start == end or any(start < m.end and end > m.start for m in indexed) or is_stopword(name.split()[0]):
            continue
        found.append(OutletMention(start, end, ()))
    return found


def _asks_yes_or_no(question: str) -> bool:
    """Whether the question asks yes or no, or which of its articles did something (never for an entity or a fact)."""
    if _WHICH_OF_THEM.search(question):
        return True
    if _ASKS_FOR_SOMETHING.match(question):
        return False
    if _POLAR.match(question):
        return True
    if not _LEAD.match(question):
        return False
    main = _CLAUSE_START.search(question)
    return main is not None and main.group("polar") is not None


def _references(question: str, mentions: list[OutletMention], *, year: int | None, today: date) -> list[ArticleReference]:
    """The articles the question refers to, in the order it names them (see the module docstring)."""
    groups: list[list[OutletMention]] = []
    for mention in mentions:
        if groups and _TOGETHER.match(question[groups[-1][-1].end : mention.start]):
            groups[-1].append(mention)
        else:
            groups.append([mention])
    references: list[ArticleReference] = []
    borrowed: set[int] = set()
    """References whose own words say nothing, their topic borrowed from the words before them ("... (The Verge/TechCrunch)")."""
    for g, group in enumerate(groups):
        previous_end = groups[g - 1][-1].end if g else 0
        next_start = groups[g + 1][0].start if g + 1 < len(groups) else len(question)
        before, after = question[previous_end : group[0].start], question[group[-1].end : next_start]
        agent = bool(_AGENT_BEFORE.search(before))
        own, other = (_last_clauses(before), after) if agent else (after, _last_clauses(before))
        weak = len(_topic_terms(own)) < _MIN_TOPIC_TERMS
        if weak:  # "... mentioned in the 'TechCrunch' article?": what it is about is on the other side
            own, other = other, own
        plural = len(group) == 1 and bool(_PLURAL_AFTER.match(after) or _PLURAL_BEFORE.search(before))
        for mention in group:
            written = question[mention.start : mention.end]
            made = _expand(mention.outlets, written, own, after, year=year, today=today, plural=plural)
            if references and _SAME_DAY.search(after):  # "the Engadget review published on the same date"
                made = [r if r.published else replace(r, published=references[-1].published) for r in made]
            if weak and not _DATE.search(after):
                borrowed.update(range(len(references), len(references) + len(made)))
            references += made
        extra = _SAME_SOURCE.search(after)
        if extra is not None and len(group) == 1 and not agent:  # "the same source", "a subsequent report": its outlet again
            rest = after[extra.end() :]
            references.append(ArticleReference(group[0].outlets, question[group[0].start : group[0].end], _topic(rest)))
    kept = [
        r
        for i, r in enumerate(references)
        if i not in borrowed or not any(o.outlets == r.outlets for j, o in enumerate(references) if j != i)
    ]
    if len(kept) == 1 and _CHANGE.search(question):
        only = kept[0]
        kept.append(ArticleReference(only.outlets, only.written, only.topic))
    return kept


_SAME_DAY = re.compile(r"\bsame\s+(?:date|day)\b", re.IGNORECASE)
"""An article dated by the one named before it ("published on the same date")."""
_MIN_TOPIC_TERMS = 2
"""A reference's own words with fewer content terms than this ("the 'TechCrunch' article") do not say what it is about."""
_MIN_STEP_TERMS = 3
"""The words between two dates say what the article of one of them is about only with this many content terms."""
_CLAUSE = re.compile(
    r",|;|\bwhile\b|\bwhereas\b|\bcompared\s+(?:to|with)\b|\bsimilar(?:ly)?\s+to\b|\bin\s+contrast\s+to\b|\bunlike\b|\bas\s+does\b"
    r"|\b(?:both\s+)?(?:agree|disagree)\b|\bboth\s+(?:report|suggest|mention|discuss|imply|indicate)\w*",
    re.IGNORECASE,
)
_TOPIC_AFTER_DATE = re.compile(
    r"^\W*(?:that|concerning|regarding|about|on|alleging|claiming|stating|saying|suggesting|detailing|discussing|highlighting|"
    r"emphasi[sz]ing|advising|predicting|citing|describing|reporting|involving|reported|published|announced|revealed)\b",
    re.IGNORECASE,
)
"""A date followed by what the article said ("reported on October 31, 2023, that Google paid ..."): its topic is after it."""


def _topic_terms(text: str) -> list[str]:
    """The content terms of a reference's words, dates and connecting words aside."""
    return terms(_topic(text))


def _last_clauses(text: str) -> str:
    """The end of `text` that says what an outlet named after it reported: its last clauses, back to enough content terms."""
    pieces = _CLAUSE.split(text)
    kept = ""
    for piece in reversed(pieces):
        kept = f"{piece} {kept}"
        if len(_topic_terms(kept)) >= 3:
            break
    return kept


def _expand(
    outlets: tuple[str, ...], written: str, own: str, dated_text: str, *, year: int | None, today: date, plural: bool
) -> list[ArticleReference]:
    """The references one outlet mention stands for: one per step of a change it is given ("changed from A to B"), one per
    date ("published on October 1 and on December 5"), two for "the articles from X", else one.

    `own`: the words that say what it is about; `dated_text`: the words after it, up to the next outlet named.
    """
    changing = re.search(r"\bchang|\bshift|\bmov|\bevolv", dated_text, re.IGNORECASE)
    steps = _FROM_TO.search(dated_text) if changing else None
    if steps is not None:
        parts = [steps.group(name) for name in ("first", "second", "third") if steps.group(name)]
        return [ArticleReference(outlets, written, _topic(part)) for part in parts]
    dated = list(_DATE.finditer(dated_text))
    days = _dates(dated_text, year=year, today=today)
    if len(days) >= 2:
        references = []
        for i, (match, (_, kind, day)) in enumerate(zip(dated, days, strict=False)):
            before = dated_text[dated[i - 1].end() if i else 0 : match.start()]
            after = dated_text[match.end() : dated[i + 1].start() if i + 1 < len(dated) else len(dated_text)]
            words = after if _TOPIC_AFTER_DATE.match(after) or len(_topic_terms(before)) < _MIN_STEP_TERMS else before
            topic = _topic(_first_clauses(words)) if len(_topic_terms(words)) >= _MIN_STEP_TERMS else _topic(_first_clauses(own))
            references.append(ArticleReference(outlets, written, topic, _period_for(kind, day)))
        return references
    published = _period_for(days[0][1], days[0][2]) if days else None
    topic = _topic(_first_clauses(own))
    return [ArticleReference(outlets, written, topic, published) for _ in range(2 if plural else 1)]


def _first_clauses(text: str) -> str:
    """The start of `text` that says what one article is about: its first clauses, up to enough content terms."""
    kept = ""
    for piece in _CLAUSE.split(_DATE.sub(" ", text)):
        kept = f"{kept} {piece}"
        if len(_topic_terms(kept)) >= 3:
            break
    return kept


def _period_for(kind: str, day: date) -> tuple[date, date]:
    """The publication period a date gives: that day, until it, or from it. The day itself is in: "the report after
    October 4" may be that day's own, as questions date articles by their days (and the period only ranks, never rules out)."""
    if kind == "before":
        return date.min, day
    if kind == "after":
        return day, date.max
    return day, day


def _period(first: date, last: date) -> str:
    """A period in words: "before 2023-10-22", "after 2023-11-16"."""
    if first == date.min:
        return f"until {last.isoformat()}"
    if last == date.max:
        return f"from {first.isoformat()}"
    return f"{first.isoformat()} to {last.isoformat()}"


def _dates(text: str, *, year: int | None = None, today: date) -> list[tuple[str, str, date]]:
    """The days `text` names, each with how it bounds a publication: `on`, `before` or `after`."""
    found = []
    for match in _DATE.finditer(text):
        day = _day(match, year=year, today=today)
        if day is None:
            continue
        lead = text[: match.start()]
        kind = "before" if _BEFORE.search(lead) else "after" if _AFTER.search(lead) else "on"
        found.append((match.group(0), kind, day))
    return found


def _day(match: re.Match[str], *, year: int | None, today: date) -> date | None:
    """The date a `_DATE` match names; a day without a year is in the question's year (else the last such day by `today`)."""
    try:
        if match.group("iso"):
            return date.fromisoformat(match.group("iso"))
        month_name = match.group("month") or match.group("month2")
        day_text = match.group("day") or match.group("day2")
        written_year = match.group("year") or match.group("year2")
        month, day = MONTHS.index(month_name.lower()) + 1, int(re.sub(r"\D", "", day_text))
        if written_year:
            return date(int(written_year), month, day)
        if year is not None:
            return date(year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate <= today else date(today.year - 1, month, day)
    except ValueError:
        return None


def _question_year(question: str, today: date) -> int | None:
    """The year the question's dates are written with, if any of them has one."""
    for match in _DATE.finditer(question):
        day = _day(match, year=None, today=today)
        if day is not None and (match.group("iso") or match.group("year") or match.group("year2")):
            return day.year
    return None


def _topic(words: str) -> str:
    """A reference's topic: its words without dates, times, quotes and the connecting words at either end."""
    text = _DATE.sub(" ", words)
    text = _TIME_OF_DAY.sub(" ", text)
    text = re.sub(r"['‘’\"“”()]", " ", text)
    text = re.sub(r"(?<=\w)\s+s\b", "'s", text)  # "Meta ' s" after quotes were dropped
    text = _REPORTING_WORDS.sub(" ", text)
    pieces = text.replace(",", " , ").split()
    while pieces and (pieces[0].lower() in _FILLER or pieces[0] == ","):
        pieces.pop(0)
    while pieces and (pieces[-1].lower() in _FILLER or pieces[-1] == "," or not terms(pieces[-1])):
        pieces.pop()
    return " ".join(pieces).replace(" , ", ", ").strip(" ,?")
