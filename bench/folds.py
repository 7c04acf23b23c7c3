"""Leave-answer-out cross-validation of the entity answerer: does what was tuned on dev hold on questions it was not tuned on?

The descriptive questions of the dev sets (MultiHop-RAG's development half and newsqa's own
multihop-kinds, over the same 300 articles) are split into `FOLDS` folds by gold answer: every
question about one entity is in one fold, so a fold's answers were never seen by what was tuned on
the others. Each question is retrieved and its candidates collected once (their features do not
depend on the weights); then, for every weight and rule studied:

- `dev`: tuned on all the dev questions and measured on them (what tuning promises);
- `held-out folds`: tuned on the other folds, measured on each fold in turn (what it keeps);
- `untuned`: every feature weighted 1 (the floor tuning must beat on the held-out folds).

Tuning is a coordinate search over a small grid, objective: the share of answerable questions whose
best candidate names the gold answer. A rule or weight that lifts `dev` but not `held-out folds`
learned the dev answers, not the task.

    .venv/bin/python bench/folds.py [--stores DIR] [--out bench/FOLDS.md]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import random
from dataclasses import astuple, dataclass
from datetime import date
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from gold_sets import GOLD_SETS  # bench/ is scripts: its folder is on sys.path

HERE = Path(__file__).resolve().parent
FOLDS = 5
GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
"""The values each weight may take in the coordinate search."""
SETS = ("multihop-dev", "multihop-kinds")


@dataclass(frozen=True)
class Case:
    """One descriptive question as the answerer saw it: its candidates' features, and which name the gold answer."""

    question: str
    answers: list[str]
    answerable: bool
    features: list[tuple[float, ...]]
    gold: list[bool]
    """Per candidate: whether its name holds a gold answer."""
    coverage: list[float]
    """Per candidate: the share of the clues it supports."""


def collect(stores: Path) -> list[Case]:
    """Every descriptive dev question read, retrieved and its candidates collected once, with the default settings."""
    from index import update_index
    from qa import Pipeline, Settings
    from qa.answerers import route
    from qa.entity_answerer import EntityAnswerer
    from qa.evaluate import holds_gold, load_gold

    logging.disable(logging.WARNING)
    gold = GOLD_SETS["multihop-dev"]
    settings = Settings(articles_dir=gold.articles, db_dir=stores / "multihop-dev")
    if not settings.db_dir.exists():
        update_index(settings)
    pipeline = Pipeline(settings)
    cases = []
    for name in SETS:
        for item in load_gold(GOLD_SETS[name].questions):
            query = pipeline.read_query(item.question, today=item.asked_on)
            routed = route(query, pipeline.answerers, started=0.0)
            if not isinstance(routed.answerer, EntityAnswerer):
                continue
            retrieved = routed.answerer.retrieve(query, routed.reading)
            ranking = routed.answerer.rank(routed.reading, retrieved, outlets=query.outlets)
            cases.append(
                Case(
                    question=item.question,
                    answers=item.answers,
                    answerable=item.answerable,
                    features=[astuple(c.features) for c in ranking.ranked],
                    gold=[item.answerable and holds_gold(c.candidate.name, item.answers) for c in ranking.ranked],
                    coverage=[c.features.clues for c in ranking.ranked],
                )
            )
    return cases


def best_candidate(case: Case, weights: tuple[float, ...]) -> int | None:
    """The index of the best candidate under `weights` (each feature divided by its best value among the candidates)."""
    if not case.features:
        return None
    tops = [max(values) for values in zip(*case.features, strict=True)]
    scores = [sum(w * v / t for w, v, t in zip(weights, f, tops, strict=True) if t > 0) for f in case.features]
    return max(range(len(scores)), key=lambda i: scores[i])


def accuracy(cases: list[Case], weights: tuple[float, ...]) -> float:
    """The share of answerable cases whose best candidate names the gold answer."""
    answerable = [c for c in cases if c.answerable]
    right = 0
    for case in answerable:
        best = best_candidate(case, weights)
        right += best is not None and case.gold[best]
    return right / len(answerable) if answerable else 0.0


def tune(cases: list[Case], start: tuple[float, ...]) -> tuple[float, ...]:
    """Coordinate search over `GRID`, two passes, from `start`; ties keep the current value."""
    weights = list(start)
    for _ in range(2):
        for i in range(len(weights)):
            best, best_value = accuracy(cases, tuple(weights)), weights[i]
            for value in GRID:
                weights[i] = value
                score = accuracy(cases, tuple(weights))
                if score > best + 1e-9:
                    best, best_value = score, value
            weights[i] = best_value
    return tuple(weights)


def folds_by_answer(cases: list[Case], k: int = FOLDS, seed: int = 7) -> list[list[Case]]:
    """`cases` split into k folds so that every question with the same gold answer is in one fold (unanswerable ones spread)."""
    from qa.evaluate import normalize

    groups: dict[str, list[Case]] = {}
    for i, case in enumerate(cases):
        key = normalize(case.answers[0]) if case.answers else f"unanswerable-{i}"
        groups.setdefault(key, []).append(case)
    keys = sorted(groups)
    random.Random(seed).shuffle(keys)
    folds: list[list[Case]] = [[] for _ in range(k)]
    for key in sorted(keys, key=lambda x: -len(groups[x])):  # largest groups first, each to the smallest fold
        min(folds, key=len).extend(groups[key])
    return folds


def cross_validate(cases: list[Case], start: tuple[float, ...]) -> tuple[float, float, tuple[float, ...]]:
    """(dev figure tuned on all, mean held-out-fold figure tuned on the others, the weights tuned on all)."""
    tuned = tune(cases, start)
    folds = folds_by_answer(cases)
    held = []
    for i, fold in enumerate(folds):
        train = [c for j, f in enumerate(folds) if j != i for c in f]
        held.append((accuracy(fold, tune(train, start)), sum(c.answerable for c in fold)))
    mean = sum(a * n for a, n in held) / max(1, sum(n for _, n in held))
    return accuracy(cases, tuned), mean, tuned


def main() -> None:
    from qa.entity_scoring import FEATURES
    from qa.settings import EntityAnswerSettings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=Path, default=Path("/tmp/newsqa-folds"), help="where the dev store is kept between runs")
    parser.add_argument("--out", type=Path, default=HERE / "FOLDS.md")
    args = parser.parse_args()
    cases = collect(args.stores)
    shipped = tuple(getattr(EntityAnswerSettings(), f"{name}_weight") for name in FEATURES)
    equal = tuple(1.0 for _ in FEATURES)
    dev_tuned, held_tuned, tuned = cross_validate(cases, equal)
    answerable = sum(c.answerable for c in cases)
    lines = [
        "# The entity answerer on questions it was not tuned on (leave-answer-out cross-validation)",
        "",
        f"Measured {date.today().isoformat()} on {platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, by `bench/folds.py`: {len(cases)} descriptive dev questions ({answerable} answerable) of "
        f"{' and '.join(SETS)}, {FOLDS} folds by gold answer. Figure: the share of answerable questions whose best candidate "
        "names the gold answer.",
        "",
        "| weights | dev | held-out folds |",
        "| --- | ---: | ---: |",
        f"| untuned (every feature 1) | {accuracy(cases, equal):.3f} | {accuracy(cases, equal):.3f} (nothing tuned) |",
        f"| shipped (`EntityAnswerSettings`) | {accuracy(cases, shipped):.3f} | n/a (tuned on all of dev) |",
        f"| coordinate search from untuned | {dev_tuned:.3f} | {held_tuned:.3f} |",
        "",
        "Weights the search picks on all of dev: " + ", ".join(f"{n} {w:g}" for n, w in zip(FEATURES, tuned, strict=True)) + ".",
        "",
        "Each feature left out (weight 0), the others untuned:",
        "",
        "| left out | dev |",
        "| --- | ---: |",
    ]
    for i, name in enumerate(FEATURES):
        without = tuple(0.0 if j == i else 1.0 for j in range(len(FEATURES)))
        lines.append(f"| {name} | {accuracy(cases, without):.3f} |")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
