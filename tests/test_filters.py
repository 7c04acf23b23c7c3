"""Date and outlet filters, and syndicated copies, over a real store: Python, CLI, bad input, sync."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from index import BadQuestionError, update_index
from qa import Pipeline, Settings

pytestmark = pytest.mark.integration

NEWS = Path(__file__).parent / "data" / "news_filters"
BRIDGE = "How long will the Kessel Bridge close?"


@pytest.fixture
def news(tmp_path, embedder):
    """The four news articles (two copies of one wire story, a ferry story, an undated one), indexed; a fresh pipeline."""
    shutil.copytree(NEWS, tmp_path / "articles")
    settings = Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db")
    update_index(settings, embedder=embedder)
    return Pipeline(settings, embedder=embedder)


def cited_ids(answer) -> set[str]:
    return {c.article_id for c in answer.citations}


def test_chunks_carry_date_outlet_and_story(news):
    chunks = {c.article_id: c for c in news.store.iter_chunks(with_text=False)}
    assert chunks["reuters-bridge.md"].date_ordinal == date(2025, 3, 4).toordinal()
    assert chunks["undated-notes.md"].date_ordinal == 0
    assert chunks["ledger-ferry.md"].source_key == "harbour ledger"
    assert chunks["ap-bridge.md"].story_id == chunks["reuters-bridge.md"].story_id == "reuters-bridge.md"
    assert chunks["ledger-ferry.md"].story_id == "ledger-ferry.md"


def test_copies_are_cited_once_and_listed(news):
    answer = news.ask(BRIDGE)
    assert not answer.abstained
    assert cited_ids(answer) == {"reuters-bridge.md"}  # the earliest copy, never both
    copies = answer.citations[0].also_in
    assert [(c.article_id, c.source, c.date) for c in copies] == [("ap-bridge.md", "AP", "2025-03-05")]
    assert copies[0].title == "Lorvik's main bridge shuts for 11 weeks"


def test_selected_outlet_chooses_the_copy(news):
    answer = news.ask(BRIDGE, sources=["ap"])
    assert cited_ids(answer) == {"ap-bridge.md"}
    assert [c.article_id for c in answer.citations[0].also_in] == ["reuters-bridge.md"]
    assert answer.filters.sources == ["AP"]
    assert answer.filters.since is None


def test_date_range_searches_only_dated_articles_in_it(news):
    answer = news.ask("What happened in Lorvik harbour?", since="2024-01-01", until=date(2024, 12, 31))
    assert cited_ids(answer) <= {"ledger-ferry.md"}
    assert answer.citations
    assert (answer.filters.since, answer.filters.until) == ("2024-01-01", "2024-12-31")
    # the undated museum story is found without a date filter, and left out with one
    assert "undated-notes.md" in cited_ids(news.ask("When did the harbour museum reopen?"))
    assert "undated-notes.md" not in cited_ids(news.ask("When did the harbour museum reopen?", since="2000-01-01"))


def test_both_sides_of_retrieval_are_filtered(news):
    from index import ChunkFilter

    only_2024 = ChunkFilter(since=date(2024, 1, 1), until=date(2024, 12, 31))
    vector = news.embedder.embed_query(BRIDGE)
    [dense] = news.store.dense_search_many([vector], 10, chunk_filter=only_2024)
    assert {c.article_id for c, _ in dense} == {"ledger-ferry.md"}
    lexical = news.retriever.lexical_search("Kessel Bridge harbour ferry", 10, chunk_filter=only_2024)
    assert {c.article_id for c, _ in lexical} == {"ledger-ferry.md"}
    outlet = ChunkFilter(sources=frozenset({"harbour ledger"}))
    assert {c.article_id for c, _ in news.retriever.lexical_search("Kessel Bridge", 10, chunk_filter=outlet)} == {"undated-notes.md"}


@pytest.mark.parametrize(
    ("since", "until", "sources", "message"),
    [
        ("March 2025", None, None, "since 'March 2025' is not a date: write it as YYYY-MM-DD"),
        ("2025-12-31", "2025-01-01", None, "since 2025-12-31 is after until 2025-01-01"),
        (None, None, ["Reuterz"], "no articles from 'Reuterz'; indexed outlets: AP, Harbour Ledger, Reuters."),
    ],
)
def test_bad_filters_say_what_to_fix(news, since, until, sources, message):
    with pytest.raises(BadQuestionError) as raised:
        news.ask(BRIDGE, since=since, until=until, sources=sources)
    assert message in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_deleting_a_copy_keeps_the_other_answerable(news):
    folder = news.settings.articles_dir
    (folder / "reuters-bridge.md").unlink()
    report = update_index(news.settings, store=news.store)
    assert report.removed_ids == ["reuters-bridge.md"]
    assert report.stories_updated == 1  # ap's story was reuters'
    answer = news.ask(BRIDGE)
    assert cited_ids(answer) == {"ap-bridge.md"}
    assert answer.citations[0].also_in == []
    assert {c.story_id for c in news.store.iter_chunks(with_text=False) if c.article_id == "ap-bridge.md"} == {"ap-bridge.md"}


def test_editing_a_copy_into_another_story_splits_it_off(news):
    folder = news.settings.articles_dir
    text = (folder / "reuters-bridge.md").read_text()
    head = text[: text.index("Engineers")]
    (folder / "reuters-bridge.md").write_text(
        head + "The Kessel Bridge reopened on Friday after eleven weeks of repairs, two days ahead of plan. Drivers queued at "
        "dawn to be the first across, and the ferry timetable went back to its summer hours. The transport office said the "
        "new cables should last for eighty years, and that tolls would stay unchanged until at least next spring.\n"
    )
    report = update_index(news.settings, store=news.store)
    assert report.updated_ids == ["reuters-bridge.md"]
    assert report.stories_updated == 1  # ap, unchanged, named its story after reuters
    stories = {c.article_id: c.story_id for c in news.store.iter_chunks(with_text=False)}
    assert stories["ap-bridge.md"] == "ap-bridge.md"
    assert stories["reuters-bridge.md"] == "reuters-bridge.md"
    assert news.ask(BRIDGE).citations[0].also_in == []


def run(args, tmp_path):
    """`newsqa ARGS...` in this process (typer's CliRunner; the console entry point runs as a process in tests/test_cli.py)."""
    from typer.testing import CliRunner

    from ui.cli import app

    env = {"NEWSQA_DB_DIR": str(tmp_path / "db"), "NEWSQA_ARTICLES_DIR": str(tmp_path / "articles")}
    result = CliRunner().invoke(app, args, env=env)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


@pytest.mark.slow
def test_cli_filters_and_articles(news, tmp_path):
    answer = run(["ask", BRIDGE, "--json", "--source", "AP", "--since", "2025-01-01"], tmp_path)
    assert answer.returncode == 0, answer.stderr
    data = json.loads(answer.stdout)
    assert {c["article_id"] for c in data["citations"]} == {"ap-bridge.md"}
    assert data["filters"] == {"since": "2025-01-01", "until": None, "sources": ["AP"], "named_sources": [], "named_period": None}
    assert data["citations"][0]["also_in"][0]["article_id"] == "reuters-bridge.md"

    listed = run(["articles", "--json", "--since", "2025-01-01"], tmp_path)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["ap-bridge.md", "reuters-bridge.md"]
    assert rows[0]["copies"] == ["reuters-bridge.md"]
    assert rows[0]["source"] == "AP"
    assert rows[0]["chunks"] >= 1
    assert set(rows[0]) == {"id", "title", "date", "source", "url", "chunks", "copies"}

    bad_date = run(["ask", BRIDGE, "--until", "soon"], tmp_path)
    assert bad_date.returncode == 2
    assert bad_date.stderr.count("\n") == 1
    assert "'soon' is not a date" in bad_date.stderr
    unknown = run(["articles", "--source", "Reuterz"], tmp_path)
    assert unknown.returncode == 2
    assert "no articles from 'Reuterz'; indexed outlets: AP, Harbour Ledger, Reuters." in unknown.stderr
