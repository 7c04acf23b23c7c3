"""The sync manifest: what the last complete sync saw, so that a sync with nothing to do reads no article and no chunk.

A sync that completes (under the write lock, `index.sync`) writes `<db_dir>/sync/<store digest>.json`,
kept locally even for a Chroma server and named after where the store is and its collection, like
the BM25 cache. It records the articles folder, a fingerprint of the settings that decide what a
file yields (`index.records.yield_fingerprint`, the file limits and `copies`), the store's `revision` once the sync was done, and for every file
the sync looked at: its `FileStamp` (size, mtime, ctime, inode; taken before the file was read), the
ids and content hashes of its articles, and why it or its lines were skipped.

The next sync stamps every file (one `stat` each, nothing read) and compares (`unchanged_since`):
- another folder, other settings, another store revision, or a file added or removed: the full sync;
- every stamp the same: nothing changed, and the report is made from the manifest (no file parsed,
  no MinHash, no chunk metadata read);
- some stamps moved (a file touched, or saved again unchanged), or a file is marked to be read again
  (see below): only those files are parsed; when each yields the same article ids, content hashes
  and skips as recorded, nothing changed either and the manifest takes the new stamps; anything
  else: the full sync.

Why this is safe:
- The revision (`ChunkStore.revision`: the live collection, its revision record, its chunk count)
  changes on every write by anyone (another CLI run, the chat's upload or rebuild, a writer on the
  Chroma server), so a manifest from before it is ignored.
- The full sync removes the manifest before it writes anything and writes a new one only once it
  has completed, so a run that dies half-way leaves none, and the next sync is a full one.
- A stamp is taken before its file is read: a write during the read leaves the stamp stale, and the
  next sync reads the file again.
- A file modified within `RACY_SECONDS` of the sync's start might be written again within the same
  tick of the filesystem's clock and keep its stamp (git's "racily clean" entries): it is recorded
  with `recheck`, and the next sync reads it again (that file only) before trusting its stamp.
- A sync that leaves the store out of step with the folder (an article that could not be split, a
  file that turned unreadable and whose indexed version is kept) writes no manifest.
- The manifest is written to a temp file and renamed over the old one (`os.replace`): a reader sees
  the old or the new one. One that cannot be read or validated (damaged, garbage, another format)
  is ignored.

Blind spot, as for every tool that trusts `stat` (make, rsync, git): an edit that keeps a file's
size, mtime, ctime and inode (a clock set back, a filesystem that does not keep them) is not seen.
`newsqa index --rebuild`, or touching the file, makes the next sync read it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from index.articles import ArticleLoader, FileStamp, LoadResult, SkippedFile
from index.copies import COPY_RULES
from index.records import yield_fingerprint
from index.settings import IndexSettings

log = logging.getLogger("newsqa")

FORMAT = 1
"""Version of the manifest's layout; a manifest of another version is ignored."""
RACY_SECONDS = 2.0
"""A file modified this close to a sync's start may change again without changing its stamp (FAT keeps mtimes to 2 s)."""


class FileRecord(BaseModel):
    """What the last complete sync saw of one file."""

    stamp: FileStamp | None = Field(description="Its stamp before it was read; None for a file refused unread (a link out, a FIFO).")
    recheck: bool = Field(False, description="Modified too close to the sync to trust its stamp (`RACY_SECONDS`): read it again next time.")
    articles: dict[str, str] = Field(default_factory=dict, description="Article id → content hash of each article it holds.")
    skipped: list[SkippedFile] = Field(default_factory=list, description="The file, or its lines, that were skipped, and why.")


class SyncManifest(BaseModel):
    """The articles folder as the last complete sync saw it, and the store revision it left."""

    format: Literal[1] = Field(1, description="Version of this layout (`FORMAT`).")
    folder: str = Field(description="The articles folder, resolved.")
    settings: str = Field(description="`settings_fingerprint` of the settings the sync ran with.")
    revision: str = Field(description="`ChunkStore.revision` when the sync was done.")
    files: dict[str, FileRecord] = Field(description="Every file looked at, by path relative to the folder.")

    @property
    def article_count(self) -> int:
        """How many articles the folder held."""
        return sum(len(record.articles) for record in self.files.values())

    def skipped(self) -> list[SkippedFile]:
        """Every skipped file or line, in path order."""
        return [skip for record in self.files.values() for skip in record.skipped]


def manifest_path(settings: IndexSettings) -> Path:
    """Where the manifest of the store these settings open is kept."""
    return settings.db_dir / "sync" / f"{settings.store_digest()}.json"


def settings_fingerprint(settings: IndexSettings) -> str:
    """A hash of the settings that decide what an article file yields (`index.records.yield_fingerprint`, and every limit
    on reading a file) and how copies are grouped (their settings and rules): another one means the full sync."""
    decisive = {
        "format": FORMAT,
        "yield": yield_fingerprint(settings),
        "limits": settings.limits.model_dump(),
        "copies": settings.copies.model_dump(),
        "copy_rules": COPY_RULES,
    }
    return hashlib.sha256(json.dumps(decisive, sort_keys=True).encode()).hexdigest()[:16]


def read_manifest(settings: IndexSettings) -> SyncManifest | None:
    """The saved manifest, or None when there is none or it cannot be used (damaged, garbage, another format)."""
    try:
        return SyncManifest.model_validate_json(manifest_path(settings).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, ValidationError) as error:
        log.info("Ignoring the sync manifest %s (%s)", manifest_path(settings), error)
        return None


def write_manifest(settings: IndexSettings, manifest: SyncManifest) -> None:
    """Save `manifest` in one rename (call with the write lock held, once a sync has completed)."""
    path = manifest_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    try:
        with temp.open("w", encoding="utf-8") as out:
            out.write(manifest.model_dump_json())
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as error:  # a disk full costs the next sync its fast path, nothing else
        temp.unlink(missing_ok=True)
        log.warning("Could not save the sync manifest %s (%s); the next sync reads every article", path, error)


def remove_manifest(settings: IndexSettings) -> None:
    """Remove the manifest (before a sync writes anything): until a sync completes, the next one is a full one."""
    manifest_path(settings).unlink(missing_ok=True)


def _racy(stamp: FileStamp | None, started_ns: int) -> bool:
    return stamp is not None and stamp.mtime_ns > started_ns - int(RACY_SECONDS * 1e9)


def manifest_of(loaded: LoadResult, *, folder: Path, settings: IndexSettings, revision: str, started_ns: int) -> SyncManifest | None:
    """The manifest of a completed sync that read `loaded`, stamping files from `started_ns` on.

    A file modified too close to `started_ns` is marked `recheck` (see `RACY_SECONDS`). None when an
    article or skip names a file that has no stamp (`ArticleLoader.load` stamps every file it reads,
    so this is a guard: the manifest never vouches for a file it did not stamp).
    """
    files = {path: FileRecord(stamp=stamp, recheck=_racy(stamp, started_ns)) for path, stamp in loaded.stamps.items()}
    for article in loaded.articles:
        if article.path not in files:
            return None
        files[article.path].articles[article.id] = article.content_hash
    for skip in loaded.skipped:
        if skip.path not in files:
            return None
        files[skip.path].skipped.append(skip)
    return SyncManifest(folder=str(folder.resolve()), settings=settings_fingerprint(settings), revision=revision, files=files)


def unchanged_since(manifest: SyncManifest, loader: ArticleLoader, *, settings: IndexSettings, revision: str) -> SyncManifest | None:
    """`manifest` with the current stamps when the folder and store are as it says (see the module docstring), else None.

    Only files whose stamp moved, or marked `recheck`, are read. The manifest returned has their new
    stamps (and marks those modified too recently), or is `manifest` itself when no file was read.
    """
    if (
        manifest.folder != str(loader.root.resolve())
        or manifest.settings != settings_fingerprint(settings)
        or manifest.revision != revision
    ):
        return None
    started_ns = time.time_ns()
    stamps = loader.stamps()
    if stamps.keys() != manifest.files.keys():
        return None
    moved = {path: stamp for path, stamp in stamps.items() if stamp != manifest.files[path].stamp or manifest.files[path].recheck}
    for path, stamp in moved.items():
        record = manifest.files[path]
        if stamp is None or record.stamp is None:
            return None  # refused now or before: the full sync says why
        articles, skipped = loader.load_file(loader.root / path)
        if {a.id: a.content_hash for a in articles} != record.articles or skipped != record.skipped:
            return None
    if not moved:
        return manifest
    files = {
        path: record.model_copy(update={"stamp": moved[path], "recheck": _racy(moved[path], started_ns)}) if path in moved else record
        for path, record in manifest.files.items()
    }
    return manifest.model_copy(update={"files": files})
