"""Every gold set the benchmarks ask, in one place: its questions, its articles and what it is for.

`bench/quality.py` (answer quality), `bench/calibrate.py` (the confidence scaling) and
`bench/latency.py` (warm ask() time) read their sets from `GOLD_SETS`; `bench/scale.py` composes
articles from theirs; `bench/compare.py` measures the comparison set. A new gold set is one entry here (and a line in the README's evaluation data).
Tuning may use only `dev` sets; `test` sets are only reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SHARED = HERE.parent.parent / "shared" / "eval"
"""Gold sets too big to ship (MultiHop-RAG's articles), kept beside the project: `../shared/eval` from its root."""


@dataclass(frozen=True)
class GoldSet:
    """One gold set: questions (JSONL, `qa.evaluate.GoldQuestion`) over the articles of one folder."""

    questions: Path
    articles: Path
    split: str
    """`dev` (may be tuned and calibrated on) or `test` (only reported)."""
    news: bool = False
    """News as readers ask it: the news sets of the quality report and the sentence calibration."""
    descriptive: bool = False
    """Descriptive questions answered with an entity (`qa.candidates`): the entity calibration."""
    timed: bool = False
    """Timed by `bench/latency.py` (warm ask() against a baseline commit)."""
    compare: bool = False
    """Questions that set articles side by side, each with its evidence facts: measured by `bench/compare.py` alone."""

    def available(self) -> bool:
        """Whether its questions and articles are on this machine (the shared MultiHop-RAG half may not be)."""
        return self.questions.is_file() and self.articles.is_dir()


GOLD_SETS: dict[str, GoldSet] = {
    "squad-dev": GoldSet(DATA / "squad-dev/questions.jsonl", DATA / "squad-dev/articles", "dev", timed=True),
    "seed": GoldSet(DATA / "seed_gold.jsonl", HERE.parent / "seeds", "dev", news=True),
    "news-snippets": GoldSet(DATA / "news-snippets/questions.jsonl", DATA / "news-snippets/articles", "dev", news=True),
    "news-dev (dev)": GoldSet(DATA / "news-dev/dev.jsonl", DATA / "news-dev/articles", "dev", news=True, timed=True),
    "news-dev (test)": GoldSet(DATA / "news-dev/test.jsonl", DATA / "news-dev/articles", "test", news=True),
    "multihop-dev": GoldSet(SHARED / "multihop-dev/questions.jsonl", SHARED / "multihop-dev/articles", "dev", descriptive=True),
    "multihop-kinds": GoldSet(DATA / "multihop-kinds/questions.jsonl", SHARED / "multihop-dev/articles", "dev", descriptive=True),
    "quiz-dev": GoldSet(DATA / "quiz-dev/questions.jsonl", SHARED / "multihop-compare/articles", "dev", news=True),
    "multihop-compare": GoldSet(SHARED / "multihop-compare/questions.jsonl", SHARED / "multihop-compare/articles", "dev", compare=True),
}
"""Every gold set, by the name the reports use."""

QUALITY = [name for name, gold in GOLD_SETS.items() if not gold.descriptive and not gold.compare]
"""The sets `bench/quality.py` compares newsqa with the baselines on (descriptive sets have their own section)."""
LATENCY = [name for name, gold in GOLD_SETS.items() if gold.timed]
"""The sets `bench/latency.py` times."""
SENTENCE_CALIBRATION = [name for name, gold in GOLD_SETS.items() if gold.news and gold.split == "dev"]
"""The dev sets the sentence answers' confidence is fitted on (`AnswerSettings`): the news sets' dev splits."""
ENTITY_CALIBRATION = [name for name, gold in GOLD_SETS.items() if gold.descriptive and gold.split == "dev"]
"""The dev sets the entity answers' confidence is fitted on (`EntityAnswerSettings`)."""
