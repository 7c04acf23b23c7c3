"""Server mode: index into and answer from a real `chroma run` server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import Settings, StoreError, update_index
from qa import Pipeline
from tests.conftest import SEEDS, free_port

pytestmark = [pytest.mark.integration, pytest.mark.server]


@pytest.fixture
def chroma_server(tmp_path):
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    process = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server-data"), "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("chroma run did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_index_and_ask_through_a_chroma_server(chroma_server, tmp_path, embedder):
    settings = Settings(articles_dir=SEEDS, chroma_host="127.0.0.1", chroma_port=chroma_server, db_dir=tmp_path / "unused")
    report = update_index(settings, embedder=embedder)
    assert report.added == 1 and report.total_chunks > 1
    assert update_index(settings, embedder=embedder).chunks_embedded == 0
    answer = Pipeline(settings, embedder=embedder).ask("What did Pistorius regret?")
    assert "concessions" in answer.citations[0].quote
    assert not (tmp_path / "unused").exists()  # nothing was written locally


def test_unreachable_server_is_a_clear_error(embedder):
    settings = Settings(chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(StoreError, match="chroma run"):
        Pipeline(settings, embedder=embedder)
