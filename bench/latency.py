"""Warm `ask()` latency of this checkout against a baseline commit, measured in one run on one machine.

Each side runs in its own process (the baseline from a temporary `git worktree` of `--baseline`),
indexes the same articles into a temporary store, warms up, then times every question of the
sets below; the sides alternate for `--rounds` rounds so machine load hits both alike. Writes
bench/LATENCY.md with the date and machine.

    .venv/bin/python bench/latency.py [--baseline 70d74ee] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
from gold_sets import GOLD_SETS, LATENCY  # bench/ is scripts: its folder is on sys.path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SETS = {name: (GOLD_SETS[name].questions, GOLD_SETS[name].articles) for name in LATENCY}
# Runs inside each side's checkout: only the API both sides share (Settings, update_index, Pipeline.ask).
MEASURE = """
import json, logging, sys, time
from pathlib import Path
logging.disable(logging.WARNING)
from index import update_index
from qa import Settings
from qa import Pipeline
gold, articles, db = sys.argv[1:4]
settings = Settings(articles_dir=Path(articles), db_dir=Path(db))
update_index(settings)
pipeline = Pipeline(settings)
questions = [json.loads(line)["question"] for line in Path(gold).read_text().splitlines() if line.strip()]
for question in questions[:5]:
    pipeline.ask(question)
times = []
for question in questions:
    started = time.perf_counter()
    pipeline.ask(question)
    times.append((time.perf_counter() - started) * 1000)
print(json.dumps(times))
"""


def measure(checkout: Path, gold: Path, articles: Path, scratch: Path) -> list[float]:
    """Milliseconds of each warm ask() of `gold`'s questions, in a fresh process running `checkout`'s code."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    with tempfile.TemporaryDirectory(dir=scratch) as db:
        out = subprocess.run(
            [sys.executable, "-c", MEASURE, str(gold), str(articles), db], cwd=checkout, env=env, capture_output=True, text=True, check=True
        )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="70d74ee", help="Commit to compare with (default: the last release before news answers).")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "LATENCY.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsqa-latency-") as scratch:
        baseline = Path(scratch) / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(baseline), args.baseline], cwd=ROOT, check=True, capture_output=True)
        try:
            times: dict[tuple[str, str], list[float]] = {}
            for _ in range(args.rounds):
                for name, (gold, articles) in SETS.items():
                    for side, checkout in (("baseline", baseline), ("current", ROOT)):
                        times.setdefault((name, side), []).extend(measure(checkout, gold, articles, Path(scratch)))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT, check=False, capture_output=True)
    lines = [
        "# Warm ask() latency: this code vs the baseline",
        "",
        f"Measured {date.today().isoformat()} on {platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, by `bench/latency.py`: baseline {args.baseline} and the current code, each in its own "
        f"process on the same articles and questions, alternating, {args.rounds} rounds. Target: current p50 ≤ 1.2 × baseline p50.",
        "",
        "| set | questions asked | baseline p50 ms | current p50 ms | ratio | baseline p95 ms | current p95 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in SETS:
        old, new = np.array(times[(name, "baseline")]), np.array(times[(name, "current")])
        p50_old, p50_new = float(np.percentile(old, 50)), float(np.percentile(new, 50))
        lines.append(
            f"| {name} | {len(new)} | {p50_old:.1f} | {p50_new:.1f} | {p50_new / p50_old:.2f} | "
            f"{float(np.percentile(old, 95)):.1f} | {float(np.percentile(new, 95)):.1f} |"
        )
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
