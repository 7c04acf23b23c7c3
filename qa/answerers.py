"""Answerers: one per kind of question, behind one protocol, and the router that picks one for a `Query`.

An answerer reads the query in its own terms (`read`: None when the question is not of its kind),
retrieves what it needs for that reading (`retrieve`) and picks the evidence (`answer`):

- `qa.entity_answerer.EntityAnswerer`: a descriptive question ("Which company, reported by X and Y,
  did A and also B?"), answered with the entity its clues agree on across articles;
- `qa.sentence_answerer.SentenceAnswerer`: every other question, answered with the best sentences.

`route` asks them in turn, most specific first; the sentence answerer takes every question, so one
always answers. When a specific answerer abstains ("Which company ..." whose clues agree on no
entity), the sentence answerer tries the question too, and its answer stands if it does not abstain
(`answer_or_fall_back`). The rules that hold for every answer (a name no indexed article holds means
abstaining, the filters applied, copies of the cited stories, confidence words) run once, after
whichever answered (`qa.pipeline`). A new kind of question is a new class with these three methods,
put before the sentence answerer in `Pipeline.answerers`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from qa.evidence import Evidence
from qa.models import AppliedFilters
from qa.query import Query
from qa.retriever import Hit


class Reading(Protocol):
    """A question as one answerer reads it."""

    @property
    def not_names(self) -> frozenset[str]:
        """Stemmed terms of the question that name no one in particular ("company" in "Which company ..."): the check for
        names no indexed article holds passes them over."""
        ...


@dataclass(frozen=True)
class Retrieved:
    """What an answerer retrieved for a question: the chunks (each with its best rank), and the soft filters searched with."""

    hits: list[Hit]
    """The retrieved chunks, each with the best rank it got in any of the answerer's searches."""
    soft: AppliedFilters = field(default_factory=AppliedFilters)
    """The outlets and period the question names, when the answerer searched them first (`Query.soft_filters`)."""

    @property
    def texts(self) -> list[str]:
        """The retrieved chunks' texts."""
        return [hit.chunk.text for hit in self.hits]


R = TypeVar("R", bound=Reading)
F = TypeVar("F", bound=Retrieved)


class Answerer(Protocol[R, F]):
    """Answers one kind of question: reads it, retrieves for it, picks the evidence."""

    def read(self, query: Query) -> R | None:
        """The question as this answerer reads it, or None when it is not of its kind."""
        ...

    def retrieve(self, query: Query, reading: R) -> F:
        """The chunks this answerer needs for the question, within the user's filters."""
        ...

    def answer(self, query: Query, reading: R, retrieved: F) -> Evidence:
        """The evidence for the question among what was retrieved: sentences to quote, or an abstention."""
        ...


@dataclass(frozen=True)
class Routed(Generic[R, F]):
    """A query, the answerer that takes it, and the question as that answerer read it."""

    query: Query
    answerer: Answerer[R, F]
    reading: R
    started: float
    """When the question started on its way (`time.perf_counter()`), for the retrieval's timing."""


def route(query: Query, answerers: list[Answerer[Any, Any]], *, started: float) -> Routed[Any, Any]:
    """The first of `answerers` that reads `query` as its kind, with its reading (the last must take every question)."""
    for answerer in answerers:
        reading = answerer.read(query)
        if reading is not None:
            return Routed(query, answerer, reading, started)
    raise ValueError("no answerer took the question: the last of them must take every question")


@dataclass(frozen=True)
class Found(Generic[R, F]):
    """A routed question and what its answerer retrieved for it."""

    routed: Routed[R, F]
    retrieved: F
    ms: float
    """Milliseconds spent reading the question and retrieving."""


@dataclass(frozen=True)
class Answered(Generic[R, F]):
    """A routed question, what was retrieved for it, and the evidence its answerer picked."""

    found: Found[R, F]
    evidence: Evidence
    started: float
    """When the answerer started picking (`time.perf_counter()`), for the answer's timing."""


def retrieve(routed: Routed[R, F]) -> Found[R, F]:
    """What the routed answerer retrieves for its reading of the question."""
    retrieved = routed.answerer.retrieve(routed.query, routed.reading)
    return Found(routed, retrieved, (time.perf_counter() - routed.started) * 1000)


def answer_or_fall_back(found: Found[Any, Any], general: Answerer[Any, Any]) -> Answered[Any, Any]:
    """The evidence the routed answerer picks; when it abstains, `general`'s (the answerer that takes every question), if that
    one answers."""
    started = time.perf_counter()
    routed = found.routed
    evidence = routed.answerer.answer(routed.query, routed.reading, found.retrieved)
    if evidence.abstained and routed.answerer is not general:
        retried = retrieve(Routed(routed.query, general, general.read(routed.query), routed.started))
        fallback = general.answer(routed.query, retried.routed.reading, retried.retrieved)
        if not fallback.abstained:
            return Answered(retried, fallback, started)
    return Answered(found, evidence, started)
