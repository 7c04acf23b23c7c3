"""`ask()`, the front door, and `Pipeline`, the facade over the open model, the store and the answerers.

A question travels as one typed value: `Pipeline.ask` reads it into a `qa.query.Query` once, and
the chain (LCEL, built from typed steps) takes it through

    route (`qa.answerers.route`: the first answerer that reads it as its kind)
    → retrieve (that answerer's retrieval)
    → answer (its evidence; when a kind's answerer abstains, the sentence answerer's, if it answers)
    → finish (the rules every answer follows, then `qa.compose.compose_answer`).

The rules every answer follows, whichever answerer picked its evidence: a question naming someone
or something no indexed article holds (`qa.names`), or naming as its source an outlet that is not
indexed ("a Wall Street Journal article", `qa.outlets`), is abstained on (a comparison instead says which
of its references no indexed article matches, and answers the rest); the answer reports the filters
searched with, the user's and the question's own; each citation lists the other copies of its story.
With a language model configured, `ChatAnswerer` phrases the extractive answer and checks each
sentence (`qa.generate`).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, Unpack

from langchain_core.runnables import Runnable, RunnableLambda

from index import ChunkStore, Embedder, NewsqaError, NoIndexError
from index.catalog import Catalog, CatalogEntry
from index.words import WordVectors
from qa.answerers import Answered, Answerer, Found, Routed, answer_or_fall_back, retrieve, route
from qa.compare_answerer import CompareAnswerer
from qa.compose import compose_answer
from qa.entity_answerer import EntityAnswerer
from qa.evidence import EvidencePicker
from qa.models import Answer, Copy
from qa.names import unknown_names
from qa.query import FilterArgs, Query, read_query
from qa.retriever import HybridRetriever
from qa.sentence_answerer import SentenceAnswerer
from qa.settings import Settings
from qa.timeline_answerer import TimelineAnswerer

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from qa.generate import ChatAnswerer, Draft

log = logging.getLogger("newsqa")


class Pipeline:
    """An open embedding model and store, the answerers that use them, and the chain that takes a question through them."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        store: ChunkStore | None = None,
        chat_model: BaseChatModel | None = None,
    ) -> None:
        """Open the model and the store (or share the given ones); `chat_model`: a ready model for `settings.llm` (else loaded on first use)."""
        self.settings = settings
        self.embedder = embedder or Embedder(settings.embedding_model, batch_size=settings.embedding_batch_size)
        self.store = store or ChunkStore(settings)
        self.words = WordVectors.beside(settings, lambda: self.embedder)
        """Word vectors for the answerer's alignment, from the word file the writer keeps beside the store (`index.words`)."""
        self.retriever = HybridRetriever(store=self.store, embedder=self.embedder, k=settings.retrieval.k, settings=settings.retrieval)
        self.picker = EvidencePicker(self.embedder, settings.answer, self.store.get_chunks, self.words)
        self.entity_answerer = EntityAnswerer(
            self.embedder, self.store, self.retriever, settings.entity_answer, candidates=settings.retrieval.candidates
        )
        self.sentence_answerer = SentenceAnswerer(self.embedder, self.words, self.retriever, self.picker)
        self.compare_answerer = CompareAnswerer(
            self.embedder, self.store, self.retriever, settings.compare, typo_similarity=settings.answer.name_typo_similarity
        )
        self.timeline_answerer = TimelineAnswerer(self.embedder, self.retriever, settings.compare)
        self.answerers: list[Answerer[Any, Any]] = [
            self.compare_answerer,
            self.timeline_answerer,
            self.entity_answerer,
            self.sentence_answerer,
        ]
        """The answerers, most specific first; the last takes every question (`qa.answerers.route`)."""
        self.chain = self.build_chain()
        self._catalog: Catalog | None = None
        self._catalog_lock = threading.Lock()
        self.store.on_change(self.warm_up)  # a sync through this store (an upload, `serve --watch`) reads ahead for us
        self.answerer: ChatAnswerer | None = None
        if settings.llm.model or chat_model is not None:  # only then: the extractive path loads no model or provider package
            from qa.claims import ClaimChecker
            from qa.generate import ChatAnswerer

            checker = ClaimChecker(self.embedder, self.words, settings.claims)
            self.answerer = ChatAnswerer(settings, checker, chat_model)

    def catalog(self, revision: str | None = None) -> list[CatalogEntry]:
        """Every indexed article (id, title, date, outlet, url, chunks, story), read again only when the index changed.

        `revision`: the store's revision, when the caller has just read it.
        """
        return self._read_catalog(revision).entries

    def _read_catalog(self, revision: str | None) -> Catalog:
        """The catalog at `revision`, read again only when the index changed."""
        revision = revision or self.store.revision
        with self._catalog_lock:
            if self._catalog is None or self._catalog.revision != revision:
                self._catalog = Catalog.read(self.store, revision)
            return self._catalog

    def warm_up(self) -> None:
        """Read what questions need besides the store (BM25, saved beside it by the sync, and the article
        catalog) for the store as it is now, so the next question does not wait for them: called after
        each sync through this pipeline's store (`ChunkStore.on_change`). An optimisation: a failure is
        logged, and the next question reads them."""
        try:
            revision = self.store.revision
            self.retriever.lexical_index(revision)
            self._read_catalog(revision)
        except (NewsqaError, OSError) as error:
            log.warning("could not read the index ahead of the next question (%s); it will be read then", error)

    def outlets(self, revision: str | None = None) -> list[str]:
        """The indexed outlets, as their articles name them, sorted case-insensitively (`revision`: the store's, when just read)."""
        return self._read_catalog(revision).outlets()

    def copies_of(self, article_id: str, revision: str | None = None) -> list[Copy]:
        """The other indexed copies of the story an article belongs to, earliest first (`revision`: the store's, when just read)."""
        others = self._read_catalog(revision).copies_of(article_id)
        return [Copy(article_id=e.id, title=e.title, source=e.source, date=e.date) for e in others]

    def build_chain(self) -> Runnable[Query, Answer]:
        """LCEL from the typed steps: `Query` → `Routed` → `Found` → `Answered` → `Answer` (see the module docstring)."""
        return RunnableLambda(self._route) | RunnableLambda(retrieve) | RunnableLambda(self._answer) | RunnableLambda(self._finish)

    def _route(self, query: Query) -> Routed[Any, Any]:
        return route(query, self.answerers, started=time.perf_counter())

    def _answer(self, found: Found[Any, Any]) -> Answered[Any, Any]:
        return answer_or_fall_back(found, self.sentence_answerer)

    def _finish(self, answered: Answered[Any, Any]) -> Answer:
        """The rules every answer follows (see the module docstring), then the `Answer`."""
        found, evidence = answered.found, answered.evidence
        query = found.routed.query
        if not evidence.abstained and query.named.unindexed and evidence.side_by_side is None:  # a comparison says it per reference
            evidence = evidence.not_indexed(f"No article from {' or '.join(query.named.unindexed)} is indexed.")
        elif not evidence.abstained and self._names_not_indexed(query, found):
            evidence = evidence.not_indexed()
        answer = compose_answer(query, evidence, {"retrieve": round(found.ms, 2)})
        soft = found.retrieved.soft
        answer.filters = query.applied.model_copy(update={"named_sources": soft.named_sources, "named_period": soft.named_period})
        listed = self.settings.answer.max_copies_listed
        for citation in answer.citations:
            copies = self.copies_of(citation.article_id, query.revision)
            citation.also_in, citation.more_copies = copies[:listed], max(0, len(copies) - listed)
        answer.timings_ms["answer"] = round((time.perf_counter() - answered.started) * 1000, 2)
        return answer

    def _names_not_indexed(self, query: Query, found: Found[Any, Any]) -> list[str]:
        """The names of the question (its outlets aside) that no indexed chunk holds (`qa.names`), BM25 looking them up."""
        return unknown_names(
            query.named.about,
            self.retriever.term_weights,
            found.retrieved.texts,
            lambda phrase: [hit.chunk for hit in self.retriever.lexical_hits(phrase, k=3, revision=query.revision)],
            ignore=found.routed.reading.not_names,
            typo_similarity=self.settings.answer.name_typo_similarity,
        )

    def read_query(
        self, question: str, *, history: Iterable[Any] | None = None, today: date | None = None, **filters: Unpack[FilterArgs]
    ) -> Query:
        """The question read once, against the store as it is now (`qa.query.read_query`); `NoIndexError` before anything is indexed.

        `today` is the day relative dates in the question are read against ("last year"); it defaults
        to `settings.today`, else the current date.
        """
        revision = self.store.revision  # read once: the BM25 side and the catalog follow it
        if self.store.count_in(revision) == 0:
            raise NoIndexError()
        return read_query(
            question,
            history=history,
            today=today or self.settings.today or date.today(),
            revision=revision,
            outlets=self.outlets(revision),
            max_chars=self.settings.max_question_chars,
            max_turns=self.settings.limits.max_history_turns,
            **filters,
        )

    def ask(
        self, question: str, *, history: Iterable[Any] | None = None, today: date | None = None, **filters: Unpack[FilterArgs]
    ) -> Answer:
        """Answer one question (with the conversation so far, for follow-ups), searching only the articles the filters let through.

        `since`/`until` and `sources` are checked by `qa.filters.resolve_filters`. With a language model
        configured, it writes the answer from the evidence and every sentence is checked (`ask_stream`);
        else the answer quotes the evidence.
        """
        started = time.perf_counter()
        query = self.read_query(question, history=history, today=today, **filters)
        if self.answerer is None:
            return self._extractive(query, started)
        *_, last = self._drafts(query, started)
        return last.answer

    def ask_stream(
        self, question: str, *, history: Iterable[Any] | None = None, today: date | None = None, **filters: Unpack[FilterArgs]
    ) -> Iterator[Draft]:
        """Like `ask`, as drafts: with a language model, one each time a sentence of its answer has been checked; the last is done.

        Without a model, one done draft holding the extractive answer. Errors in the question or
        filters raise before the first draft, as in `ask`.
        """
        started = time.perf_counter()
        query = self.read_query(question, history=history, today=today, **filters)
        yield from self._drafts(query, started)

    def _extractive(self, query: Query, started: float) -> Answer:
        """The answer made of the evidence's own sentences; `started`: when the question arrived (for the total time)."""
        answer = self.chain.invoke(query)
        answer.timings_ms["total"] = round((time.perf_counter() - started) * 1000, 2)
        return answer

    def _drafts(self, query: Query, started: float) -> Iterator[Draft]:
        """The extractive answer, phrased by the language model when one is configured, as drafts (`qa.generate`)."""
        from qa.generate import Draft

        answer = self._extractive(query, started)
        if self.answerer is None:
            yield Draft(answer, done=True)
            return
        for draft in self.answerer.stream(answer, question=query.question, earlier=query.history):
            if draft.done:
                draft.answer.timings_ms["total"] = round((time.perf_counter() - started) * 1000, 2)
            yield draft


_pipelines: dict[str, Pipeline] = {}
_lock = threading.Lock()


def get_pipeline(settings: Settings | None = None) -> Pipeline:
    """The open pipeline for these settings, created on first use and kept (nothing reloads when warm)."""
    settings = settings or Settings()
    # the JSON masks secrets: their hash keeps pipelines with other keys apart (in memory only, never logged)
    key = settings.model_dump_json() + hashlib.sha256("\n".join(settings.secret_values()).encode()).hexdigest()
    with _lock:
        pipeline = _pipelines.get(key)
        if pipeline is None:
            shared = next((p for p in _pipelines.values() if p.settings.store_key() == settings.store_key()), None)
            pipeline = Pipeline(settings, embedder=shared.embedder if shared else None, store=shared.store if shared else None)
            _pipelines[key] = pipeline
        return pipeline


def ask(
    question: str,
    *,
    history: Iterable[Any] | None = None,
    settings: Settings | None = None,
    since: date | str | None = None,
    until: date | str | None = None,
    sources: list[str] | None = None,
) -> Answer:
    """Answer a question from the indexed articles, with verbatim, offset-checked citations.

    With a language model configured (`NEWSQA_LLM`, `settings.llm.model`) it phrases the answer from
    the evidence, and only sentences the cited quotes support are kept (`Answer.generated`,
    `Answer.claims`); if it fails or nothing survives, the answer quotes the evidence and
    `Answer.notice` says why.

    Args:
        question: The question, 1 to `settings.max_question_chars` characters.
        history: Earlier questions of the conversation (strings, (question, answer) pairs or chat
            messages), so a follow-up like "What about Healey?" is understood.
        settings: Where the index is and how to answer; `Settings()` (and `NEWSQA_*`) by default.
        since: Search only articles dated on or after this day (a `date` or `YYYY-MM-DD`); undated articles are then left out.
        until: Search only articles dated on or before this day.
        sources: Search only articles from these outlets (case-insensitive); each must be indexed.

    Raises:
        BadQuestionError: The question is empty or too long, a date is not `YYYY-MM-DD`, `since` is after
            `until`, or an outlet has no indexed article (a `ValueError`; the message names the indexed outlets).
        NoIndexError: Nothing is indexed yet; run `newsqa index`.
    """
    return get_pipeline(settings).ask(question, history=history, since=since, until=until, sources=sources)
