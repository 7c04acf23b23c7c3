"""What a question names as its sources: the indexed outlets it names, and the period it says they published in.

"Which company, according to articles from TechCrunch and The Verge, ...?" names TechCrunch and
The Verge (matched against the indexed outlets, quoted or not, as `according to`, `as reported by`,
`articles from both X and Y` say them); "... reported by The Verge in November 2023" also names the
publication period. What remains once the outlets and their reporting words are cut out is what
the question is about (`NamedSources.about`): the clues of a descriptive question are read from
it, and the names in it must be indexed (`qa.names`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from index.filters import source_key
from index.lexical import is_stopword
from index.lexicon import MONTH_PATTERN, MONTHS, WEEKDAYS


def _listed(words: str) -> tuple[str, ...]:
    """The comma-separated words of a word list written as one string."""
    return tuple(w.strip() for w in words.split(",") if w.strip())


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
_REPORTED_BY = re.compile(
    r"(?:,\s*)?\b(?:(?:as\s+)?(?:recently\s+)?(?:reported|covered|featured|discussed|mentioned|described|noted)\s+(?:in|by|on)"
    r"(?:\s+(?:an?|the)?\s*(?:articles?|reports?|pieces?|stories)\s+(?:from|by|in))?|according\s+to(?:\s+(?:an?|the)?\s*"
    r"(?:articles?|reports?|pieces?)\s+(?:from|by|in))?)\s+(?:both\s+)?['‘\"]?[A-Z][\w.&'’-]*(?:\s+(?:[A-Z][\w.&'’-]*|and|&|of))*['’\"]?"
)
"""A reporting phrase naming an outlet that is not indexed ("as reported by Reuters"): it says who reported, not a clue."""
_WHO_PUBLISHED = (
    r"(?:\s+(?:by|in|on|from)\s+(?:both\s+)?['‘\"]?(?-i:[A-Z][\w.&'’|-]*(?:\s+(?:[A-Z][\w.&'’|-]*|and|&|of|the|\||-)){0,8})['’\"]?)?"
)
"""An outlet between the verb and the date ("reported by The Verge in November 2023"): capitalised words, quoted or not.
Case matters inside it, so that a lower-case word is only ever a connector: no two ways to read a word, no backtracking."""
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_PUBLISHED = re.compile(
    rf"\b(?:published|posted|dated|released|reported|written|covered|(?:article|report|story|piece)s?\s+(?:from|of))"
    rf"{_WHO_PUBLISHED},?\s+(?:on|in|during|around)?\s*"
    rf"(?P<date>(?:{_DAY}\s+)?(?:{MONTH_PATTERN})\s+(?:{_DAY},?\s+)?\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NamedSources:
    """The indexed outlets a question names and the publication period it says, and what it is about without them."""

    outlets: list[str]
    """Indexed outlets the question names, as they are indexed, in the order it names them."""
    published: tuple[date, date] | None
    """The period the question says the articles were published in (inclusive), if it says one."""
    about: str
    """The question without the outlets it names and its "as reported by ...": what it is about, names included."""
    unindexed: list[str] = field(default_factory=list)
    """Sources the question names that no indexed outlet is ("a Wall Street Journal article", "according to Reuters"): what
    it says they reported is in no indexed article."""
    cites_reports: bool = False
    """The question says its facts were reported: it names an outlet, indexed or not, or says "according to X" (a person or an
    agency as often as an outlet): it asks what reports say, across articles."""


_SOURCE_NOUN = r"(?:articles?|reports?|pieces?|stor(?:y|ies)|coverage|news\s+stor(?:y|ies))"
_SOURCE_NAME = r"(?P<name>[A-Z][\w.&'’-]*(?:\s+(?:[A-Z][\w.&'’-]*|of|&|and)){0,5})"
_NAMES_A_SOURCE = (
    re.compile(rf"\b{_SOURCE_NOUN}\s+(?:from|by|in|published\s+by)\s+(?:an?\s+|the\s+)?{_SOURCE_NAME}"),
    re.compile(rf"\b(?:reported\s+by|published\s+by|covered\s+by)\s+(?:an?\s+|the\s+)?{_SOURCE_NAME}"),
    re.compile(rf"\b(?:an?|the|from|by|in)\s+{_SOURCE_NAME}(?:['’]s)?\s+(?:first\s+|second\s+|latest\s+|recent\s+)?{_SOURCE_NOUN}\b"),
)
"""Where a question names an outlet as its source: "an article from X", "reported by X", "a X report" (X: capitalised words);
"according to X" is left out, as X is as often a person or an agency as an outlet."""
_JOINS = re.compile(r"\s*(?:,|\band\b|&)\s*")
_DAYS_AND_MONTHS = frozenset(MONTHS + WEEKDAYS)


def read_named_sources(question: str, outlets: Sequence[str]) -> NamedSources:
    """What `question` names as its sources among the indexed `outlets`, what it names that is not indexed, and what it is
    about without them."""
    named, about = _mask_outlets(question, outlets)
    unindexed = _unindexed(question, outlets)
    cites = bool(named or unindexed or _REPORTED_BY.search(question))
    return NamedSources(outlets=named, published=_published(question), about=about, unindexed=unindexed, cites_reports=cites)


def _unindexed(question: str, outlets: Sequence[str]) -> list[str]:
    """The sources `question` names (`_NAMES_A_SOURCE`) that are no form of an indexed outlet, in order, once each."""
    forms = outlet_keys(outlets)
    found: list[str] = []
    for pattern in _NAMES_A_SOURCE:
        for match in pattern.finditer(question):
            for name in _JOINS.split(re.sub(r"['’]s$", "", match.group("name").strip())):
                bare = re.sub(r"^(?:[Tt]he)\s+", "", name.strip())
                if bare.lower() in _DAYS_AND_MONTHS or not bare[:1].isupper():  # "published in October 2023"
                    continue
                if not {source_key(name), source_key(bare)} & forms and name not in found:
                    found.append(name.strip())
    return found


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


@dataclass(frozen=True)
class OutletMention:
    """One place where a question names indexed outlets: its span and the outlets that form names."""

    start: int
    end: int
    outlets: tuple[str, ...]
    """The indexed outlets it names, as they are indexed (a form shared by several names them all)."""


def outlet_mentions(question: str, outlets: Sequence[str]) -> list[OutletMention]:
    """Where `question` names indexed `outlets`, in order: each form of an outlet (`outlet_forms`) found as a whole word,
    the longest first, none overlapping another.

    A form shared by several outlets ("BBC News" for "BBC News - Technology" and "BBC News - Entertainment & Arts")
    names them all.
    """
    spans: list[OutletMention] = []
    for pattern, form, exact, named_by in _outlet_index(tuple(outlets)).patterns:  # longest first
        for match in pattern.finditer(question):
            if exact and match.group(0) not in (form, form.upper()):
                continue
            if len(form.split()) == 1 and _beside_a_name(question, match.start(), match.end()):
                continue  # "Tyreek Hill" names a player, not the outlet The Hill
            if not _stands_as_outlet(question, match.start(), match.end()):
                continue  # "Which company ..." asks a question: it does not name the outlet "Which company"
            if not any(match.start() < m.end and match.end() > m.start for m in spans):
                spans.append(OutletMention(match.start(), match.end(), named_by))
    return sorted(spans, key=lambda m: m.start)


@dataclass(frozen=True)
class _OutletIndex:
    """The indexed outlets' forms, read once per set of outlets: each form's pattern (longest first) and the outlets it names,
    and the source keys of every form."""

    patterns: list[tuple[re.Pattern[str], str, bool, tuple[str, ...]]]
    """(whole-word pattern, form, whether its case matters, the outlets it names), the longest form first."""
    keys: frozenset[str]
    """`source_key` of every form and outlet."""


@lru_cache(maxsize=4)
def _outlet_index(outlets: tuple[str, ...]) -> _OutletIndex:
    """The forms of `outlets` as `outlet_mentions` and `_unindexed` look for them (the outlets change only with the index)."""
    owners: dict[tuple[str, bool], list[str]] = {}
    for outlet in outlets:
        for written in outlet_forms(outlet):
            owners.setdefault(written, []).append(outlet)
    patterns = [
        (re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.IGNORECASE), form, exact, tuple(named_by))
        for (form, exact), named_by in sorted(owners.items(), key=lambda item: -len(item[0][0]))
    ]
    keys = frozenset(source_key(form) for form, _ in owners) | {source_key(o) for o in outlets}
    return _OutletIndex(patterns, keys)


def outlet_keys(outlets: Sequence[str]) -> frozenset[str]:
    """The source key (`index.filters.source_key`) of every indexed outlet and of every form a question may name it by."""
    return _outlet_index(tuple(outlets)).keys


def _mask_outlets(question: str, outlets: Sequence[str]) -> tuple[list[str], str]:
    """The indexed outlets the question names, and the question with each of them and its "as reported by" cut out."""
    spans = [(m.start, m.end, m.outlets) for m in outlet_mentions(question, outlets)]
    named = list(dict.fromkeys(outlet for _, _, named_by in spans for outlet in named_by))
    masked = question
    for start, end, _ in sorted(spans, reverse=True):
        masked = f"{masked[:start]} {_OUTLET} {masked[end:]}"
    masked = re.sub(rf"['‘’\"]\s*{_OUTLET}\s*['‘’\"]", f" {_OUTLET} ", masked)
    masked = re.sub(rf"{_OUTLET}(?:\s*(?:,|and|, and|&)\s*{_OUTLET})+", _OUTLET, masked)
    words: list[str] = []
    for word in masked.split():
        if word == _OUTLET:
            # the reporting words right before it ("as reported by"); a comma ends them ("the World Series, according to")
            while words and not words[-1].endswith(",") and words[-1].lower() in _REPORTING:
                words.pop()
        words.append(word)
    masked = re.sub(rf"\s*{_OUTLET}\s*(?:reports?|articles?|coverage|['’]s)?", " ", " ".join(words))
    masked = _REPORTED_BY.sub(" ", masked)
    return named, " ".join(masked.split())


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
    """Whether the span is right after or before another capitalised word (part of a longer name); a capitalised stopword
    before it ("Did TechCrunch report ...", "After Polygon ...") is the start of the question, not of a name."""
    before = re.search(r"([A-Za-z][\w.'’-]*)\s+$", text[:start])
    after = re.match(r"\s+([A-Za-z][\w.'’-]*)", text[end:])
    if before is not None and is_stopword(before.group(1)):
        before = None
    return any(m is not None and m.group(1)[:1].isupper() for m in (before, after))


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
    if re.fullmatch(rf"(?i)(?:{MONTH_PATTERN})\s+\d{{4}}", text.strip()):
        following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        return day.replace(day=1), following - timedelta(days=1)
    return day, day
