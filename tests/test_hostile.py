"""Hostile and careless input (issue 10): one bad file, question or setting never takes newsqa down.

Every case writes real files into a temp folder and reads them with the real loader, splitter or
index run; each one failed (crashed, hung, leaked or took seconds) before the guards were added.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from index import ArticleLoader, chunk_article, split_sentences
from index.settings import LimitSettings
from index.uploads import save_uploads
from qa import Settings
from qa.followup import standalone_question
from tests.conftest import ROOT, zoo_pipeline

ZOO = "Zoo opens\n\nThe mayor opened the zoo on Monday.\n\u200b\nThe zoo has 40 lions."
GOOD = "Bridge reopens\n\nThe city reopened the river bridge on Friday after two years of repairs."
ALIAS_BOMB = (
    "---\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "title: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "---\nThe body of the bomb.\n"
)


def load(folder: Path, **limits):
    return ArticleLoader(folder, limits=LimitSettings(**limits)).load()


def reasons(result) -> dict[str, str]:
    return {f"{s.path}:{s.line}" if s.line else s.path: s.reason for s in result.skipped}


def write_hostile_folder(folder: Path) -> None:
    """The good zoo article next to one file of each hostile kind."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "zoo.txt").write_text(ZOO)
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "feed.jsonl").write_text(json.dumps({"title": "Fine", "text": GOOD}) + "\n" + "[" * 100_000 + "\n")
    (folder / "deep.md").write_text("---\ntitle: " + "[" * 5_000 + "]" * 5_000 + "\n---\nThe body.\n")
    (folder / "bomb.md").write_text(ALIAS_BOMB)


# ---------------------------------------------------------------- loader: isolation and safe parsing


@pytest.mark.unit
def test_hostile_files_are_skipped_with_reasons_and_the_rest_is_read(tmp_path):
    write_hostile_folder(tmp_path)
    started = time.perf_counter()
    result = load(tmp_path)
    assert time.perf_counter() - started < 5
    assert sorted(a.id for a in result.articles) == ["feed.jsonl#L1", "zoo.txt"]
    found = reasons(result)
    assert "deeper than 100" in found["deep.json"]
    assert "MAX_NESTING" in found["deep.json"]
    assert "deeper than 100" in found["feed.jsonl:2"]
    assert "deeper than 100" in found["deep.md"]
    assert "anchor" in found["bomb.md"] or "alias" in found["bomb.md"]


@pytest.mark.unit
def test_alias_alone_is_refused(tmp_path):
    (tmp_path / "a.md").write_text("---\nsource: &s Wire\ntitle: *s\n---\nText of the story.\n")
    assert "anchor" in reasons(load(tmp_path))["a.md"]


@pytest.mark.unit
def test_python_tags_are_never_run(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "evil.md").write_text(f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\nText.\n")
    result = load(tmp_path)
    assert not result.articles
    assert "!!python" in reasons(result)["evil.md"]
    assert not marker.exists()


@pytest.mark.unit
def test_an_unexpected_error_skips_only_that_file(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(GOOD)
    (tmp_path / "b.json").write_text(json.dumps({"title": "B", "text": "The council met."}))

    def explode(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(json, "loads", explode)
    result = load(tmp_path)
    assert [a.id for a in result.articles] == ["a.txt"]
    assert "nests too deeply" in reasons(result)["b.json"]


@pytest.mark.unit
def test_big_file_is_skipped_naming_its_size_and_the_setting(tmp_path):
    (tmp_path / "big.txt").write_text("word " * (1_100 * 1024))  # 5.4 MB
    (tmp_path / "ok.txt").write_text(GOOD)
    result = load(tmp_path)
    assert [a.id for a in result.articles] == ["ok.txt"]
    assert "5.4 MB" in reasons(result)["big.txt"]
    assert "NEWSQA_LIMITS__MAX_ARTICLE_BYTES" in reasons(result)["big.txt"]


@pytest.mark.unit
def test_front_matter_size_and_title_length(tmp_path):
    (tmp_path / "huge.md").write_text("---\ntitle: " + "x" * 70_000 + "\n---\nText.\n")
    (tmp_path / "long.md").write_text("---\ntitle: " + "word " * 100_000 + "\n---\nThe story text.\n")
    result = load(tmp_path)
    assert "64 KB" in reasons(result)["huge.md"]
    [article] = load(tmp_path, max_front_matter_bytes=1_000_000).articles[:1]
    assert article.id == "huge.md"
    assert len(article.title) <= 500
    assert article.title.endswith("…")
    long = next(a for a in load(tmp_path, max_front_matter_bytes=1_000_000).articles if a.id == "long.md")
    assert len(long.title) <= 500
    assert long.title.startswith("word word")
    assert long.title.endswith("…")


@pytest.mark.unit
def test_symlink_out_of_the_folder_fifo_and_socket_are_skipped_unread(tmp_path):
    import socket

    outside = tmp_path / "outside.txt"
    outside.write_text("The secret password is swordfish.")
    folder = tmp_path / "articles"
    (folder / "a").mkdir(parents=True)
    (folder / "ok.txt").write_text(GOOD)
    (folder / "a" / "passwd.txt").symlink_to(outside)
    (folder / "inside.txt").symlink_to(folder / "ok.txt")  # a link within the folder is fine
    os.mkfifo(folder / "pipe.txt")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock.txt"))
        result = load(folder)
    assert sorted(a.id for a in result.articles) == ["inside.txt", "ok.txt"]
    assert not any("swordfish" in a.text for a in result.articles)
    found = reasons(result)
    assert "outside the articles folder" in found["a/passwd.txt"]
    assert "FIFO" in found["pipe.txt"]
    assert "socket" in found["sock.txt"]


@pytest.mark.unit
def test_article_with_no_words_is_skipped(tmp_path):
    (tmp_path / "zw.txt").write_text("\u200b\u200b\n\u0301\x07")
    assert "no words" in reasons(load(tmp_path))["zw.txt"]


# ---------------------------------------------------------------- sentences: linear, exact, thread-safe


@pytest.mark.unit
def test_zero_width_and_control_lines_are_not_sentences():
    text = "The mayor opened the zoo on Monday.\n\u200b\n\x1b\x07\n\u0301\nThe zoo has 40 lions."
    assert [text[s:e] for s, e in split_sentences(text)] == ["The mayor opened the zoo on Monday.", "The zoo has 40 lions."]


@pytest.mark.unit
@pytest.mark.parametrize("words", ["alpha beta gamma delta lion zoo ", "alpha beta. Gamma delta! Lion zoo? "])
def test_splitting_300_kb_is_fast_and_bounded(words):
    text = (words * (300_000 // len(words) + 1))[:300_000]
    started = time.perf_counter()
    spans = split_sentences(text)
    assert time.perf_counter() - started < 10  # was 47 s without punctuation (about quadratic)
    assert max(e - s for s, e in spans) <= 1000
    assert all(text[s:e] == text[s:e].strip() and text[s:e] for s, e in spans)
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


@pytest.mark.unit
def test_long_run_is_cut_at_a_word_boundary():
    text = "word " * 500 + "end."
    spans = split_sentences(text, max_sentence_chars=300)
    assert all(e - s <= 300 for s, e in spans)
    assert "".join(text[s:e] + " " for s, e in spans).split() == text.split()  # nothing lost, no word cut in two


@pytest.mark.unit
def test_split_sentences_from_eight_threads_matches_one_thread():
    from tests.conftest import SEED_ARTICLE

    seed = SEED_ARTICLE.read_text()
    texts = [seed[i * 300 :] + f" Extra sentence number {i}. And one more." for i in range(16)]
    expected = [split_sentences(t) for t in texts]
    results: dict[int, list] = {}
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for _ in range(3):
                for i, text in enumerate(texts):
                    assert split_sentences(text) == expected[i]
            results[worker] = [split_sentences(t) for t in texts]
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(results[n] == expected for n in range(8))


hostile_text = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(
            ["\u200b", "\u200d", "\ufeff", "\u202e", "\u0301", "\x1b", "\x07", "\u05d0", "\u0627", ". ", "\n\n", '"', "“", "word "]
        ),
    ),
    max_size=200,
).map("".join)


@pytest.mark.unit
@hypothesis_settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hostile_text)
def test_random_text_through_loader_and_chunker_keeps_exact_offsets(tmp_path, text):
    folder = tmp_path / "h"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
    (folder / "b.json").write_text(json.dumps({"title": text[:50], "text": text}))
    result = ArticleLoader(folder, limits=LimitSettings()).load()
    assert len(result.articles) + len(result.skipped) == 2
    for article in result.articles:
        article.content_hash  # noqa: B018 - hashing must not fail on any text that was loaded
        for chunk in chunk_article(article, chunk_size=120, chunk_overlap=30):
            assert article.text[chunk.start : chunk.end] == chunk.text
            for s, e in chunk.sentences:
                assert chunk.start <= s < e <= chunk.end
                assert any(c.isalnum() for c in article.text[s:e])
    for s, e in split_sentences(text, max_sentence_chars=60):
        assert 0 <= s < e <= len(text)
        assert text[s:e].strip() == text[s:e]


# ---------------------------------------------------------------- follow-ups


@pytest.mark.unit
def test_pathological_follow_up_is_fast():
    question = "what about x" + " " * 1985 + "y"
    history = ["What did Pistorius regret?", question, question, question]
    started = time.perf_counter()
    rewritten, _ = standalone_question(question, history)
    assert time.perf_counter() - started < 0.5  # was 5.7 s per earlier question
    assert rewritten.startswith("What did x y regret?")


@pytest.mark.unit
def test_history_is_capped_to_the_last_turns():
    history = ["What did Pistorius regret?", "What about x?"]
    assert standalone_question("What about y?", history, max_turns=10)[0] == "What did x regret? y"
    assert standalone_question("What about y?", history, max_turns=1)[0] == "What about x? y"
    assert standalone_question("What about y?", history, max_turns=0)[0] == "What about y?"


# ---------------------------------------------------------------- uploads never clobber


@pytest.mark.unit
def test_uploads_never_replace_an_article(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "story.txt").write_text(GOOD)
    (articles / "wire.json").write_text(json.dumps({"id": "wire-1", "title": "Wire", "text": "The wire story."}))
    uploads = tmp_path / "up"
    uploads.mkdir()
    same_name, same_id, deep = uploads / "story.txt", uploads / "other.md", uploads / "deep.json"
    same_name.write_text("Another story\n\nSomething else happened.")
    same_id.write_text("---\nid: wire-1\n---\nA replacement wire story.\n")
    deep.write_text("[" * 1000 + "]" * 1000)
    result = save_uploads([("story.txt", same_name), ("other.md", same_id), ("deep.json", deep)], articles, max_bytes=10_000_000)
    assert result.saved == ["story-2.txt"]
    assert any("wire-1" in r and "already used by wire.json" in r for r in result.refused)
    assert any("deep.json" in r and "deeper than 100" in r for r in result.refused)
    assert (articles / "story.txt").read_text() == GOOD
    assert sorted(p.name for p in articles.iterdir()) == ["story-2.txt", "story.txt", "wire.json"]


# ---------------------------------------------------------------- settings and the CLI


@pytest.mark.unit
def test_nan_and_bad_collection_names_are_refused(monkeypatch):
    from pydantic import ValidationError

    monkeypatch.setenv("NEWSQA_ANSWER__ABSTAIN_BELOW", "nan")
    with pytest.raises(ValidationError, match="finite"):
        Settings()
    monkeypatch.delenv("NEWSQA_ANSWER__ABSTAIN_BELOW")
    for name in ("bad name!!", "ab", "-abc", "abc-", "x" * 600):
        with pytest.raises(ValidationError):
            Settings(collection=name)
    assert Settings(collection="news.qa_2-x").collection == "news.qa_2-x"


@pytest.mark.unit
def test_unknown_settings_are_errors_naming_the_closest_one(monkeypatch):
    from pydantic import ValidationError

    from qa.settings import AnswerSettings, RetrievalSettings

    monkeypatch.setenv("NEWSQA_ANSWER__ABSTAIN_BELLOW", "0.9")  # one letter off: it must not silently do nothing
    with pytest.raises(
        ValidationError, match=r"NEWSQA_ANSWER__ABSTAIN_BELLOW is not a setting; did you mean NEWSQA_ANSWER__ABSTAIN_BELOW\?"
    ):
        Settings()
    monkeypatch.delenv("NEWSQA_ANSWER__ABSTAIN_BELLOW")
    monkeypatch.setenv("NEWSQA_TEST_FAULT", "")  # the crash tests' hook is not a setting, and is allowed
    assert Settings().answer.abstain_below == 1.0
    with pytest.raises(ValidationError, match="has no setting 'artcles_dir'; did you mean 'articles_dir'"):
        Settings(artcles_dir="news")
    with pytest.raises(ValidationError, match="abstain_bellow"):
        AnswerSettings(abstain_bellow=0.9)  # type: ignore[call-arg]
    for section in ({"answer": {"confidence_slope": "inf"}}, {"retrieval": {"dense_weight": "nan"}}):
        with pytest.raises(ValidationError, match="finite number"):  # one rule for every float of every section
            Settings(**section)
    with pytest.raises(ValidationError, match="finite number"):
        RetrievalSettings(best_sentence_share=float("nan"))
    with pytest.raises(ValidationError, match="user:password"):  # the login is checked when settings load, not at launch
        Settings(ui_auth="alice")
    with pytest.raises(ValidationError, match="user:password"):
        Settings().with_login("alice:")
    assert Settings().with_login("alice:s3cret").ui_login() == ("alice", "s3cret")


def newsqa(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", "ui", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("command", "variable", "value", "says"),
    [
        (["index"], "NEWSQA_RETRIEVAL__K", "-1", "greater than or equal to 1"),
        (["ask", "Who?"], "NEWSQA_CHROMA_PORT", "abc", "valid integer"),
        (["ask", "Who?"], "NEWSQA_COLLECTION", "bad name!!", "3-495 characters"),
        (["serve"], "NEWSQA_ANSWER__ABSTAIN_BELOW", "nan", "finite"),
        (["eval", "README.md"], "NEWSQA_RETRIEVAL", "{bad", "not valid JSON"),
        (["ask", "Who?"], "NEWSQA_ANSWER__ABSTAIN_BELLOW", "0.9", "is not a setting; did you mean NEWSQA_ANSWER__ABSTAIN_BELOW?"),
        (["index"], "NEWSQA_ANSWER", '{"abstain_bellow": 0.9}', "NEWSQA_ANSWER__ABSTAIN_BELLOW is not a setting; did you mean"),
        (["articles"], "NEWSQA_ARTICLE_DIR", "seeds", "did you mean NEWSQA_ARTICLES_DIR?"),
    ],
)
def test_bad_settings_are_one_line_naming_the_variable(command, variable, value, says):
    run = newsqa(*command, **{variable: value})
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().count("\n") == 0
    assert variable in run.stderr
    assert says in run.stderr


@pytest.mark.unit
def test_serve_port_errors_are_one_line():
    import socket

    out_of_range = newsqa("serve", "--port", "70000")
    assert out_of_range.returncode == 2
    assert out_of_range.stderr.strip().count("\n") == 0
    assert "1-65535" in out_of_range.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = newsqa("serve", "--port", str(busy.getsockname()[1]))
    assert taken.returncode == 2
    assert taken.stderr.strip().count("\n") == 0
    assert "in use" in taken.stderr  # a setting error, like the rest


@pytest.mark.unit
def test_auth_file_errors_are_one_line(tmp_path):
    both = newsqa("serve", "--auth", "a:b", "--auth-file", str(tmp_path / "auth"))
    assert both.returncode == 2
    assert both.stderr.strip().count("\n") == 0
    assert "not both" in both.stderr
    missing = newsqa("serve", "--auth-file", str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0
    assert "cannot read --auth-file" in missing.stderr


@pytest.mark.unit
def test_printed_article_text_has_no_escape_sequences():
    from ui.cli import _safe_json, printable

    hostile = "Title\x1b]0;pwned\x07 ok \x1b[31mred\x1b[0m \u202eevil\x9b2J\nnext\tline"
    assert printable(hostile) == "Title ok red evil2J\nnext\tline"
    encoded = _safe_json({"quote": hostile})
    assert json.loads(encoded) == {"quote": hostile}
    assert not any(c in encoded for c in "\x1b\x07\x9b\u202e")


# ---------------------------------------------------------------- real index runs


@pytest.mark.integration
@pytest.mark.slow
def test_index_run_survives_hostile_files_and_answers(tmp_path, embedder):
    from index import update_index
    from qa import Pipeline

    folder = tmp_path / "articles"
    write_hostile_folder(folder)
    outside = tmp_path / "secret.txt"
    outside.write_text("The secret password is swordfish.")
    (folder / "passwd.txt").symlink_to(outside)
    os.mkfifo(folder / "pipe.txt")
    settings = Settings(articles_dir=folder, db_dir=tmp_path / "db")

    started = time.perf_counter()
    report = update_index(settings, embedder=embedder)
    assert time.perf_counter() - started < 60
    skipped = {s.path for s in report.skipped_files}
    assert {"deep.json", "feed.jsonl", "deep.md", "bomb.md", "passwd.txt", "pipe.txt"} <= skipped
    assert set(report.added_ids) == {"zoo.txt", "feed.jsonl#L1"}

    pipeline = Pipeline(settings, embedder=embedder)
    secret = pipeline.ask("What is the secret password?")
    assert not any("swordfish" in c.quote for c in secret.citations)
    bridge = pipeline.ask("When did the city reopen the river bridge?")
    assert not bridge.abstained
    assert "Friday" in bridge.citations[0].quote
    zoo = pipeline.ask("Who opened the zoo?")  # the zero-width line is no sentence; needs qa/evidence.py's empty-token fix too
    assert not zoo.abstained
    assert "mayor" in zoo.citations[0].quote
    assert "\u200b" not in "".join(c.quote for c in zoo.citations)


@pytest.mark.integration
@pytest.mark.slow
def test_punctuation_free_300_kb_file_indexes_in_seconds(tmp_path, embedder):
    from index import update_index

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "flat.txt").write_text(("the river bank water boat harbour crane " * 8_000)[:300_000])
    started = time.perf_counter()
    split_sentences((folder / "flat.txt").read_text())
    split_seconds = time.perf_counter() - started
    report = update_index(Settings(articles_dir=folder, db_dir=tmp_path / "db"), embedder=embedder)
    assert split_seconds < 5
    assert report.added == 1
    assert report.total_chunks >= 300


@pytest.mark.integration
@pytest.mark.slow
def test_article_that_turns_hostile_keeps_its_indexed_version(tmp_path, embedder):
    from index import update_index
    from qa import Pipeline

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "bridge.json").write_text(json.dumps({"title": "Bridge reopens", "text": GOOD.split("\n\n")[1]}))
    (folder / "zoo.txt").write_text(ZOO)
    settings = Settings(articles_dir=folder, db_dir=tmp_path / "db")
    assert update_index(settings, embedder=embedder).added == 2

    (folder / "bridge.json").write_text("[" * 100_000 + "]" * 100_000)
    report = update_index(settings, embedder=embedder)
    assert (report.removed, report.unchanged, report.skipped) == (0, 1, 1)
    answer = Pipeline(settings, embedder=embedder).ask("When did the city reopen the river bridge?")
    assert not answer.abstained
    assert answer.citations[0].article_id == "bridge.json"
    assert "Friday" in answer.citations[0].quote


@pytest.mark.integration
@pytest.mark.slow
def test_ask_through_gradio_client_returns_the_one_line_message(tmp_path, embedder):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from index import update_index
    from qa import Pipeline
    from tests.conftest import free_port
    from ui.app import launch

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "zoo.txt").write_text(ZOO)
    settings = Settings(articles_dir=folder, db_dir=tmp_path / "db")
    update_index(settings, embedder=embedder)
    port = free_port()
    demo = launch(settings, port=port, block=False, pipeline=Pipeline(settings, embedder=embedder))
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        with pytest.raises(AppError, match="empty") as raised:
            client.predict("   ", api_name="/ask")
        assert "upstream Gradio app has raised an exception" not in str(raised.value)
    finally:
        demo.close()


@pytest.fixture(scope="module")
def hostile_pipeline(tmp_path_factory, embedder):
    """A real index holding one steady article, into which each example drops a hostile one."""
    return zoo_pipeline(tmp_path_factory.mktemp("hostile-ask"), embedder)


@pytest.mark.integration
@pytest.mark.slow
@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_text, question=hostile_text)
@example(text="", question="\ud800")  # a lone surrogate in the question
@example(text="\x00", question="")  # the file turns binary: its indexed version is kept and may be quoted
def test_random_text_through_index_and_ask_keeps_exact_offsets(hostile_pipeline, text, question):
    from index import BadQuestionError, update_index
    from index.catalog import article_text

    pipeline, folder = hostile_pipeline
    (folder / "random.txt").write_text("Random report\n\n" + text + " The zoo keeper said so.", encoding="utf-8", errors="surrogatepass")
    update_index(pipeline.settings, store=pipeline.store)  # never raises for what the file holds
    texts = {a.id: a.text for a in ArticleLoader(folder, limits=LimitSettings()).load().articles}
    for entry in pipeline.catalog():  # a file unreadable this time (binary) keeps its indexed version: quotes come from that
        texts.setdefault(entry.id, article_text(pipeline.store, entry.id))
    for asked in ("Who opened the zoo?", f"What did the keeper say about {question}?", question):
        try:
            answer = pipeline.ask(asked)
        except BadQuestionError:
            assert not asked.strip() or len(asked) > pipeline.settings.max_question_chars
            continue
        for citation in answer.citations:
            assert texts[citation.article_id][citation.start : citation.end] == citation.quote
            if citation.answer_start is not None:
                assert texts[citation.article_id][citation.answer_start : citation.answer_end] == answer.short
    assert "The mayor opened the zoo on Monday." in pipeline.ask("Who opened the zoo?").text
