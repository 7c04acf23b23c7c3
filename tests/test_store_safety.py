"""Readers beside writers: a rebuild never shows readers a missing or empty index; Chroma failures are StoreError."""

from __future__ import annotations

import shutil
import threading

import pytest

from index import ChunkStore, StoreError, update_index
from index.catalog import stored_articles
from qa import Pipeline, Settings
from tests.conftest import SEED_ARTICLE, SEEDS
from tests.test_crash import write_articles

pytestmark = pytest.mark.integration

QUESTION = "What did Pistorius regret?"


@pytest.fixture
def settings(tmp_path) -> Settings:
    folder = tmp_path / "articles"
    write_articles(folder, range(12))
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    return Settings(articles_dir=folder, db_dir=tmp_path / "db")


def test_a_reader_follows_rebuilds_done_elsewhere(settings, embedder):
    update_index(settings, embedder=embedder)
    pipeline = Pipeline(settings, embedder=embedder)
    first = pipeline.store.name
    update_index(settings, embedder=embedder, rebuild=True)  # its own store handle, as another process would
    answer = pipeline.ask(QUESTION)
    assert not answer.abstained
    assert pipeline.store.name != first
    assert first not in [c.name for c in pipeline.store.client.list_collections()]


@pytest.mark.slow
def test_questions_asked_during_rebuilds_are_all_answered(settings, embedder):
    update_index(settings, embedder=embedder)
    pipeline = Pipeline(settings, embedder=embedder)
    failures: list[str] = []
    answered = 0
    rebuilding = threading.Event()
    rebuilding.set()

    def rebuild_three_times() -> None:
        try:
            for _ in range(3):
                update_index(settings, embedder=embedder, rebuild=True)
        finally:
            rebuilding.clear()

    def ask_until_done() -> None:
        nonlocal answered
        while rebuilding.is_set():
            try:
                answer = pipeline.ask(QUESTION)
            except Exception as error:
                failures.append(f"{type(error).__name__}: {error}")
                continue
            if answer.abstained or answer.citations[0].article_id != SEED_ARTICLE.name:
                failures.append(answer.text)
            answered += 1

    threads = [threading.Thread(target=rebuild_three_times), *(threading.Thread(target=ask_until_done) for _ in range(2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []
    assert answered > 0
    assert ChunkStore(settings).leftovers() == []


def test_an_article_that_fails_to_split_is_skipped_and_keeps_its_indexed_version(settings, embedder, monkeypatch):
    import index.sync

    update_index(settings, embedder=embedder)
    seed = settings.articles_dir / SEED_ARTICLE.name
    seed.write_text(seed.read_text() + "\nA late paragraph.")
    (settings.articles_dir / "library-12.txt").write_text("Library news\n\nThe library of Kelso opened on Tuesday with 40 desks.")
    real = index.sync.chunk_article

    def fail_on_the_seed(article, **kwargs):
        if article.id == SEED_ARTICLE.name:
            raise RuntimeError("sentence splitter crashed")
        return real(article, **kwargs)

    monkeypatch.setattr(index.sync, "chunk_article", fail_on_the_seed)
    for rebuild in (False, True):
        report = update_index(settings, embedder=embedder, rebuild=rebuild)
        assert SEED_ARTICLE.name not in report.updated_ids + report.added_ids
        assert report.removed == 0
        assert [s.path for s in report.skipped_files] == [SEED_ARTICLE.name]
        assert "sentence splitter crashed" in report.skipped_files[0].reason
        stored = stored_articles(ChunkStore(settings))
        assert "library-12.txt" in stored
        assert stored[SEED_ARTICLE.name].complete
        assert not Pipeline(settings, embedder=embedder).ask(QUESTION).abstained
    monkeypatch.undo()
    assert update_index(settings, embedder=embedder).updated_ids == [SEED_ARTICLE.name]


@pytest.mark.server
def test_a_server_that_goes_away_is_a_store_error(tmp_path, embedder, chroma_server):
    settings = Settings(articles_dir=SEEDS, chroma_host="127.0.0.1", chroma_port=chroma_server.port, db_dir=tmp_path / "unused")
    update_index(settings, embedder=embedder)
    pipeline = Pipeline(settings, embedder=embedder)
    assert not pipeline.ask(QUESTION).abstained
    chroma_server.stop()
    with pytest.raises(StoreError, match="chroma run"):
        pipeline.ask(QUESTION)
    with pytest.raises(StoreError, match="chroma run"):
        update_index(settings, embedder=embedder)
