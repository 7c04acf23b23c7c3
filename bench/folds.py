"""Leave-answer-out cross-validation of the entity answerer: does what was tuned on dev hold on questions it was not tuned on?

The descriptive questions of the dev sets (MultiHop-RAG's development half and newsqa's own
multihop-kinds, over the same 300 articles) are split into `FOLDS` folds by gold answer: every
question about one entity is in one fold, so a fold's answers were never seen by what was tuned on
the others. Each question is retrieved and its candidates collected once (their features do not
depend on the weights); then, for every weight and rule studied:

- `dev`: tuned on all the dev questions and measured on them (what tuning promises);
- `held-out folds`: tuned on the other folds, measured on each fold in turn (what it keeps);
- `untuned`: every feature weighted 1, as shipped (the floor tuning must beat on the held-out folds).

What is tuned: the feature weights (a coordinate search over a small grid), and each threshold of a
rule (the clue coverage below which the answerer abstains), chosen from a grid. The objective is the share of questions answered right:
answerable ones whose best candidate names the gold answer (not abstained), unanswerable ones
abstained on. A rule or weight that lifts `dev` but not `held-out folds` learned the dev answers,
not the task.

    .venv/bin/python bench/folds.py [--stores DIR] [--out bench/FOLDS.md]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import random
from dataclasses import astuple, dataclass, replace
from datetime import date
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from typing import TYPE_CHECKING

from gold_sets import GOLD_SETS  # bench/ is scripts: its folder is on sys.path

if TYPE_CHECKING:
    from qa import Pipeline

HERE = Path(__file__).resolve().parent
FOLDS = 5
GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
"""The values each weight may take in the coordinate search."""
THRESHOLDS = {"min_clue_coverage": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)}
"""The values each rule's threshold may take."""
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


def open_dev(stores: Path) -> Pipeline:
    """A pipeline over multihop-dev's articles, indexed into `stores` the first time."""
    from index import update_index
    from qa import Pipeline, Settings

    gold = GOLD_SETS["multihop-dev"]
    settings = Settings(articles_dir=gold.articles, db_dir=stores / "multihop-dev")
    if not settings.db_dir.exists():
        update_index(settings)
    return Pipeline(settings)


def collect(pipeline: Pipeline) -> list[Case]:
    """Every descriptive dev question read, retrieved and its candidates collected once, with the pipeline's settings."""
    from qa.answerers import route
    from qa.entity_answerer import EntityAnswerer
    from qa.evaluate import holds_gold, load_gold

    logging.disable(logging.WARNING)
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


@dataclass(frozen=True)
class Params:
    """What is tuned: the feature weights and the threshold of the abstention rule."""

    weights: tuple[float, ...]
    min_clue_coverage: float


def best_candidate(case: Case, params: Params) -> int | None:
    """The index of the best candidate under `params` (each feature divided by its best value among the candidates), or None
    when there is none, or when it supports too few clues (an abstention)."""
    if not case.features:
        return None
    tops = [max(values) for values in zip(*case.features, strict=True)]
    scores = [sum(w * v / t for w, v, t in zip(params.weights, f, tops, strict=True) if t > 0) for f in case.features]
    best = max(range(len(scores)), key=lambda i: scores[i])
    return None if case.coverage[best] < params.min_clue_coverage else best


def accuracy(cases: list[Case], params: Params) -> float:
    """The share of cases answered right: an answerable one's best candidate names the gold answer, an unanswerable one is
    abstained on."""
    right = 0
    for case in cases:
        best = best_candidate(case, params)
        right += (best is not None and case.gold[best]) if case.answerable else best is None
    return right / len(cases) if cases else 0.0


def tune(cases: list[Case], start: Params) -> Params:
    """Coordinate search over `GRID` for each weight and over `THRESHOLDS` for each rule, two passes, from `start`; ties keep
    the current value."""
    params = start
    for _ in range(2):
        for i in range(len(params.weights)):
            options = [replace(params, weights=(*params.weights[:i], v, *params.weights[i + 1 :])) for v in GRID]
            params = max([params, *options], key=lambda p: accuracy(cases, p) + (1e-9 if p is params else 0.0))
        for name, values in THRESHOLDS.items():
            options = [replace(params, **{name: v}) for v in values]
            params = max([params, *options], key=lambda p: accuracy(cases, p) + (1e-9 if p is params else 0.0))
    return params


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


def cross_validate(cases: list[Case], start: Params) -> tuple[float, float, Params]:
    """(dev figure tuned on all, mean held-out-fold figure tuned on the others, what was tuned on all)."""
    tuned = tune(cases, start)
    folds = folds_by_answer(cases)
    held = []
    for i, fold in enumerate(folds):
        train = [c for j, f in enumerate(folds) if j != i for c in f]
        held.append((accuracy(fold, tune(train, start)), len(fold)))
    mean = sum(a * n for a, n in held) / max(1, sum(n for _, n in held))
    return accuracy(cases, tuned), mean, tuned


def report(cases: list[Case]) -> list[str]:
    """The cross-validation's tables, as Markdown lines."""
    from qa.entity_scoring import FEATURES
    from qa.settings import EntityAnswerSettings

    shipped_settings = EntityAnswerSettings()
    shipped = Params(tuple(getattr(shipped_settings, f"{name}_weight") for name in FEATURES), shipped_settings.min_clue_coverage)
    fitted = replace(shipped, weights=FITTED_BEFORE)
    dev_tuned, held_tuned, tuned = cross_validate(cases, shipped)
    answerable = sum(c.answerable for c in cases)
    lines = [
        f"Measured {date.today().isoformat()} on {platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, by `bench/folds.py`: the {len(cases)} questions of {' and '.join(SETS)} read as "
        f"descriptive ({answerable} answerable), {FOLDS} folds by gold answer. Figure: the share answered right (an answerable "
        "question's best candidate names the gold answer; an unanswerable one is abstained on).",
        "",
        "| what | dev | held-out folds |",
        "| --- | ---: | ---: |",
        f"| shipped: every weight 1, thresholds as set | {accuracy(cases, shipped):.3f} | {accuracy(cases, shipped):.3f} (nothing tuned) |",
        f"| the weights fitted on multihop-dev before (listwise logistic) | {accuracy(cases, fitted):.3f} | n/a (fitted on dev) |",
        f"| weights and thresholds searched (from the shipped ones) | {dev_tuned:.3f} | {held_tuned:.3f} |",
        "",
        "The search on all of dev picks: "
        + ", ".join(f"{n} {w:g}" for n, w in zip(FEATURES, tuned.weights, strict=True))
        + f"; min_clue_coverage {tuned.min_clue_coverage:g}.",
        "",
        "Each rule and feature alone, the rest as shipped (dev; nothing is tuned, so the held-out folds read the same):",
        "",
        "| change | dev |",
        "| --- | ---: |",
    ]
    for name, values in THRESHOLDS.items():
        for value in values:
            lines.append(f"| {name} {value:g} | {accuracy(cases, replace(shipped, **{name: value})):.3f} |")
    for i, name in enumerate(FEATURES):
        without = replace(shipped, weights=tuple(0.0 if j == i else w for j, w in enumerate(shipped.weights)))
        lines.append(f"| without {name} | {accuracy(cases, without):.3f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=Path, default=Path("/tmp/newsqa-folds"), help="where the dev store is kept between runs")
    parser.add_argument("--out", type=Path, default=HERE / "FOLDS.md")
    args = parser.parse_args()
    lines = [
        "# The entity answerer on questions it was not tuned on (leave-answer-out cross-validation)",
        "",
        *report(collect(open_dev(args.stores))),
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


FITTED_BEFORE = (1.1, 1.0, 1.3, 1.9, 1.35, 0.65, 0.85, 0.35, 0.5, 0.0)
"""The weights fitted on multihop-dev's questions that shipped before this comparison (in `FEATURES` order; `names` came
later, so 0)."""


if __name__ == "__main__":
    main()
