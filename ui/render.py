"""The chat's HTML, made from an `Answer` by pure functions (no Gradio, no store): what the page shows.

Everything an article, a feed or a user wrote is escaped here (`text_html`), before it reaches the
page: HTML syntax and the characters Markdown or its extensions act on become character references,
every kind of line break (`\\n`, `\\r`, `\\r\\n`, U+2028/2029, ...) becomes `<br>`, and control and bidi
override characters are dropped. Gradio passes chat messages through a Markdown renderer: each
message is one HTML block with no blank line in it, so Markdown never runs over article text, and if
it ever did, no character of that text could start a link, an image or emphasis. Links are only
urls `index.urls` vouches for, and open in a new tab with `rel="noopener noreferrer"`. The page
adds no markup of its own around these blocks, so `tests/test_ui_render.py` checks what a reader sees.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

from qa import Answer, Citation
from qa.generate import model_label
from qa.models import LINE_BREAKS, by_article, is_web_link, marker, shown_character, split_markers

CONFIDENCE_TEXT = {
    "likely": "Likely right: answers this sure were right most of the time in our tests.",
    "uncertain": "Uncertain: check the quoted sources.",
    "unlikely": "Unlikely to answer the question: read the sources before relying on it.",
}
CSS = """
.nq-answer { font-size: 1.02rem; line-height: 1.55; }
.nq-marker { color: #1d4ed8; font-weight: 600; font-size: 0.8em; vertical-align: super; }
.nq-sources { margin-top: 0.8rem; border-top: 1px solid #e5e7eb; padding-top: 0.6rem; }
.nq-sources-label { font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.05em; color: #6b7280; margin-bottom: 0.4rem; }
.nq-source { margin: 0.45rem 0; padding: 0.5rem 0.7rem; background: #f9fafb; border-left: 3px solid #93c5fd; border-radius: 4px; }
.nq-source.nq-related { border-left-color: #d1d5db; }
.nq-source-head { font-size: 0.85rem; color: #374151; margin-bottom: 0.25rem; }
.nq-source-head b { color: #111827; }
.nq-source-meta { color: #6b7280; }
.nq-passage { font-size: 0.88rem; color: #4b5563; line-height: 1.5; }
.nq-passage mark { background: #fef08a; color: #111827; padding: 0 2px; border-radius: 2px; }
.nq-related .nq-passage mark { background: #e5e7eb; }
.nq-abstain { color: #92400e; }
.nq-confidence { font-size: 0.78rem; color: #6b7280; margin-top: 0.3rem; }
.nq-short { font-size: 1.15rem; margin-bottom: 0.3rem; }
.nq-short-phrase { text-decoration: underline; text-decoration-color: #ca8a04; }
.nq-also, .nq-filters, .nq-clue { font-size: 0.8rem; color: #6b7280; margin-top: 0.3rem; }
.nq-in-article summary { font-size: 0.8rem; color: #1d4ed8; cursor: pointer; margin-top: 0.3rem; }
.nq-article-text { max-height: 18rem; overflow-y: auto; font-size: 0.85rem; line-height: 1.5; padding: 0.4rem; background: #fff; }
.nq-article-text mark { background: #fef08a; }
.nq-struck { color: #9ca3af; }
.nq-unsupported { font-size: 0.75rem; color: #b91c1c; margin-left: 0.25rem; }
.nq-writing { color: #9ca3af; font-style: italic; margin-left: 0.3rem; }
.nq-model, .nq-notice { font-size: 0.78rem; color: #6b7280; margin-top: 0.3rem; }
.nq-notice { color: #92400e; }
.nq-supports { font-size: 0.75rem; color: #6b7280; margin-left: 0.3rem; }
.nq-timeline { list-style: none; margin: 0.2rem 0 0 0.3rem; padding: 0 0 0 0.9rem; border-left: 2px solid #93c5fd; }
.nq-moment { position: relative; margin: 0 0 0.7rem 0; }
.nq-moment::before { content: ""; position: absolute; left: -1.26rem; top: 0.35rem; width: 0.6rem; height: 0.6rem; border-radius: 50%; background: #1d4ed8; }
.nq-when { font-size: 0.82rem; color: #374151; margin-bottom: 0.15rem; }
.nq-when b { color: #111827; }
.nq-reference { font-size: 0.78rem; color: #6b7280; margin-top: 0.15rem; }
.nq-unmatched { color: #92400e; font-size: 0.9rem; margin: 0.2rem 0 0.4rem 0.3rem; }
"""


SCROLL_TO_QUOTE = """<script>
document.addEventListener("toggle", (event) => {
  const block = event.target;
  if (block instanceof HTMLDetailsElement && block.open && block.classList.contains("nq-in-article")) {
    block.querySelector("mark")?.scrollIntoView({ block: "center" });
  }
}, true);
</script>"""
"""Page script: opening "Show in article" scrolls the highlighted quote into view (toggle does not bubble, hence capture)."""


_AS_REFERENCES = {ord(c): f"&#{ord(c)};" for c in "&<>\"'" + "\\`*_[](){}!~$|:@#"}
"""HTML syntax, and the characters that start Markdown (and GFM, LaTeX) syntax, as character references: the latter are
inert if Markdown ever ran."""


def text_html(text: str) -> str:
    """Article, feed or user text as HTML that shows exactly that text and nothing else (see the module docstring)."""
    lines = LINE_BREAKS.split(text)
    shown = []
    for line in lines:
        kept = "".join(c for c in line if shown_character(c))
        shown.append(kept.translate(_AS_REFERENCES))
    return "<br>".join(shown)


def _with_markers(text: str) -> str:
    """Answer text escaped by `text_html`, its `[n]` markers styled."""
    parts = split_markers(text)  # text, number, text, number, ..., text
    return "".join(text_html(part) if i % 2 == 0 else f'<span class="nq-marker">{marker(part)}</span>' for i, part in enumerate(parts))


def render_timeline(answer: Answer, *, shown: int | None = None) -> str:
    """A comparison's or a timeline's quotes as a small dated timeline, earliest first: each article's quotes under its date
    and outlet, each with its `[n]`, and the reference they answer; then what was not found. `shown`: how many quotes have
    streamed in so far."""
    items = []
    for group in by_article(answer.citations[:shown]):
        first = group[0]
        when = " · ".join(f"<b>{text_html(part)}</b>" if i == 0 else text_html(part) for i, part in enumerate(_when(first)))
        quotes = " ".join(f'{text_html(c.quote)} <span class="nq-marker">{marker(c.n)}</span>' for c in group)
        reference = f'<div class="nq-reference">answers {text_html(first.reference)}</div>' if first.reference else ""
        items.append(
            f'<li class="nq-moment" data-n="{first.n}"><div class="nq-when">{when}</div><div class="nq-quote">{quotes}</div>'
            f"{reference}</li>"
        )
    unmatched = "".join(f'<div class="nq-unmatched">{text_html(line)}</div>' for line in answer.unmatched) if shown is None else ""
    return f'<ol class="nq-timeline">{"".join(items)}</ol>{unmatched}'


def _when(citation: Citation) -> list[str]:
    """A timeline entry's heading: its date, then its outlet (its title when it has neither)."""
    parts = [part for part in (citation.date[:10], citation.source) if part]
    return parts or [citation.title]


def _marked_text(answer: Answer) -> str:
    """The answer text, escaped, with `[n]` markers styled."""
    return _with_markers(answer.text)


def _passage_with_marks(text: str, offset: int, citations: list[Citation], *, numbered: bool, mark_class: str = "") -> str | None:
    """`text` (which starts at article offset `offset`) escaped, each cited quote inside it in `<mark>`; None if a quote does not match."""
    cursor, body = 0, []
    for citation in sorted(citations, key=lambda c: c.start):
        start, end = citation.start - offset, citation.end - offset
        if not (cursor <= start <= end <= len(text) and text[start:end] == citation.quote):
            return None  # never mark text that is not the quote itself
        shown_marker = f' <span class="nq-marker">{marker(citation.n)}</span>' if numbered else ""
        kind = f' class="{mark_class}"' if mark_class else ""
        body.append(f'{text_html(text[cursor:start])}<mark{kind} data-n="{citation.n}">{_quote_with_short(citation)}</mark>{shown_marker}')
        cursor = end
    body.append(text_html(text[cursor:]))
    return "".join(body)


def render_copies(citation: Citation) -> str:
    """'Also reported by: AP (2025-03-05), ... and 12 more' for the other copies of the cited story; "" when it has none."""
    names = citation.copy_names()
    if not names:
        return ""
    shown = ", ".join(text_html(name) for name in names[:-1]) + (" and " if citation.more_copies else ", ") + text_html(names[-1])
    return f'<div class="nq-also">Also reported by: {shown if len(names) > 1 else text_html(names[0])}</div>'


def render_in_article(citations: list[Citation], article_text: str | None) -> str:
    """A closed "Show in article" block: the whole article, escaped, its quotes marked (the page scrolls to them on opening)."""
    if not article_text:
        return ""
    body = _passage_with_marks(article_text, 0, citations, numbered=False, mark_class="nq-in-article-quote")
    if body is None:
        return ""
    return f'<details class="nq-in-article"><summary>Show in article</summary><div class="nq-article-text">{body}</div></details>'


def render_source(citations: list[Citation], article_text: str | None = None) -> str:
    """One source card: the article's title (linked when it has a web url), date and outlet, its passage with each cited quote
    marked, the story's other copies, and (given the article's text) the quote shown in the whole article."""
    first = citations[0]
    meta = " · ".join(text_html(part) for part in (first.date, first.source_shown) if part)
    related = first.role == "related"
    labels = "related" if related else " ".join(marker(c.n) for c in citations)
    supported = sorted({n for c in citations for n in c.supports})
    supports = f'<span class="nq-supports">supports sentence {", ".join(map(str, supported))}</span> ' if supported else ""
    title = text_html(first.title)
    if is_web_link(first.url):
        title = f'<a href="{html.escape(first.url, quote=True)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    passage = _passage_with_marks(first.passage, first.passage_start, citations, numbered=not related)
    if passage is None:
        passage = text_html(first.passage)
    meta_html = f' <span class="nq-source-meta">{meta}</span>' if meta else ""
    kind = " nq-related" if related else ""
    clues = "".join(f'<div class="nq-clue">{marker(c.n)} supports “{text_html(c.clue)}”</div>' for c in citations if c.clue and not related)
    return (
        f'<div class="nq-source{kind}"><div class="nq-source-head"><span class="nq-marker">{labels}</span> {supports}'
        f'<b>{title}</b>{meta_html}</div><div class="nq-passage">{passage}</div>{clues}'
        f"{render_copies(first)}{render_in_article(citations, article_text)}</div>"
    )


def _quote_with_short(citation: Citation) -> str:
    """The quote, escaped, with the short answer inside it in bold when this citation holds it."""
    quote, a, b = citation.quote, citation.answer_start, citation.answer_end
    if a is None or b is None or not citation.start <= a < b <= citation.end:
        return text_html(quote)
    a, b = a - citation.start, b - citation.start
    return f'{text_html(quote[:a])}<strong class="nq-short-phrase">{text_html(quote[a:b])}</strong>{text_html(quote[b:])}'


def render_sources(citations: list[Citation], articles: Mapping[str, str] | None = None) -> str:
    """Source cards in marker order; citations from the same passage share one card. `articles`: article id → text, for "show in article"."""
    cards: dict[str, list[Citation]] = {}
    for citation in citations:
        cards.setdefault(citation.chunk_id, []).append(citation)
    return "".join(render_source(group, (articles or {}).get(group[0].article_id)) for group in cards.values())


def render_filters(answer: Answer) -> str:
    """The filters the answer was searched with, in words; "" when none."""
    if not answer.filters.any:
        return ""
    return f'<div class="nq-filters">Searched articles {text_html(answer.filters.describe())}</div>'


def _generated_text(answer: Answer) -> str:
    """A generated answer's sentences in order, escaped like article text (model output is untrusted): supported ones with their
    markers, struck ones struck out and marked "not supported by the sources"; dropped ones not at all."""
    sentences = []
    for claim in answer.claims:
        if claim.supported:
            markers = "".join(f'<span class="nq-marker">{marker(n)}</span>' for n in claim.citations)
            sentences.append(f"{text_html(claim.text)} {markers}")
        elif claim.verdict == "struck":
            sentences.append(
                f'<del class="nq-struck">{text_html(claim.text)}</del><span class="nq-unsupported">not supported by the sources</span>'
            )
    return " ".join(sentences)


def render_model_note(answer: Answer) -> str:
    """Who wrote a generated answer and what the check did ("2 unsupported sentences dropped"), and any notice; "" otherwise."""
    parts = []
    if answer.generated and answer.model:
        dropped = sum(c.verdict == "dropped" for c in answer.claims)
        note = f"Written by {text_html(model_label(answer.model))} from the quoted sources; every sentence checked against them."
        if dropped:
            note += f" {dropped} unsupported sentence{'s' if dropped != 1 else ''} dropped."
        parts.append(f'<div class="nq-model">{note}</div>')
    elif any(c.verdict == "struck" for c in answer.claims):  # fell back to the quotes: still show what the model wrote, struck
        parts.append(f'<div class="nq-model">The model wrote: {_generated_text(answer)}</div>')
    if answer.notice:
        parts.append(f'<div class="nq-notice">{text_html(answer.notice)}</div>')
    return "".join(parts)


def render_answer(
    answer: Answer,
    *,
    text: str | None = None,
    with_sources: bool = True,
    articles: Mapping[str, str] | None = None,
    writing: bool = False,
) -> str:
    """The whole chat message for an answer, as one HTML block (no blank lines, so no Markdown runs).

    Args:
        answer: What `ask()` returned (or a draft of a generated answer, its sentences so far).
        text: The part of the answer text shown so far, while it streams.
        with_sources: Add the source cards, the search and the confidence lines.
        articles: Article id → article text, so each card can show its quote in the whole article.
        writing: The model is still writing: say so after the sentences checked so far.
    """
    if answer.abstained:
        parts = [f'<div class="nq-answer nq-abstain">{text_html(answer.text)}</div>']
    elif answer.side_by_side and not answer.generated:
        streamed = None if text is None else len(split_markers(text)) // 2
        parts = [f'<div class="nq-answer nq-side-by-side">{render_timeline(answer, shown=streamed)}</div>']
    else:
        shown = _generated_text(answer) if answer.generated else _marked_text(answer) if text is None else _with_markers(text)
        if writing:
            shown += '<span class="nq-writing">writing…</span>'
        parts = [f'<div class="nq-answer">{shown}</div>']
        if answer.short:
            parts.insert(0, f'<div class="nq-short"><b>{text_html(answer.short)}</b></div>')
    if with_sources:
        parts.append(render_model_note(answer))
    if with_sources and answer.citations:
        parts.append(
            f'<div class="nq-sources"><div class="nq-sources-label">{answer.sources_label}</div>'
            f"{render_sources(answer.citations, articles)}</div>"
        )
        if answer.query != answer.question:
            parts.append(f'<div class="nq-confidence">Searched as: {text_html(answer.query)}</div>')
        if not answer.abstained:
            parts.append(f'<div class="nq-confidence">{CONFIDENCE_TEXT[answer.confidence_words]}</div>')
    parts.append(render_filters(answer))
    return '<div class="nq-message">' + "".join(parts) + "</div>"


def conversation_markdown(answers: Iterable[Answer]) -> str:
    """The conversation as one Markdown document: each answer's `Answer.to_markdown()` block, in order."""
    return "# newsqa conversation\n\n" + "\n".join(answer.to_markdown() for answer in answers)


def error_message(message: str) -> str:
    """An error (a bad question, a bad filter, a store failure) as the assistant's message, escaped."""
    return f'<div class="nq-answer nq-abstain">{text_html(message)}</div>'


def user_message(question: str) -> str:
    """The user's question as a chat message, escaped."""
    return f'<div class="nq-question">{text_html(question)}</div>'
