"""What the chat page renders from an Answer: escaped text, one card per passage, quotes marked."""

from __future__ import annotations

import pytest

from qa import Answer, Citation
from ui.app import render_answer

pytestmark = pytest.mark.unit

PASSAGE = 'The memo said <script>alert(1)</script> twice. He also wrote <img src=x onerror="alert(2)">. Done.'


def citation(n: int, quote: str, role: str = "answer", chunk: str = "c1") -> Citation:
    start = PASSAGE.index(quote)
    return Citation(
        n=n, article_id="a", title="Memo <b>leak</b>", chunk_id=chunk, quote=quote, start=100 + start, end=100 + start + len(quote),
        score=1.0, role=role, passage=PASSAGE, passage_start=100, date="2024-01-02", source="Wire",
    )  # fmt: skip


def answer(*citations: Citation, abstained: bool = False) -> Answer:
    text = "nothing" if abstained else " ".join(f"{c.quote} [{c.n}]" for c in citations)
    return Answer(question="q <i>x</i>", query="q", text=text, citations=list(citations), abstained=abstained, confidence=0.9)


def test_article_html_is_shown_as_text():
    html = render_answer(answer(citation(1, "The memo said <script>alert(1)</script> twice.")))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "<b>leak</b>" not in html and "Memo &lt;b&gt;leak&lt;/b&gt;" in html
    assert "2024-01-02 · Wire" in html
    assert "\n\n" not in html  # one HTML block: Markdown never runs over article text


def test_citations_from_one_passage_share_a_card():
    html = render_answer(
        answer(citation(1, "The memo said <script>alert(1)</script> twice."), citation(2, 'He also wrote <img src=x onerror="alert(2)">.'))
    )
    assert html.count('class="nq-source"') == 1
    assert html.count("<mark") == 2 and '<mark data-n="1">' in html and '<mark data-n="2">' in html


def test_abstained_answer_lists_related_passages():
    html = render_answer(answer(citation(1, "Done.", role="related"), abstained=True))
    assert "Related passages (not an answer)" in html and "nq-related" in html


def test_a_quote_that_does_not_match_its_passage_is_not_marked():
    wrong = citation(1, "Done.").model_copy(update={"start": 100, "end": 105})
    assert "<mark" not in render_answer(answer(wrong))


def test_short_answer_first_in_bold_and_marked_inside_the_quote():
    quote = 'He also wrote <img src=x onerror="alert(2)">.'
    c = citation(1, quote)
    phrase_start = c.start + quote.index("<img")
    c = c.model_copy(update={"answer_start": phrase_start, "answer_end": phrase_start + len("<img src=x")})
    a = answer(c).model_copy(update={"short": "<img src=x"})
    html = render_answer(a)
    assert html.index('<div class="nq-short"><b>&lt;img src=x</b></div>') < html.index('class="nq-answer"')
    assert '<mark data-n="1">He also wrote <strong class="nq-short-phrase">&lt;img src=x</strong>' in html
    assert "<img" not in html


def test_confidence_shown_in_words_not_a_percentage():
    html = render_answer(answer(citation(1, "Done.")).model_copy(update={"confidence": 0.55}))
    assert "Uncertain" in html and "%" not in html
