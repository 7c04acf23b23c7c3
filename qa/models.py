"""The typed answer every front door returns: text, citations, abstention, confidence, timings.

Each medium has one renderer, built on the shared pieces here: the `[n]` markers of the answer
text (`MARKER`, `split_markers`, `strip_markers`), the sources heading (`Answer.sources_label`),
the confidence in words, the filters in words (`AppliedFilters.describe`) and the copies
(`Citation.copy_names`). The renderers: HTML for the chat (`ui.render.render_answer`), the terminal
(`ui.cli.answer_lines`) and Markdown (`Answer.to_markdown`, here, as export and the evaluation's
reports use it without the UI).

`Answer.to_markdown` is the Markdown medium's edge: every character an article, a feed or a user
wrote is escaped there (one line each, control and bidi characters dropped, and each character
that could start markup where it stands backslash-escaped, `_markdown_text`: the rest is left as
it is, so the file reads as text and a quote can be found in it by searching), and only a url that
`index.urls` vouches for becomes a link, percent-encoded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, Field

from index.lookalikes import shown_outlet
from index.urls import is_web_url

MARKER = re.compile(r"\[(\d+)\]")
"""A citation marker in an answer's text: `[n]` after each quoted sentence."""


def marker(n: int | str) -> str:
    """The citation marker of source `n` as every medium writes it: `[n]`."""
    return f"[{n}]"


def split_markers(text: str) -> list[str]:
    """`text` cut at its `[n]` markers: text, marker number, text, ..., text (even places text, odd places numbers)."""
    return MARKER.split(text)


def strip_markers(text: str) -> str:
    """`text` without its `[n]` markers (for counting an answer's words)."""
    return MARKER.sub("", text)


LIKELY = 0.7
"""Answers at this calibrated confidence or above are shown as likely right."""
UNCERTAIN = 0.4
"""Below this they are shown as unlikely; in between, uncertain."""


def confidence_words(confidence: float) -> str:
    """`likely`, `uncertain` or `unlikely`, for a calibrated confidence."""
    return "likely" if confidence >= LIKELY else "uncertain" if confidence >= UNCERTAIN else "unlikely"


def is_web_link(url: str) -> bool:
    """Whether `url` may be shown as a link (a plain http(s) address, `index.urls.is_web_url`: never `javascript:` or `data:`)."""
    return is_web_url(url)


class Copy(BaseModel):
    """Another outlet's copy of a cited story (the same wire story republished), listed instead of cited again."""

    article_id: str = Field(description="Id of the copy.")
    title: str = Field("", description="Its headline (outlets often rewrite it).")
    source: str = Field("", description="The outlet that published the copy, if known.")
    date: str = Field("", description="Its publication date, if known.")

    @property
    def source_shown(self) -> str:
        """The outlet as every medium shows it: a look-alike name ("TеchCrunch", a Cyrillic е) says so (`index.lookalikes`)."""
        return shown_outlet(self.source)


class AppliedFilters(BaseModel):
    """The filters an answer was searched with; empty when every article was searched."""

    since: str | None = Field(None, description="Earliest article date searched (ISO, inclusive); None for no bound.")
    until: str | None = Field(None, description="Latest article date searched (ISO, inclusive); None for no bound.")
    sources: list[str] = Field(default_factory=list, description="Outlets searched, as indexed; empty for every outlet.")
    named_sources: list[str] = Field(
        default_factory=list,
        description="Outlets the question itself names ('as reported by The Verge'): their articles were searched first, "
        "a soft filter that never rules other articles out.",
    )
    named_period: str | None = Field(
        None, description="The publication period the question names ('published in November 2023'), searched first likewise."
    )

    @property
    def any(self) -> bool:
        """Whether any filter, hard or soft, was applied."""
        return bool(self.since or self.until or self.sources or self.named_sources or self.named_period)

    def describe(self) -> str:
        """The filters in words ("dated from 2025-01-01 to 2025-12-31, from AP or Reuters"; "from The Verge and
        TechCrunch first, as the question names them"), or "" when none."""
        parts = []
        if self.since or self.until:
            dates = " ".join(
                part for part in (f"from {self.since}" if self.since else "", f"to {self.until}" if self.until else "") if part
            )
            parts.append(f"dated {dates}")
        if self.sources:
            parts.append(f"from {' or '.join(map(shown_outlet, self.sources))}")
        named = [f"from {' and '.join(map(shown_outlet, self.named_sources))}"] if self.named_sources else []
        if self.named_period:
            named.append(f"published {self.named_period}")
        if named:
            parts.append(f"{' and '.join(named)} first, as the question names them")
        return ", ".join(parts)


INVISIBLE_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""The bidirectional marks, embeddings, overrides and isolates: invisible, and able to reorder what a reader sees."""
LINE_BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
"""Everything a browser, a Markdown renderer, a terminal or Python may take for a line break."""


def shown_character(char: str) -> bool:
    """Whether a character of article text is shown in any medium: not a control character (each medium turns tabs and line
    breaks into its own) and not an invisible bidirectional control (`INVISIBLE_CONTROLS`)."""
    return unicodedata.category(char) != "Cc" and char not in INVISIBLE_CONTROLS


def _one_line(text: str) -> str:
    """`text` on one line (every kind of line break a space), control and bidi characters dropped."""
    kept = "".join(char for char in text if char.isspace() or shown_character(char))
    return " ".join(kept.split())


_ENTITY = re.compile(r"&#?\w+;")
_LINE_STARTS = re.compile(r"^(?:#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|([-*_])(?:\s*\1){2,}\s*$|\d{1,9}(?=[.)](?:\s|$)))")
"""What makes a line a heading, a quote, a list item or a thematic break (fences start with a backtick or `~`, always escaped):
escaped at its start (for a number, the "." or ")" after it)."""


def _inline_markup(line: str, at: int, *, in_link_text: bool) -> bool:
    """Whether the character at `line[at]` can start (or end) inline Markdown where it stands, so it must be escaped.

    CommonMark (with strikethrough and tables, as Gradio and GitHub render it) starts inline markup only at: a backslash
    (an escape), a backtick (code), `*` and `_` that can open or close emphasis (not `*` between spaces, not `_` inside a
    word), `~` (strikethrough), `<` before a letter, `/`, `!` or `?` (HTML, autolinks), `&` that starts a character
    reference, `]` before `(`, `[` or `:` (a link, a reference, a definition), and `@` inside an address (an email
    autolink in GFM); inside a link's text every bracket. Everything else is only itself.
    """
    char = line[at]
    before = line[at - 1] if at else ""
    after = line[at + 1] if at + 1 < len(line) else ""
    if char in "\\`~":
        return True
    if char == "*":
        return not (before.isspace() and after.isspace())
    if char == "_":
        return not ((before.isalnum() and after.isalnum()) or (before.isspace() and after.isspace()))
    if char == "<":
        return after.isalpha() or after in "/!?"
    if char == "&":
        return _ENTITY.match(line, at) is not None
    if char in "[]" and in_link_text:
        return True
    if char == "]":
        return after in "([:"
    if char == "@":
        return before.isalnum() and after.isalnum()
    return False


def _markdown_text(text: str, *, line_start: bool = False, in_link_text: bool = False, heading: bool = False) -> str:
    """Text for a Markdown line: one line (`_one_line`), each character that could start markup where it stands backslash-
    escaped (`_inline_markup`; at a line's start, `_LINE_STARTS`; at a heading's end, a closing run of `#`), and nothing
    else, so the line still reads, and searches, as the text it is.

    `line_start`: the text opens a line or a container's first line (the answer, a quote after `> `, a source after `1. `).
    """
    return _escaped(_one_line(text), line_start=line_start, in_link_text=in_link_text, heading=heading)


def _escaped(line: str, *, line_start: bool = False, in_link_text: bool = False, heading: bool = False) -> str:
    """`line` (one line already) with what could start markup escaped (`_markdown_text`)."""
    out = [f"\\{char}" if _inline_markup(line, at, in_link_text=in_link_text) else char for at, char in enumerate(line)]
    if line_start and out and (start := _LINE_STARTS.match(line)):
        place = start.end() if line[0].isdigit() else 0
        if place < len(out) and not out[place].startswith("\\"):
            out[place] = f"\\{out[place]}"
    if heading:
        closing = len(line) - len(line.rstrip("#"))
        if closing and (closing == len(line) or line[-closing - 1] == " "):
            out[len(line) - closing] = f"\\{out[len(line) - closing]}"
    return "".join(out)


def _markdown_url(url: str) -> str:
    """A vouched-for url as a Markdown link destination: everything that could end or bend it percent-encoded, and an `&`
    that would start a character reference (`&#60;`) backslash-escaped, so the link goes exactly where the url says."""
    return re.sub(r"&(?=#?\w+;)", r"\\&", quote(url, safe="/:?#@!$&*+,;=%~-._"))


def _markdown_answer(text: str) -> str:
    """The answer text for Markdown (it opens its line): escaped like `_markdown_text`, its `[n]` markers kept as they read,
    and a `(` or `[` right after one escaped (`[1](...)` would be a link)."""
    parts = split_markers(_one_line(text))
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(marker(part))
            continue
        escaped = _escaped(part, line_start=i == 0)
        if i and escaped[:1] in ("(", "["):
            escaped = f"\\{escaped}"
        out.append(escaped)
    return "".join(out)


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
        default_factory=list,
        description="Other copies of the cited story (the same wire story from other outlets), not cited again; at most "
        "`answer.max_copies_listed`, earliest first.",
    )
    supports: list[int] = Field(
        default_factory=list,
        description="For a generated answer: the numbers (`Claim.n`, from 1) of the answer's sentences this quote supports; empty for an extractive answer.",
    )
    clue: str | None = Field(
        None, description="For an answer to a descriptive question: the clue of the question this quote supports (`Answer.clues`)."
    )
    more_copies: int = Field(0, ge=0, description="Copies of the story beyond those in `also_in`, counted, not listed.")
    reference: str | None = Field(
        None,
        description="For a comparison or a timeline: the article of the question this quote answers ('the TechCrunch article on "
        "Meta's moderation bias (2023-10-19)'; `Answer.references`).",
    )

    @property
    def dated_label(self) -> str:
        """The outlet and date a side-by-side answer labels this quote with ("TechCrunch, 2023-10-19"), or its title."""
        return ", ".join(part for part in (self.source, self.date[:10]) if part) or self.title

    @property
    def source_shown(self) -> str:
        """The outlet as every medium shows it: a look-alike name ("TеchCrunch", a Cyrillic е) says so (`index.lookalikes`)."""
        return shown_outlet(self.source)

    def copy_names(self) -> list[str]:
        """Each listed copy as 'Outlet (date)' (its title when the outlet is unknown), then 'N more' for the copies not listed."""
        names = [f"{c.source_shown or c.title}{f' ({c.date})' if c.date else ''}" for c in self.also_in]
        return [*names, f"{self.more_copies:,} more"] if self.more_copies else names

    def to_markdown(self) -> str:
        """The source as a Markdown list item: title (linked when it has a web url), outlet, date, the quote, the clue it
        supports, its copies."""
        linked = is_web_link(self.url)
        title = _markdown_text(self.title, line_start=not linked, in_link_text=linked)
        head = f"[{title}]({_markdown_url(self.url)})" if linked else title
        meta = ", ".join(_markdown_text(part) for part in (self.source_shown, self.date) if part)
        lines = [f"{head}{f' ({meta})' if meta else ''}", f"   > {_markdown_text(self.quote, line_start=True)}"]
        if self.clue:
            lines.append(f"   Supports: {_markdown_text(self.clue)}")
        if self.reference:
            lines.append(f"   Answers: {_markdown_text(self.reference)}")
        if self.also_in or self.more_copies:
            lines.append(f"   Also reported by: {'; '.join(_markdown_text(name) for name in self.copy_names())}")
        return "\n".join(lines)


def by_article(citations: Sequence[Citation]) -> list[list[Citation]]:
    """Consecutive citations of the same article, grouped: one group per article of a side-by-side answer, in its order."""
    groups: list[list[Citation]] = []
    for citation in citations:
        if groups and groups[-1][0].article_id == citation.article_id:
            groups[-1].append(citation)
        else:
            groups.append([citation])
    return groups


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
    evidence_score: float = Field(
        0.0,
        description="The raw score the confidence is calibrated from: the best sentence's score, or for a descriptive question the "
        "answer's lead over the next entity (bench/calibrate.py refits the scaling from it).",
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
    clues: list[str] = Field(
        default_factory=list,
        description="A descriptive question ('Which company, reported by X, did A and also B?') as read: its clues, each supported by "
        "a quote (`Citation.clue`) when answered; empty for other questions.",
    )
    kind: Literal["sentences", "entity", "comparison", "timeline"] = Field(
        "sentences",
        description="How the question was answered: `sentences` (the best sentences), `entity` (a descriptive question's entity), "
        "`comparison` (one dated quote per article the question sets side by side, in date order) or `timeline` (one dated "
        "quote per article about a subject, in date order).",
    )
    references: list[str] = Field(
        default_factory=list,
        description="A comparison's articles as the question refers to them, in its order; each quote says which it answers "
        "(`Citation.reference`). Empty for other answers.",
    )
    unmatched: list[str] = Field(
        default_factory=list,
        description="What a comparison or a timeline could not find, one sentence each ('No article from Polygon on Valve's "
        "Steam Deck updates is indexed.'); the rest is answered.",
    )

    @property
    def side_by_side(self) -> bool:
        """Whether the answer sets dated quotes side by side (a comparison or a timeline), earliest first."""
        return self.kind in ("comparison", "timeline")

    @property
    def confidence_words(self) -> str:
        """The confidence as a reader would say it: likely, uncertain or unlikely."""
        return confidence_words(self.confidence)

    @property
    def sources_label(self) -> str:
        """What every medium heads the citations with: "Sources", or for an abstention "Related passages (not an answer)"."""
        return "Related passages (not an answer)" if self.abstained else "Sources"

    def to_markdown(self) -> str:
        """The question, the answer with its `[n]` markers, the short answer, the filters and the sources, as Markdown."""
        lines = [f"## {_markdown_text(self.question, heading=True)}", ""]
        if self.short:
            lines += [f"**{_markdown_text(self.short)}**", ""]
        if self.side_by_side and not self.abstained and not self.generated:  # one dated quote a line, earliest first
            for group in by_article(self.citations):
                quotes = " ".join(f"{_markdown_text(c.quote)} {marker(c.n)}" for c in group)
                lines.append(f"- {_markdown_text(group[0].dated_label)}: {quotes}")
            lines += [f"- {_markdown_text(line)}" for line in self.unmatched] + [""]
        else:
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
            lines.append(f"{self.sources_label}:")
            lines += [f"{'-' if self.abstained else f'{c.n}.'} {c.to_markdown()}" for c in self.citations]
            lines.append("")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return self.model_dump(mode="json")
