"""Kill a real `newsqa index` with SIGKILL at chosen steps; nothing indexed may be lost.

The subprocess dies at a fault point named by `NEWSQA_TEST_FAULT` (see `index.faults`). After each
kill: a question about an article indexed before the run is still answered, the next run
completes, the store then equals a clean build (same articles, hashes and chunk count, no leftover
collections), and a rerun embeds nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from index import ChunkStore, update_index
from index.catalog import stored_articles
from index.words import WordVectors
from qa import Pipeline, Settings
from tests.conftest import ROOT, SEED_ARTICLE

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOWNS = ["Arden", "Bexley", "Corran", "Dunmore", "Elstow", "Farleigh", "Glenby", "Harwick", "Ilford", "Jarrow"]
QUESTION = "What did Pistorius regret?"


def small_article(n: int) -> str:
    town = f"{TOWNS[n % len(TOWNS)]}{n}"
    return (
        f"{town} opens a new library\n\n"
        f"The town of {town} opened a library with {100 + n} reading desks on Monday. "
        f"Its mayor said the building cost {n + 2} million euros and took {n % 5 + 1} years to finish."
    )


def write_articles(folder, numbers) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        (folder / f"library-{n:02d}.txt").write_text(small_article(n))


def killed_run(settings: Settings, fault: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NEWSQA_DB_DIR": str(settings.db_dir),
        "NEWSQA_ARTICLES_DIR": str(settings.articles_dir),
        "NEWSQA_TEST_FAULT": fault,
        "NEWSQA_INDEX_BATCH_SENTENCES": "4",  # a write per article or two, so `embed:k` dies with k - 1 batches written
        "PYTHONPATH": str(ROOT),
    }
    run = subprocess.run(
        [sys.executable, "-m", "ui", "index", "--json", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == -signal.SIGKILL, f"the run was not killed at {fault}: {run.returncode} {run.stderr[-2000:]}"
    return run


def snapshot(settings: Settings, embedder) -> tuple[dict[str, tuple[str, bool]], int, list[str]]:
    store = ChunkStore(settings)
    articles = {i: (a.hash, a.complete) for i, a in stored_articles(store).items()}
    return articles, store.count(), store.leftovers()


def assert_answers_the_seed(settings: Settings, embedder) -> None:
    answer = Pipeline(settings, embedder=embedder).ask(QUESTION)
    assert not answer.abstained, answer.text
    assert answer.citations[0].article_id == SEED_ARTICLE.name
    assert "concessions" in answer.citations[0].quote


@pytest.fixture
def store_with_articles(tmp_path, embedder):
    """A store holding the seed article and 20 small ones; 10 more wait in the folder, unindexed."""
    folder = tmp_path / "articles"
    write_articles(folder, range(20))
    (folder / SEED_ARTICLE.name).write_text(SEED_ARTICLE.read_text())
    settings = Settings(articles_dir=folder, db_dir=tmp_path / "db")
    update_index(settings, embedder=embedder)
    write_articles(folder, range(20, 30))
    return settings


def finish_and_compare(settings: Settings, embedder, tmp_path) -> None:
    """The next run completes; the store equals a clean build; a rerun embeds nothing."""
    update_index(settings, embedder=embedder)
    clean = Settings(articles_dir=settings.articles_dir, db_dir=tmp_path / "clean-db")
    update_index(clean, embedder=embedder)
    assert snapshot(settings, embedder) == snapshot(clean, embedder)
    articles, _, leftovers = snapshot(settings, embedder)
    assert len(articles) == 31
    assert all(complete for _, complete in articles.values())
    assert leftovers == []
    assert update_index(settings, embedder=embedder).chunks_embedded == 0


@pytest.mark.parametrize("fault", ["embed:1", "embed:4", "words:3"])
def test_killed_while_embedding_new_articles(store_with_articles, embedder, tmp_path, fault):
    killed_run(store_with_articles, fault)
    assert_answers_the_seed(store_with_articles, embedder)
    finish_and_compare(store_with_articles, embedder, tmp_path)
    words = WordVectors.beside(store_with_articles, lambda: embedder)
    assert words.words_path is not None
    assert words.vectors_path is not None
    lines = words.words_path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    assert len(lines) - 1 == words.vectors_path.stat().st_size // (2 * embedder.dimension)  # one vector per word
    assert not words.unknown(["arden20", "jarrow29", "library", "desks"])  # the words of the articles the killed run added are there


def test_killed_between_adding_new_chunks_and_deleting_old_ones(store_with_articles, embedder, tmp_path):
    seed = store_with_articles.articles_dir / SEED_ARTICLE.name
    seed.write_text(seed.read_text() + "\nA late paragraph was added to the report on Friday.")
    killed_run(store_with_articles, "replace:1")
    assert_answers_the_seed(store_with_articles, embedder)
    finish_and_compare(store_with_articles, embedder, tmp_path)


@pytest.mark.parametrize("fault", ["embed:5", "switch:1", "switch:2"])
def test_killed_during_a_rebuild(store_with_articles, embedder, tmp_path, fault):
    killed_run(store_with_articles, fault, "--rebuild")
    assert_answers_the_seed(store_with_articles, embedder)
    report = update_index(store_with_articles, embedder=embedder)
    assert len(report.leftovers_removed) == 1  # the half-built or the replaced collection
    finish_and_compare(store_with_articles, embedder, tmp_path)


def test_killed_before_restamping_copies(tmp_path, embedder):
    """Deleting the earliest copy of a story rewrites the other copy's story id; dying before that leaves it answerable and stale, and the next run fixes it."""
    import shutil
    from pathlib import Path

    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("reuters-bridge.md", "ap-bridge.md"):
        shutil.copy(Path(__file__).parent / "data" / "news_filters" / name, folder / name)
    settings = Settings(articles_dir=folder, db_dir=tmp_path / "db")
    update_index(settings, embedder=embedder)
    (folder / "reuters-bridge.md").unlink()
    killed_run(settings, "restamp:1")

    def stories() -> set[str]:
        return {c.story_id for c in ChunkStore(settings).iter_chunks(with_text=False)}

    assert stories() == {"reuters-bridge.md"}  # stale: named after the deleted copy
    answer = Pipeline(settings, embedder=embedder).ask("How long will the Kessel Bridge close?")
    assert {c.article_id for c in answer.citations} == {"ap-bridge.md"}
    assert answer.citations[0].also_in == []
    report = update_index(settings, embedder=embedder)  # nothing in the folder changed, and still the story is fixed
    assert (report.chunks_embedded, report.stories_updated) == (0, 1)
    assert stories() == {"ap-bridge.md"}
