"""Follow-up questions rewritten to stand alone."""

from __future__ import annotations

import pytest

from qa.followup import previous_questions, standalone_question, subjects

pytestmark = pytest.mark.unit


def test_what_about_swaps_the_subject():
    assert standalone_question("What about Healey?", ["What did Pistorius regret?"]) == ("What did Healey regret?",) * 2


def test_pronoun_takes_the_last_subject_and_searches_with_the_question_before():
    question, query = standalone_question("Why did he say that?", ["What did Pistorius regret?"])
    assert question == "Why did Pistorius say that?"
    assert query == "Why did Pistorius say that? What did Pistorius regret?"


def test_chain_of_follow_ups_resolves_through_the_conversation():
    history = ["What did Pistorius regret?", "What about Healey?"]
    assert standalone_question("What did he tell reporters?", history)[0] == "What did Healey tell reporters?"


def test_a_question_with_its_own_subject_is_left_alone():
    assert standalone_question("What did Hegseth rule out?", ["What did Pistorius regret?"]) == ("What did Hegseth rule out?",) * 2
    assert standalone_question("What did Pistorius regret?", None) == ("What did Pistorius regret?",) * 2


def test_history_formats():
    messages = [{"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"}, ("Q2", "A2"), "Q3", "  "]
    assert previous_questions(messages) == ["Q1", "Q2", "Q3"]


def test_subjects_skip_question_words():
    assert subjects("What did Boris Pistorius say in Brussels?") == ["Boris Pistorius", "Brussels"]


def test_it_and_that_inside_a_full_question_do_not_make_a_follow_up():
    history = ["What is the capital of Peru?"]
    question = "Who said it's only fair, it's only sensible?"
    assert standalone_question(question, history) == (question, question)
    assert standalone_question("When did that happen?", history)[1] == "When did that happen? What is the capital of Peru?"
