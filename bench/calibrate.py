"""Fit the Platt scaling of `Answer.confidence` on the news dev sets, and show how well it holds.

Asks the dev questions (news-dev `dev`, news-snippets, the seed gold set: news as readers ask it),
takes each answer's best sentence score and whether the answer held the gold, and fits
P(right) = 1 / (1 + exp(-(slope * score + intercept))) with scikit-learn's logistic regression.
The test split is never used here. Prints the two numbers to put in `AnswerSettings`
(`confidence_slope`, `confidence_intercept`) and the reliability of the fitted and current scaling.

    .venv/bin/python bench/calibrate.py
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from index import Embedder, Settings, update_index
from qa.evaluate import evaluate, expected_calibration_error, reliability
from qa.pipeline import Pipeline

HERE = Path(__file__).resolve().parent
DEV_SETS = {
    "news-dev (dev)": (HERE / "data/news-dev/dev.jsonl", HERE / "data/news-dev/articles"),
    "news-snippets": (HERE / "data/news-snippets/questions.jsonl", HERE / "data/news-snippets/articles"),
    "seed": (HERE / "data/seed_gold.jsonl", HERE.parent / "seeds"),
}


def dev_answers(embedder: Embedder, scratch: Path) -> tuple[list[float], list[bool]]:
    """(best sentence score, answer right) for every answered dev question."""
    scores, right = [], []
    for name, (gold, articles) in DEV_SETS.items():
        settings = Settings(articles_dir=articles, db_dir=scratch / name.split()[0])
        update_index(settings, embedder=embedder)
        report = evaluate(gold, pipeline=Pipeline(settings, embedder=embedder), articles_dir=articles)
        for result in report.results:
            if not result.abstained:
                scores.append(result.best_score)
                right.append(result.answer_hit)
    return scores, right


def main() -> None:
    from sklearn.linear_model import LogisticRegression

    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="newsqa-calibrate-") as scratch:
        scores, right = dev_answers(Embedder(), Path(scratch))
    model = LogisticRegression(C=100.0).fit(np.array(scores).reshape(-1, 1), np.array(right))
    slope, intercept = float(model.coef_[0][0]), float(model.intercept_[0])
    current = Settings().answer
    for label, a, b in (("fitted", slope, intercept), ("current settings", current.confidence_slope, current.confidence_intercept)):
        confidences = [1.0 / (1.0 + np.exp(-(a * s + b))) for s in scores]
        print(f"{label}: slope {a:.3f}, intercept {b:.3f}, ECE on dev {expected_calibration_error(confidences, right):.3f}")
        for low, mean, count, hit in reliability(confidences, right):
            print(f"  [{low:.1f}, {low + 0.1:.1f})  answers {count:3d}  mean confidence {mean:.2f}  right {hit:.2f}")


if __name__ == "__main__":
    main()
