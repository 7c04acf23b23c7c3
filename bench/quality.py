"""Answer quality side by side, in one run: newsqa vs the LangChain tutorial pipeline vs BM25.

(a) newsqa: hybrid retrieval, one to three verbatim sentences, abstains on weak evidence; measured
    by `qa.evaluate`, the same rules as `newsqa eval` (answer hit over its short answer and quoted
    sentences, median words of the answers given without their `[n]` markers, latency of ask()).
(b) The usual LangChain RAG tutorial: RecursiveCharacterTextSplitter(chunk_size=1000,
    chunk_overlap=200), the same embedding model, Chroma, similarity_search(k=4); its answer is
    the top chunk.
(c) BM25 (bm25s) over the same tutorial chunks; its answer is the top chunk.

Same articles, same questions, same machine; the sets come from `bench/gold_sets.py`. Writes a table
to bench/RESULTS.md.

    .venv/bin/python bench/quality.py [--sets squad-dev seed news-snippets] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from statistics import median

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from entity_vote import EntityVote  # bench/ is scripts: its folder is on sys.path
from folds import collect as collect_cases
from folds import report as cross_validation_report
from gold_sets import GOLD_SETS, QUALITY
from results import marked_sections

from index import ArticleLoader, Embedder, update_index
from qa import Settings
from qa.evaluate import GoldQuestion, evaluate, gold_words, holds_gold, load_gold, normalize, reliability
from qa.pipeline import Pipeline
from qa.question import analyze_question

HERE = Path(__file__).resolve().parent
SETS = {name: (GOLD_SETS[name].questions, GOLD_SETS[name].articles) for name in QUALITY}
NEWS_SETS = ("news-dev (dev)", "news-dev (test)", "news-snippets", "seed")
"""The news sets of `GOLD_SETS`, in the order of the news table."""
MULTIHOP = GOLD_SETS["multihop-dev"].questions.parent
"""MultiHop-RAG's development half (`../shared/eval/multihop-dev` from the project root); `--multihop DIR` for another half."""
MULTIHOP_TARGETS = {
    "gold entity in the answer": "≥ 0.70",
    "a word of it": "≥ 0.75",
    "short answer names it": "≥ 0.60",
    "cites an evidence article": "≥ 0.85",
    "unanswerable abstained": "≥ 0.80",
    "p50 ms": "≤ 150",
}
NEWS_TARGETS = {"answer hit": "≥ 0.90", "short answers exact": "≥ 0.75", "unanswerable abstained": "≥ 0.80", "calibration error": "≤ 0.10"}
K = 4


class Row(dict):
    """One system's figures on one question set."""


def _figures(
    name: str, hits: list[bool], words: list[int], retrieval: list[bool], ms: list[float], abstained: list[bool], first: list[bool]
) -> Row:
    return Row(
        system=name,
        answer_hit=float(np.mean(hits)),
        first_hit=float(np.mean(first)),
        median_words=float(median(words)),
        hit_at_4=float(np.mean(retrieval)),
        p50_ms=float(np.percentile(ms, 50)),
        abstained_unanswerable=float(np.mean(abstained)) if abstained else float("nan"),
    )


STORES: Path | None = None
"""Where `--stores` keeps one store per article folder between runs (indexing the 609 MultiHop-RAG articles takes long);
None: a temporary store per run."""


def store_dir(articles: Path, scratch: Path) -> Path:
    """The store of `articles`: kept in `STORES` under the folder's path, else in `scratch`."""
    if STORES is None:
        return scratch / "newsqa"
    return STORES / "-".join(articles.resolve().parts[-3:])


def run_newsqa(gold_path: Path, articles: Path, embedder: Embedder, scratch: Path) -> Row:
    """newsqa's figures on one set, measured by `qa.evaluate` (warm, as in a running app), its retrieval hit at the baselines' k."""
    settings = Settings(articles_dir=articles, db_dir=store_dir(articles, scratch))
    update_index(settings, embedder=embedder)
    report = evaluate(gold_path, pipeline=Pipeline(settings, embedder=embedder), articles_dir=articles, retrieval_k=K)
    return Row(
        system="newsqa (sentences, hybrid)",
        answer_hit=report.answer_hit,
        first_hit=report.first_citation_hit,
        median_words=report.median_words,
        hit_at_4=report.retrieval_hit_at_k,
        p50_ms=report.latency_p50_ms,
        abstained_unanswerable=report.abstention_rate if report.questions > report.answerable else float("nan"),
    )


def tutorial_chunks(articles: Path) -> list[str]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    return [chunk for article in ArticleLoader(articles).load().articles for chunk in splitter.split_text(article.text)]


def run_tutorial(gold: list[GoldQuestion], chunks: list[str], embedder: Embedder, scratch: Path) -> Row:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    client = chromadb.PersistentClient(path=str(scratch / "tutorial"), settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma.from_texts(chunks, embedding=embedder, client=client, collection_name="tutorial")
    return _top_chunk_system("LangChain tutorial (top chunk)", gold, lambda q: [d.page_content for d in store.similarity_search(q, k=K)])


def run_bm25(gold: list[GoldQuestion], chunks: list[str]) -> Row:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(chunks, stopwords="en", show_progress=False), show_progress=False)

    def search(question: str) -> list[str]:
        found, _ = retriever.retrieve(
            bm25s.tokenize([question], stopwords="en", show_progress=False), k=min(K, len(chunks)), show_progress=False
        )
        return [chunks[int(i)] for i in found[0]]

    return _top_chunk_system("BM25 (top chunk)", gold, search)


def _top_chunk_system(name: str, gold: list[GoldQuestion], search) -> Row:
    search(gold[0].question)
    hits, words, retrieval, ms = [], [], [], []
    for item in (g for g in gold if g.answerable):
        started = time.perf_counter()
        found = search(item.question)
        ms.append((time.perf_counter() - started) * 1000)
        top = found[0] if found else ""
        hits.append(holds_gold(top, item.answers) and not holds_gold(top, item.distractors))
        words.append(len(top.split()))
        retrieval.append(any(holds_gold(c, item.answers) for c in found))
    abstained = [False for g in gold if not g.answerable]
    return _figures(name, hits, words, retrieval, ms, abstained, hits)


def off_corpus(embedder: Embedder, scratch: Path) -> str:
    """Abstention when the answer is not in the index: squad-dev asked of the seed article alone."""
    gold_path, articles = SETS["squad-dev"]
    gold = load_gold(gold_path)
    seed = Pipeline(Settings(articles_dir=HERE.parent / "seeds", db_dir=scratch / "seed"), embedder=embedder)
    update_index(seed.settings, embedder=embedder)
    squad = Settings(articles_dir=articles, db_dir=scratch / "squad")
    update_index(squad, embedder=embedder)
    in_corpus = Pipeline(squad, embedder=embedder)
    off = float(np.mean([seed.ask(g.question).abstained for g in gold]))
    answered = float(np.mean([not in_corpus.ask(g.question).abstained for g in gold if g.answerable]))
    adversarial = float(np.mean([in_corpus.ask(g.question).abstained for g in gold if not g.answerable]))
    return (
        "### Abstention (squad-dev)\n\n| | newsqa | target |\n| --- | ---: | ---: |\n"
        f"| off-corpus: all {len(gold)} questions asked of the seed article alone, abstained | {off:.3f} | ≥ 0.98 |\n"
        f"| in-corpus: answerable questions answered | {answered:.3f} | ≥ 0.98 |\n"
        f"| in-corpus: adversarial unanswerable questions abstained | {adversarial:.3f} | ≥ 0.30 (stretch) |"
    )


def news_answers(embedder: Embedder, scratch: Path) -> str:
    """newsqa's own figures on the news sets: hit, abstention, short answers and calibration; reliability on the test split."""
    lines = [
        "### newsqa on news: short answers and calibrated confidence",
        "",
        "Targets (news-dev `test`, never tuned on): "
        + ", ".join(f"{name} {target}" for name, target in NEWS_TARGETS.items())
        + ". Short answers exact: of the short answers given to answerable questions, the share equal to a gold answer "
        "after normalisation. Calibration error: expected calibration error of `Answer.confidence` over the answers given "
        "(10 bins); the scaling was fitted by `bench/calibrate.py` on the dev sets only.",
        "",
        "| set | questions (unanswerable) | answer hit | first cited sentence hit | answered (answerable) | unanswerable abstained | short answers given | short answers exact | median words | calibration error |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    test_report = None
    for name in NEWS_SETS:
        gold, articles = SETS[name]
        settings = Settings(articles_dir=articles, db_dir=scratch / name.replace(" ", "-").replace("(", "").replace(")", ""))
        update_index(settings, embedder=embedder)
        report = evaluate(gold, pipeline=Pipeline(settings, embedder=embedder), articles_dir=articles)
        unanswerable = report.questions - report.answerable
        abstained = f"{report.abstention_rate:.3f}" if unanswerable else "n/a"
        lines.append(
            f"| {name} | {report.questions} ({unanswerable}) | {report.answer_hit:.3f} | {report.first_citation_hit:.3f} | "
            f"{report.answer_rate:.3f} | {abstained} | {report.short_answer_rate:.3f} | {report.short_answer_exact:.3f} | "
            f"{report.median_words:g} | {report.calibration_error:.3f} |"
        )
        if name == "news-dev (test)":
            test_report = report
    assert test_report is not None
    answered = [r for r in test_report.results if not r.abstained]
    lines += [
        "",
        "Reliability of the confidence on news-dev `test` (answers given, right = the answer holds a gold string):",
        "",
        "| confidence bin | answers | mean confidence | share right |",
        "| --- | ---: | ---: | ---: |",
        *(
            f"| {low:.1f}–{low + 0.1:.1f} | {count} | {mean:.2f} | {hit:.2f} |"
            for low, mean, count, hit in reliability([r.confidence for r in answered], [r.answer_hit for r in answered])
        ),
    ]
    return "\n".join(lines)


def multihop(embedder: Embedder, scratch: Path, folder: Path) -> str:
    """Real questions on real news (MultiHop-RAG's, and newsqa's own group, pair and full-name questions over the same
    articles): newsqa vs the tutorial pipeline's and BM25's top chunk and the untuned entity vote, same rules; then newsqa's
    entity answerer on questions it was not tuned on (`bench/folds.py`)."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    articles = folder / "articles"
    settings = Settings(articles_dir=articles, db_dir=store_dir(articles, scratch))
    update_index(settings, embedder=embedder)
    pipeline = Pipeline(settings, embedder=embedder)
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    pieces = [(piece, a.id) for a in ArticleLoader(articles).load().articles for piece in splitter.split_text(a.text)]
    texts = [text for text, _ in pieces]
    vote = EntityVote([(article, text) for text, article in pieces])
    baselines = {
        "LangChain tutorial (top chunk)": _tutorial_search(texts, embedder, scratch),
        "BM25 (top chunk)": _bm25_search(texts),
    }
    sections = []
    for gold_path in [folder / "questions.jsonl", GOLD_SETS["multihop-kinds"].questions]:
        gold = load_gold(gold_path)
        report = evaluate(gold_path, pipeline=pipeline, articles_dir=articles)
        answerable = [g for g in gold if g.answerable]
        rows = [
            (
                "newsqa (entity answers, hybrid)",
                report.answer_hit,
                report.soft_answer_hit,
                f"{report.short_answer_names_gold:.3f}",
                report.evidence_citation,
                f"{report.abstention_rate:.3f}" if len(gold) > len(answerable) else "n/a",
                report.median_words,
                report.latency_p50_ms,
                report.latency_p95_ms,
            )
        ]
        for name, search in baselines.items():
            rows.append(_top_chunk_row(name, answerable, lambda q, search=search: pieces[search(q)[0]]))
        rows.append(_vote_row(vote, answerable))
        name = "multihop-dev (MultiHop-RAG, real news)" if gold_path.parent == folder else "multihop-kinds (newsqa's own, same articles)"
        sections += [
            f"### {name}: {len(answerable)} answerable, {len(gold) - len(answerable)} unanswerable questions",
            "",
            "| system | gold entity in the answer | a word of it | short answer names it | cites an evidence article | unanswerable abstained | median words | p50 ms | p95 ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *(
                f"| {name} | {hit:.3f} | {soft:.3f} | {short} | {'n/a' if cited is None else f'{cited:.3f}'} | {abstained} | {words:g} | {p50:.1f} | {p95:.1f} |"
                for name, hit, soft, short, cited, abstained, words, p50, p95 in rows
            ),
            "",
            f"newsqa answered {report.answer_rate:.3f} of the answerable questions; calibration error of its confidence "
            f"{report.calibration_error:.3f}.",
            "",
        ]
    intro = [
        f"`{folder.name}`: {len(list(articles.glob('*')))} real articles (late 2023) and MultiHop-RAG's own questions, each asking "
        "for an entity that 2-4 articles describe in pieces; `multihop-kinds`: newsqa's own questions over the same articles "
        "asking for a group or a type, two entities, or a name mostly given short (a dev set, never the measure). Gold entity in "
        "the answer: a gold answer (SQuAD normalisation; for a pair, both) is in the answer (newsqa: its short answer and quoted "
        "sentences; baselines: their top chunk, or the voted entity); a word of it: a gold word that is not a stopword is; short "
        "answer names it: `Answer.short` holds the gold answer; cites an evidence article: a supporting citation (or the top "
        "chunk) comes from one of the question's evidence articles. The untuned entity vote (`bench/entity_vote.py`): BM25's top "
        "10 tutorial chunks vote for the entities of the asked kind they name, by rank, half again for a second article. Targets "
        "(held-out half): " + ", ".join(f"{k} {v}" for k, v in MULTIHOP_TARGETS.items()) + ".",
        "",
    ]
    folds = ["#### The entity answerer on questions it was not tuned on", "", *cross_validation_report(collect_cases(pipeline))]
    return "\n".join(["### MultiHop-RAG's real news: entity questions", "", *intro, *sections, *folds])


def _top_chunk_row(name: str, answerable: list[GoldQuestion], top) -> tuple:
    """A baseline's row: its answer is its top chunk."""
    top(answerable[0].question)
    hits, soft, cited, words, ms = [], [], [], [], []
    for item in answerable:
        started = time.perf_counter()
        text, article = top(item.question)
        ms.append((time.perf_counter() - started) * 1000)
        hits.append(item.held_by(text))
        soft.append(bool(gold_words(item.answers) & set(normalize(text).split())))
        cited.append(article in item.evidence_articles)
        words.append(len(text.split()))
    return (name, float(np.mean(hits)), float(np.mean(soft)), "n/a", float(np.mean(cited)), "n/a", float(median(words)),
            float(np.percentile(ms, 50)), float(np.percentile(ms, 95)))  # fmt: skip


def _vote_row(vote: EntityVote, answerable: list[GoldQuestion]) -> tuple:
    """The untuned entity vote's row: its answer is the voted entity (it cannot abstain and quotes nothing)."""
    hits, soft, ms = [], [], []
    for item in answerable:
        started = time.perf_counter()
        best, _ = vote.answer(item.question)
        ms.append((time.perf_counter() - started) * 1000)
        hits.append(best is not None and item.held_by(best))
        soft.append(best is not None and bool(gold_words(item.answers) & set(normalize(best).split())))
    words = [len(best.split()) if best else 0 for best in (vote.answer(item.question)[0] for item in answerable)]
    return ("untuned entity vote (BM25 top 10, spaCy)", float(np.mean(hits)), float(np.mean(soft)), f"{np.mean(hits):.3f}", None,
            "n/a", float(median(words)), float(np.percentile(ms, 50)), float(np.percentile(ms, 95)))  # fmt: skip


def _tutorial_search(texts: list[str], embedder: Embedder, scratch: Path):
    """The tutorial pipeline's search over `texts`: the indexes of the top 4 chunks for a question."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    client = chromadb.PersistentClient(path=str(scratch / "multihop-tutorial"), settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma.from_texts(
        texts, embedding=embedder, client=client, collection_name="tutorial", metadatas=[{"i": i} for i in range(len(texts))]
    )
    return lambda question: [int(d.metadata["i"]) for d in store.similarity_search(question, k=K)]


def _bm25_search(texts: list[str]):
    """BM25's search over `texts`: the indexes of the top 4 chunks for a question."""
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)

    def search(question: str) -> list[int]:
        found, _ = retriever.retrieve(
            bm25s.tokenize([question], stopwords="en", show_progress=False), k=min(K, len(texts)), show_progress=False
        )
        return [int(i) for i in found[0]]

    return search


def by_kind(pipeline: Pipeline) -> str:
    """newsqa's squad-dev figures per question kind (who, what, when, ...)."""
    report = evaluate(SETS["squad-dev"][0], pipeline=pipeline)
    answerable = [r for r in report.results if r.answerable]
    kinds = Counter(r.kind for r in answerable)
    lines = [
        "### newsqa on squad-dev by question kind (answerable)",
        "",
        "| kind | questions | answer hit | first cited sentence hit |",
        "| --- | ---: | ---: | ---: |",
    ]
    for kind, count in kinds.most_common():
        rows = [r for r in answerable if r.kind == kind]
        hit = np.mean([r.answer_hit for r in rows])
        first = np.mean([r.first_citation_hit for r in rows])
        lines.append(f"| {kind} | {count} | {hit:.3f} | {first:.3f} |")
    return "\n".join(lines)


def headroom(pipeline: Pipeline) -> str:
    """Where the squad-dev misses are: how far down newsqa's own sentence ranking the gold sits,
    what longer answers would buy, and how well the best score separates adversarial questions."""
    from sklearn.metrics import roc_auc_score

    gold = load_gold(SETS["squad-dev"][0])
    positions, best_scores, adversarial = [], [], []
    top_n: dict[int, tuple[list[bool], list[int]]] = {n: ([], []) for n in (1, 2, 3)}
    for item in gold:
        retrieved = pipeline.retriever.retrieve(item.question)
        ranked = pipeline.picker.rank(analyze_question(item.question, today=date.today()), retrieved, pipeline.retriever.term_weights)
        best = ranked[0].score if ranked else 0.0
        if not item.answerable:
            adversarial.append(best)
            continue
        best_scores.append(best)
        positions.append(next((i for i, s in enumerate(ranked) if holds_gold(s.sentence.text, item.answers)), -1))
        for n, (hits, words) in top_n.items():
            text = " ".join(s.sentence.text for s in ranked[:n])
            hits.append(holds_gold(text, item.answers))
            words.append(len(text.split()))
    at = np.array(positions)
    found = at >= 0
    share = [
        ("1st", at == 0),
        ("2nd or 3rd", (at >= 1) & (at <= 2)),
        ("4th or 5th", (at >= 3) & (at <= 4)),
        ("6th or lower", at >= 5),
        ("in no retrieved chunk", ~found),
    ]
    keep_95 = float(np.percentile(best_scores, 5))
    auc = roc_auc_score([0] * len(best_scores) + [1] * len(adversarial), [-s for s in best_scores + adversarial])
    lines = [
        "### Headroom on squad-dev: where the misses are",
        "",
        f"Every sentence of the {pipeline.settings.retrieval.k} retrieved chunks, ranked by newsqa's own score "
        f"({len(positions)} answerable questions).",
        "",
        "| first sentence holding the gold answer | share |",
        "| --- | ---: |",
        *(f"| {label} | {float(np.mean(mask)):.3f} |" for label, mask in share),
        "",
        "| answer = the top n ranked sentences, no margin | answer hit | median words |",
        "| --- | ---: | ---: |",
        *(f"| n = {n} | {float(np.mean(h)):.3f} | {median(w):g} |" for n, (h, w) in top_n.items()),
        "",
        "| adversarial unanswerable questions | value |",
        "| --- | ---: |",
        f"| ROC AUC of the best sentence score, answerable vs adversarial (0.5 = no signal) | {auc:.3f} |",
        f"| abstained at the score threshold that still answers 95% of answerable | {float(np.mean(np.array(adversarial) < keep_95)):.3f} |",
    ]
    return "\n".join(lines)


def table(rows: list[Row]) -> str:
    lines = [
        "| system | answer hit | first cited sentence / top chunk hit | median words | hit@4 | p50 ms | unanswerable abstained |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        abst = "n/a" if np.isnan(r["abstained_unanswerable"]) else f"{r['abstained_unanswerable']:.3f}"
        lines.append(
            f"| {r['system']} | {r['answer_hit']:.3f} | {r['first_hit']:.3f} | {r['median_words']:g} | {r['hit_at_4']:.3f} | {r['p50_ms']:.1f} | {abst} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--multihop", type=Path, default=MULTIHOP, help="a MultiHop-RAG folder (questions.jsonl, articles/)")
    parser.add_argument("--only-multihop", action="store_true", help="measure the multihop set alone")
    parser.add_argument("--stores", type=Path, help="keep each article folder's store here between runs (the index is the same)")
    args = parser.parse_args()
    global STORES
    STORES = args.stores
    logging.disable(logging.WARNING)
    embedder = Embedder()
    sections = []
    if args.multihop.is_dir():
        with tempfile.TemporaryDirectory(prefix="newsqa-bench-") as scratch:
            sections.append(multihop(embedder, Path(scratch), args.multihop))
            print(sections[-1])
    else:
        print(f"no MultiHop-RAG set at {args.multihop}: skipped")
    if args.only_multihop:
        print("\n\n".join(sections))
        return
    for name in args.sets:
        gold_path, articles = SETS[name]
        gold = load_gold(gold_path)
        with tempfile.TemporaryDirectory(prefix="newsqa-bench-") as scratch:
            chunks = tutorial_chunks(articles)
            rows = [
                run_newsqa(gold_path, articles, embedder, Path(scratch)),
                run_tutorial(gold, chunks, embedder, Path(scratch)),
                run_bm25(gold, chunks),
            ]
        answerable = sum(g.answerable for g in gold)
        heading = f"### {name}: {answerable} answerable, {len(gold) - answerable} unanswerable questions"
        sections.append(f"{heading}\n\n{table(rows)}")
        print(heading)
        print(table(rows))
        print(json.dumps(rows))
    with tempfile.TemporaryDirectory(prefix="newsqa-bench-") as scratch:
        sections.append(news_answers(embedder, Path(scratch)))
        print(sections[-1])
    with tempfile.TemporaryDirectory(prefix="newsqa-bench-") as scratch:
        sections.append(off_corpus(embedder, Path(scratch)))
        print(sections[-1])
    with tempfile.TemporaryDirectory(prefix="newsqa-bench-") as scratch:
        squad = Settings(articles_dir=SETS["squad-dev"][1], db_dir=store_dir(SETS["squad-dev"][1], Path(scratch)))
        update_index(squad, embedder=embedder)
        pipeline = Pipeline(squad, embedder=embedder)
        for section in (by_kind, headroom):
            sections.append(section(pipeline))
            print(sections[-1])
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    previous = args.out.read_text() if args.out.exists() else ""
    kept = marked_sections(previous)  # bench/claims.py's and bench/compare.py's sections stay
    args.out.write_text(
        f"# Answer quality: newsqa vs the LangChain tutorial pipeline vs BM25\n\n"
        f"Measured {date.today().isoformat()} on {machine}, by `bench/quality.py`, all three systems in one run on the same\n"
        f"articles and questions, same embedding model (all-MiniLM-L6-v2). Answer hit: a gold string (SQuAD\n"
        f"normalisation) appears in the answer, and no distractor does; for the baselines the answer is the top chunk.\n"
        f"Latency is per question, warm, on this machine.\n\n" + "\n\n".join(sections) + "\n" + (f"\n{kept}\n" if kept else "")
    )


if __name__ == "__main__":
    main()
