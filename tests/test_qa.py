"""Answers over the real seed index: cited verbatim sentences, abstention, follow-ups, bad questions."""

from __future__ import annotations

from datetime import date

import pytest

from index import ArticleLoader, BadQuestionError, NoIndexError
from qa import Answer, Pipeline
from qa.question import analyze_question
from tests.conftest import SEEDS

pytestmark = pytest.mark.integration

ARTICLE_TEXT = {a.id: a.text for a in ArticleLoader(SEEDS).load().articles}


def assert_citations_verbatim(answer: Answer) -> None:
    assert answer.citations
    for citation in answer.citations:
        assert ARTICLE_TEXT[citation.article_id][citation.start : citation.end] == citation.quote
        assert citation.passage[citation.start - citation.passage_start : citation.end - citation.passage_start] == citation.quote


def test_pistorius_regret(seed_pipeline):
    answer = seed_pipeline.ask("What did Pistorius regret?")
    assert not answer.abstained
    first = answer.citations[0]
    assert "regretted what he called concessions made by the United States" in first.quote
    assert first.role == "answer"
    assert first.title == "Nato allies defense spending"
    assert answer.text.startswith(first.quote)
    assert "[1]" in answer.text
    assert len(answer.citations) <= 3
    assert_citations_verbatim(answer)
    assert set(answer.timings_ms) == {"retrieve", "answer", "total"}
    assert 0.5 < answer.confidence <= 1.0


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of Peru?",
        "How do I bake sourdough bread?",
        "Who won the 2018 World Cup?",
        "What is the boiling point of mercury?",
    ],
)
def test_off_topic_abstains_with_related_passages(seed_pipeline, question):
    answer = seed_pipeline.ask(question)
    assert answer.abstained
    assert "don't answer" in answer.text
    assert answer.citations
    assert all(c.role == "related" for c in answer.citations)
    assert answer.confidence < 0.5
    assert_citations_verbatim(answer)


def test_who_said_reaches_the_named_speaker(seed_pipeline):
    answer = seed_pipeline.ask("Who said it's only fair, it's only sensible?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "Mark Rutte" in quotes  # the quote says "he told reporters"; its antecedent names him
    assert [c.role for c in answer.citations] == ["context", "answer"]
    assert_citations_verbatim(answer)


def test_quote_split_from_attribution_stays_together(seed_pipeline):
    answer = seed_pipeline.ask("What did Backes say about peace plans?")
    assert answer.citations[0].quote.startswith('"There are talks about peace plans.')
    assert answer.citations[0].quote.endswith("Backes said.")


def test_pronoun_led_sentence_brings_its_antecedent(seed_pipeline):
    answer = seed_pipeline.ask("What did Hegseth rule out?")
    quotes = [c.quote for c in answer.citations]
    assert "He ruled out deploying U.S. troops to Ukraine." in quotes
    assert quotes.index("He ruled out deploying U.S. troops to Ukraine.") > 0  # the sentence naming Hegseth comes first
    assert "Hegseth" in quotes[0]


def test_pronoun_led_answer_counts_its_antecedents_name(seed_pipeline):
    answer = seed_pipeline.ask("How much should allies spend on defense according to Hegseth?")
    assert not answer.abstained
    support = [c.quote for c in answer.citations if c.role == "answer"]
    assert support[0].startswith("He said targets of allies spending 2%")  # "He" is Hegseth, named just before
    assert "Hegseth" in answer.citations[0].quote
    assert answer.citations[0].role == "context"


def test_us_matches_u_s(seed_pipeline):
    answer = seed_pipeline.ask("Is Hegseth sending US troops to Ukraine?")
    assert "He ruled out deploying U.S. troops to Ukraine." in [c.quote for c in answer.citations if c.role == "answer"]


def test_rank_scores_every_retrieved_sentence_best_first(seed_pipeline):
    question = "What did Pistorius regret?"
    hits = seed_pipeline.retriever.retrieve(question)
    assert [hit.rank for hit in hits] == list(range(len(hits)))
    ranked = seed_pipeline.picker.rank(analyze_question(question, today=date.today()), hits, seed_pipeline.retriever.term_weights)
    retrieved = {(hit.chunk.article_id, start) for hit in hits for start, _ in hit.chunk.sentences}
    assert {s.sentence.key for s in ranked} == retrieved  # each sentence once, however many chunks hold it
    scores = [s.score for s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert ranked[0].sentence.text == seed_pipeline.ask(question).citations[0].quote


def test_follow_up_what_about(seed_pipeline):
    answer = seed_pipeline.ask("What about Healey?", history=["What did Pistorius regret?"])
    assert answer.query == "What did Healey regret?"
    assert "Healey" in answer.citations[0].quote


def test_follow_up_pronoun(seed_pipeline):
    answer = seed_pipeline.ask(
        "Why did he say that?", history=[{"role": "user", "content": "What did Pistorius regret?"}, {"role": "assistant", "content": "..."}]
    )
    assert "Pistorius" in answer.query
    assert "Pistorius" in answer.citations[0].quote


@pytest.mark.parametrize("question", ["", "   \n\t", "x" * 2001])
def test_bad_questions_raise_value_error(seed_pipeline, question):
    with pytest.raises(ValueError, match=r"empty|2,000") as info:
        seed_pipeline.ask(question)
    assert isinstance(info.value, BadQuestionError)


def test_asking_before_indexing(make_settings, embedder):
    with pytest.raises(NoIndexError, match="newsqa index"):
        Pipeline(make_settings(), embedder=embedder).ask("What did Pistorius regret?")


def test_ask_front_door_keeps_model_and_store_open(make_settings, embedder, monkeypatch):
    import qa
    from index import embedding as embedding_module
    from index import update_index

    settings = make_settings()
    update_index(settings, embedder=embedder)
    first = qa.ask("What did Pistorius regret?", settings=settings)
    loads = []
    monkeypatch.setattr(embedding_module.Embedder, "__init__", lambda *a, **k: loads.append(a))
    second = qa.ask("What did Hegseth rule out?", settings=settings)
    assert loads == []  # a warm ask() loads nothing
    assert qa.get_pipeline(settings) is qa.get_pipeline(settings)
    assert first.text != second.text
    assert second.to_dict()["citations"][0]["quote"] in second.text
