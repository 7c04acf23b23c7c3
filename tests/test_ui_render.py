"""What the chat page renders from an Answer: escaped text, one card per passage, quotes marked."""

from __future__ import annotations

import pytest

from qa import Answer, Citation
from ui.render import render_answer
from ui.render import text_html as esc

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
    assert "<script>" not in html
    assert esc("<script>alert(1)</script>") in html
    assert "<img" not in html
    assert "<b>leak</b>" not in html
    assert esc("Memo <b>leak</b>") in html
    assert "2024-01-02 · Wire" in html
    assert "\n\n" not in html  # one HTML block: Markdown never runs over article text


def test_citations_from_one_passage_share_a_card():
    html = render_answer(
        answer(citation(1, "The memo said <script>alert(1)</script> twice."), citation(2, 'He also wrote <img src=x onerror="alert(2)">.'))
    )
    assert html.count('class="nq-source"') == 1
    assert html.count("<mark") == 2
    assert '<mark data-n="1">' in html
    assert '<mark data-n="2">' in html


def test_abstained_answer_lists_related_passages():
    html = render_answer(answer(citation(1, "Done.", role="related"), abstained=True))
    assert "Related passages (not an answer)" in html
    assert "nq-related" in html


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
    assert html.index(f'<div class="nq-short"><b>{esc("<img src=x")}</b></div>') < html.index('class="nq-answer"')
    assert f'<mark data-n="1">He also wrote <strong class="nq-short-phrase">{esc("<img src=x")}</strong>' in html
    assert "<img" not in html


def test_confidence_shown_in_words_not_a_percentage():
    html = render_answer(answer(citation(1, "Done.")).model_copy(update={"confidence": 0.55}))
    assert "Uncertain" in html
    assert "%" not in html


ARTICLE = "Lead <b>bold</b> words. " * 3 + PASSAGE + " Trailing <i>text</i>."


def wire_citation() -> Citation:
    from qa import Copy

    c = citation(1, "The memo said <script>alert(1)</script> twice.")
    return c.model_copy(
        update={
            "start": ARTICLE.index(c.quote),
            "end": ARTICLE.index(c.quote) + len(c.quote),
            "passage_start": ARTICLE.index(PASSAGE),
            "url": "https://example.com/memo?a=1&b=2",
            "also_in": [Copy(article_id="b", title="Copy", source="A<P>", date="2024-01-03")],
        }
    )


def test_source_card_links_the_article_and_lists_its_copies():
    html = render_answer(answer(wire_citation()))
    assert '<a href="https://example.com/memo?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">' in html
    assert f"Also reported by: {esc('A<P> (2024-01-03)')}" in html
    for url in ("javascript:alert(1)", "data:text/html,x", "//evil.example"):
        assert "<a " not in render_answer(answer(wire_citation().model_copy(update={"url": url})))


def test_show_in_article_holds_the_whole_text_escaped_with_the_quote_marked():
    html = render_answer(answer(wire_citation()), articles={"a": ARTICLE})
    block = html[html.index('<details class="nq-in-article">') :]
    assert "<summary>Show in article</summary>" in block
    assert esc("Lead <b>bold</b> words. Lead") in block
    assert esc("Trailing <i>text</i>.") in block
    assert "<b>bold" not in html
    assert f'<mark class="nq-in-article-quote" data-n="1">{esc("The memo said <script>")}' in block
    assert "<script>" not in html
    # without the article's text, or when the quote is not where it says, there is nothing to show
    assert "nq-in-article" not in render_answer(answer(wire_citation()))
    assert "nq-in-article" not in render_answer(answer(wire_citation()), articles={"a": "Some other text entirely."})


def test_filters_in_force_are_shown_with_the_answer():
    from qa import AppliedFilters

    filtered = answer(citation(1, "Done.")).model_copy(update={"filters": AppliedFilters(since="2024-01-01", sources=["Wire"])})
    assert '<div class="nq-filters">Searched articles dated from 2024-01-01, from Wire</div>' in render_answer(filtered)
    assert "nq-filters" not in render_answer(answer(citation(1, "Done.")))


def test_export_holds_what_the_page_shows():
    from qa import AppliedFilters
    from ui.render import conversation_markdown

    shown = answer(wire_citation()).model_copy(update={"short": "twice", "filters": AppliedFilters(until="2024-12-31")})
    markdown = conversation_markdown([shown, answer(citation(1, "Done.", role="related"), abstained=True)])
    assert markdown.startswith(
        "# newsqa conversation\n\n## q \\<i>x\\</i>\n\n**twice**\n\n"
    )  # a tag cannot start: the rest reads as written
    assert "The memo said \\<script>alert(1)\\</script> twice. [1]" in markdown  # the answer, its marker kept
    assert "1. [Memo \\<b>leak\\</b>](https://example.com/memo?a=1&b=2) (Wire, 2024-01-02)" in markdown
    assert "   > The memo said \\<script>alert(1)\\</script> twice." in markdown
    assert "   Also reported by: A\\<P> (2024-01-03)" in markdown
    assert "*Searched articles dated to 2024-12-31*" in markdown
    assert "Related passages (not an answer):\n- Memo" in markdown
    assert shown.to_markdown() in markdown


def test_the_status_line_says_the_watchers_last_sync():
    from datetime import UTC, datetime

    from index import IndexReport
    from ui.app import last_sync

    report = IndexReport(added=1, updated=0, removed=1, unchanged=7, finished_at=datetime(2026, 11, 26, 10, 42, 7, 512000, tzinfo=UTC))
    assert (
        last_sync(report)
        == "last sync 10:42:07 UTC: 1 added, 0 updated, 1 removed, 7 unchanged, 0 skipped; 0 chunks embedded, 0 in the index (0.0 s)"
    )
    assert last_sync(None) == "watching the articles folder: first sync running"
