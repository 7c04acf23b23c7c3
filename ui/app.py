"""The Gradio chat page: answers through `ask()`, sources with the quote highlighted, uploads.

Everything shown comes from the `Answer` that `ask()` returns; this module only renders it.
Article text and questions are HTML-escaped before they reach the page.
"""

from __future__ import annotations

import html
import ipaddress
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from index import NewsqaError, Settings, update_index
from index.uploads import save_uploads
from qa import Answer, Citation, Pipeline, get_pipeline

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
log = logging.getLogger("newsqa")

EXAMPLES = [
    "What did Pistorius regret?",
    "Who said Ukraine must be at the heart of any talks?",
    "What did Hegseth rule out?",
    "How much should allies spend on defense?",
]
CONFIDENCE_TEXT = {
    "likely": "Likely right: answers this sure were right most of the time in our tests.",
    "uncertain": "Uncertain: check the quoted sources.",
    "unlikely": "Unlikely to answer the question: read the sources before relying on it.",
}
UPLOAD_TYPES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl"]
INDEX_EVENTS = "index"
"""Gradio concurrency group of the events that write the index (upload, rebuild): one runs at a time."""
STATUS_REFRESH_SECONDS = 5.0
"""How often an open page re-reads the index status line."""

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
"""


def _escape(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br>")


def _marked_text(answer: Answer) -> str:
    """The answer text, escaped, with `[n]` markers styled."""
    return re.sub(r"\[(\d+)\]", r'<span class="nq-marker">[\1]</span>', html.escape(answer.text, quote=True))


def render_source(citations: list[Citation]) -> str:
    """One source card: the article's title, date and outlet, and its passage with each cited quote marked."""
    first = citations[0]
    meta = " · ".join(html.escape(part) for part in (first.date, first.source) if part)
    related = first.role == "related"
    labels = "related" if related else " ".join(f"[{c.n}]" for c in citations)
    title = html.escape(first.title)
    if first.url.startswith(("http://", "https://")):
        title = f'<a href="{html.escape(first.url, quote=True)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    passage, cursor, body = first.passage, 0, []
    for citation in sorted(citations, key=lambda c: c.start):
        start, end = citation.start - first.passage_start, citation.end - first.passage_start
        if not (cursor <= start <= end <= len(passage) and passage[start:end] == citation.quote):
            continue  # never mark text that is not the quote itself
        marker = "" if related else f' <span class="nq-marker">[{citation.n}]</span>'
        body.append(f'{_escape(passage[cursor:start])}<mark data-n="{citation.n}">{_quote_with_short(citation)}</mark>{marker}')
        cursor = end
    body.append(_escape(passage[cursor:]))
    meta_html = f' <span class="nq-source-meta">{meta}</span>' if meta else ""
    kind = " nq-related" if related else ""
    return (
        f'<div class="nq-source{kind}"><div class="nq-source-head"><span class="nq-marker">{labels}</span> '
        f'<b>{title}</b>{meta_html}</div><div class="nq-passage">{"".join(body)}</div></div>'
    )


def _quote_with_short(citation: Citation) -> str:
    """The quote, escaped, with the short answer inside it in bold when this citation holds it."""
    quote, a, b = citation.quote, citation.answer_start, citation.answer_end
    if a is None or b is None or not citation.start <= a < b <= citation.end:
        return _escape(quote)
    a, b = a - citation.start, b - citation.start
    return f'{_escape(quote[:a])}<strong class="nq-short-phrase">{_escape(quote[a:b])}</strong>{_escape(quote[b:])}'


def render_sources(citations: list[Citation]) -> str:
    """Source cards in marker order; citations from the same passage share one card."""
    cards: dict[str, list[Citation]] = {}
    for citation in citations:
        cards.setdefault(citation.chunk_id, []).append(citation)
    return "".join(render_source(group) for group in cards.values())


def render_answer(answer: Answer, *, text: str | None = None, with_sources: bool = True) -> str:
    """The whole chat message for an answer, as one HTML block (no blank lines, so no Markdown runs)."""
    if answer.abstained:
        parts = [f'<div class="nq-answer nq-abstain">{html.escape(answer.text)}</div>']
    else:
        shown = _marked_text(answer) if text is None else re.sub(r"\[(\d+)\]", r'<span class="nq-marker">[\1]</span>', html.escape(text))
        parts = [f'<div class="nq-answer">{shown}</div>']
        if answer.short:
            parts.insert(0, f'<div class="nq-short"><b>{html.escape(answer.short)}</b></div>')
    if with_sources and answer.citations:
        label = "Related passages (not an answer)" if answer.abstained else "Sources"
        parts.append(f'<div class="nq-sources"><div class="nq-sources-label">{label}</div>{render_sources(answer.citations)}</div>')
        if answer.query != answer.question:
            parts.append(f'<div class="nq-confidence">Searched as: {html.escape(answer.query)}</div>')
        if not answer.abstained:
            parts.append(f'<div class="nq-confidence">{CONFIDENCE_TEXT[answer.confidence_words]}</div>')
    return '<div class="nq-message">' + "".join(parts) + "</div>"


def _error_message(message: str) -> str:
    return f'<div class="nq-answer nq-abstain">{html.escape(message)}</div>'


def _user_message(question: str) -> str:
    return f'<div class="nq-question">{_escape(question)}</div>'


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def status_line(pipeline: Pipeline) -> str:
    """Articles, chunks and last update of the index, for the page header."""
    try:
        status = pipeline.store.status()
    except NewsqaError as error:
        return html.escape(str(error))
    when = status.updated_at.replace("T", " ").replace("+00:00", " UTC") if status.updated_at else "never"
    return f"**Index:** {_plural(status.articles, 'article')} · {_plural(status.chunks, 'chunk')} · last update {html.escape(when)}"


def answer_stream(
    pipeline: Pipeline, message: str, history: list[dict[str, Any]], questions: list[str]
) -> Iterator[tuple[list[dict[str, Any]], list[str], str]]:
    """Chat handler: show the question, then the answer sentence by sentence, then its sources."""
    history = [*history, {"role": "user", "content": _user_message(message or "")}]
    try:
        answer = pipeline.ask(message, history=questions)
    except (NewsqaError, ValueError) as error:
        yield [*history, {"role": "assistant", "content": _error_message(str(error))}], questions, ""
        return
    questions = [*questions, message.strip()]
    if not answer.abstained:
        shown = ""
        for citation in answer.citations:
            shown = f"{shown} {citation.quote} [{citation.n}]".strip()
            yield [*history, {"role": "assistant", "content": render_answer(answer, text=shown, with_sources=False)}], questions, ""
    yield [*history, {"role": "assistant", "content": render_answer(answer)}], questions, ""


def index_uploads(pipeline: Pipeline, files: list[Any] | None, *, rebuild: bool = False) -> tuple[str, str]:
    """Save uploads into the articles folder and sync the index; a report of what happened."""
    settings = pipeline.settings
    lines: list[str] = []
    if files:
        pairs = [(Path(str(f)).name, Path(str(f))) for f in files]  # Gradio keeps the uploaded name on its temp copy
        saved = save_uploads(pairs, Path(settings.articles_dir), max_bytes=settings.max_upload_bytes, limits=settings.limits)
        lines += [f"Refused {html.escape(r)}" for r in saved.refused]
        if not saved.saved and not rebuild:
            return "<br>".join(lines) or "Nothing uploaded.", status_line(pipeline)
    try:
        report = update_index(settings, rebuild=rebuild, store=pipeline.store)
    except NewsqaError as error:
        lines.append(html.escape(str(error)))
        return "<br>".join(lines), status_line(pipeline)
    lines.insert(
        0,
        f"{report.added} added, {report.updated} updated, {report.removed} removed, {report.unchanged} unchanged, {report.skipped} skipped.",
    )
    lines += [f"Added: {html.escape(i)}" for i in report.added_ids] + [f"Updated: {html.escape(i)}" for i in report.updated_ids]
    lines += [f"Skipped {html.escape(str(s))}" for s in report.skipped_files]
    return "<br>".join(lines), status_line(pipeline)


def build_app(pipeline: Pipeline) -> Any:
    """The chat page as a Gradio Blocks app, answering through `pipeline` (the one `ask()` uses)."""
    import gradio as gr

    with gr.Blocks(title="newsqa") as demo:
        gr.Markdown("## newsqa\nAsk about the articles; every answer is made of their own sentences, each with its source.")
        status = gr.Markdown(elem_id="nq-status")
        chatbot = gr.Chatbot(
            elem_id="nq-chat",
            height=560,
            sanitize_html=True,
            show_label=False,
            feedback_options=None,
            placeholder="Ask a question about the news articles.",
        )
        questions = gr.State([])
        with gr.Row():
            box = gr.Textbox(
                elem_id="nq-question", placeholder="e.g. What did Pistorius regret?", show_label=False, scale=8, autofocus=True
            )
            send = gr.Button("Ask", variant="primary", scale=1, elem_id="nq-ask")
            clear = gr.Button("Clear chat", scale=1, elem_id="nq-clear")
        gr.Examples(EXAMPLES, inputs=box, label="Try")
        with gr.Accordion("Articles", open=False, elem_id="nq-articles"):
            files = gr.File(
                file_count="multiple",
                file_types=UPLOAD_TYPES,
                type="filepath",
                label=f"Upload articles (.txt .md .html .json .jsonl, up to {pipeline.settings.max_upload_bytes / 1e6:.0f} MB each)",
                elem_id="nq-upload",
            )
            with gr.Row():
                add = gr.Button("Add to index", elem_id="nq-add")
                rebuild = gr.Button("Rebuild index", elem_id="nq-rebuild")
            report = gr.HTML(elem_id="nq-report")

        def respond(message: str, history: list[dict[str, Any]], asked: list[str]) -> Iterator[tuple[list[dict[str, Any]], list[str], str]]:
            yield from answer_stream(pipeline, message, history, asked)

        send.click(respond, [box, chatbot, questions], [chatbot, questions, box], api_name="ask_chat")
        box.submit(respond, [box, chatbot, questions], [chatbot, questions, box], api_visibility="private")
        clear.click(lambda: ([], [], ""), None, [chatbot, questions, box], api_visibility="private")
        # index events run one at a time (and under the store's write lock, shared with the CLI and the watcher)
        add.click(
            lambda f: index_uploads(pipeline, f),
            files,
            [report, status],
            api_visibility="private",
            concurrency_limit=1,
            concurrency_id=INDEX_EVENTS,
        )
        rebuild.click(
            lambda: index_uploads(pipeline, None, rebuild=True),
            None,
            [report, status],
            api_visibility="private",
            concurrency_limit=1,
            concurrency_id=INDEX_EVENTS,
        )
        demo.load(lambda: status_line(pipeline), None, status, api_visibility="private")
        # the index also changes from outside (the CLI, a watcher): refresh the status line without a reload
        gr.Timer(STATUS_REFRESH_SECONDS).tick(lambda: status_line(pipeline), None, status, api_visibility="private", show_progress="hidden")

        def ask_api(question: str) -> dict[str, Any]:
            try:
                return pipeline.ask(question).to_dict()
            except (NewsqaError, ValueError) as error:  # gradio_client shows a gr.Error's message, not "upstream ... exception"
                raise gr.Error(str(error)) from error

        gr.api(ask_api, api_name="ask")
    demo.queue(default_concurrency_limit=4)
    return demo


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, auth: tuple[str, str] | None) -> str | None:
    """A warning when the page is reachable from other machines without a login."""
    if _is_loopback(host) or auth is not None:
        return None
    return f"Serving on {host} without --auth: anyone who can reach this address can use the page and upload articles."


def launch(settings: Settings, *, host: str = "127.0.0.1", port: int = 7860, block: bool = True, pipeline: Pipeline | None = None) -> Any:
    """Serve the chat page; warns when it is reachable from other machines without a login."""
    auth = None
    if settings.ui_auth:
        user, sep, password = settings.ui_auth.get_secret_value().partition(":")
        if not sep or not user or not password:
            raise NewsqaError("--auth / NEWSQA_UI_AUTH must look like user:password.")
        auth = (user, password)
    warning = exposure_warning(host, auth)
    if warning:
        log.warning(warning)
    pipeline = pipeline or get_pipeline(settings)  # load the model and open the store before the first question
    demo = build_app(pipeline)
    demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        css=CSS,
        prevent_thread_lock=not block,
        footer_links=[],
        quiet=not block,
        max_file_size=settings.max_upload_bytes,  # Gradio refuses bigger uploads before they reach the disk
    )
    return demo
