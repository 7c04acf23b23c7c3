"""Entity questions beyond one name, on real news: a group or a type, two entities, a name in full, an outlet not indexed.

Five real articles from MultiHop-RAG's development half (tests/data/multihop-kinds) and questions of newsqa's own
multihop-kinds dev set about them, indexed once for the module with the real model, spaCy and Chroma; two short written
articles for the full name, where a real pair would need a large index.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.conftest import assert_quotes_verbatim, indexed_pipeline

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ARTICLES = Path(__file__).resolve().parent / "data" / "multihop-kinds" / "articles"

PARENTS = (
    "Which group of people, according to The Guardian, is suing Snap after their children died from counterfeit pills bought "
    "through Snapchat, and, according to TechCrunch, would be responsible for approving teens' app downloads under the federal "
    "legislation Meta supports?"
)
RETAILERS = (
    "What kind of businesses, according to The Verge, offer price-matching policies, promising to match a lower price found "
    "elsewhere, to keep customers from going elsewhere?"
)
AI_ALLIANCE = (
    "Which two companies, according to TechCrunch, launched the AI Alliance, an industry body to support 'open innovation' and "
    "'open science' in AI?"
)
NOT_INDEXED = (
    "Considering the information from a Wall Street Journal article and a TechCrunch report, which company launched the AI "
    "Alliance and also reported record quarterly profits?"
)


@pytest.fixture(scope="module")
def kinds(tmp_path_factory, embedder):
    """A pipeline over the five real articles, and their texts by id."""
    return indexed_pipeline(ARTICLES, tmp_path_factory.mktemp("kinds") / "db", embedder)


@pytest.mark.parametrize(("question", "group"), [(PARENTS, "parents"), (RETAILERS, "retailers")])
def test_a_group_is_answered_with_the_phrase_the_articles_use_for_it(kinds, question, group):
    pipeline, texts = kinds
    answer = pipeline.ask(question)
    assert not answer.abstained
    assert answer.clues  # read as a descriptive question about a class
    assert answer.short == group
    assert any(c.answer_start is not None for c in answer.citations)  # underlined where a quote says it
    assert_quotes_verbatim(answer, texts, short_case=False)


def test_which_two_is_answered_with_the_two_named_together(kinds):
    pipeline, texts = kinds
    answer = pipeline.ask(AI_ALLIANCE)
    assert not answer.abstained
    assert answer.short is not None
    assert set(answer.short.split(" and ")) == {"Meta", "IBM"}
    assert_quotes_verbatim(answer, texts, short_case=False)


def test_a_question_resting_on_an_outlet_that_is_not_indexed_is_abstained_on_saying_so(kinds):
    pipeline, _ = kinds
    answer = pipeline.ask(NOT_INDEXED)
    assert answer.abstained
    assert answer.text.startswith("No article from Wall Street Journal is indexed.")
    assert all(c.role == "related" for c in answer.citations)
    indexed_only = pipeline.ask(NOT_INDEXED.replace("a Wall Street Journal article and ", ""))
    assert not indexed_only.text.startswith("No article from")


def test_a_short_form_is_answered_with_the_fuller_name_another_article_uses(tmp_path, embedder):
    from index import update_index
    from qa import Pipeline, Settings

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "festival.md").write_text(
        "---\ntitle: Festival opens\nsource: Film Weekly\ndate: 2023-09-01\n---\n"
        "Martin Scorsese opened the Lido film festival in Venice on Friday. The crowd cheered the veteran director for ten minutes.\n",
        encoding="utf-8",
    )
    (articles / "interview.md").write_text(
        "---\ntitle: Long films\nsource: Screen Daily\ndate: 2023-09-03\n---\n"
        "Scorsese defended three-hour running times in a long interview on Sunday. Scorsese said that audiences still sit through "
        "long epics in cinemas. Scorsese added that streaming had not changed how he edits.\n",
        encoding="utf-8",
    )
    settings = Settings(articles_dir=articles, db_dir=tmp_path / "db")
    update_index(settings, embedder=embedder)
    answer = Pipeline(settings, embedder=embedder).ask(
        "Which filmmaker, according to Screen Daily, defended three-hour running times in an interview and said that audiences "
        "still sit through long epics in cinemas?"
    )
    assert not answer.abstained
    assert answer.short == "Martin Scorsese"
    assert any(c.answer_start is not None and "Martin Scorsese" in c.quote for c in answer.citations)


DRONE = (
    '---\ntitle: "Amazon\'s new delivery drone is quieter, and it will fly in Italy and the UK"\nsource: The Verge\n'
    "date: 2023-10-18\n---\n"
    "Amazon's new delivery drone is quieter, and it will fly in Italy and the UK.\n\n"
    "The retailer said on Wednesday that the MK30 delivery drone will start rolling out next year. The MK30 is significantly "
    "quieter than the MK27, the drone it replaces, and can fly in light rain.\n"
)


def test_a_which_question_the_entity_answerer_abstains_on_is_answered_by_the_sentences_that_do(tmp_path, embedder):
    """A question "Which company, according to ..." is read as a descriptive one; when the clues' sentences name no company
    (here "the retailer"), the entity answerer abstains, and the sentence answerer answers with the sentence that says it.
    A question about something no article holds is still abstained on."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "drone.md").write_text(DRONE, encoding="utf-8")
    pipeline, texts = indexed_pipeline(articles, tmp_path / "db", embedder)
    question = "Which company, according to The Verge, will start rolling out the MK30 delivery drone next year?"
    query = pipeline.read_query(question)
    assert pipeline.entity_answerer.read(query) is not None  # routed to the entity answerer first
    answer = pipeline.ask(question)
    assert not answer.abstained
    assert answer.kind == "sentences"
    assert any("MK30 delivery drone will start rolling out" in c.quote for c in answer.citations)
    assert_quotes_verbatim(answer, texts)
    assert pipeline.ask("Which company, according to The Verge, will open a steel mill in Ohio next spring?").abstained


QUIZ_NAMES = Path(__file__).resolve().parent / "data" / "quiz-names" / "articles"


def test_the_names_a_description_gives_choose_the_story_its_entity_comes_from(tmp_path, embedder):
    """A description's own names choose the story its entity comes from. Asked "Which cybersecurity company, led by Rupal Shah
    Hollenbeck according to Reuters, ...?", each of two real stories supports one clue, and the football report names Manchester City more
    often; only the Check Point story holds the name the question gives, so its company is the answer (`names` in
    `qa.entity_scoring`)."""
    pipeline, texts = indexed_pipeline(QUIZ_NAMES, tmp_path / "db", embedder)
    question = (
        "Which cybersecurity company, led by Rupal Shah Hollenbeck according to Reuters, has increased headcount over the past "
        "year, including a 25% rise in its salesforce?"
    )
    assert pipeline.entity_answerer.read(pipeline.read_query(question)) is not None
    answer = pipeline.ask(question)
    assert answer.kind == "entity"
    assert answer.short == "Check Point"
    assert {c.article_id for c in answer.citations} == {
        "check-point-sees-fantastic-year-ahead-even-as-rival-report-disappointing-billing.md"
    }
    assert_quotes_verbatim(answer, texts)


QUIZ_SUBJECT = Path(__file__).resolve().parent / "data" / "quiz-subject" / "articles"


def test_a_common_noun_of_the_question_does_not_rule_out_the_story_subject_that_holds_it(tmp_path, embedder):
    """ "The startup" in the sentence that answers stands for the story's subject, Simply Homes, named in the headline and the
    lede: the question's "108 homes" is a common noun, not the name, so it does not rule the name out (only the question's
    own names do), and the short answer is cited where the lede writes it (`qa.story_subject`)."""
    pipeline, texts = indexed_pipeline(QUIZ_SUBJECT, tmp_path / "db", embedder)
    answer = pipeline.ask(
        "Which affordable-housing startup expects to have 108 homes in its portfolio by the end of this month?", today=date(2023, 12, 8)
    )
    assert answer.kind == "sentences"
    assert answer.short == "Simply Homes"
    answers = [c.quote for c in answer.citations if c.role == "answer"]
    contexts = [c.quote for c in answer.citations if c.role == "context"]
    assert any("the startup is expected to have 108 units" in quote for quote in answers)
    assert any("Simply Homes" in quote for quote in contexts)
    assert_quotes_verbatim(answer, texts)
