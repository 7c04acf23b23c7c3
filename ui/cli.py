"""`newsqa`: index articles, ask questions, serve the chat page, evaluate on a gold set.

Library errors become one line on stderr and a non-zero exit (2 for a bad question or a bad
setting). Heavy libraries load inside the commands, so `newsqa --help` answers at once. Everything
printed goes through one sanitiser (`say`, and the log formatter), so no article, feed title or
file name reaches the terminal with control characters or escape sequences: it must not be able
to retitle the terminal, hide text, or add rows to a listing (`one_line` for fields of one line).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from index import IndexReport, NewsqaError
    from qa import Answer, Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Answer questions about news articles with cited sentences.")

ArticlesOption = Annotated[Path | None, typer.Option("--articles", help="Folder of articles (default: NEWSQA_ARTICLES_DIR or seeds/).")]

_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\][^\x07\x1b]*(?:\x07|\x1b\\)?|\[[0-?]*[ -/]*[@-~]?|.?)", re.DOTALL)


def printable(text: str) -> str:
    """`text` without terminal escape sequences, control characters or bidi overrides; line breaks of any kind become `\\n`, tabs stay."""
    from qa.models import LINE_BREAKS, shown_character

    text = LINE_BREAKS.sub("\n", _ESCAPE_SEQUENCE.sub("", text))
    return "".join(char for char in text if char in "\n\t" or shown_character(char))


def one_line(text: str) -> str:
    """`printable(text)` on one line, tabs and line breaks turned into single spaces: a field of a row (`newsqa articles`)."""
    return " ".join(printable(text).split())


def say(text: str, *, err: bool = False) -> None:
    """Print `text` made `printable`: the one way this CLI writes to the terminal."""
    typer.echo(printable(text), err=err)


def _safe_json(data: Any) -> str:
    """JSON with every control and bidi character escaped (json leaves U+007F-U+009F and bidi overrides raw)."""
    from qa.models import shown_character

    return "".join(char if shown_character(char) else f"\\u{ord(char):04x}" for char in json.dumps(data, ensure_ascii=False))


def _echo_error(message: str) -> None:
    say(f"error: {one_line(str(message))}", err=True)


def _setting_error(error: Exception) -> str:
    """One line naming the `NEWSQA_*` variable that is wrong and what it accepts."""
    from pydantic import ValidationError

    from index.settings import COLLECTION_NAME_RULE, secret_settings, unknown_setting
    from qa import Settings

    if not isinstance(error, ValidationError):  # pydantic-settings could not even parse it (a section given as bad JSON)
        field = re.search(r'field "(\w+)"', str(error))
        name = f"NEWSQA_{field.group(1).upper()}" if field else "a NEWSQA_ variable"
        return f"{name} is not valid JSON; set its fields one by one instead, e.g. NEWSQA_RETRIEVAL__K=6."
    first = error.errors()[0]
    variable = "NEWSQA_" + "__".join(str(part) for part in first["loc"]).upper()
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":  # a key of a section given as JSON
        message = unknown_setting(variable, Settings)
    if message.startswith("NEWSQA_"):
        return message if message.endswith((".", "?")) else f"{message}."
    if first["type"] == "string_pattern_mismatch" and first["loc"] == ("collection",):
        message = f"must be {COLLECTION_NAME_RULE}"
    value = first.get("input")
    secret = any(tuple(first["loc"][: len(path)]) == path for path in secret_settings(Settings))  # never echoed, even malformed
    shown = f"={value!r}" if isinstance(value, str) and len(value) <= 80 and not secret else ""
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{variable}{shown} is not allowed: {message[:1].lower()}{message[1:]}{more}."


def _settings(articles: Path | None = None) -> Settings:
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from qa import Settings

    try:
        settings = Settings()
    except (ValidationError, SettingsError) as error:
        _echo_error(_setting_error(error))
        raise typer.Exit(2) from None
    if articles is not None:
        settings = settings.model_copy(update={"articles_dir": articles})
    return settings


def _fail(error: NewsqaError) -> NoReturn:
    from index import BadQuestionError

    _echo_error(str(error))
    raise typer.Exit(2 if isinstance(error, BadQuestionError) else 1)


class _PrintableFormatter(logging.Formatter):
    """Warnings name files and lines of articles: print them without control characters."""

    def format(self, record: logging.LogRecord) -> str:
        """The record, formatted, then made printable."""
        return printable(super().format(record))


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PrintableFormatter("warning: %(message)s"))
    handler.setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG; its progress notes are not warnings
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@app.command()
def index(
    articles: ArticlesOption = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the index and embed every article again.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON line with the counts.")] = False,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Exit 1 at once if another index run is writing, instead of waiting.")] = False,
) -> None:
    """Sync the index with the articles folder (only new and changed articles are embedded)."""
    _setup_logging()
    from index import NewsqaError, update_index

    try:
        report = update_index(_settings(articles), rebuild=rebuild, progress=not as_json, wait=not no_wait)
    except NewsqaError as error:
        _fail(error)
    if as_json:
        say(json.dumps(report.summary()))
        return
    say(report.describe())


def _print_sync(report: IndexReport) -> None:
    """One timestamped line per sync of a watcher or fetcher."""
    from datetime import datetime

    say(f"{datetime.now().isoformat(timespec='seconds')} {report.describe()}")
    for skipped in report.skipped_files:
        say(f"  skipped {one_line(str(skipped))}")


@app.command()
def watch(articles: ArticlesOption = None) -> None:
    """Keep the index in step with the articles folder: sync after every change (Ctrl-C stops)."""
    _setup_logging()
    from index.watch import ArticleWatcher

    settings = _settings(articles)
    say(f"watching {settings.articles_dir} (sync {settings.watch.debounce_seconds:g} s after the last change)")

    watcher = ArticleWatcher(settings, on_report=_print_sync)
    with contextlib.suppress(KeyboardInterrupt):
        watcher.run()


EVERY_LIMIT_SECONDS = 7 * 24 * 3600
"""Longest --every: a week (a longer pause is a typo, and `time.sleep` overflows on a huge one)."""


def _parse_every(every: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    match = re.fullmatch(r"(\d{1,9}(?:\.\d{1,6})?)([smh])", every.strip())
    seconds = float(match.group(1)) * units[match.group(2)] if match else 0.0
    if not match or not 1 <= seconds <= EVERY_LIMIT_SECONDS:
        _echo_error(f"--every {every!r} must look like 30s, 15m or 2h, from 1s to 168h.")
        raise typer.Exit(2)
    return seconds


@app.command()
def fetch(
    feeds: Annotated[list[str], typer.Argument(help="RSS/Atom feeds: files or http(s) URLs.")],
    articles: ArticlesOption = None,
    every: Annotated[str | None, typer.Option("--every", help="Keep fetching at this interval, e.g. 15m (s, m, h).")] = None,
) -> None:
    """Save new feed entries as articles in the articles folder, then sync the index."""
    _setup_logging()
    import time

    from index import NewsqaError, update_index
    from index.feeds import fetch_feeds

    settings = _settings(articles)
    pause = _parse_every(every) if every else None
    while True:
        fetched = fetch_feeds(feeds, settings)
        for problem in fetched.problems:
            say(f"warning: {one_line(problem)}", err=True)
        say(f"{len(fetched.saved)} new entries saved, {fetched.known} already there")
        try:
            _print_sync(update_index(settings))
        except NewsqaError as error:
            if pause is None:
                _fail(error)
            _echo_error(str(error))
        if pause is None:
            if fetched.failed_feeds == len(feeds):
                raise typer.Exit(1)
            return
        try:
            time.sleep(pause)
        except KeyboardInterrupt:
            return


SinceOption = Annotated[str | None, typer.Option("--since", help="Only articles dated on or after this day (YYYY-MM-DD).")]
UntilOption = Annotated[str | None, typer.Option("--until", help="Only articles dated on or before this day (YYYY-MM-DD).")]
SourceOption = Annotated[list[str] | None, typer.Option("--source", help="Only articles from this outlet (case-insensitive; repeatable).")]


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole answer as JSON.")] = False,
    since: SinceOption = None,
    until: UntilOption = None,
    source: SourceOption = None,
    stream: Annotated[
        bool, typer.Option("--stream", help="With NEWSQA_LLM set, print each sentence of the model's answer once it is checked.")
    ] = False,
) -> None:
    """Answer a question from the indexed articles, with citations (phrased by NEWSQA_LLM when set, every sentence checked)."""
    _setup_logging()
    from qa import NewsqaError, get_pipeline

    printed = 0
    try:
        drafts = get_pipeline(_settings()).ask_stream(question, since=since, until=until, sources=source)
        for draft in drafts:
            if stream and not as_json and not draft.done:
                for claim in draft.answer.claims[printed:]:
                    if claim.shown:
                        say(one_line(_claim_line(claim)))
                printed = len(draft.answer.claims)
        answer = draft.answer
    except NewsqaError as error:
        _fail(error)
    if answer.notice:
        say(f"warning: {one_line(answer.notice)}", err=True)
    if as_json:
        say(_safe_json(answer.to_dict()))
        return
    for line in answer_lines(answer, streamed=printed):
        say(line)


def answer_lines(answer: Answer, *, streamed: int = 0) -> list[str]:
    """What `newsqa ask` prints for an answer, line by line: each line `one_line`, so nothing an article says adds a line.

    `streamed`: how many of a generated answer's sentences `--stream` printed already.
    """
    from qa.models import by_article, marker

    lines = [one_line(answer.short), ""] if answer.short else []
    if answer.side_by_side and not answer.generated and not answer.abstained:  # one dated quote a line, earliest first
        for group in by_article(answer.citations):
            lines.append(one_line(f"{group[0].dated_label}: " + " ".join(f"{c.quote} {marker(c.n)}" for c in group)))
        lines += [one_line(line) for line in answer.unmatched]
    elif answer.generated:
        lines += [one_line(_claim_line(claim)) for claim in answer.claims[streamed:] if claim.shown]
    else:
        lines.append(one_line(answer.text))
        # fell back to the quotes: what the model wrote, struck, when asked to show it (and not streamed already)
        lines += [one_line(_claim_line(claim)) for claim in answer.claims[streamed:] if claim.verdict == "struck"]
    if not answer.abstained:
        lines.append(f"({answer.confidence_words}: confidence {answer.confidence:.2f})")
    if answer.claims:
        lines.append(one_line(_generated_note(answer)))
    if answer.filters.any:
        lines.append(one_line(f"(searched articles {answer.filters.describe()})"))
    if answer.citations:
        lines += ["", f"{answer.sources_label}:"]
        for citation in answer.citations:
            label = marker(citation.n) if not answer.abstained else "-"
            meta = ", ".join(part for part in (citation.source_shown, citation.date) if part)
            where = f"(chars {citation.start}-{citation.end})"
            supports = f" supports sentence {', '.join(map(str, citation.supports))}" if citation.supports else ""
            lines.append("  " + one_line(f"{label} {citation.title}{f' ({meta})' if meta else ''} {where}{supports}: {citation.quote}"))
            if citation.clue:
                lines.append("      " + one_line(f"supports: {citation.clue}"))
            if citation.reference:
                lines.append("      " + one_line(f"answers: {citation.reference}"))
            if citation.also_in or citation.more_copies:
                lines.append("      " + one_line("also reported by: " + "; ".join(citation.copy_names())))
    return lines


def _claim_line(claim: Any) -> str:
    """One sentence of a generated answer as printed: with its markers, or struck out when unsupported."""
    from qa.models import marker

    if claim.supported:
        return f"{claim.text} {''.join(marker(n) for n in claim.citations)}"
    return f"[not supported by the sources, struck out] {claim.text}"


def _generated_note(answer: Any) -> str:
    """What the check did to the model's sentences, in one line."""
    dropped = sum(c.verdict == "dropped" for c in answer.claims)
    struck = sum(c.verdict == "struck" for c in answer.claims)
    parts = [f"written by {answer.model}" if answer.generated else "the model's answer was not used"]
    parts.append("every sentence checked against the quoted sources")
    if dropped:
        parts.append(f"{dropped} unsupported sentence{'s' if dropped != 1 else ''} dropped (NEWSQA_LLM__UNSUPPORTED=strike shows them)")
    if struck:
        parts.append(f"{struck} unsupported sentence{'s' if struck != 1 else ''} struck out")
    return f"({'; '.join(parts)})"


@app.command()
def articles(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per article.")] = False,
    since: SinceOption = None,
    until: UntilOption = None,
    source: SourceOption = None,
) -> None:
    """List the indexed articles (id, title, date, outlet, url, chunks, copies), filtered like `ask`."""
    _setup_logging()
    from index import Catalog, ChunkStore, NewsqaError
    from index.lookalikes import shown_outlet
    from qa.filters import resolve_filters

    try:
        catalog = Catalog.read(ChunkStore(_settings()))  # no embedding model needed to list
        chunk_filter, _ = resolve_filters(since, until, source, outlets=catalog.outlets())
    except NewsqaError as error:
        _fail(error)
    for entry in catalog.entries:
        if not chunk_filter.admits(entry.date_ordinal, entry.source_key):
            continue
        copies = [other.id for other in catalog.copies_of(entry.id)]
        row = {
            "id": entry.id, "title": entry.title, "date": entry.date, "source": entry.source,
            "url": entry.url, "chunks": entry.chunks, "copies": copies,
        }  # fmt: skip
        if as_json:
            say(_safe_json(row))
        else:  # one row per article, one field per column: no field may add a line or a column
            extra = f"  copies: {', '.join(one_line(c) for c in copies)}" if copies else ""
            fields = (entry.id, entry.date or "-", shown_outlet(entry.source) or "-", str(entry.chunks), entry.title, entry.url)
            say("\t".join(one_line(field) for field in fields) + extra)


def _check_port(host: str, port: int) -> None:
    """Exit 2 with one line if `port` is out of range or cannot be bound on `host`, before any model loads."""
    if not 1 <= port <= 65535:
        _echo_error(f"--port {port} is not a port: use 1-65535.")
        raise typer.Exit(2)
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does, so a closing port is not "in use"
            probe.bind((host, port))
    except OSError as error:
        _echo_error(f"cannot serve on {host}:{port} ({error.strerror or error}); pick another --port or --host.")
        raise typer.Exit(2) from None


def _read_auth_file(path: Path) -> str:
    """The first line of an auth file; exit 2 with one line when it cannot be read or that line is empty."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        _echo_error(f"cannot read --auth-file {path} ({getattr(error, 'strerror', None) or error}).")
        raise typer.Exit(2) from None
    if not lines or not lines[0].strip():
        what = "is empty" if not "".join(lines).strip() else "has an empty first line"
        _echo_error(
            f"--auth-file {path} {what}: put user:password on its first line (the page is never served without the login asked for)."
        )
        raise typer.Exit(2)
    return lines[0].strip()


def _login(settings: Settings, auth: str | None, auth_file: Path | None) -> Settings:
    """`settings` with the login of --auth or --auth-file; exit 2 with one line for both, an empty or a malformed one."""
    if auth is not None and auth_file is not None:
        _echo_error("give --auth or --auth-file, not both.")
        raise typer.Exit(2)
    where = "--auth" if auth is not None else f"the first line of --auth-file {auth_file}"
    if auth_file is not None:
        auth = _read_auth_file(auth_file)
    if auth is None:
        return settings
    from index.settings import parse_auth

    try:
        parse_auth(auth, where=where)  # the same check as the settings' own, saying which flag to fix
    except ValueError as error:
        _echo_error(f"{error}.")
        raise typer.Exit(2) from None
    return settings.with_login(auth.strip())


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the chat page (1-65535).")] = 7860,
    auth: Annotated[
        str | None,
        typer.Option(help="user:password the page asks for; visible to other users in `ps`: prefer NEWSQA_UI_AUTH or --auth-file."),
    ] = None,
    auth_file: Annotated[
        Path | None, typer.Option("--auth-file", help="File whose first line is user:password (empty or malformed: refused).")
    ] = None,
    articles: ArticlesOption = None,
    watch: Annotated[bool, typer.Option("--watch", help="Also keep the index in step with the articles folder while serving.")] = False,
) -> None:
    """Open the chat page (indexes nothing unless --watch: run `newsqa index` first, or upload articles there)."""
    _setup_logging()
    settings = _login(_settings(articles), auth, auth_file)
    _check_port(host, port)
    from index import NewsqaError
    from qa import get_pipeline
    from ui.app import launch

    try:
        pipeline = get_pipeline(settings)
        watcher = None
        if watch:
            import threading

            from index.watch import ArticleWatcher

            # the chat's store: its syncs save BM25 and tell the pipeline to read ahead (`ChunkStore.on_change`)
            watcher = ArticleWatcher(settings, store=pipeline.store, on_report=_print_sync)
            threading.Thread(target=watcher.run, name="newsqa-watch", daemon=True).start()
        launch(settings, host=host, port=port, pipeline=pipeline, watcher=watcher)
    except NewsqaError as error:
        _fail(error)
    except OSError as error:  # the port was taken between the check and the launch
        _echo_error(f"cannot serve on {host}:{port} ({error}); pick another --port or --host.")
        raise typer.Exit(2) from None


@app.command("eval")
def evaluate_gold(
    gold: Annotated[Path, typer.Argument(help="Gold JSONL: question, answers, answerable (default true), optional id, article.")],
    articles: ArticlesOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as one JSON line.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Also draw a PNG figure (latency, hit rate per question kind).")] = None,
    use_index: Annotated[
        bool, typer.Option("--use-index", help="Ask the current index instead of indexing the articles into a temporary one.")
    ] = False,
) -> None:
    """Measure answer quality on a gold set (indexes into a temporary store; your index is untouched)."""
    _setup_logging()
    from index import NewsqaError
    from qa.evaluate import evaluate, format_table, plot_report, write_json

    if not gold.is_file():
        _echo_error(f"gold file {gold} does not exist.")
        raise typer.Exit(2)
    try:
        report = evaluate(gold, settings=_settings(articles), use_current_index=use_index, progress=not as_json)
    except NewsqaError as error:
        _fail(error)
    if plot is not None:
        plot_report(report, plot)
    say(write_json(report) if as_json else format_table(report))


def main() -> None:
    """Entry point of the `newsqa` console script."""
    app()


if __name__ == "__main__":
    main()
