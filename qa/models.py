"""The typed answer every front door returns: text, citations, abstention, confidence, timings."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

LIKELY = 0.7
"""Answers at this calibrated confidence or above are shown as likely right."""
UNCERTAIN = 0.4
"""Below this they are shown as unlikely; in between, uncertain."""


def confidence_words(confidence: float) -> str:
    """`likely`, `uncertain` or `unlikely`, for a calibrated confidence."""
    return "likely" if confidence >= LIKELY else "uncertain" if confidence >= UNCERTAIN else "unlikely"


class Citation(BaseModel):
    """One quoted sentence, checkable word for word against its article."""

    n: int = Field(description="The marker number, as in `[n]` in the answer text.")
    article_id: str = Field(description="Id of the cited article.")
    title: str = Field(description="Title of the cited article.")
    date: str = Field("", description="Publication date, if known.")
    source: str = Field("", description="Publisher, if known.")
    url: str = Field("", description="Link to the article, if known.")
    chunk_id: str = Field(description="Id of the stored chunk the sentence came from.")
    quote: str = Field(description="The sentence, verbatim: `article.text[start:end] == quote`.")
    start: int = Field(description="Offset of the quote in the article text.")
    end: int = Field(description="Offset just past the quote in the article text.")
    score: float = Field(description="How well the sentence answers the question (higher is better).")
    role: Literal["answer", "context", "related"] = Field(
        "answer",
        description="`answer`: supports the answer; `context`: needed to read it (who 'he' is, who spoke); `related`: closest passage of an abstained answer, not support.",
    )
    answer_start: int | None = Field(
        None,
        description="Where the short answer starts in the article text, when this citation holds it (`text[answer_start:answer_end] == Answer.short`).",
    )
    answer_end: int | None = Field(None, description="Offset just past the short answer in the article text.")
    passage: str = Field("", description="The chunk around the quote, for showing it in context.")
    passage_start: int = Field(0, description="Offset of the passage in the article text.")


class Answer(BaseModel):
    """What `ask()` returns, and what the CLI and the chat page show."""

    question: str = Field(description="The question as asked.")
    query: str = Field(description="The question as searched: a follow-up carries the subject of the conversation.")
    text: str = Field(description="The answer: the articles' sentences, each followed by its `[n]` marker; or the abstention message.")
    short: str | None = Field(
        None, description="The phrase that answers a typed question ('Dana Whitfield', 'April', '3.2 million pounds'); None when unsure."
    )
    citations: list[Citation] = Field(default_factory=list, description="The cited sentences, in marker order.")
    abstained: bool = Field(False, description="True when the articles do not answer the question.")
    confidence: float = Field(
        0.0, ge=0.0, le=1.0, description="Calibrated chance that the answer is right: of answers given confidence c, about c are right."
    )
    timings_ms: dict[str, float] = Field(default_factory=dict, description="Milliseconds spent in retrieve, answer and total.")

    @property
    def confidence_words(self) -> str:
        """The confidence as a reader would say it: likely, uncertain or unlikely."""
        return confidence_words(self.confidence)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return self.model_dump(mode="json")
