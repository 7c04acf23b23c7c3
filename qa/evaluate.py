"""Measure answer quality on a gold set: hit rates, answer length, abstention, citation validity, latency."""

from __future__ import annotations

import json
import re
import string
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path
from statistics import median

import numpy as np
from pydantic import BaseModel, Field, model_validator

from index import ArticleLoader, NewsqaError, update_index
from qa.models import Answer, strip_markers
from qa.pipeline import Pipeline
from qa.settings import Settings


class GoldQuestion(BaseModel):
    """One line of a gold file (MultiHop-RAG's own lines, `{"q", "answers", "type", "evidence_articles"}`, are read too)."""

    question: str = Field(description="The question.")
    answers: list[str] = Field(default_factory=list, description="Gold answer strings; any one counts.")
    answerable: bool = Field(True, description="False when the articles do not hold the answer.")
    id: str = Field("", description="Optional id.")
    article: str = Field("", description="Optional id or file of the article holding the answer.")
    distractors: list[str] = Field(
        default_factory=list, description="Strings a right answer must not contain (e.g. the twin story's name or year)."
    )
    asked_on: date | None = Field(None, description="The day the question is asked, for relative dates ('last year'); default today.")
    evidence_articles: list[str] = Field(
        default_factory=list, description="Ids of the articles that hold the evidence (all of them, for a multi-article question)."
    )
    parts: list[str] = Field(
        default_factory=list,
        description="For a question that asks for several entities ('Which two companies ...?'): each must be in the answer "
        "(`answers` then lists them joined, for the short answer).",
    )

    def held_by(self, text: str) -> bool:
        """Whether `text` gives this question's answer: every part of a several-entity answer, else any gold answer."""
        if self.parts:
            return all(holds_gold(text, [part]) for part in self.parts)
        return holds_gold(text, self.answers)

    @model_validator(mode="before")
    @classmethod
    def _multihop_line(cls, data: object) -> object:
        """Read a MultiHop-RAG line: `q` is the question, and a `null_query` is unanswerable."""
        if isinstance(data, dict) and "q" in data and "question" not in data:
            data = {k: v for k, v in data.items() if k not in ("q", "type", "mhr_index")} | {
                "question": data["q"],
                "answerable": data.get("type") != "null_query",
                "article": data.get("article") or "",
            }
        return data


class QuestionResult(BaseModel):
    """How one gold question went."""

    id: str = Field(description="The gold line's id, else its position.")
    question: str = Field(description="The question asked.")
    kind: str = Field(description="who / when / where / how many / what / which / why / how / other.")
    answerable: bool = Field(description="Whether the gold set says the articles answer it.")
    abstained: bool = Field(description="Whether newsqa abstained.")
    answer_hit: bool = Field(description="A gold string, and no distractor, is in the answer (its short answer and text).")
    soft_hit: bool = Field(False, description="A word of a gold string (not a stopword) is in the answer.")
    first_citation_hit: bool = Field(description="A gold string is in the first supporting citation.")
    retrieval_hit: bool = Field(description="A gold string is in a retrieved chunk.")
    citations_valid: bool = Field(description="Every quote equals article_text[start:end].")
    words: int = Field(description="Words in the answer, markers excluded (0 when abstained).")
    short: str | None = Field(None, description="The short answer given, if any.")
    short_correct: bool = Field(False, description="The short answer equals a gold answer after normalisation.")
    short_names_gold: bool = Field(False, description="The short answer holds a gold answer (normalised: 'the Federal Reserve').")
    evidence_cited: bool | None = Field(
        None, description="A supporting citation comes from one of the gold evidence articles (None when the gold names none)."
    )
    confidence: float = Field(0.0, description="The answer's calibrated confidence.")
    best_score: float = Field(
        0.0,
        description="Score of the best supporting sentence, or the entity's lead for a descriptive question (0 when abstained), "
        "for fitting the calibration.",
    )
    descriptive: bool = Field(False, description="Read as a descriptive question and answered with an entity (`Answer.clues`).")
    ms: float = Field(description="Time of ask() in milliseconds.")
    answer: str = Field(description="The answer text.")


class EvalReport(BaseModel):
    """Figures over a gold set (rates are shares from 0 to 1)."""

    questions: int = Field(description="Gold questions asked.")
    answerable: int = Field(description="Of which answerable.")
    answer_hit: float = Field(description="Answerable questions whose answer text holds a gold string (SQuAD normalisation).")
    soft_answer_hit: float = Field(0.0, description="Answerable questions whose answer holds a word of a gold string.")
    first_citation_hit: float = Field(description="Answerable questions whose first supporting citation holds a gold string.")
    retrieval_hit_at_k: float = Field(description="Answerable questions with a gold string in a retrieved chunk.")
    median_words: float = Field(description="Median words of the answers given (markers excluded).")
    citation_validity: float = Field(description="Answers whose every quote equals article_text[start:end].")
    answer_rate: float = Field(description="Answerable questions answered (not abstained).")
    abstention_rate: float = Field(description="Unanswerable questions abstained on.")
    short_answer_rate: float = Field(description="Answered answerable questions that got a short answer.")
    short_answer_exact: float = Field(
        description="Of the short answers given to answerable questions, the share equal to a gold answer (normalised)."
    )
    short_answer_names_gold: float = Field(0.0, description="Answerable questions whose short answer holds a gold answer.")
    evidence_citation: float | None = Field(
        None, description="Answerable questions with evidence articles in the gold whose answer cites one of them (None: no such question)."
    )
    calibration_error: float = Field(description="Expected calibration error of the confidence of answers given (10 equal-width bins).")
    latency_p50_ms: float = Field(description="Median time of ask().")
    latency_p95_ms: float = Field(description="95th percentile time of ask().")
    k: int = Field(description="Chunks retrieved per question.")
    results: list[QuestionResult] = Field(default_factory=list, description="Per-question outcomes.")

    def summary(self) -> dict[str, float | int]:
        """The figures without the per-question rows."""
        return self.model_dump(exclude={"results"})


def normalize(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation) | {"‘", "’", "“", "”"})
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


_POSSESSIVE = re.compile(r"['’]s\b")


def holds_gold(text: str, answers: list[str]) -> bool:
    """Whether any gold answer appears in `text` after normalisation.

    SQuAD's normalisation deletes the apostrophe, so "John Myhill's definition" would not hold
    "John Myhill"; the text is also tried with possessive 's dropped.
    """
    haystacks = {f" {normalize(text)} ", f" {normalize(_POSSESSIVE.sub('', text))} "}
    return any(f" {normalize(a)} " in haystack for a in answers if normalize(a) for haystack in haystacks)


def question_kind(question: str) -> str:
    """who / when / where / how many / what / which / why / how / other."""
    q = question.lower()
    if re.search(r"\bhow (many|much)\b", q):
        return "how many"
    for word in ("who", "when", "where", "why", "which", "what", "how"):
        if re.search(rf"\b{word}\b", q):
            return word
    return "other"


def load_gold(path: Path) -> list[GoldQuestion]:
    """Read a gold JSONL file; a bad line is an error naming the line."""
    gold = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            gold.append(GoldQuestion.model_validate_json(line))
        except ValueError as error:
            raise NewsqaError(
                f"{path}:{number}: not a gold question ({error.__class__.__name__}); each line needs `question` and `answers`."
            ) from error
    if not gold:
        raise NewsqaError(f"{path} holds no gold questions.")
    return gold


def evaluate(
    gold_path: Path,
    *,
    settings: Settings | None = None,
    articles_dir: Path | None = None,
    use_current_index: bool = False,
    pipeline: Pipeline | None = None,
    progress: bool = False,
    retrieval_k: int | None = None,
) -> EvalReport:
    """Ask every gold question and measure the answers.

    Unless `use_current_index`, the articles are indexed into a temporary store, so the user's
    index is never touched. `retrieval_k`: how many retrieved chunks the retrieval hit looks at
    (default: the chunks the answerer reads, `retrieval.k`); `bench/quality.py` sets its baselines' 4.
    """
    settings = settings or Settings()
    gold = load_gold(gold_path)
    folder = Path(articles_dir or settings.articles_dir)
    texts = {a.id: a.text for a in ArticleLoader(folder).load().articles}
    with tempfile.TemporaryDirectory(prefix="newsqa-eval-") as scratch:
        if pipeline is None:
            if not use_current_index:
                settings = settings.model_copy(update={"db_dir": Path(scratch) / "db", "chroma_host": None, "articles_dir": folder})
                update_index(settings)
            pipeline = Pipeline(settings)
        pipeline.ask(gold[0].question)  # warm up (BM25 index, first torch call) so latency is that of a running app
        from tqdm.auto import tqdm

        results = [
            _run_one(pipeline, item, texts, i, retrieval_k)
            for i, item in enumerate(tqdm(gold, desc="Asking", unit="question", disable=not progress))
        ]
    return _report(results, k=retrieval_k or pipeline.settings.retrieval.k)


def gold_words(answers: list[str]) -> set[str]:
    """The words of the gold answers that can say which entity is meant (no stopwords, no one-letter words)."""
    from index.lexical import is_stopword

    return {w for a in answers for w in normalize(a).split() if len(w) > 1 and not is_stopword(w)}


def _run_one(pipeline: Pipeline, item: GoldQuestion, texts: dict[str, str], index: int, retrieval_k: int | None) -> QuestionResult:
    answer: Answer = pipeline.ask(item.question, today=item.asked_on)
    hits = pipeline.retriever.retrieve(answer.query, k=retrieval_k)
    support = [c for c in answer.citations if c.role == "answer"]
    valid = all(texts.get(c.article_id, "")[c.start : c.end] == c.quote for c in answer.citations)
    answered_text = "" if answer.abstained else answer.text
    with_short = f"{answer.short} {answered_text}" if answer.short and not answer.abstained else answered_text
    cited = {c.article_id for c in answer.citations if c.role != "related"}
    return QuestionResult(
        id=item.id or str(index),
        question=item.question,
        kind=question_kind(item.question),
        answerable=item.answerable,
        abstained=answer.abstained,
        answer_hit=item.answerable and not answer.abstained and item.held_by(with_short) and not holds_gold(with_short, item.distractors),
        soft_hit=item.answerable and not answer.abstained and bool(gold_words(item.answers) & set(normalize(with_short).split())),
        first_citation_hit=item.answerable and not answer.abstained and bool(support) and item.held_by(support[0].quote),
        retrieval_hit=item.answerable and any(item.held_by(hit.chunk.text) for hit in hits),
        citations_valid=valid,
        words=len(strip_markers(answered_text).split()),
        short=answer.short,
        short_correct=item.answerable and answer.short is not None and normalize(answer.short) in {normalize(a) for a in item.answers},
        short_names_gold=item.answerable and answer.short is not None and item.held_by(answer.short),
        evidence_cited=(item.answerable and not answer.abstained and bool(cited & set(item.evidence_articles)))
        if item.evidence_articles
        else None,
        confidence=answer.confidence,
        best_score=answer.evidence_score if not answer.abstained else 0.0,
        descriptive=bool(answer.clues),
        ms=answer.timings_ms.get("total", 0.0),
        answer=answer.text,
    )


def _share(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 4) if flags else 0.0


def _report(results: list[QuestionResult], *, k: int) -> EvalReport:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    answered = [r for r in results if not r.abstained]
    latencies = np.array([r.ms for r in results]) if results else np.zeros(1)
    return EvalReport(
        questions=len(results),
        answerable=len(answerable),
        answer_hit=_share([r.answer_hit for r in answerable]),
        soft_answer_hit=_share([r.soft_hit for r in answerable]),
        first_citation_hit=_share([r.first_citation_hit for r in answerable]),
        retrieval_hit_at_k=_share([r.retrieval_hit for r in answerable]),
        median_words=float(median([r.words for r in answered])) if answered else 0.0,
        citation_validity=_share([r.citations_valid for r in results]),
        answer_rate=_share([not r.abstained for r in answerable]),
        abstention_rate=_share([r.abstained for r in unanswerable]),
        short_answer_rate=_share([r.short is not None for r in answerable if not r.abstained]),
        short_answer_exact=_share([r.short_correct for r in answerable if r.short is not None]),
        short_answer_names_gold=_share([r.short_names_gold for r in answerable]),
        evidence_citation=_share([bool(r.evidence_cited) for r in answerable if r.evidence_cited is not None])
        if any(r.evidence_cited is not None for r in answerable)
        else None,
        calibration_error=expected_calibration_error([r.confidence for r in answered], [r.answer_hit for r in answered]),
        latency_p50_ms=round(float(np.percentile(latencies, 50)), 1),
        latency_p95_ms=round(float(np.percentile(latencies, 95)), 1),
        k=k,
        results=results,
    )


def reliability(confidences: list[float], right: list[bool], *, bins: int = 10) -> list[tuple[float, float, int, float]]:
    """Per equal-width confidence bin with answers in it: (low edge, mean confidence, answers, share right)."""
    rows = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [i for i, c in enumerate(confidences) if low <= c < high or (b == bins - 1 and c == 1.0)]
        if inside:
            rows.append((low, float(np.mean([confidences[i] for i in inside])), len(inside), float(np.mean([right[i] for i in inside]))))
    return rows


def expected_calibration_error(confidences: list[float], right: list[bool], *, bins: int = 10) -> float:
    """Answer-weighted mean gap between confidence and the share right, over equal-width bins (0 is perfect)."""
    if not confidences:
        return 0.0
    gaps = sum(count * abs(mean - hit) for _, mean, count, hit in reliability(confidences, right, bins=bins))
    return round(gaps / len(confidences), 4)


def format_table(report: EvalReport) -> str:
    """The figures as a small aligned table for the terminal."""
    rows = [
        ("questions (answerable)", f"{report.questions} ({report.answerable})"),
        ("answer hit", f"{report.answer_hit:.3f}"),
        ("first citation hit", f"{report.first_citation_hit:.3f}"),
        (f"retrieval hit@{report.k}", f"{report.retrieval_hit_at_k:.3f}"),
        ("median answer words", f"{report.median_words:g}"),
        ("citation validity", f"{report.citation_validity:.3f}"),
        ("answer rate (answerable)", f"{report.answer_rate:.3f}"),
        ("abstention (unanswerable)", f"{report.abstention_rate:.3f}"),
        ("short answers given (answered)", f"{report.short_answer_rate:.3f}"),
        ("short answers exact", f"{report.short_answer_exact:.3f}"),
        ("short answer names a gold answer", f"{report.short_answer_names_gold:.3f}"),
        ("a word of the gold in the answer", f"{report.soft_answer_hit:.3f}"),
        ("cites a gold evidence article", "n/a" if report.evidence_citation is None else f"{report.evidence_citation:.3f}"),
        ("calibration error (ECE)", f"{report.calibration_error:.3f}"),
        ("latency p50 / p95 ms", f"{report.latency_p50_ms:g} / {report.latency_p95_ms:g}"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def plot_report(report: EvalReport, path: Path) -> None:
    """A two-panel figure: latency histogram, and answer hit per question kind."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.hist([r.ms for r in report.results], bins=30, color="#3b82f6")
    left.set(title="ask() latency", xlabel="ms", ylabel="questions")
    kinds = Counter(r.kind for r in report.results if r.answerable)
    names = sorted(kinds, key=lambda k: -kinds[k])
    hits = [_share([r.answer_hit for r in report.results if r.answerable and r.kind == k]) for k in names]
    right.bar(names, hits, color="#10b981")
    right.set(title="answer hit by question kind (answerable)", ylim=(0, 1.05))
    for x, (name, hit) in enumerate(zip(names, hits, strict=True)):
        right.text(x, max(hit - 0.08, 0.02), f"n={kinds[name]}", ha="center", fontsize=8, color="white" if hit > 0.1 else "black")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_json(report: EvalReport) -> str:
    """The figures as one JSON line."""
    return json.dumps(report.summary())
