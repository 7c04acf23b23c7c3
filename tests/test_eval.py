"""`newsqa eval` on the shipped gold sets, and the scoring helpers it rests on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from qa.evaluate import holds_gold, normalize, question_kind
from tests.conftest import ROOT

DATA = ROOT / "bench" / "data"


@pytest.mark.unit
def test_squad_normalisation():
    assert normalize("The  Eiffel Tower!") == "eiffel tower"
    assert holds_gold("It was built in 1889 [1]", ["1889"])
    assert not holds_gold("It was built in 18890", ["1889"])
    assert holds_gold("an urgent, real threat", ["urgent, real threat"])
    assert holds_gold("as well as John Myhill’s definition", ["John Myhill"])  # SQuAD's rule alone reads "myhills"
    assert not holds_gold("as well as John Myhills", ["John Myhill"])
    assert question_kind("How many homes flooded?") == "how many"
    assert question_kind("Who spoke?") == "who"


def run_eval(gold, articles, tmp_path, *extra):
    """`newsqa eval ...` in this process (typer's CliRunner), its JSON figures."""
    from typer.testing import CliRunner

    from ui.cli import app

    args = ["eval", str(gold), "--articles", str(articles), "--json", *extra]
    result = CliRunner().invoke(app, args, env={"NEWSQA_DB_DIR": str(tmp_path / "user-db")})
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.integration
@pytest.mark.slow
def test_eval_on_seed_gold(tmp_path):
    plot = tmp_path / "eval.png"
    figures = run_eval(DATA / "seed_gold.jsonl", ROOT / "seeds", tmp_path, "--plot", str(plot))
    assert figures["questions"] == 24
    assert figures["answerable"] == 18
    assert figures["answer_hit"] >= 0.95
    assert figures["first_citation_hit"] >= 0.85
    assert figures["citation_validity"] == 1.0
    assert figures["abstention_rate"] == 1.0  # every off-topic question
    assert figures["answer_rate"] == 1.0
    assert figures["median_words"] <= 45
    assert plot.stat().st_size > 10_000
    assert not (tmp_path / "user-db").exists()  # the user's index was never touched


@pytest.mark.integration
@pytest.mark.slow
def test_eval_on_near_identical_news_stories(tmp_path):
    figures = run_eval(DATA / "news-snippets" / "questions.jsonl", DATA / "news-snippets" / "articles", tmp_path)
    assert figures["answer_hit"] >= 0.9  # the right year's / city's story, and not its twin
    assert figures["abstention_rate"] == 1.0  # asked for a year or city no story covers


@pytest.mark.integration
@pytest.mark.slow
def test_eval_reads_multihop_rag_lines_as_they_are(tmp_path):
    gold = tmp_path / "multihop.jsonl"
    lines = [
        {
            "q": "Who is the individual facing a criminal trial on fraud and conspiracy charges, as reported by both The Verge and "
            "TechCrunch, and is accused by prosecutors of committing fraud for personal gain?",
            "answers": ["Sam Bankman-Fried"],
            "type": "inference_query",
            "evidence_articles": [
                "the-ftx-trial-is-bigger-than-sam-bankman-fried.md",
                "sbfs-trial-starts-soon-but-how-did-he-and-ftx-get-here.md",
            ],
            "mhr_index": 1,
        },
        {"q": "Which striker did Malini Goyal sign for Rugby Australia in 1987?", "answers": [], "type": "null_query", "mhr_index": 2},
    ]
    gold.write_text("".join(json.dumps(line) + "\n" for line in lines))
    figures = run_eval(gold, ROOT / "tests" / "data" / "multihop" / "articles", tmp_path)
    assert figures["questions"] == 2
    assert figures["answerable"] == 1  # a null_query is unanswerable
    assert figures["answer_hit"] == 1.0
    assert figures["abstention_rate"] == 1.0


@pytest.mark.integration
def test_bad_gold_file_is_one_line_error(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"question": "ok?", "answers": ["x"]}\n{"answers": 3}\n')
    result = subprocess.run(
        [sys.executable, "-m", "ui", "eval", str(gold), "--articles", str(ROOT / "seeds")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "gold.jsonl:2" in result.stderr
