"""Questions that set articles side by side, on real news: one dated quote per article, in date order (qa.compare_answerer).

Nine real articles of MultiHop-RAG (read from `../shared/eval/multihop-compare/articles`, indexed once
for the session by `compare_settings`) and the benchmark's own development questions about them;
the reader's tests need no store.
"""

from __future__ import annotations

from datetime import date

import pytest

META = (
    "Between the TechCrunch report on Meta's moderation bias problem suppressing Palestinian voices published on October 19, "
    "2023, and the TechCrunch report on Meta's alleged violations of the Children’s Online Privacy Protection Act published on "
    "November 27, 2023, was there a change in the nature of issues reported concerning Meta's platform practices?"
)
SEARCH_DEAL = (
    "Between the report from The Verge on Apple's defense of its Google Search deal published on September 26, 2023, and the "
    "TechCrunch article detailing the Google antitrust case published on October 31, 2023, was there disagreement on the "
    "financial impact of Google's deals to maintain its default search engine status on various platforms?"
)
NOT_INDEXED_OUTLET = (
    "Did the TechCrunch report on Meta's moderation bias and the Reuters article on Meta's violations of children's privacy law "
    "agree on the harm to users?"
)
NO_SUCH_ARTICLE = (
    "Did the TechCrunch report on Meta's moderation bias and the Polygon report on Meta's violations of children's privacy law "
    "agree on the harm to users?"
)
TIMELINE = "What has been reported about Google's antitrust cases, in order?"
TIMELINE_SINCE = "How has the coverage of Google's antitrust cases changed since November 2023?"
OUTLETS = ["TechCrunch", "The Verge", "Polygon", "Engadget", "Fortune", "The Independent - Life and Style", "Sporting News", "Wired"]


def _checkable(answer, settings):
    """Every quote is its article's text at its offsets (`article_text[start:end] == quote`)."""
    from index import ArticleLoader

    texts = {a.id: a.text for a in ArticleLoader(settings.articles_dir).load().articles}
    for citation in answer.citations:
        assert texts[citation.article_id][citation.start : citation.end] == citation.quote


def _read(question: str):
    from qa.outlets import read_named_sources
    from qa.references import read_comparison

    return read_comparison(question, read_named_sources(question, OUTLETS), OUTLETS, today=date(2024, 1, 1))


@pytest.fixture(scope="module")
def compare(compare_settings, embedder):
    from qa import Pipeline

    return Pipeline(compare_settings, embedder=embedder)


@pytest.mark.unit
def test_the_references_are_read_with_their_outlet_topic_and_day():
    reading = _read(META)
    assert reading is not None
    first, second = reading.references
    assert (first.outlet, second.outlet) == ("TechCrunch", "TechCrunch")
    assert first.topic == "Meta's moderation bias problem suppressing Palestinian voices"
    assert "Children's Online Privacy Protection Act" in second.topic
    assert first.published == (date(2023, 10, 19), date(2023, 10, 19))
    assert second.published == (date(2023, 11, 27), date(2023, 11, 27))


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "outlets", "topics"),
    [
        (  # "reported by X" is the agent: the topic is before it; one outlet, two dates, two articles
            "Has the approach of Sportsbooks in adjusting betting lines and odds, as reported by Sporting News after October 4, "
            "2023, and before November 1, 2023, remained consistent?",
            ["Sporting News", "Sporting News"],
            ["approach of Sportsbooks in adjusting betting lines and odds"] * 2,
        ),
        (  # a change from one thing to another: one article per step
            "Has the focus of the European Commission's actions reported by TechCrunch changed from addressing unfair practices "
            "in Meta's ad-free subscription model to concerns about illegal content and disinformation in Elon Musk's X platform?",
            ["TechCrunch", "TechCrunch"],
            [
                "addressing unfair practices in Meta's ad-free subscription model",
                "concerns about illegal content and disinformation in Elon Musk's X platform",
            ],
        ),
        (  # outlets named together share their topic; "Did TechCrunch" names TechCrunch
            "Did TechCrunch report on Flipboard's integration of the ActivityPub protocol after The Verge discussed the structure "
            "of the ActivityPub protocol in social media contexts?",
            ["TechCrunch", "The Verge"],
            ["Flipboard's integration of the ActivityPub protocol", "structure of the ActivityPub protocol in social media contexts"],
        ),
        (  # outlets named together share their topic
            "Do 'The Verge' and 'Engadget' articles both suggest that 'Consumers' have guides or opportunities to make better "
            "purchasing decisions, while 'TechCrunch' discusses 'Consumers' desire for a new model in a different sector?",
            ["The Verge", "Engadget", "TechCrunch"],
            ["Consumers have guides or opportunities to make better purchasing decisions"] * 2
            + ["discusses Consumers desire for a new model in a different sector"],
        ),
        (  # "the same news source"
            "Did the portrayal of Prince William's reaction in 'The Crown season six' as reported by 'The Independent - Life and "
            "Style' at 09:35 AM remain consistent with the depiction mentioned in the later article by the same news source?",
            ["The Independent - Life and Style", "The Independent - Life and Style"],
            None,
        ),
    ],
)
def test_one_outlet_may_stand_for_several_articles(question, outlets, topics):
    reading = _read(question)
    assert reading is not None
    assert [r.outlet for r in reading.references] == outlets
    if topics is not None:
        assert [r.topic for r in reading.references] == topics


@pytest.mark.unit
def test_a_before_and_after_bound_the_period_including_their_day():
    reading = _read(
        "Has the approach of Sportsbooks in adjusting betting lines and odds, as reported by Sporting News after October 4, "
        "2023, and before November 1, 2023, remained consistent?"
    )
    assert reading is not None
    after, before = (r.published for r in reading.references)
    assert after == (date(2023, 10, 4), date.max)
    assert before == (date.min, date(2023, 11, 1))


@pytest.mark.unit
@pytest.mark.parametrize(
    "question",
    [
        "Who is the individual associated with the cryptocurrency industry facing a criminal trial on fraud and conspiracy "
        "charges, as reported by both The Verge and TechCrunch, and is accused by prosecutors of committing fraud for personal gain?",
        "Which company, according to articles from TechCrunch and The Verge, enforces uniform terms on developers?",
        "Considering the information from an article by The Verge and another by Wired on John Mueller, which single letter "
        "represents the first initial of the university that John Mueller graduated from?",
        "Did TechCrunch report that Meta was fined?",  # one article, nothing compared
        "Who won the marathon last year?",
        "Which Apple executive took the stand this week in the US v. Google antitrust trial?",
    ],
)
def test_a_question_of_another_kind_is_not_read_as_a_comparison(question):
    assert _read(question) is None


@pytest.mark.unit
def test_an_outlet_that_is_not_indexed_is_a_reference_all_the_same():
    reading = _read(NOT_INDEXED_OUTLET)
    assert reading is not None
    assert [r.indexed for r in reading.references] == [True, False]
    assert reading.not_indexed == ["Reuters"]


@pytest.mark.integration
@pytest.mark.slow
def test_two_dated_references_are_quoted_side_by_side_in_date_order(compare):
    answer = compare.ask(META)
    assert answer.kind == "comparison"
    assert not answer.abstained
    by_reference = {c.reference: c.article_id for c in answer.citations}
    moderation = next(a for r, a in by_reference.items() if r and "moderation bias" in r)
    privacy = next(a for r, a in by_reference.items() if r and "Privacy Protection" in r)
    assert moderation.startswith("meta-has-a-moderation-bias-problem")
    assert privacy.startswith("meta-turned-a-blind-eye-to-kids")
    dates = [c.date for c in answer.citations]
    assert dates == sorted(dates)  # [1] is the earliest
    lines = answer.text.splitlines()
    assert lines[0].startswith("TechCrunch, 2023-10-19: ")
    assert any(line.startswith("TechCrunch, 2023-11-27: ") for line in lines)
    assert answer.references[:2] == [
        "the TechCrunch article on Meta's moderation bias problem suppressing Palestinian voices (2023-10-19)",
        "the TechCrunch article on Meta's alleged violations of the Children's Online Privacy Protection Act (2023-11-27)",
    ]
    _checkable(answer, compare.settings)


@pytest.mark.unit
def test_quotes_are_put_in_date_order_an_articles_sentences_together():
    from types import SimpleNamespace

    from qa.sentences import Quote
    from qa.side_by_side import Pick, dated_evidence

    def pick(article, day, start, reference):
        sentence = SimpleNamespace(article_id=article, start=start, key=(article, start), chunk=SimpleNamespace(date=day))
        return Pick(Quote(sentence, "answer", 1.0), reference)  # type: ignore[arg-type]

    picks = [
        pick("late", "2023-11-27", 50, 0),
        pick("undated", "", 0, 1),
        pick("early", "2023-10-19", 90, 2),
        pick("late", "2023-11-27", 10, 0),
    ]
    quotes, side = dated_evidence("comparison", picks, references=["late", "undated", "early"])
    assert [(q.sentence.article_id, q.sentence.start) for q in quotes] == [("early", 90), ("late", 10), ("late", 50), ("undated", 0)]
    assert side.reference_of[("early", 90)] == 2


@pytest.mark.integration
@pytest.mark.slow
def test_quotes_are_in_date_order_whatever_order_the_question_names_them(compare):
    answer = compare.ask(
        "Between the TechCrunch report on Meta's alleged violations of the Children’s Online Privacy Protection Act published "
        "on November 27, 2023, and the TechCrunch report on Meta's moderation bias problem suppressing Palestinian voices "
        "published on October 19, 2023, was there a change in the nature of issues reported concerning Meta's platform practices?"
    )
    assert answer.citations[0].date == "2023-10-19"
    assert answer.citations[0].reference is not None
    assert "moderation bias" in answer.citations[0].reference
    assert [c.date for c in answer.citations] == sorted(c.date for c in answer.citations)


@pytest.mark.integration
@pytest.mark.slow
def test_each_reference_is_found_within_its_outlet_and_day(compare):
    answer = compare.ask(SEARCH_DEAL)
    cited = {c.article_id: c for c in answer.citations if c.reference and not c.reference.startswith("another")}
    assert set(cited) == {
        "apple-defends-google-search-deal-in-court-there-wasnt-a-valid-alternative.md",
        "5-things-we-learned-so-far-about-the-google-antitrust-case.md",
    }
    lines = answer.text.splitlines()
    assert lines[0].startswith("The Verge, 2023-09-26: ")
    assert lines[1].startswith("TechCrunch, 2023-10-31: ")


@pytest.mark.integration
@pytest.mark.slow
def test_a_reference_to_an_outlet_not_indexed_is_said_plainly_and_the_rest_answered(compare):
    answer = compare.ask(NOT_INDEXED_OUTLET)
    assert not answer.abstained
    assert answer.unmatched == ["No article from Reuters on Meta's violations of children's privacy law is indexed."]
    assert answer.text.endswith(answer.unmatched[0])
    assert "meta-has-a-moderation-bias-problem-not-just-a-bug-thats-suppressing-palestinian.md" in {c.article_id for c in answer.citations}
    assert answer.confidence <= 0.5


@pytest.mark.integration
@pytest.mark.slow
def test_a_reference_no_indexed_article_matches_is_said_plainly(compare):
    answer = compare.ask(NO_SUCH_ARTICLE)  # Polygon is indexed, with a review of the Steam Deck only
    assert answer.unmatched == ["No article from Polygon on Meta's violations of children's privacy law is indexed."]
    assert "Polygon" not in {c.source for c in answer.citations}


@pytest.mark.integration
@pytest.mark.slow
def test_the_extractive_answer_invents_no_yes_or_no(compare):
    for question in (META, SEARCH_DEAL):
        answer = compare.ask(question)
        for line in answer.text.splitlines():
            assert line.startswith(("TechCrunch, ", "The Verge, ", "No article from "))
        quoted = " ".join(c.quote for c in answer.citations)
        assert answer.text.replace("\n", " ").count(" ") >= quoted.count(" ")  # the text is the quotes, labelled, nothing else
        assert not answer.text.lower().startswith(("yes", "no,", "no "))


@pytest.mark.integration
@pytest.mark.slow
def test_a_timeline_quotes_one_dated_sentence_per_article_in_date_order(compare):
    answer = compare.ask(TIMELINE)
    assert answer.kind == "timeline"
    articles = [c.article_id for c in answer.citations]
    assert len(articles) == len(set(articles)) >= 3
    assert len(articles) <= compare.settings.compare.timeline_articles
    dates = [c.date for c in answer.citations]
    assert dates == sorted(dates)
    _checkable(answer, compare.settings)


@pytest.mark.integration
@pytest.mark.slow
def test_a_timeline_since_a_month_leaves_earlier_articles_out(compare):
    answer = compare.ask(TIMELINE_SINCE)
    assert answer.kind == "timeline"
    assert answer.citations
    assert all(c.date >= "2023-11-01" for c in answer.citations)
    assert "5-things-we-learned-so-far-about-the-google-antitrust-case.md" not in {c.article_id for c in answer.citations}


@pytest.mark.integration
@pytest.mark.slow
def test_a_language_model_may_state_the_comparison_and_each_sentence_is_checked(compare):
    """A fake chat model (a remote provider cannot run here) writes one supported sentence and one the quotes do not hold."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    from qa import Pipeline

    extractive = compare.ask(SEARCH_DEAL)
    verge = next(c for c in extractive.citations if c.source == "The Verge")
    reply = (
        f"The Verge reported that {verge.quote.rstrip('.')} [{verge.n}]. "
        f"Both articles say that Google lost the antitrust case and paid a fine of 40 billion dollars [{verge.n}]."
    )
    model = GenericFakeChatModel(messages=iter([AIMessage(content=reply)]))
    settings = compare.settings.model_copy(update={"llm": compare.settings.llm.model_copy(update={"model": "fake:provider"})})
    pipeline = Pipeline(settings, embedder=compare.embedder, store=compare.store, chat_model=model)
    answer = pipeline.ask(SEARCH_DEAL)
    assert answer.generated
    assert answer.kind == "comparison"
    verdicts = [c.verdict for c in answer.claims]
    assert verdicts[0] in ("kept", "repointed")
    assert verdicts[1] == "dropped"
    assert "40 billion" not in answer.text


def _side_by_side_answer():
    from qa.models import Answer, Citation

    def cite(n, quote, day, source, article):
        return Citation(n=n, article_id=article, title=f"{source} story", date=day, source=source, chunk_id=f"{article}-0", quote=quote,
                        start=0, end=len(quote), score=1.0, passage=quote, reference=f"the {source} article on <b>bold</b> claims")  # fmt: skip

    citations = [
        cite(1, 'Meta said <script>alert("x")</script> it fixed the *bug*.', "2023-10-19", "TechCrunch", "a.md"),
        cite(2, "It said so again [sic].", "2023-10-19", "TechCrunch", "a.md"),
        cite(3, "Attorneys general filed a lawsuit.", "2023-11-27", "TechCrunch", "b.md"),
    ]
    unmatched = ["No article from Polygon on ![img](http://x/) is indexed."]
    from qa.side_by_side import side_by_side_text

    return Answer(
        question="Q?", query="Q?", text=side_by_side_text(citations, unmatched), citations=citations, kind="comparison",
        references=[c.reference or "" for c in citations], unmatched=unmatched, confidence=0.64,
    )  # fmt: skip


@pytest.mark.unit
def test_the_chat_shows_the_quotes_on_a_dated_timeline_escaped():
    from ui.render import render_answer

    shown = render_answer(_side_by_side_answer())
    timeline = shown[shown.index('<ol class="nq-timeline">') : shown.index("</ol>")]
    assert timeline.count('<li class="nq-moment"') == 2  # one entry per article, its two quotes together
    assert timeline.index("2023-10-19") < timeline.index("2023-11-27")
    assert "<script>" not in shown
    assert "&#60;script&#62;" in timeline
    assert "<b>bold</b>" not in shown
    assert "answers the TechCrunch article on &#60;b&#62;bold&#60;/b&#62; claims" in timeline
    assert '<div class="nq-unmatched">No article from Polygon on &#33;&#91;img&#93;' in shown
    streaming = render_answer(_side_by_side_answer(), text="Meta said ... [1]", with_sources=False)
    assert streaming.count('<li class="nq-moment"') == 1  # while it streams, the quotes so far


@pytest.mark.unit
def test_the_cli_and_the_export_list_one_line_per_article_in_date_order():
    from ui.cli import answer_lines

    answer = _side_by_side_answer()
    lines = answer_lines(answer)
    assert lines[0] == 'TechCrunch, 2023-10-19: Meta said <script>alert("x")</script> it fixed the *bug*. [1] It said so again [sic]. [2]'
    assert lines[1] == "TechCrunch, 2023-11-27: Attorneys general filed a lawsuit. [3]"
    assert lines[2] == "No article from Polygon on ![img](http://x/) is indexed."
    assert any(line.strip() == "answers: the TechCrunch article on <b>bold</b> claims" for line in lines)
    markdown = answer.to_markdown()
    assert '- TechCrunch, 2023-10-19: Meta said \\<script>alert("x")\\</script>' in markdown  # what could start markup, escaped
    assert "\\*bug\\*. [1] It said so again [sic]. [2]" in markdown  # markers kept, the rest reads as written
    assert "- No article from Polygon on ![img\\](http://x/) is indexed." in markdown  # no link, no image
    assert "Answers: the TechCrunch article on \\<b>bold\\</b> claims" in markdown
