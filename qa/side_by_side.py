"""Answers that set dated quotes side by side: a comparison's articles, a timeline's coverage.

Both answerers that answer this way (`qa.compare_answerer.CompareAnswerer`,
`qa.timeline_answerer.TimelineAnswerer`) pick one sentence per article and hand `dated_evidence` the
picks; it orders them by their articles' dates (undated last, then in the order given), so that the
answer's `[1]` is the earliest, and records which reference each quote answers and what was not
found. `qa.compose.compose_answer` writes the text: one line per quote, labelled with its outlet and
date (`side_by_side_text`), then one line per reference no article matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from index.dates import story_date
from qa.models import Citation, by_article, marker

if TYPE_CHECKING:
    from qa.sentences import Quote


@dataclass(frozen=True)
class SideBySide:
    """How an answer's quotes stand side by side: its kind, the references they answer, what was not found."""

    kind: Literal["comparison", "timeline"]
    references: list[str] = field(default_factory=list)
    """The articles the question refers to, described, in its order (a timeline has none)."""
    reference_of: dict[tuple[str, int], int] = field(default_factory=dict)
    """Sentence key → the reference it answers (its index in `references`)."""
    unmatched: list[str] = field(default_factory=list)
    """One sentence per reference no indexed article matched ("No article from Polygon on ... is indexed.")."""


@dataclass(frozen=True)
class Pick:
    """One article's quote in a side-by-side answer, and the reference it answers (None for a timeline's)."""

    quote: Quote
    reference: int | None = None


def in_date_order(picks: Sequence[Pick]) -> list[Pick]:
    """`picks` ordered by their articles' publication dates, earliest first (undated ones last), an article's sentences
    together and in their order in it; articles of the same day (or undated) in the order given."""
    first: dict[str, int] = {}
    for position, pick in enumerate(picks):
        first.setdefault(pick.quote.sentence.article_id, position)

    def when(pick: Pick) -> tuple[bool, int, int, int]:
        sentence = pick.quote.sentence
        day = story_date(sentence.chunk.date)
        return (day is None, day.toordinal() if day else 0, first[sentence.article_id], sentence.start)

    return sorted(picks, key=when)


def dated_evidence(
    kind: Literal["comparison", "timeline"], picks: Sequence[Pick], *, references: Sequence[str] = (), unmatched: Sequence[str] = ()
) -> tuple[list[Quote], SideBySide]:
    """The quotes of `picks` in date order, and how they stand side by side."""
    ordered = in_date_order(picks)
    reference_of = {pick.quote.key: pick.reference for pick in ordered if pick.reference is not None}
    return [pick.quote for pick in ordered], SideBySide(kind, list(references), reference_of, list(unmatched))


def not_found(outlet: str, topic: str) -> str:
    """What a comparison says for a reference no indexed article matches: "No article from Polygon on ... is indexed."."""
    about = f" on {topic}" if topic else ""
    return f"No article from {outlet}{about} is indexed."


def side_by_side_text(citations: Sequence[Citation], unmatched: Sequence[str]) -> str:
    """The answer text: one line per article, "Outlet, date: sentence [n] ...", earliest first; then what was not found."""
    lines = [f"{group[0].dated_label}: " + " ".join(f"{c.quote} {marker(c.n)}" for c in group) for group in by_article(citations)]
    return "\n".join([*lines, *unmatched])
