"""The `newsqa` command: one JSON line from index, answers from ask, one-line errors.

Two lanes: most commands run in this process through typer's `CliRunner` (fast: one import, the
model loaded once per command that needs it); what only a real process shows runs as a subprocess
(`--help` importing no torch, the console entry point end to end). Crash, lock, watch and serve
tests elsewhere stay subprocesses: they kill, block or serve.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT, SEEDS

NEWSQA = [sys.executable, "-m", "ui"]


def run(args, tmp_path, **env):
    environment = {**os.environ, "NEWSQA_DB_DIR": str(tmp_path / "db"), "NEWSQA_ARTICLES_DIR": str(tmp_path / "articles"), **env}
    return subprocess.run(NEWSQA + args, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)


@pytest.fixture
def newsqa(tmp_path):
    """Run `newsqa ARGS...` in this process (typer's CliRunner), against a store and a copy of the seeds in `tmp_path`."""
    from ui.cli import app

    shutil.copytree(SEEDS, tmp_path / "articles")
    runner = CliRunner()

    def invoke(*args: str, **env: str):
        environment = {"NEWSQA_DB_DIR": str(tmp_path / "db"), "NEWSQA_ARTICLES_DIR": str(tmp_path / "articles"), **env}
        return runner.invoke(app, list(args), env=environment)

    return invoke


@pytest.mark.unit
def test_help_does_not_import_torch():
    code = "import sys; from ui.cli import app; from typer.testing import CliRunner; r = CliRunner().invoke(app, ['--help']); print(r.exit_code, 'torch' in sys.modules, 'gradio' in sys.modules, 'chromadb' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "False", "False", "False"]


@pytest.mark.integration
@pytest.mark.slow
def test_the_console_entry_point_indexes_and_answers(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "articles")
    indexed = run(["index", "--json"], tmp_path)
    assert indexed.returncode == 0, indexed.stderr
    assert json.loads(indexed.stdout.strip().splitlines()[-1])["added"] == 1
    answer = run(["ask", "What did Pistorius regret?", "--json"], tmp_path)
    assert answer.returncode == 0, answer.stderr
    assert "concessions" in json.loads(answer.stdout)["citations"][0]["quote"]


@pytest.mark.integration
def test_index_ask_and_errors(newsqa, tmp_path):
    missing = newsqa("ask", "What did Pistorius regret?")
    assert missing.exit_code == 1
    assert "run `newsqa index`" in missing.stderr

    indexed = newsqa("index", "--json")
    assert indexed.exit_code == 0, indexed.stderr
    report = json.loads(indexed.stdout.strip().splitlines()[-1])
    assert set(report) == {"added", "updated", "removed", "unchanged", "skipped", "chunks_embedded", "total_chunks", "seconds"}
    assert report["added"] == 1
    assert report["chunks_embedded"] == report["total_chunks"] > 0
    [saved] = (tmp_path / "db" / "bm25").glob("*/*")  # the index run saved BM25 for its revision: no reader builds it
    assert not saved.name.startswith(".tmp-")

    (tmp_path / "articles" / "broken.json").write_text("{nope")
    again = json.loads(newsqa("index", "--json").stdout.strip().splitlines()[-1])
    assert (again["chunks_embedded"], again["unchanged"], again["skipped"]) == (0, 1, 1)
    assert list((tmp_path / "db" / "bm25").glob("*/*")) == [saved]  # nothing changed: the same index

    answer = newsqa("ask", "What did Pistorius regret?", "--json")
    data = json.loads(answer.stdout)
    assert not data["abstained"]
    assert "concessions" in data["citations"][0]["quote"]

    text = newsqa("ask", "What did Pistorius regret?")
    assert "[1]" in text.stdout
    assert "Sources:" in text.stdout
    assert "(likely: confidence" in text.stdout

    off_topic = newsqa("ask", "How do I bake sourdough bread?")
    assert off_topic.exit_code == 0
    assert "Related passages (not an answer):" in off_topic.stdout

    listed = [json.loads(line) for line in newsqa("articles", "--json").stdout.splitlines()]
    assert [row["id"] for row in listed] == ["nato-allies-defense-spending.txt"]

    empty = newsqa("ask", "  ")
    assert empty.exit_code == 2
    assert empty.stderr.strip().count("\n") == 0
    assert "empty" in empty.stderr

    nowhere = newsqa("index", "--articles", str(tmp_path / "nowhere"))
    assert nowhere.exit_code == 1
    assert "does not exist" in nowhere.stderr

    (tmp_path / "file").write_text("not a folder")
    unusable = newsqa("index", NEWSQA_DB_DIR=str(tmp_path / "file"))
    assert unusable.exit_code == 1
    assert unusable.stderr.strip().count("\n") == 0
    assert "Point NEWSQA_DB_DIR at a folder" in unusable.stderr


@pytest.mark.unit
@pytest.mark.parametrize(
    ("args", "variable", "value", "says"),
    [
        (["index"], "NEWSQA_RETRIEVAL__K", "-1", "NEWSQA_RETRIEVAL__K='-1' is not allowed: input should be greater than or equal to 1."),
        (["ask", "Who?"], "NEWSQA_ANSWER__ABSTAIN_BELLOW", "0.9", "is not a setting; did you mean NEWSQA_ANSWER__ABSTAIN_BELOW?"),
        (
            ["articles"],
            "NEWSQA_ANSWER__CONFIDENCE_SLOPE",
            "inf",
            "NEWSQA_ANSWER__CONFIDENCE_SLOPE='inf' is not allowed: input should be a finite",
        ),
        (["serve"], "NEWSQA_UI_AUTH", "alice", "NEWSQA_UI_AUTH must look like user:password"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2_before_anything_runs(newsqa, args, variable, value, says):
    result = newsqa(*args, **{variable: value})
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert says in result.stderr
    assert result.stdout == ""


@pytest.mark.unit
def test_bad_flags_are_one_line(newsqa, tmp_path):
    every = newsqa("fetch", "feed.xml", "--every", "1e308s")
    assert every.exit_code == 2
    assert "--every '1e308s' must look like 30s, 15m or 2h" in every.stderr
    gold = newsqa("eval", str(tmp_path / "missing.jsonl"))
    assert gold.exit_code == 2
    assert "does not exist" in gold.stderr
