"""The no-op fast path: after a complete sync, a sync with nothing to do parses no file, runs no MinHash, reads no chunk metadata.

Real Chroma stores in temp folders and real files. Parts that the fast path must not reach are
patched to raise, so a test fails if the sync takes the full path; spies count what it does read.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import ArticleLoader, ChunkStore, update_index
from index.catalog import stored_articles
from index.collection import Collection
from index.manifest import RACY_SECONDS, manifest_path, read_manifest
from qa import Settings
from tests.test_crash import small_article

pytestmark = pytest.mark.integration

HOUR_NS = 3600 * 10**9


class FullSyncError(AssertionError):
    """Raised by the parts of the full sync that the fast path must not reach."""


def backdate(folder: Path, *, hours: int = 1) -> None:
    """Set every file's mtime `hours` back, so no file counts as just written (see `RACY_SECONDS`)."""
    then = time.time_ns() - hours * HOUR_NS
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(then, then))


@pytest.fixture
def synced(make_settings, embedder) -> Settings:
    """Three small articles, one seed and a bad file, synced once (so a manifest is written)."""
    settings = make_settings()
    for n in range(3):
        (settings.articles_dir / f"library-{n}.txt").write_text(small_article(n))
    (settings.articles_dir / "bad.json").write_text("{broken")
    backdate(settings.articles_dir)
    first = update_index(settings, embedder=embedder)
    assert (first.added, first.skipped) == (4, 1)
    assert manifest_path(settings).is_file()
    return settings


@contextlib.contextmanager
def full_sync_forbidden(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Make parsing the folder, reading chunk metadata and grouping copies raise (until the block ends); yields the patcher."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise FullSyncError("the no-op sync took the full path")

    with monkeypatch.context() as patch:
        patch.setattr(ArticleLoader, "load", refuse)
        patch.setattr(ArticleLoader, "load_file", refuse)
        patch.setattr("index.sync.stored_articles", refuse)
        patch.setattr(Collection, "iter_chunks", refuse)
        patch.setattr("index.sync.story_ids", refuse)
        yield patch


@contextlib.contextmanager
def files_read_alone(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """`full_sync_forbidden`, except that single files may be read: yields the names of those read, in order."""
    read: list[str] = []
    original = ArticleLoader.load_file  # taken before `full_sync_forbidden` replaces it

    def spy(self: ArticleLoader, path: Path) -> object:
        read.append(path.name)
        return original(self, path)

    with full_sync_forbidden(monkeypatch) as patch:
        patch.setattr(ArticleLoader, "load_file", spy)
        yield read


def full_syncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count full syncs (each reads the whole folder once) from now on."""
    calls: list[int] = []
    original = ArticleLoader.load

    def counted(self: ArticleLoader) -> object:
        calls.append(1)
        return original(self)

    monkeypatch.setattr(ArticleLoader, "load", counted)
    return calls


def test_a_noop_sync_reads_no_file_and_no_chunk_metadata(synced, embedder, monkeypatch):
    chunks = ChunkStore(synced).count()
    with full_sync_forbidden(monkeypatch):
        report = update_index(synced, embedder=embedder)
    assert (report.added, report.updated, report.removed, report.unchanged, report.chunks_embedded) == (0, 0, 0, 4, 0)
    assert report.total_chunks == chunks
    assert report.skipped == 1
    assert [s.path for s in report.skipped_files] == ["bad.json"]
    assert "is not valid JSON" in report.skipped_files[0].reason


def test_an_edited_file_is_reindexed_and_the_next_noop_is_fast_again(synced, embedder, monkeypatch):
    (synced.articles_dir / "library-1.txt").write_text(small_article(1).replace("Monday", "Friday"))
    os.utime(synced.articles_dir / "library-1.txt", ns=(time.time_ns() - HOUR_NS // 2,) * 2)  # not racy: the sync writes a manifest
    report = update_index(synced, embedder=embedder)
    assert (report.updated_ids, report.unchanged, report.chunks_embedded > 0) == (["library-1.txt"], 3, True)
    with full_sync_forbidden(monkeypatch):
        assert update_index(synced, embedder=embedder).unchanged == 4


def test_an_edit_that_keeps_size_and_mtime_is_seen_by_its_ctime(synced, embedder):
    path = synced.articles_dir / "library-2.txt"
    before = path.stat()
    edited = small_article(2).replace("Monday", "Sunday")
    assert len(edited) == len(small_article(2))
    path.write_text(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime; only the ctime moved
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    report = update_index(synced, embedder=embedder)
    assert report.updated_ids == ["library-2.txt"]


def test_an_added_file_is_indexed(synced, embedder):
    (synced.articles_dir / "library-7.txt").write_text(small_article(7))
    report = update_index(synced, embedder=embedder)
    assert (report.added_ids, report.unchanged) == (["library-7.txt"], 4)


def test_a_deleted_file_is_removed(synced, embedder):
    (synced.articles_dir / "library-0.txt").unlink()
    report = update_index(synced, embedder=embedder)
    assert (report.removed_ids, report.unchanged) == (["library-0.txt"], 3)
    assert "library-0.txt" not in stored_articles(ChunkStore(synced))


def test_a_touched_file_with_the_same_content_is_read_alone_and_reported_unchanged(synced, embedder, monkeypatch):
    touched = synced.articles_dir / "library-0.txt"
    later = touched.stat().st_mtime_ns + 60 * 10**9  # a minute later, still long enough ago not to be racy
    os.utime(touched, ns=(later, later))
    with files_read_alone(monkeypatch) as read:
        report = update_index(synced, embedder=embedder)
    assert read == ["library-0.txt"]  # only the touched file, and no chunk metadata, no MinHash
    assert (report.unchanged, report.updated, report.chunks_embedded) == (4, 0, 0)
    assert read_manifest(synced).files["library-0.txt"].stamp.mtime_ns == later  # the manifest took its new stamp
    with full_sync_forbidden(monkeypatch):
        assert update_index(synced, embedder=embedder).unchanged == 4  # and the next no-op reads nothing


def test_a_touched_file_whose_articles_changed_takes_the_full_path(synced, embedder):
    path = synced.articles_dir / "bad.json"
    path.write_text(json.dumps({"title": "Harbour", "text": "The harbour reopened on Tuesday after a storm closed it."}))
    report = update_index(synced, embedder=embedder)
    assert (report.added_ids, report.skipped) == (["bad.json"], 0)


@pytest.mark.parametrize("marks_changed", [True, False], ids=["with-revision-record", "chunks-only"])
def test_a_write_by_another_store_handle_takes_the_full_path(synced, embedder, monkeypatch, marks_changed):
    other = ChunkStore(synced)  # another writer: its handle, its write
    other.collection.delete(stored_articles(other)["library-1.txt"].chunk_ids)
    if marks_changed:
        other.collection.mark_changed()
    report = update_index(synced, embedder=embedder)
    assert report.added_ids == ["library-1.txt"]  # the full path saw that the store no longer holds it


def test_a_new_revision_alone_takes_the_full_path(synced, embedder, monkeypatch):
    ChunkStore(synced).collection.mark_changed()  # e.g. another writer restamped story ids
    full = full_syncs(monkeypatch)
    report = update_index(synced, embedder=embedder)
    assert (len(full), report.unchanged, report.chunks_embedded) == (1, 4, 0)
    update_index(synced, embedder=embedder)
    assert len(full) == 1  # the full sync wrote a manifest for the new revision


@pytest.mark.parametrize(
    "content",
    [b"\x00\xffgarbage", b"", b'{"format": 1, "folder": "/", "set', b'{"format": 99}', b"[1, 2, 3]", json.dumps({"format": 1}).encode()],
    ids=["binary", "empty", "truncated", "other-format", "not-an-object", "fields-missing"],
)
def test_a_damaged_manifest_is_ignored(synced, embedder, monkeypatch, content):
    manifest_path(synced).write_bytes(content)
    full = full_syncs(monkeypatch)
    report = update_index(synced, embedder=embedder)
    assert (len(full), report.unchanged, report.skipped) == (1, 4, 1)
    assert read_manifest(synced) is not None  # replaced by a good one


def test_a_manifest_for_other_settings_or_another_folder_is_not_used(synced, embedder, monkeypatch, tmp_path):
    full = full_syncs(monkeypatch)
    stricter = synced.model_copy(update={"copies": synced.copies.model_copy(update={"threshold": 0.9})})
    assert update_index(stricter, embedder=embedder).unchanged == 4
    assert len(full) == 1
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for path in synced.articles_dir.iterdir():
        (elsewhere / path.name).write_bytes(path.read_bytes())
    backdate(elsewhere)
    assert update_index(stricter, articles_dir=elsewhere, embedder=embedder).unchanged == 4
    assert len(full) == 2


def test_new_copy_rules_regroup_the_stories_at_the_next_sync(synced, embedder, monkeypatch):
    full = full_syncs(monkeypatch)
    monkeypatch.setattr("index.manifest.COPY_RULES", 1)  # as written by a newsqa whose copies were grouped another way
    assert update_index(synced, embedder=embedder).unchanged == 4
    assert len(full) == 1  # an index synced by it is regrouped, not taken as up to date


def test_a_file_written_just_before_the_sync_is_read_again_by_the_next(synced, embedder, monkeypatch):
    (synced.articles_dir / "library-5.txt").write_text(small_article(5))  # within RACY_SECONDS of the sync: its stamp may lie
    assert update_index(synced, embedder=embedder).added == 1
    assert read_manifest(synced).files["library-5.txt"].recheck
    time.sleep(RACY_SECONDS)
    with files_read_alone(monkeypatch) as read:
        assert update_index(synced, embedder=embedder).unchanged == 5
        assert read == ["library-5.txt"]  # read again, alone, and now old enough to be trusted
        assert update_index(synced, embedder=embedder).unchanged == 5
        assert read == ["library-5.txt"]


def test_a_sync_that_keeps_an_unreadable_files_article_leaves_no_manifest(synced, embedder, monkeypatch):
    (synced.articles_dir / "library-2.txt").write_bytes(b"\xff\xfe broken \x00")
    backdate(synced.articles_dir)
    report = update_index(synced, embedder=embedder)
    assert (report.removed, report.skipped) == (0, 2)  # kept as indexed, so the store is not what the folder says
    assert not manifest_path(synced).exists()


def test_a_rebuild_reads_everything(synced, embedder, monkeypatch):
    full = full_syncs(monkeypatch)
    report = update_index(synced, embedder=embedder, rebuild=True)
    assert (len(full), report.chunks_embedded == report.total_chunks) == (1, True)
    with full_sync_forbidden(monkeypatch):
        assert update_index(synced, embedder=embedder).unchanged == 4  # its manifest names the new collection


def test_the_manifest_of_a_server_store_is_kept_locally_and_named_after_the_server(tmp_path):
    def path(**server: object) -> Path:
        return manifest_path(Settings(db_dir=tmp_path, chroma_host="chroma.example", **server))

    assert path().parent == tmp_path / "sync"
    assert len({path(), path(chroma_port=8001), path(collection="other"), path(chroma_ssl=True)}) == 4
    assert path(chroma_token="secret-token") == path()  # the token is no part of the name
    assert manifest_path(Settings(db_dir=tmp_path)) != path()


@pytest.mark.slow
def test_a_sync_killed_half_way_leaves_no_manifest(synced, embedder):
    from tests.test_crash import killed_run

    (synced.articles_dir / "library-6.txt").write_text(small_article(6))
    backdate(synced.articles_dir)
    killed_run(synced, "embed:1")  # the new article is embedded, not yet written
    assert not manifest_path(synced).exists()
    report = update_index(synced, embedder=embedder)
    assert (report.added_ids, report.unchanged) == (["library-6.txt"], 4)
