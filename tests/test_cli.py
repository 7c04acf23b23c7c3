"""The `newsqa` command: one JSON line from index, answers from ask, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SEEDS

NEWSQA = [sys.executable, "-m", "ui"]


def run(args, tmp_path, **env):
    environment = {**os.environ, "NEWSQA_DB_DIR": str(tmp_path / "db"), "NEWSQA_ARTICLES_DIR": str(tmp_path / "articles"), **env}
    return subprocess.run(NEWSQA + args, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)


@pytest.mark.unit
def test_help_does_not_import_torch():
    code = "import sys; from ui.cli import app; from typer.testing import CliRunner; r = CliRunner().invoke(app, ['--help']); print(r.exit_code, 'torch' in sys.modules, 'gradio' in sys.modules, 'chromadb' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "False", "False", "False"]


@pytest.mark.integration
@pytest.mark.slow
def test_index_ask_and_errors(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "articles")
    missing = run(["ask", "What did Pistorius regret?"], tmp_path)
    assert missing.returncode == 1 and "run `newsqa index`" in missing.stderr

    indexed = run(["index", "--json"], tmp_path)
    assert indexed.returncode == 0, indexed.stderr
    report = json.loads(indexed.stdout.strip().splitlines()[-1])
    assert set(report) == {"added", "updated", "removed", "unchanged", "skipped", "chunks_embedded", "total_chunks", "seconds"}
    assert report["added"] == 1 and report["chunks_embedded"] == report["total_chunks"] > 0
    [saved] = (tmp_path / "db" / "bm25").glob("*/*")  # the index run saved BM25 for its revision: no reader builds it
    assert not saved.name.startswith(".tmp-")

    (tmp_path / "articles" / "broken.json").write_text("{nope")
    again = json.loads(run(["index", "--json"], tmp_path).stdout.strip().splitlines()[-1])
    assert (again["chunks_embedded"], again["unchanged"], again["skipped"]) == (0, 1, 1)
    assert list((tmp_path / "db" / "bm25").glob("*/*")) == [saved]  # nothing changed: the same index

    answer = run(["ask", "What did Pistorius regret?", "--json"], tmp_path)
    data = json.loads(answer.stdout)
    assert not data["abstained"] and "concessions" in data["citations"][0]["quote"]

    text = run(["ask", "What did Pistorius regret?"], tmp_path)
    assert "[1]" in text.stdout and "Sources:" in text.stdout

    empty = run(["ask", "  "], tmp_path)
    assert empty.returncode == 2 and empty.stderr.strip().count("\n") == 0 and "empty" in empty.stderr

    nowhere = run(["index", "--articles", str(tmp_path / "nowhere")], tmp_path)
    assert nowhere.returncode == 1 and "does not exist" in nowhere.stderr

    (tmp_path / "file").write_text("not a folder")
    unusable = run(["index"], tmp_path, NEWSQA_DB_DIR=str(tmp_path / "file"))
    assert unusable.returncode == 1 and unusable.stderr.strip().count("\n") == 0 and "Point NEWSQA_DB_DIR at a folder" in unusable.stderr
