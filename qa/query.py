"""A question on its way through newsqa: one typed value, read once, that every step receives.

`Pipeline.ask()` reads the question, the conversation, the day and the user's filters into a
`Query` once (`read_query`); the router hands it to the answerer that takes the question, and the
rules that hold for every answer read it again afterwards. Nothing downstream parses the question,
the filters or the catalog a second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, TypedDict, Unpack

from index.errors import BadQuestionError
from index.filters import ChunkFilter
from index.formats import as_text
from qa.filters import resolve_filters, soft_filters
from qa.followup import previous_questions, standalone_question
from qa.models import AppliedFilters
from qa.outlets import NamedSources, read_named_sources


class FilterArgs(TypedDict, total=False):
    """The filters a user may set on a question, as keyword arguments of `ask()` (see `qa.filters.resolve_filters`)."""

    since: date | str | None
    """Search only articles dated on or after this day (a `date` or `YYYY-MM-DD`)."""
    until: date | str | None
    """Search only articles dated on or before this day."""
    sources: Sequence[str] | str | None
    """Search only articles from these outlets (case-insensitive); each must be indexed."""


def check_question(question: str, *, max_chars: int) -> str:
    """The question stripped (a lone surrogate, which no model can read, as U+FFFD), or `BadQuestionError` saying what to change."""
    if not isinstance(question, str) or not question.strip():
        raise BadQuestionError("The question is empty: type a question about the articles.")
    question = as_text(question)
    if len(question) > max_chars:
        raise BadQuestionError(f"The question is {len(question):,} characters long; keep it under {max_chars:,}.")
    return question


@dataclass(frozen=True)
class Query:
    """One question with everything it is asked with: the conversation, the day, the filters, the index revision."""

    asked: str
    """The question as the user typed it (checked by `check_question`)."""
    question: str
    """The question standing alone: a follow-up ("What about Healey?") rewritten with the conversation's subject."""
    search_text: str
    """What the sentence answerer searches with: the standalone question, with the question it follows for a bare "he"."""
    history: tuple[str, ...]
    """The user's earlier questions, oldest first."""
    today: date
    """The day relative dates ("last year", "this week") are read against."""
    filters: ChunkFilter | None
    """The user's own filters (dates, outlets): they rule articles out; None when every article may be searched."""
    applied: AppliedFilters
    """How the answer reports the user's filters."""
    revision: str
    """The store's revision when the question was read: the BM25 side and the catalog follow it."""
    outlets: tuple[str, ...]
    """The indexed outlets at that revision, as their articles name them."""

    @cached_property
    def named(self) -> NamedSources:
        """The outlets and publication period the question itself names, and what it is about without them (`qa.outlets`)."""
        return read_named_sources(self.question, self.outlets)

    @cached_property
    def soft_filters(self) -> tuple[list[ChunkFilter], AppliedFilters]:
        """The filters the outlets and period the question names make, within the user's own, and how an answer reports
        them: searched first by an answerer that uses them, never ruling an article out (`qa.filters.soft_filters`)."""
        return soft_filters(self.named, self.filters)


def read_query(
    question: str,
    *,
    history: Iterable[Any] | None,
    today: date,
    revision: str,
    outlets: Sequence[str],
    max_chars: int,
    max_turns: int,
    **filters: Unpack[FilterArgs],
) -> Query:
    """The question, the conversation and the user's filters read once into a `Query`; `BadQuestionError` says what to fix.

    Args:
        question: The question as typed.
        history: Earlier questions of the conversation (strings, (question, answer) pairs or chat messages).
        today: The day relative dates are read against.
        revision: The store's revision, read once for the whole question.
        outlets: The indexed outlets at that revision.
        max_chars: The longest question accepted.
        max_turns: How many earlier questions a follow-up is read against.
        **filters: `since`, `until`, `sources` (`FilterArgs`).
    """
    asked = check_question(question, max_chars=max_chars)
    sources = filters.get("sources")
    chunk_filter, applied = resolve_filters(filters.get("since"), filters.get("until"), sources, outlets=list(outlets) if sources else [])
    earlier = tuple(previous_questions(history))
    standalone, search_text = standalone_question(asked, earlier, max_turns=max_turns)
    return Query(
        asked=asked,
        question=standalone,
        search_text=search_text,
        history=earlier,
        today=today,
        filters=None if chunk_filter.empty else chunk_filter,
        applied=applied,
        revision=revision,
        outlets=tuple(outlets),
    )
