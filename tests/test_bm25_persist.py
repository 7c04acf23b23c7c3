"""The BM25 index saved beside the store: saved by every sync, reused after a restart, same rankings as a fresh build."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date

import pytest

from index import ChunkFilter, ChunkStore, update_index
from index import bm25 as bm25_module
from index.bm25 import Bm25Index, cache_folder, revision_key
from qa import HybridRetriever
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

QUERIES = [
    "Yuriko Backes Luxembourg",
    "defense spending NATO allies percent",
    "What did Pistorius regret?",
    "British Defense Secretary John Healey",
    "Avon flood Bath",
    "nothing matches zyxwv",
]


@pytest.fixture
def indexed(make_settings, embedder):
    settings = make_settings()
    (settings.articles_dir / "ledger.md").write_text(
        "---\ntitle: Harbour notes\ndate: 2024-05-02\nsource: Harbour Ledger\n---\n"
        "The Kessel Bridge reopened to ferries and trucks on Thursday after NATO engineers finished repairs.\n",
        encoding="utf-8",
    )
    update_index(settings, embedder=embedder)
    return settings


def saved_folders(settings) -> list[str]:
    folder = cache_folder(ChunkStore(settings))
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_update_index_from_python_saves_bm25_so_the_next_question_builds_nothing(make_settings, embedder):
    from qa import Pipeline

    settings = make_settings()
    update_index(settings, embedder=embedder)  # no CLI around it: the sync itself saves BM25
    store = ChunkStore(settings)
    assert saved_folders(settings) == [revision_key(store.revision)]
    builds = bm25_module.BUILDS
    assert not Pipeline(settings, embedder=embedder).ask("What did Pistorius regret?").abstained
    assert builds == bm25_module.BUILDS
    assert update_index(settings, embedder=embedder).changed is False  # a no-op sync builds nothing either
    assert builds == bm25_module.BUILDS
    assert saved_folders(settings) == [revision_key(store.revision)]


def test_a_restarted_reader_loads_the_saved_index_instead_of_building(indexed, embedder):
    first = HybridRetriever(store=ChunkStore(indexed), embedder=embedder)
    builds = bm25_module.BUILDS
    assert first.invoke("Yuriko Backes Luxembourg")
    assert builds == bm25_module.BUILDS  # saved by the sync
    [saved] = saved_folders(indexed)
    folder = cache_folder(first.store) / saved
    stamp = (folder / "rows.json").stat().st_mtime_ns

    # a new reader in this process, on a newly opened store
    second = HybridRetriever(store=ChunkStore(indexed), embedder=embedder)
    assert [d.id for d in second.invoke("Yuriko Backes Luxembourg")] == [d.id for d in first.invoke("Yuriko Backes Luxembourg")]
    assert builds == bm25_module.BUILDS
    assert (folder / "rows.json").stat().st_mtime_ns == stamp

    # a new process: it reads the BM25 side only, so no model is loaded
    script = (
        "import json, sys\n"
        "from index import ChunkStore, IndexSettings as Settings\n"
        "from qa import HybridRetriever\n"
        "from index import bm25\n"
        "settings = Settings(db_dir=sys.argv[1])\n"
        "hits = HybridRetriever(store=ChunkStore(settings)).lexical_search('Yuriko Backes Luxembourg', 3)\n"
        "print(json.dumps({'builds': bm25.BUILDS, 'hits': [c.id for c, _ in hits]}))\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    run = subprocess.run(
        [sys.executable, "-c", script, str(indexed.db_dir)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["builds"] == 0
    assert result["hits"] == [c.id for c, _ in first.lexical_search("Yuriko Backes Luxembourg", 3)]
    assert (folder / "rows.json").stat().st_mtime_ns == stamp
    assert saved_folders(indexed) == [saved]


def test_a_sync_saves_a_new_index_that_a_running_reader_loads(indexed, embedder):
    retriever = HybridRetriever(store=ChunkStore(indexed))
    assert not any("Avon" in c.text for c, _ in retriever.lexical_search("Avon flood Bath", 5))
    [before] = saved_folders(indexed)

    (indexed.articles_dir / "flood.txt").write_text("Flood\n\nThe river Avon flooded Bath on Sunday.", encoding="utf-8")
    update_index(indexed, embedder=embedder)
    builds = bm25_module.BUILDS
    assert "Avon" in retriever.lexical_search("Avon flood Bath", 5)[0][0].text
    assert builds == bm25_module.BUILDS  # the sync built it; the reader loads it
    [after] = saved_folders(indexed)
    assert after != before  # the old revision's index is removed
    assert after == revision_key(retriever.store.revision)

    restarted = HybridRetriever(store=ChunkStore(indexed))
    assert "Avon" in restarted.lexical_search("Avon flood Bath", 5)[0][0].text
    assert builds == bm25_module.BUILDS


def test_the_saved_index_ranks_like_a_fresh_build(indexed, embedder):
    store = ChunkStore(indexed)
    HybridRetriever(store=store).lexical_index()  # build and save
    saved = Bm25Index.load(cache_folder(store) / revision_key(store.revision))
    fresh = Bm25Index.build(store.iter_chunks())
    assert len(saved) == len(fresh) > 0
    filters = [
        None,
        ChunkFilter(since=date(2024, 1, 1), until=date(2024, 12, 31)),
        ChunkFilter(sources=frozenset({"harbour ledger"})),
    ]
    for query in QUERIES:
        for chunk_filter in filters:
            assert saved.search_ids(query, 10, chunk_filter=chunk_filter) == fresh.search_ids(query, 10, chunk_filter=chunk_filter), (
                query,
                chunk_filter,
            )
    assert saved.search_ids("Kessel Bridge ferries", 10, chunk_filter=filters[1])  # the filters are not vacuous
    assert saved.weights.count == fresh.weights.count
    assert saved.weights.frequency == fresh.weights.frequency
    assert saved.weights.idf("nato") == fresh.weights.idf("nato")


def test_a_damaged_saved_index_is_rebuilt_and_dead_writers_temp_folders_removed(indexed, embedder):
    store = ChunkStore(indexed)
    HybridRetriever(store=store).lexical_index()
    folder = cache_folder(store)
    [saved] = saved_folders(indexed)
    (folder / saved / "rows.json").unlink()  # what a crash could never leave, but a disk might
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (folder / f".tmp-{dead.pid}-deadbeef").mkdir()

    builds = bm25_module.BUILDS
    retriever = HybridRetriever(store=ChunkStore(indexed))
    assert retriever.lexical_search("Yuriko Backes Luxembourg", 3)
    assert bm25_module.BUILDS - builds == 1
    assert (folder / saved / "rows.json").exists()
    assert saved_folders(indexed) == [saved]
    assert not (folder / f".tmp-{dead.pid}-deadbeef").exists()


READER = (
    "import json, sys\n"
    "from index import ChunkStore, IndexSettings as Settings\n"
    "from qa import HybridRetriever\n"
    "from index import bm25\n"
    "hits = HybridRetriever(store=ChunkStore(Settings(db_dir=sys.argv[1]))).lexical_search('Yuriko Backes Luxembourg', 3)\n"
    "print(json.dumps({'builds': bm25.BUILDS, 'hits': [c.id for c, _ in hits]}))\n"
)


def start_reader(settings, fault: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    env.pop("NEWSQA_TEST_FAULT", None)
    if fault:
        env["NEWSQA_TEST_FAULT"] = fault
    return subprocess.Popen(
        [sys.executable, "-c", READER, str(settings.db_dir)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def forget_saved(settings) -> None:
    """Remove the BM25 the sync saved, as for a reader with its own folder: readers build it then."""
    shutil.rmtree(cache_folder(ChunkStore(settings)))


@pytest.mark.parametrize("fault", ["bm25-save:1", "bm25-rename:1"])
def test_a_reader_killed_while_saving_leaves_nothing_another_would_load(indexed, embedder, fault):
    forget_saved(indexed)
    killed = start_reader(indexed, fault)
    killed.communicate(timeout=120)
    assert killed.returncode == -9
    folder = cache_folder(ChunkStore(indexed))
    [left] = folder.iterdir()
    assert left.name.startswith(f".tmp-{killed.pid}-")
    assert not (folder / revision_key(ChunkStore(indexed).revision)).exists()

    after = start_reader(indexed)
    out, err = after.communicate(timeout=120)
    assert after.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["builds"] == 1  # built again, not loaded half-written
    assert saved_folders(indexed) == [revision_key(ChunkStore(indexed).revision)]  # the dead reader's temp folder is gone


def test_readers_building_at_once_agree_and_leave_one_index(indexed):
    forget_saved(indexed)
    readers = [start_reader(indexed) for _ in range(3)]
    results = []
    for reader in readers:
        out, err = reader.communicate(timeout=180)
        assert reader.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1])["hits"])
    assert results[0]
    assert results.count(results[0]) == 3
    assert saved_folders(indexed) == [revision_key(ChunkStore(indexed).revision)]


def test_after_an_upload_to_the_chat_the_next_question_builds_nothing(indexed, embedder, tmp_path):
    from qa import Pipeline
    from ui.app import index_uploads

    pipeline = Pipeline(indexed, embedder=embedder)
    assert not pipeline.ask("What did Pistorius regret?").abstained
    upload = tmp_path / "flood.txt"
    upload.write_text("Flood\n\nThe river Avon flooded Bath on Sunday.", encoding="utf-8")
    report, _ = index_uploads(pipeline, [str(upload)])
    assert report.startswith("1 added")
    assert saved_folders(indexed) == [revision_key(pipeline.store.revision)]  # saved by the upload, not by a question
    builds = bm25_module.BUILDS
    assert any(c.article_id == "flood.txt" for c in pipeline.ask("Which river flooded Bath?").citations)
    assert bm25_module.BUILDS - builds == 0
