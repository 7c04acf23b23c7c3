"""Descriptive questions on real news: the entity the clues agree on, across articles (qa.candidates).

Six real articles from MultiHop-RAG's development half (tests/data/multihop) and the benchmark's own
development questions about them, indexed once for the module with the real model, spaCy and Chroma.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import assert_quotes_verbatim, indexed_pipeline

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ARTICLES = Path(__file__).resolve().parent / "data" / "multihop" / "articles"

SBF = (
    "Who is the individual associated with the cryptocurrency industry facing a criminal trial on fraud and conspiracy charges, "
    "as reported by both The Verge and TechCrunch, and is accused by prosecutors of committing fraud for personal gain?"
)
SBF_NAMING_FTX = (
    "Who is the individual associated with both the failed crypto exchange FTX and Alameda Research, alleged to have used "
    "deceitful practices for personal gain and influence, and is facing charges of fraud and conspiracy according to articles "
    "from Fortune and TechCrunch?"
)
FED = (
    "Which institution, featured in articles from both 'Fortune' and 'The Sydney Morning Herald', has taken an aggressive "
    "stance on adjusting interest rates in response to economic data and inflation, particularly influencing the housing "
    "market reminiscent of the 1980s?"
)
SWIFT = (
    "Who is the artist that has a fully booked Eras Tour for the next year, has been invited and accepted to attend a game at "
    "Arrowhead Stadium, maintains privacy from the paparazzi despite public outings, and is openly in a relationship with "
    "Travis Kelce, as reported by 'The Independent - Life and Style'?"
)
ABSENT = (
    "Considering the information from an article in The Economic Times and another in The Times of India about Malini Goyal, "
    "which city does she mention as having a significant impact on her career, and is also the location where a conference "
    "she attended took place?"
)


@pytest.fixture(scope="module")
def news(tmp_path_factory, embedder):
    """A pipeline over the six real articles, and their texts by id."""
    return indexed_pipeline(ARTICLES, tmp_path_factory.mktemp("multihop") / "db", embedder)


def test_the_person_the_clues_describe_is_named_in_full_from_several_articles(news):
    pipeline, texts = news
    answer = pipeline.ask(SBF)
    assert not answer.abstained
    assert answer.short == "Sam Bankman-Fried"
    supporting = [c for c in answer.citations if c.role == "answer"]
    assert len({c.article_id for c in supporting}) >= 2
    assert {c.clue for c in supporting} <= set(answer.clues)
    assert all(c.clue for c in supporting)
    # the quotes mostly say "Bankman-Fried"; one quoted sentence holds the full name, underlined in place
    assert any(c.answer_start is not None for c in answer.citations)
    assert_quotes_verbatim(answer, texts)


def test_the_outlets_a_question_names_are_searched_first_and_reported(news):
    pipeline, _ = news
    answer = pipeline.ask(SBF)
    assert answer.filters.named_sources == ["The Verge", "TechCrunch"]
    assert "The Verge and TechCrunch first, as the question names them" in answer.filters.describe()
    assert {c.source for c in answer.citations if c.role == "answer"} & {"The Verge", "TechCrunch"}


def test_an_entity_the_question_names_is_never_the_answer(news):
    pipeline, texts = news
    answer = pipeline.ask(SBF_NAMING_FTX)
    assert not answer.abstained
    assert answer.short == "Sam Bankman-Fried"
    assert_quotes_verbatim(answer, texts)


def test_an_institution_said_by_its_short_form_is_answered_by_its_full_name(news):
    pipeline, texts = news
    answer = pipeline.ask(FED)
    assert not answer.abstained
    assert answer.short == "Federal Reserve"
    assert answer.confidence > 0.5
    assert_quotes_verbatim(answer, texts)


def test_a_person_in_a_story_full_of_other_people_is_found(news):
    pipeline, _ = news
    answer = pipeline.ask(SWIFT)
    assert answer.short == "Taylor Swift"
    assert answer.filters.named_sources == ["The Independent - Life and Style"]


def test_a_question_about_someone_not_indexed_is_abstained(news):
    pipeline, _ = news
    answer = pipeline.ask(ABSENT)
    assert answer.abstained
    assert answer.short is None


def test_a_question_saying_according_to_someone_not_indexed_is_still_answered(news):
    pipeline, _ = news
    answer = pipeline.ask(FED.replace("featured in articles from both 'Fortune' and 'The Sydney Morning Herald'", "according to Reuters"))
    assert not answer.abstained
    assert answer.short == "Federal Reserve"
    assert answer.filters.named_sources == []


def test_stored_entities_carry_their_name_in_the_article(news):
    pipeline, _ = news
    chunks = list(pipeline.store.iter_chunks())
    names = {(chunk.text[e.start - chunk.start : e.end - chunk.start], e.name) for chunk in chunks for e in chunk.entities}
    assert ("Bankman-Fried", "Sam Bankman-Fried") in names
    trial = next(c for c in chunks if c.article_id == "the-ftx-trial-is-bigger-than-sam-bankman-fried.md")
    assert trial.article_names[0].name == "Sam Bankman-Fried"


def test_the_chat_and_the_cli_show_which_clue_each_quote_supports(news):
    from ui.render import render_answer

    pipeline, _ = news
    answer = pipeline.ask(SBF)
    page = render_answer(answer)
    clue = next(c.clue for c in answer.citations if c.clue)
    assert "supports “" in page
    assert clue.split()[0] in page
    assert f"Supports: {clue.split()[0]}" in answer.to_markdown()


def test_a_plain_question_about_someone_not_indexed_is_abstained_too(news):
    pipeline, _ = news
    answer = pipeline.ask("What did Graham Tulloch tell the jury about FTX and Alameda Research?")
    assert answer.abstained
    assert answer.citations  # the closest passages, marked related
    assert all(c.role == "related" for c in answer.citations)
    assert not pipeline.ask("What did Bankman-Fried tell the jury about FTX and Alameda Research?").abstained


def test_a_publication_date_the_question_names_is_a_soft_filter(news):
    pipeline, _ = news
    question = (
        "Who is the individual facing a criminal trial on fraud and conspiracy charges, as reported by The Verge on "
        "September 28, 2023, and is accused by prosecutors of committing fraud for personal gain?"
    )
    answer = pipeline.ask(question)
    assert answer.filters.named_period == "on 2023-09-28"
    assert "published on 2023-09-28 first" in answer.filters.describe()
    assert answer.short == "Sam Bankman-Fried"
    # a soft filter rules nothing out: a date no article has still finds the answer
    elsewhere = pipeline.ask(question.replace("September 28, 2023", "March 3, 2021"))
    assert elsewhere.short == "Sam Bankman-Fried"


def test_the_named_outlets_articles_are_searched_too(news, embedder, monkeypatch):
    from qa import Pipeline

    pipeline, _ = news
    # one chunk per clue: unfiltered, the clues find TechCrunch's and The Verge's trial stories, not Fortune's
    narrow = pipeline.settings.model_copy(
        update={"entity_answer": pipeline.settings.entity_answer.model_copy(update={"chunks_per_clue": 1})}
    )
    narrowed = Pipeline(narrow, embedder=embedder, store=pipeline.store)
    seen: list[set[str]] = []
    answer_for = narrowed.entity_answerer.answer

    def spy(query, reading, retrieved):
        seen.append({hit.chunk.source for hit in retrieved.hits})
        return answer_for(query, reading, retrieved)

    monkeypatch.setattr(narrowed.entity_answerer, "answer", spy)
    clues = "facing a criminal trial on fraud and conspiracy charges, and is accused by prosecutors of committing fraud"
    unnamed = narrowed.ask(f"Who is the individual, according to Reuters, {clues}?")  # cites a report, no indexed outlet
    named = narrowed.ask(f"Who is the individual, as reported by Fortune, {clues}?")
    assert unnamed.short == named.short == "Sam Bankman-Fried"
    assert named.filters.named_sources == ["Fortune"]
    assert "Fortune" not in seen[0]
    assert "Fortune" in seen[1]


def test_a_plain_question_naming_an_outlet_is_answered(news):
    pipeline, _ = news
    answer = pipeline.ask("What did Bankman-Fried's lawyers say in their opening statements, as reported by Fortune?")
    assert not answer.abstained
    assert answer.clues == []


def test_the_best_entity_must_support_enough_of_the_clues(news, embedder):
    from qa import Pipeline

    pipeline, _ = news
    strict = pipeline.settings.model_copy(
        update={"entity_answer": pipeline.settings.entity_answer.model_copy(update={"min_clue_coverage": 1.0})}
    )
    question = SWIFT  # four clues; its best entity does not support all of them
    assert pipeline.ask(question).kind == "entity"
    strict_pipeline = Pipeline(strict, embedder=embedder, store=pipeline.store)
    query = strict_pipeline.read_query(question)
    reading = strict_pipeline.entity_answerer.read(query)
    assert reading is not None
    evidence = strict_pipeline.entity_answerer.answer(query, reading, strict_pipeline.entity_answerer.retrieve(query, reading))
    assert evidence.abstained
    assert evidence.short is None
    assert evidence.sentences  # the closest passages, to list as related
    assert strict_pipeline.ask(question).kind != "entity"  # the sentence answerer's, when it answers; no entity answer
