"""Questions that set articles side by side (MultiHop-RAG's comparison and temporal questions): newsqa vs the LangChain
tutorial pipeline vs BM25, in one run, by the same rules.

Each question rests on one fact in each of its 2-3 evidence articles (`../shared/eval/multihop-compare`).

- every evidence fact quoted: for each evidence article, a citation from it (a returned chunk, for the baselines)
  holds at least 60% of the fact's content terms (stemmed, stopwords aside: `index.lexical.terms`);
- some evidence fact quoted: at least one is;
- every evidence article cited: each evidence article has a citation (a returned chunk);
- answered: newsqa did not abstain (the baselines always return chunks: n/a);
- median words of the answers given (newsqa: its text, labels included, markers aside; baselines: the chunks returned);
- p50 and p95 ms per question, warm.

The baselines: the LangChain tutorial pipeline (RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200), the
same embedding model, Chroma, similarity_search(k=4)) and BM25 (bm25s) over the same chunks, top 4 and top 2.

`--folds` also splits the questions into 5 folds (by position, i % 5) and, for each fold, chooses the weights of
`CompareSettings` on the other four from a small grid (each reference's retrieval is done once per question), then
reports the figures on those four (dev) and on the fold (held out).

    .venv/bin/python bench/compare.py [--folder ../shared/eval/multihop-compare] [--store DIR] [--folds] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import platform
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from statistics import median

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from gold_sets import GOLD_SETS  # bench/ is scripts: its folder is on sys.path
from results import write_section

from index import ArticleLoader, Embedder, update_index
from index.lexical import terms
from qa import Settings
from qa.models import strip_markers
from qa.pipeline import Pipeline

HERE = Path(__file__).resolve().parent
FOLDER = GOLD_SETS["multihop-compare"].questions.parent
K = 4
TARGETS = {
    "every evidence fact quoted": "≥ 0.50",
    "some evidence fact quoted": "≥ 0.85",
    "every evidence article cited": "≥ 0.70",
    "answered": "≥ 0.95",
    "median words": "≤ 120",
    "p50 ms": "≤ 300",
}
GRID = {
    "claim_weight": (0.5, 1.0, 2.0),
    "claim_terms_weight": (0.0, 0.25, 0.5),
    "title_terms_weight": (0.0, 0.5, 1.0),
    "period_weight": (0.3, 1.0, 2.0),
}
"""The weights `--folds` chooses among, on each fold's other four (the topic's cosine keeps weight 1: the scale)."""


@dataclass(frozen=True)
class Evidence:
    """One evidence article of a question and its fact."""

    article: str
    fact: str


@dataclass
class Outcome:
    """How one system answered one question: the (article id, text) pieces it returned, words, time, abstention."""

    pieces: list[tuple[str, str]]
    words: int
    ms: float
    abstained: bool = False


def fact_quoted(fact: str, text: str) -> bool:
    """Whether `text` holds at least 60% of the fact's content terms."""
    wanted = set(terms(fact))
    return bool(wanted) and len(wanted & set(terms(text))) >= 0.6 * len(wanted)


def figures(gold: list[list[Evidence]], outcomes: list[Outcome]) -> dict[str, float]:
    """The section's figures for one system over the questions (`gold` and `outcomes` in the same order)."""
    every, some, cited = [], [], []
    for evidence, outcome in zip(gold, outcomes, strict=True):
        quoted = [any(a == e.article and fact_quoted(e.fact, t) for a, t in outcome.pieces) for e in evidence]
        every.append(all(quoted))
        some.append(any(quoted))
        cited.append(all(any(a == e.article for a, _ in outcome.pieces) for e in evidence))
    given = [o.words for o in outcomes if not o.abstained]
    ms = [o.ms for o in outcomes]
    return {
        "every evidence fact quoted": float(np.mean(every)),
        "some evidence fact quoted": float(np.mean(some)),
        "every evidence article cited": float(np.mean(cited)),
        "answered": float(np.mean([not o.abstained for o in outcomes])),
        "median words": float(median(given)) if given else 0.0,
        "p50 ms": float(np.percentile(ms, 50)),
        "p95 ms": float(np.percentile(ms, 95)),
    }


def load(folder: Path) -> tuple[list[str], list[list[Evidence]]]:
    """The questions and, for each, its evidence articles and facts."""
    lines = [json.loads(line) for line in (folder / "questions.jsonl").read_text().splitlines() if line.strip()]
    return [line["q"] for line in lines], [[Evidence(e["article"], e["fact"]) for e in line["evidence"]] for line in lines]


def run_newsqa(pipeline: Pipeline, questions: list[str]) -> tuple[list[Outcome], int]:
    """newsqa's outcome for each question (warm), and how many it read as comparisons."""
    pipeline.ask(questions[0])
    outcomes, compared = [], 0
    for question in questions:
        answer = pipeline.ask(question)
        compared += answer.kind == "comparison"
        pieces = [] if answer.abstained else [(c.article_id, c.quote) for c in answer.citations]
        words = 0 if answer.abstained else len(strip_markers(answer.text).split())
        outcomes.append(Outcome(pieces, words, answer.timings_ms["total"], answer.abstained))
    return outcomes, compared


def run_chunks(search, pieces: list[tuple[str, str]], questions: list[str], k: int) -> list[Outcome]:
    """A baseline's outcome: its top `k` chunks for each question (warm)."""
    search(questions[0], k)
    outcomes = []
    for question in questions:
        started = time.perf_counter()
        found = search(question, k)
        ms = (time.perf_counter() - started) * 1000
        returned = [pieces[i] for i in found]
        outcomes.append(Outcome(returned, sum(len(text.split()) for _, text in returned), ms))
    return outcomes


def baselines(articles: Path, embedder: Embedder, scratch: Path) -> tuple[list[tuple[str, str]], object, object]:
    """The tutorial's chunks (article id, text), its Chroma search and BM25's, each `(question, k) -> chunk indexes`."""
    import bm25s
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    pieces = [(a.id, piece) for a in ArticleLoader(articles).load().articles for piece in splitter.split_text(a.text)]
    texts = [text for _, text in pieces]
    client = chromadb.PersistentClient(path=str(scratch / "tutorial"), settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma.from_texts(
        texts, embedding=embedder, client=client, collection_name="tutorial", metadatas=[{"i": i} for i in range(len(texts))]
    )
    bm25 = bm25s.BM25()
    bm25.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)

    def tutorial(question: str, k: int) -> list[int]:
        return [int(d.metadata["i"]) for d in store.similarity_search(question, k=k)]

    def lexical(question: str, k: int) -> list[int]:
        found, _ = bm25.retrieve(bm25s.tokenize([question], stopwords="en", show_progress=False), k=k, show_progress=False)
        return [int(i) for i in found[0]]

    return pieces, tutorial, lexical


def folds(
    pipeline: Pipeline, questions: list[str], gold: list[list[Evidence]]
) -> list[tuple[int, dict[str, float], dict[str, float], dict[str, float]]]:
    """For each of 5 folds: the weights chosen on the other four, their figures there (dev) and on the fold (held out).

    Each question is read and retrieved once; each combination of weights answers every question once.
    """
    answerer = pipeline.compare_answerer
    base = answerer.settings
    read = []
    for question in questions:
        query = pipeline.read_query(question)
        reading = answerer.read(query)
        read.append((query, reading, answerer.retrieve(query, reading) if reading is not None else None))

    def outcomes(settings) -> list[Outcome]:
        answerer.settings = settings
        found = []
        for query, reading, retrieved in read:
            if reading is None:
                found.append(Outcome([], 0, 0.0, True))
                continue
            evidence = answerer.answer(query, reading, retrieved)
            pieces = [] if evidence.abstained else [(q.sentence.article_id, q.sentence.text) for q in evidence.sentences]
            found.append(Outcome(pieces, sum(len(text.split()) for _, text in pieces), 0.0, evidence.abstained))
        return found

    combos = [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]
    answered = {i: outcomes(base.model_copy(update=combo)) for i, combo in enumerate(combos)}
    answerer.settings = base

    def scored(i: int, indexes: list[int]) -> dict[str, float]:
        return figures([gold[j] for j in indexes], [answered[i][j] for j in indexes])

    results = []
    for fold in range(5):
        train = [i for i in range(len(questions)) if i % 5 != fold]
        held = [i for i in range(len(questions)) if i % 5 == fold]
        best = max(
            range(len(combos)),
            key=lambda i: (scored(i, train)["every evidence fact quoted"], scored(i, train)["every evidence article cited"]),
        )
        results.append((fold, combos[best], scored(best, train), scored(best, held)))
    return results


def section(rows: list[tuple[str, dict[str, float]]], questions: int, compared: int, fold_rows, settings) -> str:
    """The RESULTS.md section."""
    names = [
        "every evidence fact quoted",
        "some evidence fact quoted",
        "every evidence article cited",
        "answered",
        "median words",
        "p50 ms",
        "p95 ms",
    ]
    lines = [
        f"### multihop-compare (MultiHop-RAG comparison and temporal questions, development half): {questions} questions",
        "",
        "Each question sets 2-3 of the 609 articles side by side; each rests on one fact (a sentence) in each. Every evidence "
        "fact quoted: for each evidence article, a citation from it (a returned chunk, for the baselines) holds at least 60% "
        "of the fact's content terms; every evidence article cited: each has a citation (a returned chunk). Median words of "
        'the answers given (newsqa\'s labels "Outlet, date:" included). Targets (held-out half): '
        + ", ".join(f"{k} {v}" for k, v in TARGETS.items())
        + f". newsqa read {compared} of the {questions} questions as comparisons (`Answer.kind`).",
        "",
        "| system | " + " | ".join(names) + " |",
        "| --- | " + " | ".join("---:" for _ in names) + " |",
    ]
    for name, row in rows:
        cells = []
        for metric in names:
            value = row.get(metric)
            if value is None:
                cells.append("n/a")
            elif metric in ("median words", "p50 ms", "p95 ms"):
                cells.append(f"{value:g}" if metric == "median words" else f"{value:.1f}")
            else:
                cells.append(f"{value:.3f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    weights = ", ".join(f"`{name}` {getattr(settings, name):g}" for name in GRID)
    lines += ["", f"newsqa's weights (`NEWSQA_COMPARE__*`): {weights}."]
    if fold_rows:
        lines += [
            "",
            "5-fold split of these questions (fold = position mod 5): the weights above chosen on four folds from "
            + ", ".join(f"`{name}` {values}" for name, values in GRID.items())
            + " (by every evidence fact quoted, then every evidence article cited), and measured on those four (dev) and on "
            "the fifth (held out):",
            "",
            "| fold | weights chosen | every fact quoted (dev / held out) | some fact quoted | every article cited | answered |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for fold, best, dev, out in fold_rows:
            chosen = ", ".join(f"{v:g}" for v in best.values())
            cells = [f"{dev[m]:.3f} / {out[m]:.3f}" for m in names[:4]]
            lines.append(f"| {fold} | {chosen} | " + " | ".join(cells) + " |")
        mean_dev = np.mean([dev["every evidence fact quoted"] for _, _, dev, _ in fold_rows])
        mean_out = np.mean([out["every evidence fact quoted"] for _, _, _, out in fold_rows])
        lines += ["", f"Every fact quoted, mean over the folds: {mean_dev:.3f} dev, {mean_out:.3f} held out."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=FOLDER, help="questions.jsonl and articles/ (MultiHop-RAG compare half)")
    parser.add_argument("--store", type=Path, help="an index of the folder's articles already built (else one is built in a temp folder)")
    parser.add_argument("--folds", action="store_true", help="also report a 5-fold split of the questions")
    parser.add_argument("--no-baselines", action="store_true", help="measure newsqa alone")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--print-only", action="store_true", help="print the section, do not write it")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    questions, gold = load(args.folder)
    embedder = Embedder()
    with tempfile.TemporaryDirectory(prefix="newsqa-compare-") as scratch:
        settings = Settings(articles_dir=args.folder / "articles", db_dir=args.store or Path(scratch) / "newsqa")
        if args.store is None:
            update_index(settings, embedder=embedder)
        pipeline = Pipeline(settings, embedder=embedder)
        newsqa, compared = run_newsqa(pipeline, questions)
        rows = [("newsqa (one dated quote per article)", figures(gold, newsqa))]
        if not args.no_baselines:
            pieces, tutorial, lexical = baselines(args.folder / "articles", embedder, Path(scratch))
            for name, search, k in (
                ("LangChain tutorial (top 4 chunks)", tutorial, 4),
                ("BM25 (top 4 chunks)", lexical, 4),
                ("BM25 (top 2 chunks)", lexical, 2),
            ):
                row = figures(gold, run_chunks(search, pieces, questions, k))
                row.pop("answered")
                rows.append((name, row))
        fold_rows = folds(pipeline, questions, gold) if args.folds else []
        text = section(rows, len(questions), compared, fold_rows, pipeline.settings.compare)
    print(text)
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    if not args.print_only:
        write_section(args.out, "bench/compare.py", f"{text}\n\nMeasured {date.today().isoformat()} on {machine} by `bench/compare.py`.")


if __name__ == "__main__":
    main()
