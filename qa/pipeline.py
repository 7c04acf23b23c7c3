"""The question-answering chain (retriever → evidence picker, in LCEL) and `ask()`, the front door."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.runnables import Runnable, RunnableLambda

from index import ChunkStore, Embedder, NewsqaError, NoIndexError, Settings
from index.catalog import Catalog, CatalogEntry
from index.errors import BadQuestionError
from index.filters import ChunkFilter
from index.formats import as_text
from index.records import StoredChunk
from index.words import WordVectors, words_of
from qa.candidates import EntityAnswerer
from qa.clues import DescriptiveQuestion, read_descriptive, without_outlets
from qa.decision import ABSTAINED_CONFIDENCE
from qa.evidence import Evidence, EvidencePicker
from qa.filters import resolve_filters, soft_filters
from qa.followup import previous_questions, standalone_question
from qa.models import Answer, AppliedFilters, Citation, Copy
from qa.names import unknown_names
from qa.question import analyze_question
from qa.retriever import HybridRetriever
from qa.sentences import Quote
from qa.short_answer import ShortAnswer

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from qa.generate import ChatAnswerer, Draft

log = logging.getLogger("newsqa")

ABSTAIN_TEXT = "The indexed articles don't answer this question. The closest passages are listed as related, not as support."


def check_question(question: str, settings: Settings) -> str:
    """The question stripped (a lone surrogate, which no model can read, as U+FFFD), or `BadQuestionError` saying what to change."""
    if not isinstance(question, str) or not question.strip():
        raise BadQuestionError("The question is empty: type a question about the articles.")
    question = as_text(question)
    if len(question) > settings.max_question_chars:
        raise BadQuestionError(f"The question is {len(question):,} characters long; keep it under {settings.max_question_chars:,}.")
    return question


def _citation(n: int, quote: Quote, short: ShortAnswer | None, clue: str | None = None) -> Citation:
    sentence, chunk = quote.sentence, quote.sentence.chunk
    holds_short = short is not None and short.sentence is not None and short.sentence.key == sentence.key
    return Citation(
        n=n,
        article_id=chunk.article_id,
        title=chunk.title,
        date=chunk.date,
        source=chunk.source,
        url=chunk.url,
        chunk_id=chunk.id,
        quote=sentence.text,
        start=sentence.start,
        end=sentence.end,
        score=round(quote.score, 4),
        role=quote.role,
        answer_start=short.start if short is not None and holds_short else None,
        answer_end=short.end if short is not None and holds_short else None,
        passage=chunk.text,
        passage_start=chunk.start,
        clue=clue,
    )


def compose_answer(question: str, query: str, evidence: Evidence, timings: dict[str, float]) -> Answer:
    """Turn picked evidence into an `Answer`: the sentences verbatim, each followed by `[n]`."""
    short = evidence.short if not evidence.abstained else None
    if short is not None and short.sentence is not None and not any(s.key == short.sentence.key for s in evidence.sentences):
        short = None  # a phrase cut from a sentence must sit inside a cited one
    clue_of = {key: evidence.clues[i] for key, i in evidence.clue_of.items()} if not evidence.abstained else {}
    citations = [_citation(n, s, short, clue_of.get(s.key)) for n, s in enumerate(evidence.sentences, start=1)]
    text = ABSTAIN_TEXT if evidence.abstained else " ".join(f"{c.quote} [{c.n}]" for c in citations)
    return Answer(
        question=question,
        query=query,
        text=text,
        short=short.text if short is not None else None,
        citations=citations,
        abstained=evidence.abstained,
        confidence=evidence.confidence,
        evidence_score=round(evidence.best_score, 6),
        timings_ms=timings,
        clues=evidence.clues,
    )


def _not_indexed(evidence: Evidence) -> Evidence:
    """An abstention instead of `evidence`: the question names someone or something no indexed article holds
    (`qa.names`), so the sentences found are only related."""
    return Evidence(
        sentences=[Quote(quote.sentence, "related", quote.score) for quote in evidence.sentences],
        abstained=True,
        confidence=round(min(evidence.confidence, ABSTAINED_CONFIDENCE), 4),
        best_score=evidence.best_score,
    )


class Pipeline:
    """An open embedding model and store, and the chain that answers with them."""

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
        self.entity_answerer = EntityAnswerer(self.embedder, settings.entity_answer)
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

    def resolve_filters(
        self, since: date | str | None = None, until: date | str | None = None, sources: Sequence[str] | str | None = None
    ) -> tuple[ChunkFilter, AppliedFilters]:
        """Check the filters against this index (`qa.filters.resolve_filters`)."""
        return resolve_filters(since, until, sources, outlets=self.outlets() if sources else [])

    def copies_of(self, citation: Citation, revision: str | None = None) -> list[Copy]:
        """The other indexed copies of the story `citation` quotes, earliest first (`revision`: the store's, when just read)."""
        others = self._read_catalog(revision).copies_of(citation.article_id)
        return [Copy(article_id=e.id, title=e.title, source=e.source, date=e.date) for e in others]

    def build_chain(self) -> Runnable[dict[str, Any], Answer]:
        """LCEL: {question, query} → read the question, retrieve on `query` → pick evidence for it → `Answer`.

        A descriptive question ("Which company, reported by X and Y, did A and also B?", `qa.clues`) is
        retrieved for each of its clues and answered with the entity they agree on (`qa.candidates`);
        any other with the best sentences (`qa.evidence`).
        """

        def timed_retrieve(inputs: dict[str, Any]) -> dict[str, Any]:
            started = time.perf_counter()
            outlets = self.outlets(inputs["revision"])
            descriptive = read_descriptive(inputs["question"], outlets) if inputs["question"] == inputs["query"] else None
            if descriptive is not None:
                return {**self._retrieve_for_clues(descriptive, inputs), "ms": (time.perf_counter() - started) * 1000}
            question = analyze_question(inputs["question"], today=inputs["today"])
            # one forward pass for every text of the question and its words the store has not met, so nothing encodes alone later
            texts = list(dict.fromkeys(t for t in (inputs["query"], question.text, question.focus_text) if t))
            unknown = [w for w in self.words.unknown(words_of(question.text)) if w not in texts]
            _, word_vectors = self.embedder.encode_questions(texts, words=unknown)
            self.words.remember(unknown, word_vectors)
            hits = self.retriever.retrieve(inputs["query"], chunk_filter=inputs["filter"], revision=inputs["revision"])
            return {"hits": hits, "question": question, "ms": (time.perf_counter() - started) * 1000}

        def answer(inputs: dict[str, Any]) -> Answer:
            started = time.perf_counter()
            retrieved = inputs["retrieved"]

            def names_not_indexed(text: str, chunks: Iterable[str], ignore: frozenset[str] = frozenset()) -> list[str]:
                """The names of `text` (its outlets aside) that no indexed chunk holds (`qa.names`), BM25 looking them up."""
                return unknown_names(
                    without_outlets(text, self.outlets(inputs["revision"])),
                    self.retriever.term_weights,
                    chunks,
                    lambda phrase: [
                        hit.chunk for hit in self.retriever.search([phrase], k=3, revision=inputs["revision"], dense_hits=[[]])[0]
                    ],
                    ignore=ignore,
                    typo_similarity=self.settings.answer.name_typo_similarity,
                )

            if "descriptive" in retrieved:
                evidence: Evidence = self.entity_answerer.answer(
                    retrieved["descriptive"],
                    retrieved["chunks"],
                    self.retriever.term_weights,
                    outlets=self.outlets(inputs["revision"]),
                    clue_vectors=retrieved["clue_vectors"],
                    names_not_indexed=names_not_indexed,
                )
            else:
                evidence = self.picker.pick(retrieved["question"], retrieved["hits"], self.retriever.term_weights)
                if not evidence.abstained and names_not_indexed(retrieved["question"].text, [hit.chunk.text for hit in retrieved["hits"]]):
                    evidence = _not_indexed(evidence)
            timings = {"retrieve": round(retrieved["ms"], 2), "answer": round((time.perf_counter() - started) * 1000, 2)}
            answer = compose_answer(inputs["asked"], inputs["query"], evidence, timings)
            answer.filters = retrieved.get("soft", AppliedFilters())
            return answer

        def keep_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
            return {**inputs, "retrieved": timed_retrieve(inputs)}  # in this thread: no executor hop per question

        return RunnableLambda(keep_inputs) | RunnableLambda(answer)

    def _retrieve_for_clues(self, descriptive: DescriptiveQuestion, inputs: dict[str, Any]) -> dict[str, Any]:
        """The chunks retrieved for all the clues together and for each clue, within the user's filters, and again within
        the outlets and period the question names (soft filters: searched first, never required), each with its best rank."""
        clues = descriptive.clues
        clue_vectors = self.embedder.encode(clues)
        texts, vectors = list(clues), list(clue_vectors)
        together = clue_vectors.mean(axis=0)
        together = together / max(float(np.linalg.norm(together)), 1e-9)
        if len(clues) > 1:  # all clues together: their words for BM25, the mean of their vectors for the dense side
            texts.insert(0, " ".join(clues))
            vectors.insert(0, together)
        texts.append(descriptive.about)  # the whole question, so the names it holds outside its clues are looked for too
        vectors.append(together)
        queries = [list(map(float, v)) for v in vectors]
        hard: ChunkFilter | None = inputs["filter"]
        soft, applied = soft_filters(descriptive, hard)
        best: dict[str, tuple[StoredChunk, int]] = {}
        depth = max(self.settings.retrieval.candidates, self.settings.entity_answer.chunks_per_clue)
        # one dense request, deep enough for the soft filters to be applied to its hits in memory
        deep = self.store.dense_search_many(queries, depth * (1 + len(soft)), chunk_filter=hard)
        for chunk_filter in [hard, *soft]:
            passing = [[(chunk, score) for chunk, score in hits if chunk.passes(chunk_filter)][:depth] for hits in deep]
            for ranked in self.retriever.search(
                texts,
                k=self.settings.entity_answer.chunks_per_clue,
                chunk_filter=chunk_filter,
                revision=inputs["revision"],
                vectors=queries,
                dense_hits=passing,
            ):
                for rank, hit in enumerate(ranked):
                    if hit.chunk.id not in best or best[hit.chunk.id][1] > rank:
                        best[hit.chunk.id] = (hit.chunk, rank)
        return {
            "descriptive": descriptive,
            "chunks": list(best.values()),
            "clue_vectors": clue_vectors,
            "soft": applied,
        }

    def ask(
        self,
        question: str,
        *,
        history: Iterable[Any] | None = None,
        today: date | None = None,
        since: date | str | None = None,
        until: date | str | None = None,
        sources: Sequence[str] | None = None,
    ) -> Answer:
        """Answer one question (with the conversation so far, for follow-ups), searching only the articles the filters let through.

        `today` is the day relative dates in the question are read against ("last year"); it
        defaults to `settings.today`, else the current date. `since`/`until` and `sources` are
        checked by `resolve_filters`. With a language model configured, it writes the answer from the
        evidence and every sentence is checked (`ask_stream`); else the answer quotes the evidence.
        """
        if self.answerer is None:
            return self._extractive(question, history=history, today=today, since=since, until=until, sources=sources)[0]
        *_, last = self.ask_stream(question, history=history, today=today, since=since, until=until, sources=sources)
        return last.answer

    def ask_stream(
        self,
        question: str,
        *,
        history: Iterable[Any] | None = None,
        today: date | None = None,
        since: date | str | None = None,
        until: date | str | None = None,
        sources: Sequence[str] | None = None,
    ) -> Iterator[Draft]:
        """Like `ask`, as drafts: with a language model, one each time a sentence of its answer has been checked; the last is done.

        Without a model, one done draft holding the extractive answer. Errors in the question or
        filters raise before the first draft, as in `ask`.
        """
        from qa.generate import Draft

        started = time.perf_counter()
        answer, standalone = self._extractive(question, history=history, today=today, since=since, until=until, sources=sources)
        if self.answerer is None:
            yield Draft(answer, done=True)
            return
        earlier = previous_questions(history)
        for draft in self.answerer.stream(answer, question=standalone, earlier=earlier):
            if draft.done:
                draft.answer.timings_ms["total"] = round((time.perf_counter() - started) * 1000, 2)
            yield draft

    def _extractive(
        self,
        question: str,
        *,
        history: Iterable[Any] | None,
        today: date | None,
        since: date | str | None,
        until: date | str | None,
        sources: Sequence[str] | None,
    ) -> tuple[Answer, str]:
        """The extractive answer, and the question as understood (a follow-up made to stand alone)."""
        started = time.perf_counter()
        asked = check_question(question, self.settings)
        revision = self.store.revision  # read once: the BM25 side and the catalog follow it
        if self.store.count_in(revision) == 0:
            raise NoIndexError()
        chunk_filter, applied = self.resolve_filters(since, until, sources)
        standalone, query = standalone_question(asked, history, max_turns=self.settings.limits.max_history_turns)
        day = today or self.settings.today or date.today()
        result = self.chain.invoke(
            {
                "asked": asked,
                "question": standalone,
                "query": query,
                "today": day,
                "filter": None if chunk_filter.empty else chunk_filter,
                "revision": revision,
            }
        )
        result.filters = applied.model_copy(
            update={"named_sources": result.filters.named_sources, "named_period": result.filters.named_period}
        )
        listed = self.settings.answer.max_copies_listed
        for citation in result.citations:
            copies = self.copies_of(citation, revision)
            citation.also_in, citation.more_copies = copies[:listed], max(0, len(copies) - listed)
        result.timings_ms["total"] = round((time.perf_counter() - started) * 1000, 2)
        return result, standalone


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
    sources: Sequence[str] | None = None,
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
