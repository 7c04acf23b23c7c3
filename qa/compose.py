"""Evidence turned into the `Answer` every front door returns: the quoted sentences verbatim, each followed by its `[n]`."""

from __future__ import annotations

from qa.evidence import Evidence
from qa.models import Answer, Citation, marker
from qa.query import Query
from qa.sentences import Quote
from qa.short_answer import ShortAnswer
from qa.side_by_side import side_by_side_text

ABSTAIN_TEXT = "The indexed articles don't answer this question. The closest passages are listed as related, not as support."


def compose_answer(query: Query, evidence: Evidence, timings: dict[str, float]) -> Answer:
    """The `Answer` for `evidence`: its sentences verbatim, each followed by `[n]` (or the abstention and related passages)."""
    short = evidence.short if not evidence.abstained else None
    if short is not None and short.sentence is not None and not any(s.key == short.sentence.key for s in evidence.sentences):
        short = None  # a phrase cut from a sentence must sit inside a cited one
    clue_of = {key: evidence.clues[i] for key, i in evidence.clue_of.items()} if not evidence.abstained else {}
    citations = [_citation(n, s, short, clue_of.get(s.key)) for n, s in enumerate(evidence.sentences, start=1)]
    abstained = f"{evidence.reason} {ABSTAIN_TEXT}" if evidence.reason else ABSTAIN_TEXT
    text = abstained if evidence.abstained else " ".join(f"{c.quote} {marker(c.n)}" for c in citations)
    side = evidence.side_by_side
    if side is not None:
        for citation, quote in zip(citations, evidence.sentences, strict=True):
            answered = side.reference_of.get(quote.key)
            citation.reference = side.references[answered] if answered is not None and not evidence.abstained else None
        if not evidence.abstained:
            text = side_by_side_text(citations, side.unmatched)
    kind = side.kind if side is not None else "entity" if evidence.clues else "sentences"
    return Answer(
        question=query.asked,
        query=query.search_text,
        text=text,
        short=short.text if short is not None else None,
        citations=citations,
        abstained=evidence.abstained,
        confidence=evidence.confidence,
        evidence_score=round(evidence.best_score, 6),
        timings_ms=timings,
        clues=evidence.clues,
        kind=kind,
        references=side.references if side is not None else [],
        unmatched=side.unmatched if side is not None and not evidence.abstained else [],
    )


def _citation(n: int, quote: Quote, short: ShortAnswer | None, clue: str | None) -> Citation:
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
