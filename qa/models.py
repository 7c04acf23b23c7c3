"""The typed answer every front door returns: text, citations, abstention, confidence, timings."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

LIKELY = 0.7
"""Answers at this calibrated confidence or above are shown as likely right."""
UNCERTAIN = 0.4
"""Below this they are shown as unlikely; in between, uncertain."""


def confidence_words(confidence: float) -> str:
    """`likely`, `uncertain` or `unlikely`, for a calibrated confidence."""
    return "likely" if confidence >= LIKELY else "uncertain" if confidence >= UNCERTAIN else "unlikely"


def is_web_link(url: str) -> bool:
    """Whether `url` may be shown as a link (http or https only: never `javascript:` or `data:`)."""
    return url.startswith(("http://", "https://"))


class Copy(BaseModel):
    """Another outlet's copy of a cited story (the same wire story republished), listed instead of cited again."""

    article_id: str = Field(description="Id of the copy.")
    title: str = Field("", description="Its headline (outlets often rewrite it).")
    source: str = Field("", description="The outlet that published the copy, if known.")
    date: str = Field("", description="Its publication date, if known.")


class AppliedFilters(BaseModel):
    """The filters an answer was searched with; empty when every article was searched."""

    since: str | None = Field(None, description="Earliest article date searched (ISO, inclusive); None for no bound.")
    until: str | None = Field(None, description="Latest article date searched (ISO, inclusive); None for no bound.")
    sources: list[str] = Field(default_factory=list, description="Outlets searched, as indexed; empty for every outlet.")

    @property
    def any(self) -> bool:
        """Whether any filter was applied."""
        return bool(self.since or self.until or self.sources)

    def describe(self) -> str:
        """The filters in words ("dated from 2025-01-01 to 2025-12-31, from AP or Reuters"), or "" when none."""
        parts = []
        if self.since or self.until:
            dates = " ".join(
                part for part in (f"from {self.since}" if self.since else "", f"to {self.until}" if self.until else "") if part
            )
            parts.append(f"dated {dates}")
        if self.sources:
            parts.append(f"from {' or '.join(self.sources)}")
        return ", ".join(parts)


def _markdown_text(text: str) -> str:
    """Text for a Markdown line: one line, with Markdown and HTML syntax characters escaped."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", " ".join(text.split()))


def _markdown_answer(text: str) -> str:
    """The answer text for Markdown: escaped like `_markdown_text`, its `[n]` markers kept as they read."""
    return re.sub(r"\\\[(\d+)\\\]", r"[\1]", _markdown_text(text))


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
    also_in: list[Copy] = Field(
        default_factory=list, description="Other copies of the cited story (the same wire story from other outlets), not cited again."
    )
    supports: list[int] = Field(
        default_factory=list,
        description="For a generated answer: the numbers (`Claim.n`, from 1) of the answer's sentences this quote supports; empty for an extractive answer.",
    )

    def to_markdown(self) -> str:
        """The source as a Markdown list item: title (linked when it has a web url), outlet, date, the quote, its copies."""
        title = _markdown_text(self.title)
        head = f"[{title}]({self.url.replace(')', '%29').replace(' ', '%20')})" if is_web_link(self.url) else title
        meta = ", ".join(_markdown_text(part) for part in (self.source, self.date) if part)
        lines = [f"{head}{f' ({meta})' if meta else ''}", f"   > {_markdown_text(self.quote)}"]
        if self.also_in:
            copies = "; ".join(_markdown_text(", ".join(p for p in (c.source or c.title, c.date) if p)) for c in self.also_in)
            lines.append(f"   Also reported by: {copies}")
        return "\n".join(lines)


class Claim(BaseModel):
    """One sentence of a generated answer and what the check against its cited quotes found."""

    n: int = Field(description="Place of the sentence in the model's answer, from 1.")
    text: str = Field(description="The sentence as the model wrote it, without its `[n]` markers.")
    citations: list[int] = Field(
        default_factory=list,
        description="The `Citation.n` of the quotes that support it (re-pointed when the model cited wrongly or not at all).",
    )
    written: list[int] = Field(default_factory=list, description="The evidence numbers the model cited, as it wrote them.")
    supported: bool = Field(description="Whether the cited quotes support everything the sentence states.")
    verdict: Literal["kept", "repointed", "dropped", "struck"] = Field(
        description="`kept`: supported as cited; `repointed`: supported by other quotes than the model cited; `dropped`: unsupported and not shown; "
        "`struck`: unsupported, shown struck out (`NEWSQA_LLM__UNSUPPORTED=strike`)."
    )
    reason: str = Field("", description="Why an unsupported sentence failed, e.g. 'names Olympic Games, which the cited quotes do not'.")
    similarity: float = Field(0.0, description="Embedding cosine with the closest cited quote (or all of them together).")
    alignment: float = Field(0.0, description="Share of its content words found (or closely matched) in the cited quotes.")

    @property
    def shown(self) -> bool:
        """Whether the sentence appears in the answer (supported, or struck out)."""
        return self.verdict != "dropped"


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
    filters: AppliedFilters = Field(default_factory=AppliedFilters, description="The date and outlet filters the answer was searched with.")
    generated: bool = Field(
        False, description="True when a language model wrote the text (`NEWSQA_LLM`), every sentence checked against its cited quotes."
    )
    model: str | None = Field(
        None, description="The language model that wrote the text (as `NEWSQA_LLM` names it); None for an extractive answer."
    )
    claims: list[Claim] = Field(
        default_factory=list,
        description="Every sentence the model wrote, with the check's verdict (dropped ones too); empty for an extractive answer.",
    )
    notice: str | None = Field(
        None,
        description="Why the answer is extractive though a model is configured (the model is missing or failed, or none of its sentences was supported), in one line.",
    )

    @property
    def confidence_words(self) -> str:
        """The confidence as a reader would say it: likely, uncertain or unlikely."""
        return confidence_words(self.confidence)

    def to_markdown(self) -> str:
        """The question, the answer with its `[n]` markers, the short answer, the filters and the sources, as Markdown."""
        lines = [f"## {_markdown_text(self.question)}", ""]
        if self.short:
            lines += [f"**{_markdown_text(self.short)}**", ""]
        lines += [_markdown_answer(self.text), ""]
        struck = [c for c in self.claims if c.verdict == "struck"]
        if struck:
            lines += [f"~~{_markdown_text(c.text)}~~ (not supported by the sources)" for c in struck] + [""]
        if self.generated and self.model:
            lines += [f"*Written by {_markdown_text(self.model)} from the quoted sources; every sentence checked against them.*", ""]
        if self.notice:
            lines += [f"*{_markdown_text(self.notice)}*", ""]
        if self.filters.any:
            lines += [f"*Searched articles {_markdown_text(self.filters.describe())}*", ""]
        if self.citations:
            lines.append("Related passages (not an answer):" if self.abstained else "Sources:")
            lines += [f"{'-' if self.abstained else f'{c.n}.'} {c.to_markdown()}" for c in self.citations]
            lines.append("")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return self.model_dump(mode="json")
