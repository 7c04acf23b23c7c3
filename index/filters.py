"""Which chunks a question may search: a date range and a set of outlets, as one predicate.

The same `ChunkFilter` is handed to Chroma as a `where` clause (the dense side) and tested on
each chunk in memory (the BM25 side), so both rankings see exactly the same chunks before they
are fused. Dates are compared as `date_ordinal` integers stored at index time; an article with
no readable date has `NO_DATE` (0) and so fails any date bound.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from index.dates import NO_DATE

LATEST_ORDINAL = date.max.toordinal()


def source_key(source: str) -> str:
    """An outlet name as compared by filters: Unicode-normalised (NFC), case and spacing folded ("  The  Guardian" → "the guardian",
    "Su\u0308ddeutsche" → "süddeutsche", as macOS spells file and folder names)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", " ".join(source.split())).casefold())


@dataclass(frozen=True)
class ChunkFilter:
    """Articles dated `since`..`until` (inclusive) from one of `sources` (outlet keys); None means no bound."""

    since: date | None = None
    until: date | None = None
    sources: frozenset[str] | None = None

    @property
    def dated(self) -> bool:
        """Whether a date bound is set (then articles without a date are left out)."""
        return self.since is not None or self.until is not None

    @property
    def empty(self) -> bool:
        """Whether nothing is filtered."""
        return not self.dated and self.sources is None

    def bounds(self) -> tuple[int, int]:
        """The lowest and highest date ordinal admitted (an undated article, ordinal 0, is below any bound)."""
        low = self.since.toordinal() if self.since else NO_DATE + 1
        high = self.until.toordinal() if self.until else LATEST_ORDINAL
        return low, high

    def where(self) -> dict[str, Any] | None:
        """The Chroma `where` clause for this filter, or None when nothing is filtered."""
        clauses: list[dict[str, Any]] = []
        if self.dated:
            low, high = self.bounds()
            clauses += [{"date_ordinal": {"$gte": low}}, {"date_ordinal": {"$lte": high}}]
        if self.sources is not None:
            clauses.append({"source_key": {"$in": sorted(self.sources)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, day_ordinal: int, outlet_key: str) -> bool:
        """Whether an article dated `day_ordinal` from outlet `outlet_key` passes (the in-memory twin of `where`)."""
        if self.dated:
            low, high = self.bounds()
            if not low <= day_ordinal <= high:
                return False
        return self.sources is None or outlet_key in self.sources
