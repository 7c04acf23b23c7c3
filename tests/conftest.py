"""Shared fixtures: the real embedding model (loaded once), real Chroma stores in temp folders, a watcher thread, a `chroma run` server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from index.settings import WatchSettings

if TYPE_CHECKING:
    from index import ChunkStore, IndexReport
    from index.watch import ArticleWatcher
    from qa import Pipeline, Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
QUICK_WATCH = WatchSettings(debounce_seconds=0.5, settle_seconds=0.3)
"""Short watch waits for the tests whose subject is not the timing (the default timing is what users get: one test keeps it)."""
SEED_ARTICLE = SEEDS / "nato-allies-defense-spending.txt"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def embedder():
    from index import Embedder

    return Embedder()


@pytest.fixture
def make_settings(tmp_path):
    """Settings with a fresh store and a copy of the seeds, in this test's temp folder."""
    from qa import Settings

    def make(articles: Path | None = None, **overrides) -> Settings:
        folder = articles or tmp_path / "articles"
        if articles is None and not folder.exists():
            shutil.copytree(SEEDS, folder)
        return Settings(articles_dir=folder, db_dir=tmp_path / "db", **overrides)

    return make


def zoo_pipeline(base: Path, embedder) -> tuple[Pipeline, Path]:
    """A pipeline over a folder in `base` holding one steady article (zoo.txt, indexed), beside which a test drops hostile ones."""
    from index import update_index
    from qa import Pipeline, Settings

    folder = base / "articles"
    folder.mkdir()
    (folder / "zoo.txt").write_text("Zoo opens\n\nThe mayor opened the zoo on Monday. The zoo has 40 lions.")
    settings = Settings(articles_dir=folder, db_dir=base / "db")
    update_index(settings, embedder=embedder)
    return Pipeline(settings, embedder=embedder), folder


def indexed_pipeline(articles: Path, db: Path, embedder) -> tuple[Pipeline, dict[str, str]]:
    """A pipeline over the real articles in `articles`, indexed into `db`, and the articles' texts by id (to check quotes)."""
    from index import ArticleLoader, update_index
    from qa import Pipeline, Settings

    settings = Settings(articles_dir=articles, db_dir=db)
    update_index(settings, embedder=embedder)
    texts = {a.id: a.text for a in ArticleLoader(articles).load().articles}
    return Pipeline(settings, embedder=embedder), texts


def assert_quotes_verbatim(answer, texts: dict[str, str], *, short_case: bool = True) -> None:
    """Every quote is its article's text at its offsets, and the short answer is where its citation says (`short_case`
    False: in any case, as a phrase opening a sentence is capitalised there: "Parents")."""
    for citation in answer.citations:
        assert texts[citation.article_id][citation.start : citation.end] == citation.quote
        if citation.answer_start is not None:
            placed = texts[citation.article_id][citation.answer_start : citation.answer_end]
            assert placed == answer.short if short_case else placed.lower() == answer.short.lower()


@pytest.fixture(scope="session")
def seed_pipeline(tmp_path_factory, embedder):
    """A pipeline over the indexed seed article, shared by the read-only question tests."""
    from index import update_index
    from qa import Pipeline, Settings

    base = tmp_path_factory.mktemp("seed")
    settings = Settings(articles_dir=SEEDS, db_dir=base / "db")
    update_index(settings, embedder=embedder)
    return Pipeline(settings, embedder=embedder)


def eventually(check: Callable[[], object], seconds: float, context: Callable[[], str] = str) -> float:
    """Wait until `check()` is true, polling; fails after `seconds` with `context()` in the message. Returns the seconds it took.

    Tests wait on conditions, never for a fixed time: a busy machine only makes them slower, not red.
    """
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"not within {seconds} s\n{context()}"
        time.sleep(0.1)
    return time.monotonic() - started


def stays(check: Callable[[], object], seconds: float, context: Callable[[], str] = str) -> None:
    """Check that `check()` holds for `seconds` (for what must not happen, e.g. no further sync); fails as soon as it does not."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        assert check(), context()
        time.sleep(0.1)


@dataclass
class WatcherRun:
    """An `ArticleWatcher` running in a thread, and the reports of its syncs so far."""

    watcher: ArticleWatcher
    reports: list[IndexReport]
    stop: threading.Event
    thread: threading.Thread


@pytest.fixture
def start_watcher() -> Iterator[Callable[..., WatcherRun]]:
    """Start an `ArticleWatcher` in a thread: `start_watcher(settings, store=..., on_report=...)`.

    Every report is collected in `run.reports` (before `on_report` sees it). At teardown each watcher
    is stopped and its thread must end.
    """
    from index.watch import ArticleWatcher

    runs: list[WatcherRun] = []

    def start(settings: Settings, *, store: ChunkStore | None = None, on_report: Callable[[IndexReport], None] | None = None) -> WatcherRun:
        reports: list[IndexReport] = []

        def record(report: IndexReport) -> None:
            reports.append(report)
            if on_report is not None:
                on_report(report)

        watcher = ArticleWatcher(settings, store=store, on_report=record)
        stop = threading.Event()
        thread = threading.Thread(target=watcher.run, args=(stop,), name="newsqa-test-watch", daemon=True)
        thread.start()
        runs.append(WatcherRun(watcher, reports, stop, thread))
        return runs[-1]

    yield start
    for run in runs:
        run.stop.set()
    for run in runs:
        run.thread.join(timeout=30)
        assert not run.thread.is_alive(), "the watcher did not stop"


class ChromaServer:
    """A real `chroma run` on a free port, with its data in a temp folder."""

    def __init__(self, data: Path) -> None:
        chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
        self.port = free_port()
        self.process = subprocess.Popen(
            [chroma, "run", "--path", str(data), "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def accepts(self) -> bool:
        """Whether it accepts connections (it fails the test if it has died)."""
        assert self.process.poll() is None, f"chroma run exited with {self.process.returncode}"
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        """Stop it (SIGTERM, then wait)."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def chroma_server(tmp_path) -> Iterator[ChromaServer]:
    """A `chroma run` server for this test, accepting connections; stopped at teardown."""
    server = ChromaServer(tmp_path / "chroma-server")
    try:
        eventually(server.accepts, 60)
        yield server
    finally:
        server.stop()


COMPARE_ARTICLES = ROOT.parent / "shared" / "eval" / "multihop-compare" / "articles"
"""All 609 MultiHop-RAG articles, kept beside the project (`../shared/eval`); the comparison tests index a few of them."""
COMPARE_FILES = (
    "meta-has-a-moderation-bias-problem-not-just-a-bug-thats-suppressing-palestinian.md",  # TechCrunch 2023-10-19
    "meta-turned-a-blind-eye-to-kids-on-its-platforms-for-years-unredacted-lawsuit-al.md",  # TechCrunch 2023-11-27
    "apple-defends-google-search-deal-in-court-there-wasnt-a-valid-alternative.md",  # The Verge 2023-09-26
    "5-things-we-learned-so-far-about-the-google-antitrust-case.md",  # TechCrunch 2023-10-31
    "epic-v-google-explained.md",  # The Verge 2023-11-05
    "early-impressions-of-googles-gemini-arent-great.md",  # TechCrunch 2023-12-07
    "news-publisher-files-class-action-antitrust-suit-against-google-citing-ais-harms.md",  # TechCrunch 2023-12-15
    "the-steam-deck-oled-improves-much-more-than-its-screen.md",  # Polygon 2023-11-09
    "steam-deck-oled-review-it-s-just-better.md",  # Engadget 2023-11-09
)
"""Nine real articles that MultiHop-RAG's development comparison questions set side by side, and others of their outlets."""


@pytest.fixture(scope="session")
def compare_settings(tmp_path_factory, embedder) -> Settings:
    """An indexed store of `COMPARE_FILES`, read from the shared MultiHop-RAG folder (shared by the comparison and browser tests)."""
    from index import update_index
    from qa import Settings

    if not COMPARE_ARTICLES.is_dir():
        pytest.skip(f"MultiHop-RAG's articles are not at {COMPARE_ARTICLES} (../shared/eval/multihop-compare beside the project)")
    base = tmp_path_factory.mktemp("compare")
    folder = base / "articles"
    folder.mkdir()
    for name in COMPARE_FILES:
        shutil.copy(COMPARE_ARTICLES / name, folder / name)
    settings = Settings(articles_dir=folder, db_dir=base / "db")
    update_index(settings, embedder=embedder)
    return settings
