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
from pathlib import Path

import pytest

from index import IndexReport
from index.catalog import article_text
from index.settings import WatchSettings
from index.watch import ArticleWatcher
from qa import Pipeline, Settings
from tests.conftest import QUICK_WATCH, ROOT, SEEDS, eventually, free_port, stays

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FLOOD = "Flood warning issued\n\nThe river Avon burst its banks on Sunday, flooding 40 homes in Bath. Officials opened a shelter at the town hall."
QUESTION = "How many homes were flooded in Bath?"
SYNCED = 60
"""Seconds a change may take to be synced here: generous, since a busy machine makes a sync slower, not wrong. How soon a
dropped file is answerable on an idle machine (within seconds: the debounce, the settle time and one sync) is a figure for
benchmarks, not a test."""


def cites_flood(pipeline: Pipeline) -> bool:
    answer = pipeline.ask(QUESTION)
    return any(c.article_id == "flood.txt" for c in answer.citations)


@pytest.fixture
def watched(tmp_path, embedder, start_watcher) -> tuple[Settings, Pipeline, list[IndexReport]]:
    shutil.copytree(SEEDS, tmp_path / "articles")
    settings = Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db", watch=QUICK_WATCH)
    pipeline = Pipeline(settings, embedder=embedder)
    run = start_watcher(settings, store=pipeline.store)
    eventually(lambda: bool(run.reports), 60)  # the first sync
    return settings, pipeline, run.reports


def test_a_dropped_file_becomes_answerable_and_a_deleted_one_stops_being_cited(watched):
    settings, pipeline, reports = watched
    (settings.articles_dir / "flood.txt").write_text(FLOOD)
    eventually(lambda: cites_flood(pipeline), SYNCED)
    (settings.articles_dir / "flood.txt").unlink()
    eventually(lambda: not cites_flood(pipeline), SYNCED)
    # the store changes before the sync returns its report: a reader may see the deletion first
    eventually(lambda: any(r.removed_ids == ["flood.txt"] for r in reports), SYNCED)


def test_the_watcher_survives_bad_files_and_a_deleted_folder(watched, caplog):
    settings, pipeline, reports = watched
    (settings.articles_dir / "bad.json").write_text("{broken")
    eventually(lambda: any(s.path == "bad.json" for r in reports for s in r.skipped_files), SYNCED)
    with caplog.at_level("WARNING", logger="newsqa"):
        shutil.rmtree(settings.articles_dir)
        eventually(lambda: any("is missing; waiting for it" in r.getMessage() for r in caplog.records), SYNCED)  # the watcher saw it go
    assert not pipeline.ask("What did Pistorius regret?").abstained  # nothing indexed was lost
    shutil.copytree(SEEDS, settings.articles_dir)
    (settings.articles_dir / "flood.txt").write_text(FLOOD)
    eventually(lambda: cites_flood(pipeline), SYNCED)


def test_a_failed_sync_is_retried_without_waiting_for_a_change(tmp_path, caplog, start_watcher):
    shutil.copytree(SEEDS, tmp_path / "articles")
    (tmp_path / "db").write_text("a file where the store should be")  # the store cannot open until someone moves it away
    settings = Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db", watch=WatchSettings(retry_seconds=2))

    def failures() -> list[float]:
        return [r.created for r in caplog.records if "sync failed" in r.getMessage()]

    with caplog.at_level("WARNING", logger="newsqa"):
        run = start_watcher(settings)
        eventually(lambda: len(failures()) >= 2, 60)  # the first sync failed, and was retried without any change
        first, second = failures()[:2]
        assert second - first >= 1.9  # after retry_seconds, not at every 1 s tick of the watch loop
        assert not run.reports
        assert run.thread.is_alive()
        (tmp_path / "db").unlink()  # fixed; no article changed
        eventually(lambda: bool(run.reports), 60)
        assert run.reports[0].added == 1  # the seed, indexed by a retry
        retried = len(failures())
        stays(lambda: len(run.reports) == 1 and len(failures()) == retried, 2 * settings.watch.retry_seconds)  # no retries after it


def test_a_failing_follow_up_of_a_sync_does_not_stop_the_watcher(tmp_path, embedder, start_watcher):
    shutil.copytree(SEEDS, tmp_path / "articles")
    settings = Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db", watch=QUICK_WATCH)
    pipeline = Pipeline(settings, embedder=embedder)
    seen: list[IndexReport] = []

    def fails_first(report: IndexReport) -> None:
        seen.append(report)
        if len(seen) == 1:
            raise OSError("disk full")  # e.g. printing the report to a full disk

    run = start_watcher(settings, store=pipeline.store, on_report=fails_first)
    eventually(lambda: bool(run.reports), 60)
    (settings.articles_dir / "flood.txt").write_text(FLOOD)
    eventually(lambda: cites_flood(pipeline), SYNCED)
    assert run.thread.is_alive()
    eventually(lambda: len(seen) == 2, SYNCED)


def test_a_file_dropped_while_the_first_sync_runs_is_indexed_too(tmp_path, embedder, start_watcher):
    """A reader drops an article while the watcher's first sync (minutes, on a large archive) is still running: it is not
    missed until some later change. Here it is written at the first sync's end, before the watcher could see it before."""
    shutil.copytree(SEEDS, tmp_path / "articles")
    settings = Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db", watch=QUICK_WATCH)
    pipeline = Pipeline(settings, embedder=embedder)
    flood = settings.articles_dir / "flood.txt"

    def drop_during_the_first(report: IndexReport) -> None:
        if not flood.exists():
            flood.write_text(FLOOD)

    run = start_watcher(settings, store=pipeline.store, on_report=drop_during_the_first)
    eventually(lambda: bool(run.reports), 60)
    eventually(lambda: cites_flood(pipeline), SYNCED)
    eventually(lambda: len(run.reports) >= 2, SYNCED)  # the report follows the write the question already sees
    assert [r.added for r in run.reports[:2]] == [1, 1]  # the seed, then the article dropped meanwhile


def test_a_file_written_in_parts_seconds_apart_is_indexed_once_whole(tmp_path, embedder, start_watcher):
    shutil.copytree(SEEDS, tmp_path / "articles")
    settings = Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db")  # the default timing: what users get
    pipeline = Pipeline(settings, embedder=embedder)
    run = start_watcher(settings, store=pipeline.store)
    reports = run.reports
    eventually(lambda: bool(reports), 60)
    parts = [FLOOD[:30], FLOOD[30:70], FLOOD[70:]]
    with (settings.articles_dir / "flood.txt").open("w") as copy:
        for number, part in enumerate(parts):
            copy.write(part)
            copy.flush()
            if number < len(parts) - 1:
                time.sleep(3)  # the scenario, not a wait: a writer pausing longer than the debounce, so the watcher sees each part
    eventually(lambda: any("flood.txt" in r.added_ids + r.updated_ids for r in reports[1:]), SYNCED)
    eventually(lambda: article_text(pipeline.store, "flood.txt").endswith("at the town hall."), SYNCED)  # the whole file
    assert cites_flood(pipeline)
    run.stop.set()
    run.thread.join(timeout=30)
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
        r"1 article · \d+ chunks · .* · last sync \d\d:\d\d:\d\d UTC: 1 added, 0 updated, 0 removed, 0 unchanged, 0 skipped; \d+ chunks",
        status_line(pipeline, watcher),
    )
    (settings.articles_dir / "flood.txt").write_text(FLOOD)
    watcher.sync()
    assert "2 articles" in status_line(pipeline, watcher)
    assert "UTC: 1 added, 0 updated, 0 removed, 1 unchanged" in status_line(pipeline, watcher)
    (settings.articles_dir / "flood.txt").unlink()
    watcher.sync()
    assert "UTC: 0 added, 0 updated, 1 removed" in status_line(pipeline, watcher)


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
            "NEWSQA_WATCH__DEBOUNCE_SECONDS": str(QUICK_WATCH.debounce_seconds),
            "NEWSQA_WATCH__SETTLE_SECONDS": str(QUICK_WATCH.settle_seconds),
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


def test_serve_watch_answers_about_a_dropped_file_and_forgets_a_deleted_one(tmp_path):
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
        eventually(lambda: len(saved_bm25(tmp_path / "db")) == 1 and saved_bm25(tmp_path / "db") != [before], SYNCED, server.output)
        eventually(cited, SYNCED)
        (tmp_path / "articles" / "flood.txt").unlink()
        eventually(lambda: not cited(), SYNCED)
    finally:
        server.stop()
    assert server.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(server.process.pid, 0)  # nothing of its process group is left
