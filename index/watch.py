"""Keep the index current: watch the articles folder and sync after each burst of changes.

`ArticleWatcher.run` syncs once at start, then waits for changes (`watchfiles`), lets the folder
go quiet for `watch.debounce_seconds`, waits until no changed file has been written for
`watch.settle_seconds` (its size and mtime unchanged, counted from its last write: a file written
in parts a few seconds apart is indexed once, whole, not half first), and syncs through
`update_index`, that is under the store's write lock like every other writer. Nothing stops it
but its stop event: a deleted folder is waited for, a bad file is skipped by the sync, and any
other failure of a sync is logged and retried at the next change or after `watch.retry_seconds`,
whichever comes first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from index.errors import NewsqaError
from index.settings import IndexSettings
from index.store import ChunkStore
from index.sync import IndexReport, update_index

log = logging.getLogger("newsqa")

FOLDER_POLL_SECONDS = 1.0
"""How often a missing articles folder is looked for again."""


def _file_state(paths: set[Path]) -> dict[Path, tuple[int, int] | None]:
    state: dict[Path, tuple[int, int] | None] = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            state[path] = None  # gone (deleted, or renamed away)
        else:
            state[path] = (stat.st_size, stat.st_mtime_ns)
    return state


def _last_write(state: tuple[int, int] | None) -> float:
    """When a file (its `_file_state`) was last written, on the `time.monotonic` clock; long ago for a file that is gone."""
    if state is None:
        return float("-inf")
    age = max(0.0, time.time() - state[1] / 1e9)  # an mtime in the future counts as now
    return time.monotonic() - age


class ArticleWatcher:
    """Watches the articles folder and syncs the index after changes.

    Args:
        settings: Which folder and store; `settings.watch` sets the timing.
        store: An open store to sync (e.g. the chat's), so the model loads once; opened on first sync otherwise.
        on_report: Called with each sync's report (the CLI prints it); errors are logged either way.

    `last_report` is the last successful sync's report (with its `finished_at`); the chat's status
    line shows it under `serve --watch`. It is replaced in one assignment, so another thread reading
    it sees one whole report.
    """

    def __init__(
        self, settings: IndexSettings, *, store: ChunkStore | None = None, on_report: Callable[[IndexReport], None] | None = None
    ) -> None:
        self.settings = settings
        self.folder = Path(settings.articles_dir)
        self.store = store
        self.on_report = on_report
        self.last_report: IndexReport | None = None

    def sync(self) -> IndexReport | None:
        """One sync now; a failure is logged, and the watcher goes on."""
        try:
            if self.store is None:
                self.store = ChunkStore(self.settings)
            report = update_index(self.settings, store=self.store)
        except NewsqaError as error:
            log.warning("sync failed: %s (retrying at the next change or in %g s)", error, self.settings.watch.retry_seconds)
            return None
        except Exception:  # the watcher must outlive any one sync
            log.exception("sync failed unexpectedly; retrying at the next change or in %g s", self.settings.watch.retry_seconds)
            return None
        self.last_report = report
        if self.on_report:
            try:
                self.on_report(report)
            except Exception:  # the caller's follow-up (printing the report) must not stop the watcher either
                log.exception("the sync is done, but what follows it failed; watching goes on")
        return report

    def _sync_or_failure_time(self) -> float | None:
        """Sync now; when the sync failed, the time to retry from (`time.monotonic`), else None."""
        return time.monotonic() if self.sync() is None else None

    def wait_until_settled(self, paths: set[Path], stop: threading.Event) -> None:
        """Return once none of `paths` has been written for `settle_seconds` (or after `max_settle_seconds`).

        A file's last write is the later of its mtime and the last time its size or mtime was seen to change, so the
        time the folder was already quiet (the debounce) counts, and a clock that sets odd mtimes cannot shorten the wait.
        """
        timing = self.settings.watch
        deadline = time.monotonic() + timing.max_settle_seconds
        poll = min(timing.settle_seconds, 0.5)
        before = _file_state(paths)
        changed_at = {path: _last_write(state) for path, state in before.items()}
        while time.monotonic() < deadline:
            now = time.monotonic()
            if all(now - at >= timing.settle_seconds for at in changed_at.values()):
                return
            if stop.wait(poll):
                return
            after = _file_state(paths)
            for path, state in after.items():
                if state != before.get(path):
                    changed_at[path] = time.monotonic()
            before = after

    def run(self, stop: threading.Event | None = None) -> None:
        """Sync now, then after every burst of changes, until `stop` is set.

        The first sync (and the one after a missing folder is back) runs once the folder is watched, at the watch's first
        tick: a file written while it runs (minutes, on a large archive) is a change the watch sees, not one it missed.
        """
        import watchfiles

        stop = stop or threading.Event()
        timing = self.settings.watch
        quiet_ms = int(timing.debounce_seconds * 1000)
        failed_at: float | None = None
        pending = True  # a sync is owed as soon as the watch has started
        while not stop.is_set():
            if not self.folder.is_dir():
                log.warning("articles folder %s is missing; waiting for it (the index is kept as it is)", self.folder)
                while not self.folder.is_dir():
                    if stop.wait(FOLDER_POLL_SECONDS):
                        return
                pending = True
            try:
                for changes in watchfiles.watch(
                    self.folder,
                    step=quiet_ms,
                    debounce=quiet_ms * 5,
                    stop_event=stop,
                    rust_timeout=1000,
                    yield_on_timeout=True,  # an empty set each second, so a failed sync is retried without a change
                    raise_interrupt=False,
                ):
                    if pending:
                        pending = False
                    elif not changes and (failed_at is None or time.monotonic() - failed_at < timing.retry_seconds):
                        continue
                    if changes:
                        self.wait_until_settled({Path(path) for _, path in changes}, stop)
                    if stop.is_set():
                        return
                    failed_at = self._sync_or_failure_time()
                    if not self.folder.is_dir():
                        break
            except (FileNotFoundError, RuntimeError, OSError) as error:  # the folder vanished under the watch
                log.warning("watching %s stopped (%s); starting again", self.folder, error)
                stop.wait(FOLDER_POLL_SECONDS)
