"""Fit the Platt scalings of `Answer.confidence` on the dev sets, and show how well they hold.

Sentence answers: asks the news dev questions (news-dev `dev`, news-snippets, the seed gold set:
news as readers ask it), takes each answer's `evidence_score` (its best sentence's score) and
whether the answer held the gold, and fits P(right) = 1 / (1 + exp(-(slope * score + intercept)))
with scikit-learn's logistic regression; the numbers go in `AnswerSettings`.

Entity answers to descriptive questions: the same on multihop-dev's development half (MultiHop-RAG),
from each answer's lead over the next entity; the numbers go in `EntityAnswerSettings`.

No test split or held-out half is used here. Prints the fitted and current scaling and their reliability.

    .venv/bin/python bench/calibrate.py [--multihop DIR]
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from gold_sets import ENTITY_CALIBRATION, GOLD_SETS, SENTENCE_CALIBRATION  # bench/ is scripts: its folder is on sys.path

from index import Embedder, update_index
from qa import Settings
from qa.evaluate import evaluate, expected_calibration_error, reliability
from qa.pipeline import Pipeline

DEV_SETS = {name: (GOLD_SETS[name].questions, GOLD_SETS[name].articles) for name in SENTENCE_CALIBRATION}
"""The news dev sets of `bench/gold_sets.py` (never a test split)."""
MULTIHOP = GOLD_SETS[ENTITY_CALIBRATION[0]].questions.parent


def dev_answers(
    embedder: Embedder, scratch: Path, sets: dict[str, tuple[Path, Path]], *, descriptive: bool
) -> tuple[list[float], list[bool]]:
    """(evidence score, answer right) for every answered question of `sets` answered by the sentence picker, or (`descriptive`)
    with an entity."""
    scores, right = [], []
    for name, (gold, articles) in sets.items():
        settings = Settings(articles_dir=articles, db_dir=scratch / name.split()[0])
        update_index(settings, embedder=embedder)
        report = evaluate(gold, pipeline=Pipeline(settings, embedder=embedder), articles_dir=articles)
        for result in report.results:
            if not result.abstained and result.descriptive == descriptive:
                scores.append(result.best_score)
                right.append(result.answer_hit)
    return scores, right


def fit(label: str, scores: list[float], right: list[bool], current: tuple[float, float]) -> None:
    """Fit and print one Platt scaling, with the reliability of the fitted and the current one."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=100.0).fit(np.array(scores).reshape(-1, 1), np.array(right))
    slope, intercept = float(model.coef_[0][0]), float(model.intercept_[0])
    print(f"## {label}: {len(scores)} answers, {np.mean(right):.3f} right")
    for name, a, b in (("fitted", slope, intercept), ("current settings", *current)):
        confidences = [1.0 / (1.0 + np.exp(-(a * s + b))) for s in scores]
        print(f"{name}: slope {a:.3f}, intercept {b:.3f}, ECE on dev {expected_calibration_error(confidences, right):.3f}")
        for low, mean, count, hit in reliability(confidences, right):
            print(f"  [{low:.1f}, {low + 0.1:.1f})  answers {count:3d}  mean confidence {mean:.2f}  right {hit:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--multihop", type=Path, default=MULTIHOP, help="MultiHop-RAG's development half (questions.jsonl, articles/)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    embedder = Embedder()
    current = Settings()
    with tempfile.TemporaryDirectory(prefix="newsqa-calibrate-") as scratch:
        scores, right = dev_answers(embedder, Path(scratch), DEV_SETS, descriptive=False)
        fit("sentence answers (AnswerSettings)", scores, right, (current.answer.confidence_slope, current.answer.confidence_intercept))
        if args.multihop.is_dir():
            multihop = {"multihop": (args.multihop / "questions.jsonl", args.multihop / "articles")}
            scores, right = dev_answers(embedder, Path(scratch), multihop, descriptive=True)
            entity = current.entity_answer
            fit("entity answers (EntityAnswerSettings)", scores, right, (entity.confidence_slope, entity.confidence_intercept))


if __name__ == "__main__":
    main()
