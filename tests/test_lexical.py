"""Terms shared by BM25 and the answerer's overlap score."""

from __future__ import annotations

import pytest

from index.lexical import TermWeights, acronyms_spelled_out, terms

pytestmark = pytest.mark.unit


def test_dotted_acronyms_read_as_their_letters():
    assert terms("U.S. troops") == terms("US troops") == ["us", "troop"]
    assert terms("the U.K. and the U.N.") == ["uk", "un"]


def test_function_words_drop_but_news_verbs_stay():
    assert terms("How much should he spend?") == ["spend"]
    assert terms("Who won the title?") == ["won", "titl"]


def test_acronym_spelled_out():
    assert acronyms_spelled_out("Who was the MVP?", "He was named most valuable player.") == {"mvp"}
    assert acronyms_spelled_out("Who was the MVP?", "He was named the best player.") == set()


def test_rare_terms_weigh_more():
    weights = TermWeights([["nato", "spend"], ["spend"], ["spend", "troop"]])
    assert weights.idf("nato") > weights.idf("spend") > 0
    assert weights.idf("unseen") >= weights.idf("nato")
