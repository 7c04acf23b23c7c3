"""One writer at a time: an exclusive lock that every write to the store takes.

The lock is an OS file lock (`filelock`) on `write.lock` in the store folder; for a Chroma server
it is a file in the system temp folder named after the server, which keeps writers on this machine
apart (writers on other machines must not run at the same time: see README). The OS releases the
lock when its holder dies, even by SIGKILL, so a dead run never blocks the next one. The holder
writes its pid beside the lock (`write.lock.pid`) only to name itself to whoever waits; a pid file
found on taking the lock means the previous holder died holding it, and is reported.

Readers (`ask()`) never take this lock.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from types import TracebackType

from index.errors import IndexBusyError
from index.settings import IndexSettings

log = logging.getLogger("newsqa")


def lock_path(settings: IndexSettings) -> Path:
    """Where the write lock of the store these settings open lives."""
    if settings.chroma_host:
        server = f"{settings.chroma_host}:{settings.chroma_port}/{settings.collection}"
        return Path(tempfile.gettempdir()) / f"newsqa-{hashlib.sha1(server.encode()).hexdigest()[:12]}.lock"
    return Path(settings.db_dir) / "write.lock"


class WriteLock:
    """The store's exclusive write lock, as a context manager.

    Args:
        settings: Which store to lock.
        wait: Wait for another writer to finish (saying so in the log), or raise `IndexBusyError` at once.
    """

    def __init__(self, settings: IndexSettings, *, wait: bool = True) -> None:
        from filelock import FileLock

        self.path = lock_path(settings)
        self.pid_file = self.path.with_name(self.path.name + ".pid")
        self.wait = wait
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(self.path, poll_interval=0.1)

    def holder(self) -> str:
        """The pid of the run holding (or that last held) the lock, as text; "unknown" when it has not said yet."""
        try:
            return self.pid_file.read_text().strip() or "unknown"
        except OSError:
            return "unknown"

    def __enter__(self) -> WriteLock:
        from filelock import Timeout

        try:
            self._lock.acquire(blocking=False)
        except Timeout:
            holder = self.holder()
            if not self.wait:
                raise IndexBusyError(
                    f"another index run (pid {holder}) is writing: it holds {self.path}. Not waiting for it (--no-wait); "
                    "try again when it has finished, or leave out --no-wait to wait."
                ) from None
            log.warning("waiting for another index run (pid %s)", holder)
            self._lock.acquire()
        self._report_stale_holder()
        self.pid_file.write_text(str(os.getpid()))
        return self

    def _report_stale_holder(self) -> None:
        left = self.holder()
        if left == "unknown" or left == str(os.getpid()):
            return
        # the OS lock is ours, so that run is gone: it died (crash, kill) before it could remove its pid file
        log.warning("took over the write lock left by pid %s, which died while writing; this run finishes or cleans up its work", left)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.pid_file.unlink(missing_ok=True)
        self._lock.release()
