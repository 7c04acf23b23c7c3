"""Sentence-aligned chunks whose offsets point back into the article exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import Article, chunk_article, split_sentences

pytestmark = pytest.mark.unit


def test_quote_and_attribution_stay_one_sentence():
    text = '"We will not back down. Not now, not ever," the minister told reporters. He left early.'
    spans = [text[s:e] for s, e in split_sentences(text)]
    assert spans == ['"We will not back down. Not now, not ever," the minister told reporters.', "He left early."]


def test_multi_sentence_quote_is_glued_to_its_speaker():
    text = '"There are talks. Nothing about Ukraine without Ukraine. Nothing about Europe without Europeans," Backes said. Next.'
    first_start, first_end = split_sentences(text)[0]
    assert text[first_start:first_end].endswith("Backes said.")


def test_abbreviations_do_not_split():
    text = "U.S. President Donald Trump spoke on Monday. Dr. Smith agreed."
    assert len(split_sentences(text)) == 2


def test_seed_chunks_cover_whole_sentences():
    from tests.conftest import SEED_ARTICLE

    article = Article(id="seed", title="t", text=SEED_ARTICLE.read_text().strip())
    chunks = chunk_article(article, chunk_size=600, chunk_overlap=150)
    assert len(chunks) > 1
    assert len({c.id for c in chunks}) == len(chunks)
    assert chunk_article(article, chunk_size=600, chunk_overlap=150) == chunks  # deterministic
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert chunk.sentences
        assert chunk.sentences[0][0] == chunk.start
        assert chunk.sentences[-1][1] == chunk.end


sentence = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=" ,'\"“”-"), min_size=1, max_size=80
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(sentence, st.sampled_from([". ", "! ", "? ", ".\n\n", "\n"])), min_size=1, max_size=25))
def test_offsets_always_exact(parts):
    text = "".join(s + end for s, end in parts).strip()
    if not text:
        return
    article = Article(id="h", title="t", text=text)
    for chunk in chunk_article(article, chunk_size=200, chunk_overlap=50):
        assert text[chunk.start : chunk.end] == chunk.text
        for s, e in chunk.sentences:
            assert chunk.start <= s < e <= chunk.end
            assert text[s:e] == text[s:e].strip()


WORDS = st.text(alphabet=st.sampled_from("abcdefgh  XY-'\n"), max_size=400)


@given(
    title=st.text(alphabet=st.sampled_from("abc "), max_size=12),
    text=WORDS,
    starts=st.lists(st.integers(min_value=0, max_value=450), max_size=8),
    scope=st.integers(min_value=1, max_value=60),
    prior=st.integers(min_value=1, max_value=300),
    spans=st.lists(st.tuples(st.integers(0, 400), st.integers(1, 8)), max_size=10),
)
@settings(max_examples=300, deadline=None)
def test_scope_words_read_once_equal_reading_the_text_before_each_chunk(title, text, starts, scope, prior, spans):
    """`_Scopes` takes a prefix of words read once; reading the title and the text before each chunk again (what it replaced,
    quadratic in the article's length) gives the same words, a word cut at the boundary included."""
    from index import chunking
    from index.entities import Entity

    entities = sorted({Entity(s, min(s + n, len(text)), "ORG") for s, n in spans if s < len(text)}, key=lambda e: e.start)
    entities = [e for i, e in enumerate(entities) if i == 0 or e.start >= entities[i - 1].end]  # NER spans never overlap
    scopes = chunking._Scopes(Article(id="a", title=title, text=text), "the lede", entities, scope_words=scope, prior_chars=prior)
    for start in sorted(starts):
        assert scopes.prior_words(start) == chunking._distinct_words(title, text[: min(start, prior)], limit=scope)
        subjects = (text[e.start : e.end] for e in entities if e.end <= start)
        assert scopes.subject_words(start) == chunking._distinct_words(title, "the lede", *subjects, limit=scope)
