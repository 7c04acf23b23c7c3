"""The watcher keeps the index current: dropped files become answerable, deleted ones stop being cited."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from index import IndexReport, Settings
from index.settings import WatchSettings
from index.watch import ArticleWatcher
from qa import Pipeline
from tests.conftest import SEEDS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FLOOD = "Flood warning issued\n\nThe river Avon burst its banks on Sunday, flooding 40 homes in Bath. Officials opened a shelter at the town hall."
QUESTION = "How many homes were flooded in Bath?"


def eventually(check: Callable[[], bool], seconds: float) -> float:
    """Seconds until `check()` held; fails after `seconds`."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
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


def test_a_half_copied_file_is_not_indexed_half(tmp_path, embedder):
    shutil.copytree(SEEDS, tmp_path / "articles")
    timing = WatchSettings(debounce_seconds=0.3, settle_seconds=1.5)
    settings = Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db", watch=timing)
    pipeline = Pipeline(settings, embedder=embedder)
    reports: list[IndexReport] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=ArticleWatcher(settings, store=pipeline.store, on_report=reports.append).run, args=(stop,), daemon=True
    )
    thread.start()
    try:
        eventually(lambda: bool(reports), 60)
        with (settings.articles_dir / "flood.txt").open("w") as copy:
            copy.write(FLOOD[:40])
            copy.flush()
            time.sleep(0.8)  # longer than the debounce: the watcher sees the half file
            copy.write(FLOOD[40:])
        eventually(lambda: cites_flood(pipeline), 15)
        time.sleep(2)
    finally:
        stop.set()
        thread.join(timeout=30)
    later = reports[1:]  # after the first sync, which indexed the seed
    assert [r.added_ids for r in later if r.added_ids] == [["flood.txt"]]
    assert not any(r.updated_ids for r in later)  # indexed once, whole
