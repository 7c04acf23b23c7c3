"""The Gradio chat page: its components and events. Answers come from `ask()`; `ui.render` turns them into HTML.

Everything shown comes from the `Answer` that `ask()` returns (with `NEWSQA_LLM` set, the drafts of
`Pipeline.ask_stream`: each sentence of the model's answer appears once it has been checked). Above the conversation, a date range
and an outlet selector (filled from the index) filter every question, follow-ups included; "Export"
downloads the conversation as Markdown (`Answer.to_markdown()` blocks). The status line above
them (articles, chunks, last update, and under `serve --watch` the watcher's last sync) refreshes
itself every `STATUS_REFRESH_SECONDS`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index import IndexReport, NewsqaError, update_index
from index.catalog import article_text, index_status
from index.formats import FORMATS, SUFFIXES
from index.lookalikes import shown_outlet
from index.settings import megabytes
from index.uploads import save_uploads
from qa import Answer, Pipeline, Settings, get_pipeline
from qa.generate import model_label
from qa.models import marker
from ui.render import CSS, SCROLL_TO_QUOTE, conversation_markdown, error_message, render_answer, text_html, user_message

if TYPE_CHECKING:
    from index.watch import ArticleWatcher

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
log = logging.getLogger("newsqa")

EXAMPLES = [
    "What did Pistorius regret?",
    "Who said Ukraine must be at the heart of any talks?",
    "What did Hegseth rule out?",
    "How much should allies spend on defense?",
]
UPLOAD_TYPES = list(SUFFIXES)
"""What the upload widget accepts: every suffix of `index.formats.FORMATS`."""
UPLOAD_NAMES = " ".join(each.name for each in FORMATS)
"""How the upload label names them: ".txt .md .html .json .jsonl"."""
INDEX_EVENTS = "index"
"""Gradio concurrency group of the events that write the index (upload, rebuild): one runs at a time."""
STATUS_REFRESH_SECONDS = 5.0
"""How often an open page re-reads the index status line."""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def last_sync(report: IndexReport | None) -> str:
    """A watcher's last sync as the status line says it, e.g. "last sync 10:42:07 UTC: 1 added, 0 updated, 1 removed, ..."."""
    if report is None or report.finished_at is None:
        return "watching the articles folder: first sync running"
    return f"last sync {report.finished_at:%H:%M:%S} UTC: {report.describe()}"  # numbers and fixed words: nothing to escape


def status_line(pipeline: Pipeline, watcher: ArticleWatcher | None = None) -> str:
    """Articles, chunks and last update of the index, for the page header; with a watcher (`serve --watch`), its last sync too."""
    try:
        status = index_status(pipeline.store)
    except NewsqaError as error:
        return text_html(str(error))
    when = status.updated_at.replace("T", " ").replace("+00:00", " UTC") if status.updated_at else "never"
    line = f"**Index:** {_plural(status.articles, 'article')} · {_plural(status.chunks, 'chunk')} · last update {text_html(when)}"
    return f"{line} · {last_sync(watcher.last_report)}" if watcher is not None else line


ChatUpdate = tuple[list[dict[str, Any]], list[str], str, list[dict[str, Any]], str | None]
"""What the chat handler yields: messages, questions asked, the question box, answers so far (as dicts), the export file."""


EXPORT_KEEP_SECONDS = 3600.0
"""Age past which an export is deleted (by the next one): an hour to click "Export" after an answer."""
EXPORT_KEEP_FILES = 50
"""Most exports kept, newest first, whatever their age: each holds a whole conversation, so a busy page keeps no trail of them."""


def _private_folder(path: Path) -> Path:
    """`path` as a folder only this user can enter (made so if it is ours); a fresh private folder if it is someone else's or a link."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700, parents=True)
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return Path(tempfile.mkdtemp(prefix="newsqa-gradio-"))  # made 0700 by mkdtemp
    if info.st_mode & 0o077:
        path.chmod(0o700)
    return path


def gradio_cache() -> Path:
    """The folder Gradio serves files from: `GRADIO_TEMP_DIR`, pointed (when unset) at a folder of this user's that no other user
    of the machine can read, before the page is built. Gradio's default, `<tmp>/gradio`, is readable by every user."""
    configured = os.environ.get("GRADIO_TEMP_DIR")
    if configured:
        return Path(configured)
    folder = _private_folder(Path(tempfile.gettempdir()) / f"newsqa-gradio-{os.getuid()}")
    os.environ["GRADIO_TEMP_DIR"] = str(folder)
    return folder


def export_dir() -> Path:
    """Where conversation exports are written: a private folder inside Gradio's cache, so Gradio serves each file where it is
    (a file outside its cache it copies in, and never removes the copy), and `export_file` alone decides how long it stays."""
    return _private_folder(gradio_cache() / "newsqa-exports")


def export_file(answers: list[dict[str, Any]]) -> str | None:
    """The conversation written as Markdown to a new file (what "Export" downloads); None before the first answer.

    Written once per answer (not per streamed sentence), readable by this user only, and before each new one the exports
    older than `EXPORT_KEEP_SECONDS`, and all but the newest `EXPORT_KEEP_FILES`, are deleted: a long chat or a busy page
    leaves a bounded number of files, none for long.
    """
    if not answers:
        return None
    folder = export_dir()
    cutoff = time.time() - EXPORT_KEEP_SECONDS
    kept: list[tuple[float, Path]] = []
    for old in folder.glob("newsqa-conversation-*.md"):
        with contextlib.suppress(OSError):  # another server's, already gone
            modified = old.stat().st_mtime
            if modified < cutoff:
                old.unlink()
            else:
                kept.append((modified, old))
    for _, old in sorted(kept, reverse=True)[EXPORT_KEEP_FILES - 1 :]:  # room for the new one
        with contextlib.suppress(OSError):
            old.unlink()
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=folder, prefix="newsqa-conversation-", suffix=".md", delete=False
    ) as out:  # created 0600 (mkstemp); Gradio serves it from here
        out.write(conversation_markdown(Answer.model_validate(a) for a in answers))
    return out.name


def article_texts(pipeline: Pipeline, answer: Answer) -> dict[str, str]:
    """The text of each cited article, from its stored chunks, for "show in article" (missing ones are left out)."""
    texts: dict[str, str] = {}
    for citation in answer.citations:
        if citation.article_id not in texts:
            try:
                texts[citation.article_id] = article_text(pipeline.store, citation.article_id)
            except NewsqaError:
                continue
    return texts


def answer_stream(
    pipeline: Pipeline,
    message: str,
    history: list[dict[str, Any]],
    questions: list[str],
    answers: list[dict[str, Any]] | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
    sources: list[str] | None = None,
    unchanged: Any = None,
) -> Iterator[ChatUpdate]:
    """Chat handler: show the question, then the answer sentence by sentence, then its sources (searching what the filters allow).

    While the answer streams, the export is `unchanged` (the page passes `gr.skip()`); it is written once, with the answer.
    """
    answers = list(answers or [])
    history = [*history, {"role": "user", "content": user_message(message or "")}]
    try:
        drafts = pipeline.ask_stream(message, history=questions, since=since or None, until=until or None, sources=sources or None)
        draft = next(drafts)  # a bad question or filter raises here, before anything is shown
    except (NewsqaError, ValueError) as error:
        yield [*history, {"role": "assistant", "content": error_message(str(error))}], questions, "", answers, unchanged
        return
    questions = [*questions, message.strip()]
    while not draft.done:  # a language model writes: each sentence shows once it is checked
        content = render_answer(draft.answer, with_sources=False, writing=draft.writing)
        yield [*history, {"role": "assistant", "content": content}], questions, "", answers, unchanged
        draft = next(drafts)
    answer = draft.answer
    if not answer.abstained and not answer.generated:
        shown = ""
        for citation in answer.citations:
            shown = f"{shown} {citation.quote} {marker(citation.n)}".strip()
            content = render_answer(answer, text=shown, with_sources=False)
            yield [*history, {"role": "assistant", "content": content}], questions, "", answers, unchanged
    answers = [*answers, answer.to_dict()]
    content = render_answer(answer, articles=article_texts(pipeline, answer))
    yield [*history, {"role": "assistant", "content": content}], questions, "", answers, export_file(answers)


def outlet_choices(pipeline: Pipeline) -> Any:
    """The outlet selector's choices, read from the index (kept as they are if the index cannot be read)."""
    import gradio as gr

    try:
        return gr.update(choices=[(shown_outlet(outlet), outlet) for outlet in pipeline.outlets()])
    except NewsqaError:
        return gr.update()


def index_uploads(
    pipeline: Pipeline, files: list[Any] | None, *, rebuild: bool = False, watcher: ArticleWatcher | None = None
) -> tuple[str, str]:
    """Save uploads into the articles folder and sync the index; a report of what happened, and the status line."""
    settings = pipeline.settings
    lines: list[str] = []
    if files:
        pairs = [(Path(str(f)).name, Path(str(f))) for f in files]  # Gradio keeps the uploaded name on its temp copy
        saved = save_uploads(
            pairs,
            Path(settings.articles_dir),
            max_bytes=settings.max_upload_bytes,
            limits=settings.limits,
            reserved=f"{settings.feeds.subfolder}/",
        )
        lines += [f"Refused {text_html(r)}" for r in saved.refused]
        if not saved.saved and not rebuild:
            return "<br>".join(lines) or "Nothing uploaded.", status_line(pipeline, watcher)
    try:
        report = update_index(settings, rebuild=rebuild, store=pipeline.store)
    except NewsqaError as error:
        lines.append(text_html(str(error)))
        return "<br>".join(lines), status_line(pipeline, watcher)
    lines.insert(0, f"{report.describe()}.")
    lines += [f"Added: {text_html(i)}" for i in report.added_ids] + [f"Updated: {text_html(i)}" for i in report.updated_ids]
    lines += [f"Skipped {text_html(str(s))}" for s in report.skipped_files]
    return "<br>".join(lines), status_line(pipeline, watcher)


def build_app(pipeline: Pipeline, *, watcher: ArticleWatcher | None = None) -> Any:
    """The chat page as a Gradio Blocks app, answering through `pipeline` (the one `ask()` uses); `watcher`'s syncs show in its status line."""
    gradio_cache()  # private, before any component reads where it is
    import gradio as gr

    with gr.Blocks(title="newsqa") as demo:
        if pipeline.answerer is None:
            gr.Markdown("## newsqa\nAsk about the articles; every answer is made of their own sentences, each with its source.")
        else:
            gr.Markdown(
                f"## newsqa\nAsk about the articles; {text_html(model_label(pipeline.answerer.name))} phrases the answer from their "
                "sentences, and every sentence it writes is checked against the quotes it cites."
            )
        status = gr.Markdown(elem_id="nq-status")
        chatbot = gr.Chatbot(
            elem_id="nq-chat",
            height=560,
            sanitize_html=True,
            latex_delimiters=[],  # no "$$" in an article may turn into rendered math
            show_label=False,
            feedback_options=None,
            placeholder="Ask a question about the news articles.",
        )
        with gr.Row(elem_id="nq-filters"):
            since = gr.Textbox(label="From (YYYY-MM-DD)", elem_id="nq-since", placeholder="any date", scale=1)
            until = gr.Textbox(label="To (YYYY-MM-DD)", elem_id="nq-until", placeholder="any date", scale=1)
            outlets = gr.Dropdown(
                choices=[], value=[], multiselect=True, label="Outlets (none selected: all)", elem_id="nq-outlets", scale=2
            )
        questions = gr.State([])
        answers = gr.State([])
        with gr.Row():
            box = gr.Textbox(
                elem_id="nq-question", placeholder="e.g. What did Pistorius regret?", show_label=False, scale=8, autofocus=True
            )
            send = gr.Button("Ask", variant="primary", scale=1, elem_id="nq-ask")
            clear = gr.Button("Clear chat", scale=1, elem_id="nq-clear")
            export = gr.DownloadButton("Export", value=None, scale=1, elem_id="nq-export")
        gr.Examples(EXAMPLES, inputs=box, label="Try")
        with gr.Accordion("Articles", open=False, elem_id="nq-articles"):
            files = gr.File(
                file_count="multiple",
                file_types=UPLOAD_TYPES,
                type="filepath",
                label=f"Upload articles ({UPLOAD_NAMES}, up to {megabytes(pipeline.settings.max_upload_bytes)} each)",
                elem_id="nq-upload",
            )
            with gr.Row():
                add = gr.Button("Add to index", elem_id="nq-add")
                rebuild = gr.Button("Rebuild index", elem_id="nq-rebuild")
            report = gr.HTML(elem_id="nq-report")

        def respond(
            message: str,
            history: list[dict[str, Any]],
            asked: list[str],
            answered: list[dict[str, Any]],
            first: str,
            last: str,
            chosen: list[str] | None,
        ) -> Iterator[ChatUpdate]:
            yield from answer_stream(
                pipeline, message, history, asked, answered, since=first, until=last, sources=chosen, unchanged=gr.skip()
            )

        chat_inputs = [box, chatbot, questions, answers, since, until, outlets]
        chat_outputs = [chatbot, questions, box, answers, export]
        send.click(respond, chat_inputs, chat_outputs, api_name="ask_chat")
        box.submit(respond, chat_inputs, chat_outputs, api_visibility="private")
        clear.click(lambda: ([], [], "", [], None), None, chat_outputs, api_visibility="private")
        # index events run one at a time (and under the store's write lock, shared with the CLI and the watcher)
        add.click(
            lambda f: index_uploads(pipeline, f, watcher=watcher),
            files,
            [report, status],
            api_visibility="private",
            concurrency_limit=1,
            concurrency_id=INDEX_EVENTS,
        )
        rebuild.click(
            lambda: index_uploads(pipeline, None, rebuild=True, watcher=watcher),
            None,
            [report, status],
            api_visibility="private",
            concurrency_limit=1,
            concurrency_id=INDEX_EVENTS,
        )
        demo.load(lambda: status_line(pipeline, watcher), None, status, api_visibility="private")
        demo.load(lambda: outlet_choices(pipeline), None, outlets, api_visibility="private")
        report.change(lambda: outlet_choices(pipeline), None, outlets, api_visibility="private")  # after an upload or rebuild
        # the index also changes from outside (the CLI, a watcher): refresh the status line without a reload
        gr.Timer(STATUS_REFRESH_SECONDS).tick(
            lambda: status_line(pipeline, watcher), None, status, api_visibility="private", show_progress="hidden"
        )

        def ask_api(question: str, since: str | None = None, until: str | None = None, sources: list[str] | None = None) -> dict[str, Any]:
            try:
                return pipeline.ask(question, since=since, until=until, sources=sources).to_dict()
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


def launch(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    block: bool = True,
    pipeline: Pipeline | None = None,
    watcher: ArticleWatcher | None = None,
) -> Any:
    """Serve the chat page; warns when it is reachable from other machines without a login. `watcher` (serve --watch) shows in the status line."""
    auth = settings.ui_login()  # None only when no login was asked for: an empty or malformed one was refused when settings loaded
    warning = exposure_warning(host, auth)
    if warning:
        log.warning(warning)
    pipeline = pipeline or get_pipeline(settings)  # load the model and open the store before the first question
    if pipeline.answerer is not None:
        pipeline.answerer.warm_up()  # and the language model (NEWSQA_LLM), so the first answer does not wait for it
    demo = build_app(pipeline, watcher=watcher)
    demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        css=CSS,
        head=SCROLL_TO_QUOTE,
        prevent_thread_lock=not block,
        footer_links=[],
        quiet=not block,
        max_file_size=settings.max_upload_bytes,  # Gradio refuses bigger uploads before they reach the disk
    )
    return demo
