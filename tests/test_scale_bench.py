"""bench/scale.py: composes distinct articles, and runs end to end at a small size writing a table of figures.

A smoke run (20 articles): it checks that the benchmark works and writes every figure, not what
the figures are; the real sizes (1,000 to 20,000) are `make bench-scale`, run alone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import scale  # bench/ is scripts, not a package

MULTIHOP = all(gold.exists() for gold in scale.KIND_GOLD.values())
"""Whether MultiHop-RAG's entity and comparison questions are beside the project (`../shared/eval`) to be timed."""


@pytest.mark.unit
def test_composed_articles_are_distinct(tmp_path):
    scale.compose(tmp_path / "articles", 300)
    bodies = [p.read_text(encoding="utf-8").split("---\n", 2)[2] for p in sorted((tmp_path / "articles").iterdir())]
    assert len(bodies) == 300
    assert len(set(bodies)) == 300


@pytest.mark.integration
@pytest.mark.slow
def test_the_benchmark_runs_at_20_articles_and_writes_its_table(tmp_path):
    out = tmp_path / "SCALE.md"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "TOKENIZERS_PARALLELISM": "false"}
    run = subprocess.run(
        [sys.executable, "bench/scale.py", "--sizes", "20", "--cold-runs", "1", "--questions", "3", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = out.read_text(encoding="utf-8")
    assert "| | 20 articles |" in report
    figures = {}
    for label in (
        "ingest ÷ floor",
        "no-op sync s",
        "warm ask p50 / p95 ms",
        *(["entity questions p50 / p95 ms", "comparison questions p50 / p95 ms"] if MULTIHOP else []),
        "cold start floor s",
        "BM25 build / load s",
        "peak RSS MB, indexing / serving",
        "store on disk MB",
    ):
        [line] = [line for line in report.splitlines() if line.startswith(f"| {label}")]
        figures[label] = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", line.split("|")[2])]
        assert figures[label], line
        assert all(x >= 0 for x in figures[label]), line
        assert any(x > 0 for x in figures[label]), line
    if not MULTIHOP:  # MultiHop-RAG's questions are not beside the project: those kinds are not timed, and say so
        for label in ("entity questions p50 / p95 ms", "comparison questions p50 / p95 ms"):
            [line] = [line for line in report.splitlines() if line.startswith(f"| {label}")]
            assert line.split("|")[2].strip() == "n/a", line
    assert figures["peak RSS MB, indexing / serving"][0] > 100  # the child's own RSS, with the model loaded
