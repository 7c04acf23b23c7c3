"""Dates of stories and of date filters, read one way everywhere (index time, question time, filters).

`story_date` is lenient (an article's date as its outlet wrote it: ISO first, then anything
dateparser reads); `filter_date` is strict (a date a user typed for `since`/`until` must be ISO,
so "01/02/2025" is never silently read as January or February).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from index.errors import BadQuestionError

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
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


def filter_date(value: date | str | None, *, name: str) -> date | None:
    """A `since`/`until` bound: a `date` or an ISO `YYYY-MM-DD` string; anything else is a `BadQuestionError`."""
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
