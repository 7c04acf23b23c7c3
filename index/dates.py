"""Dates of stories, read one way everywhere (index time, question time, filters).

`story_date` is lenient: an article's date as its outlet wrote it, ISO first, then anything
dateparser reads. (A date a user types for a filter is read strictly, by `qa.filters.filter_date`.)
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

NO_DATE = 0
"""`date_ordinal` stored for an article whose date is missing or unreadable (real ordinals start at 1)."""


@lru_cache(maxsize=4096)
def story_date(text: str) -> date | None:
    """A story's date as written in its metadata (ISO first, then anything dateparser reads); None if unreadable."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        import dateparser

        parsed = dateparser.parse(text, languages=["en"])
        return parsed.date() if parsed else None


def date_ordinal(text: str) -> int:
    """The story's date as a number Chroma can compare (`date.toordinal()`), or `NO_DATE`."""
    day = story_date(text)
    return day.toordinal() if day else NO_DATE
