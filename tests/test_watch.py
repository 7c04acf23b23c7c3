"""The watcher keeps the index current: dropped files become answerable, deleted ones stop being cited."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from index import IndexReport, Settings
from index.settings import WatchSettings
from index.watch import ArticleWatcher
from qa import Pipeline
from tests.conftest import ROOT, SEEDS, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FLOOD = "Flood warning issued\n\nThe river Avon burst its banks on Sunday, flooding 40 homes in Bath. Officials opened a shelter at the town hall."
QUESTION = "How many homes were flooded in Bath?"


def eventually(check: Callable[[], bool], seconds: float, context: Callable[[], str] = str) -> float:
    """Seconds until `check()` held; fails after `seconds`, with `context()` in the message."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"not within {seconds} s\n{context()}"
        time.sleep(0.2)
    return time.monotonic() - started


def cites_flood(pipeline: Pipeline) -> bool:
    answer = pipeline.ask(QUESTION)
    return any(c.article_id == "flood.txt" for c in answer.citations)


@pytest.fixture
def watched(tmp_path, embedder) -> Iterator[tuple[Settings, Pipeline, list[IndexReport]]]:
    shutil.copytree(SEEDS, tmp_path / "articles")
    settings = Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db")
    pipeline = Pipeline(settings, embedder=embedder)
    reports: list[IndexReport] = []
    watcher = ArticleWatcher(settings, store=pipeline.store, on_report=reports.append)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    eventually(lambda: bool(reports), 60)  # the first sync
    yield settings, pipeline, reports
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()


def test_a_dropped_file_is_answerable_within_ten_seconds_and_a_deleted_one_stops_being_cited(watched):
    settings, pipeline, reports = watched
    (settings.articles_dir / "flood.txt").write_text(FLOOD)
    eventually(lambda: cites_flood(pipeline), 10)
    (settings.articles_dir / "flood.txt").unlink()
    eventually(lambda: not cites_flood(pipeline), 10)
    assert any(r.removed_ids == ["flood.txt"] for r in reports)


def test_the_watcher_survives_bad_files_and_a_deleted_folder(watched):
    settings, pipeline, reports = watched
    (settings.articles_dir / "bad.json").write_text("{broken")
    eventually(lambda: any(s.path == "bad.json" for r in reports for s in r.skipped_files), 10)
    shutil.rmtree(settings.articles_dir)
    time.sleep(3)
    assert not pipeline.ask("What did Pistorius regret?").abstained  # nothing indexed was lost
    shutil.copytree(SEEDS, settings.articles_dir)
    (settings.articles_dir / "flood.txt").write_text(FLOOD)
    eventually(lambda: cites_flood(pipeline), 15)


def test_a_failed_sync_is_retried_without_waiting_for_a_change(tmp_path, caplog):
    shutil.copytree(SEEDS, tmp_path / "articles")
    (tmp_path / "db").write_text("a file where the store should be")  # the store cannot open until someone moves it away
    settings = Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db", watch=WatchSettings(retry_seconds=2))
    reports: list[IndexReport] = []
    watcher = ArticleWatcher(settings, on_report=reports.append)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    with caplog.at_level("WARNING", logger="newsqa"):
        thread.start()
        try:
            time.sleep(3.5)  # the first sync failed, and was retried once after 2 s (not at every 1 s tick)
            failures = sum("sync failed" in r.getMessage() for r in caplog.records)
            assert not reports and thread.is_alive() and failures == 2
            (tmp_path / "db").unlink()  # fixed; no article changed
            eventually(lambda: bool(reports), 60)
            time.sleep(2.5)  # a successful sync ends the retries
            assert len(reports) == 1 and reports[0].added == 1  # the seed, indexed by a retry
        finally:
            stop.set()
            thread.join(timeout=30)


def test_a_failing_follow_up_of_a_sync_does_not_stop_the_watcher(tmp_path, embedder):
    shutil.copytree(SEEDS, tmp_path / "articles")
    settings = Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db")
    pipeline = Pipeline(settings, embedder=embedder)
    reports: list[IndexReport] = []

    def fails_first(report: IndexReport) -> None:
        reports.append(report)
        if len(reports) == 1:
            raise OSError("disk full")  # e.g. saving BM25 after the sync

    stop = threading.Event()
    thread = threading.Thread(target=ArticleWatcher(settings, store=pipeline.store, on_report=fails_first).run, args=(stop,), daemon=True)
    thread.start()
    try:
        eventually(lambda: bool(reports), 60)
        (settings.articles_dir / "flood.txt").write_text(FLOOD)
        eventually(lambda: cites_flood(pipeline), 15)
        assert thread.is_alive() and len(reports) == 2
    finally:
        stop.set()
        thread.join(timeout=30)


def test_a_file_written_in_parts_seconds_apart_is_indexed_once_whole(tmp_path, embedder):
    shutil.copytree(SEEDS, tmp_path / "articles")
    settings = Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db")  # the default timing: what users get
    pipeline = Pipeline(settings, embedder=embedder)
    reports: list[IndexReport] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=ArticleWatcher(settings, store=pipeline.store, on_report=reports.append).run, args=(stop,), daemon=True
    )
    thread.start()
    try:
        eventually(lambda: bool(reports), 60)
        parts = [FLOOD[:30], FLOOD[30:70], FLOOD[70:]]
        with (settings.articles_dir / "flood.txt").open("w") as copy:
            for number, part in enumerate(parts):
                copy.write(part)
                copy.flush()
                if number < len(parts) - 1:
                    time.sleep(3)  # longer than the debounce: the watcher sees each part
        eventually(lambda: any("flood.txt" in r.added_ids + r.updated_ids for r in reports[1:]), 20)
        eventually(lambda: pipeline.store.article_text("flood.txt").endswith("at the town hall."), 20)  # the whole file
        assert cites_flood(pipeline)
    finally:
        stop.set()
        thread.join(timeout=30)
    later = reports[1:]  # after the first sync, which indexed the seed
    assert [r.added_ids for r in later if r.added_ids] == [["flood.txt"]]
    assert not any(r.updated_ids for r in later)  # indexed once, whole: never half first


def test_the_status_line_shows_the_watchers_last_sync(tmp_path, embedder):
    from ui.app import status_line

    shutil.copytree(SEEDS, tmp_path / "articles")
    settings = Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db")
    pipeline = Pipeline(settings, embedder=embedder)
    watcher = ArticleWatcher(settings, store=pipeline.store)
    assert status_line(pipeline).endswith("last update never")  # no watcher: no sync part
    assert status_line(pipeline, watcher).endswith("watching the articles folder: first sync running")
    watcher.sync()
    assert re.search(
        r"1 article · \d+ chunks · .* · last sync \d\d:\d\d:\d\d UTC: 1 added, 0 updated, 0 removed$", status_line(pipeline, watcher)
    )
    (settings.articles_dir / "flood.txt").write_text(FLOOD)
    watcher.sync()
    assert "2 articles" in status_line(pipeline, watcher) and status_line(pipeline, watcher).endswith("1 added, 0 updated, 0 removed")
    (settings.articles_dir / "flood.txt").unlink()
    watcher.sync()
    assert status_line(pipeline, watcher).endswith("0 added, 0 updated, 1 removed")


def saved_bm25(db: Path) -> list[str]:
    """The BM25 indexes saved beside the store (one per revision; temp folders left out)."""
    return sorted(p.name for p in db.glob("bm25/*/*") if not p.name.startswith(".tmp-"))


class ServeWatch:
    """A real `newsqa serve --watch` in a subprocess (its own process group), with its stdout collected line by line."""

    def __init__(self, articles: Path, db: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {
            **os.environ,
            "NEWSQA_DB_DIR": str(db),
            "GRADIO_ANALYTICS_ENABLED": "False",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ui", "serve", "--watch", "--articles", str(articles), "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def output(self) -> str:
        """What the server printed so far (its last 40 lines)."""
        return "\n".join(self.lines[-40:])

    def ready(self) -> bool:
        """Whether the page answers and the watcher printed its first sync line."""
        import http.client  # not httpx: no proxy from the environment may come between the test and 127.0.0.1

        assert self.process.poll() is None, self.output()
        if not any(re.match(r"\d{4}-\d\d-\d\dT\S+ \d+ added", line) for line in self.lines):
            return False
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", "/")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def stop(self) -> None:
        """SIGTERM the whole process group, SIGKILL it if it lingers."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)


def test_serve_watch_answers_about_a_dropped_file_within_ten_seconds_and_forgets_a_deleted_one(tmp_path):
    from gradio_client import Client

    shutil.copytree(SEEDS, tmp_path / "articles")
    server = ServeWatch(tmp_path / "articles", tmp_path / "db")
    try:
        eventually(server.ready, 180, server.output)  # model loaded, page up, the seed indexed by the watcher's first sync
        client = Client(server.url, verbose=False)

        def cited() -> bool:
            answer = client.predict(QUESTION, api_name="/ask")
            return any(c["article_id"] == "flood.txt" for c in answer["citations"])

        assert not cited()
        [before] = saved_bm25(tmp_path / "db")
        (tmp_path / "articles" / "flood.txt").write_text(FLOOD)
        # the watcher's sync saves BM25 for the new revision (and drops the old one) before anyone asks
        eventually(lambda: len(saved_bm25(tmp_path / "db")) == 1 and saved_bm25(tmp_path / "db") != [before], 10, server.output)
        eventually(cited, 10)
        (tmp_path / "articles" / "flood.txt").unlink()
        eventually(lambda: not cited(), 10)
    finally:
        server.stop()
    assert server.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(server.process.pid, 0)  # nothing of its process group is left
