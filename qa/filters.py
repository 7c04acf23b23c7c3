"""Turn the filters a user gave (dates as typed, outlet names in any case) into a `ChunkFilter`, or say what to fix."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from index.errors import BadQuestionError
from index.filters import ChunkFilter, source_key
from qa.models import AppliedFilters
from qa.outlets import NamedSources

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def filter_date(value: date | str | None, *, name: str) -> date | None:
    """A `since`/`until` bound: a `date` or an ISO `YYYY-MM-DD` string; anything else is a `BadQuestionError`.

    Strict where `index.dates.story_date` is lenient: a date a user typed must be ISO, so "01/02/2025"
    is never silently read as January or February.
    """
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        if not _ISO_DAY.fullmatch(text):  # date.fromisoformat also takes 20250101 and 2025-W01-1, which the docs never promise
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadQuestionError(f"{name} {text!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-01-31.") from None


def resolve_filters(
    since: date | str | None, until: date | str | None, sources: Sequence[str] | str | None, *, outlets: list[str]
) -> tuple[ChunkFilter, AppliedFilters]:
    """The `ChunkFilter` for these bounds and outlets, and how the answer reports it; `BadQuestionError` says what to fix.

    Args:
        since: Earliest article date, a `date` or `YYYY-MM-DD` (inclusive); None or "" for no bound.
        until: Latest article date, likewise.
        sources: Outlet names, matched case-insensitively; None or empty for every outlet.
        outlets: The indexed outlets (`index.catalog.Catalog.outlets`), against which `sources` are checked.
    """
    first, last = filter_date(since, name="since"), filter_date(until, name="until")
    if first is not None and last is not None and first > last:
        raise BadQuestionError(f"since {first.isoformat()} is after until {last.isoformat()}: swap them, or widen the range.")
    names = [sources] if isinstance(sources, str) else [s for s in (sources or []) if s and s.strip()]
    keys: frozenset[str] | None = None
    shown: list[str] = []
    if names:
        indexed = {source_key(name): name for name in outlets}
        unknown = [name for name in names if source_key(name) not in indexed]
        if unknown:
            listed = ", ".join(indexed.values()) or "none (no article names its outlet)"
            missing = ", ".join(repr(name.strip()) for name in unknown)
            raise BadQuestionError(f"no articles from {missing}; indexed outlets: {listed}.")
        keys = frozenset(source_key(name) for name in names)
        shown = [indexed[key] for key in sorted(keys)]
    applied = AppliedFilters(since=first.isoformat() if first else None, until=last.isoformat() if last else None, sources=shown)
    return ChunkFilter(since=first, until=last, sources=keys), applied


def soft_filters(named: NamedSources, hard: ChunkFilter | None) -> tuple[list[ChunkFilter], AppliedFilters]:
    """The filters the outlets and publication period a question names make, each within the user's own (`hard`), and how
    the answer reports them. They are searched besides the user's filter, never instead: a soft filter ranks, it does not rule out.
    """
    hard = hard or ChunkFilter()
    soft: list[ChunkFilter] = []
    named_outlets = [o for o in named.outlets if hard.sources is None or source_key(o) in hard.sources]
    if named_outlets:
        soft.append(ChunkFilter(since=hard.since, until=hard.until, sources=frozenset(source_key(o) for o in named_outlets)))
    period = None
    if named.published is not None:
        first, last = named.published
        since = max(first, hard.since) if hard.since else first
        until = min(last, hard.until) if hard.until else last
        if since <= until:
            soft.append(ChunkFilter(since=since, until=until, sources=hard.sources))
            period = f"{first.isoformat()} to {last.isoformat()}" if first != last else f"on {first.isoformat()}"
    return soft, AppliedFilters(named_sources=named_outlets, named_period=period)
