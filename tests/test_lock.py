"""One writer at a time: the write lock, waiting, --no-wait, stale locks; readers never wait; a no-op sync loads no torch."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from index import IndexBusyError, update_index
from index.lock import WriteLock, lock_path
from qa import Pipeline, Settings
from tests.conftest import ROOT, SEEDS


def newsqa(settings: Settings, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "NEWSQA_DB_DIR": str(settings.db_dir),
        "NEWSQA_ARTICLES_DIR": str(settings.articles_dir),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def settings(tmp_path) -> Settings:
    shutil.copytree(SEEDS, tmp_path / "articles")
    return Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db")


@pytest.mark.unit
def test_a_second_lock_in_this_process_is_refused_without_waiting(settings):
    with (
        WriteLock(settings),
        pytest.raises(IndexBusyError, match=rf"another index run \(pid {os.getpid()}\)"),
        WriteLock(settings, wait=False),
    ):
        pass
    with WriteLock(settings, wait=False):  # released: free again
        assert lock_path(settings).with_name("write.lock.pid").read_text() == str(os.getpid())


@pytest.mark.unit
def test_lock_for_a_server_is_not_in_the_local_folder(tmp_path):
    settings = Settings(chroma_host="127.0.0.1", chroma_port=8123, db_dir=tmp_path / "unused")
    assert not lock_path(settings).is_relative_to(tmp_path)


@pytest.mark.integration
def test_index_no_wait_exits_at_once_and_a_waiting_run_goes_on_after(settings):
    with WriteLock(settings):
        busy = newsqa(settings, "-m", "ui", "index", "--no-wait", "--json")
        _, err = busy.communicate(timeout=120)
        assert busy.returncode == 1
        assert f"another index run (pid {os.getpid()})" in err
        assert err.count("\n") == 1

        waiting = newsqa(settings, "-m", "ui", "index", "--json")
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(waiting.stderr or []), daemon=True)
        reader.start()
        deadline = time.time() + 120
        while not any(f"waiting for another index run (pid {os.getpid()})" in line for line in lines):
            assert time.time() < deadline, lines
            assert waiting.poll() is None, lines
            time.sleep(0.2)
        assert waiting.poll() is None  # still waiting while we hold the lock
    out, _ = waiting.communicate(timeout=300)
    assert waiting.returncode == 0
    assert '"added": 1' in out


@pytest.mark.integration
def test_a_lock_left_by_a_killed_writer_is_taken_over(settings, embedder, caplog):
    code = "import os, signal, sys; from index import IndexSettings; from index.lock import WriteLock; WriteLock(IndexSettings()).__enter__(); print(os.getpid(), flush=True); os.kill(os.getpid(), signal.SIGKILL)"
    dead = newsqa(settings, "-c", code)
    out, err = dead.communicate(timeout=60)
    assert dead.returncode == -9, err
    with caplog.at_level(logging.WARNING, logger="newsqa"):
        report = update_index(settings, embedder=embedder, wait=False)
    assert report.added == 1
    assert f"took over the write lock left by pid {out.strip()}" in caplog.text


@pytest.mark.integration
def test_readers_answer_while_a_writer_holds_the_lock(settings, embedder):
    update_index(settings, embedder=embedder)
    with WriteLock(settings):
        answer = Pipeline(settings, embedder=embedder).ask("What did Pistorius regret?")
    assert not answer.abstained


@pytest.mark.integration
def test_a_sync_with_nothing_to_do_imports_no_torch(settings, embedder):
    update_index(settings, embedder=embedder)
    run = newsqa(settings, "-X", "importtime", "-m", "ui", "index", "--json")
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0
    assert '"unchanged": 1' in out
    imported = {line.rsplit("|", 1)[-1].strip() for line in err.splitlines() if line.startswith("import time:")}
    assert "chromadb" in imported  # the check sees imports at all
    assert not {"torch", "sentence_transformers"} & imported
