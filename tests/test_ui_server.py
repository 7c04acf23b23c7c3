"""The chat server without a browser: uploads through its handler, login, exposure warning, many users at once."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from index import update_index
from qa import Settings
from tests.conftest import SEEDS, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

QUESTIONS = {
    "What did Pistorius regret?": "concessions made by the United States",
    "What did Hegseth rule out?": "He ruled out deploying U.S. troops to Ukraine.",
    "Where did NATO defense ministers gather?": "Brussels",
    "Who is Luxembourg's Defense Minister?": "Yuriko Backes",
    "Who said it's only fair, it's only sensible?": "Mark Rutte",
}


@pytest.fixture(scope="module")
def app_server(tmp_path_factory, embedder):
    from qa import Pipeline
    from ui.app import launch

    base = tmp_path_factory.mktemp("ui-server")
    shutil.copytree(SEEDS, base / "articles")
    settings = Settings(articles_dir=base / "articles", db_dir=base / "db", ui_auth="alice:s3cret")
    update_index(settings, embedder=embedder)
    pipeline = Pipeline(settings, embedder=embedder)
    port = free_port()
    demo = launch(settings, port=port, block=False, pipeline=pipeline)
    yield {"url": f"http://127.0.0.1:{port}/", "pipeline": pipeline}
    demo.close()


def test_twenty_concurrent_questions_all_answered(app_server):
    from gradio_client import Client

    client = Client(app_server["url"], auth=("alice", "s3cret"), verbose=False)
    questions = [q for q in QUESTIONS for _ in range(4)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        jobs = list(pool.map(lambda q: client.submit(q, api_name="/ask"), questions))
        answers = [job.result(timeout=120) for job in jobs]
    assert len(answers) == 20
    for question, answer in zip(questions, answers, strict=True):
        assert not answer["abstained"], question
        assert QUESTIONS[question] in " ".join(c["quote"] for c in answer["citations"]), question


def test_login_is_required(app_server):
    import httpx
    from gradio_client import Client

    assert httpx.post(app_server["url"] + "gradio_api/call/ask", json={"data": ["What did Pistorius regret?"]}).status_code in (401, 403)
    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises its own error type for a bad login
        Client(app_server["url"], auth=("alice", "wrong"), verbose=False)


def test_upload_handler_reports_added_and_refused(app_server, tmp_path):
    from ui.app import index_uploads

    uploads = tmp_path / "gradio-tmp"
    uploads.mkdir()
    good = uploads / "storm.txt"
    good.write_text("Storm closes port\n\nA storm closed the port of Dover on Friday, stranding 300 lorries.")
    bad = uploads / "bad.jsonl"
    bad.write_text('{"title": "x"}\n')
    exe = uploads / "tool.exe"
    exe.write_bytes(b"MZ")
    report, status = index_uploads(app_server["pipeline"], [str(good), str(bad), str(exe)])
    assert "1 added" in report
    assert "Added: storm.txt" in report
    assert "Refused tool.exe" in report
    assert "Refused bad.jsonl" in report  # checked with the loader before it is saved
    assert "2 articles" in status
    answer = app_server["pipeline"].ask("How many lorries were stranded at Dover?")
    assert "300 lorries" in answer.citations[0].quote


def test_exposure_warning():
    from ui.app import exposure_warning

    assert exposure_warning("127.0.0.1", None) is None
    assert exposure_warning("localhost", None) is None
    assert exposure_warning("0.0.0.0", ("a", "b")) is None
    assert "without --auth" in (exposure_warning("0.0.0.0", None) or "")


def test_rebuild_action_keeps_everything_answerable(app_server):
    from ui.app import index_uploads

    report, status = index_uploads(app_server["pipeline"], None, rebuild=True)
    assert "0 removed" in report
    assert "chunks" in status
    assert "concessions" in app_server["pipeline"].ask("What did Pistorius regret?").citations[0].quote


def test_bad_question_shows_its_message_in_the_chat(app_server):
    from ui.app import answer_stream

    *_, (history, questions, box, answers, export) = answer_stream(app_server["pipeline"], "   ", [], [])
    assert "The question is empty" in history[-1]["content"]
    assert history[-1]["role"] == "assistant"
    assert questions == []
    assert box == ""
    assert answers == []
    assert export is None
    *_, (history, *_) = answer_stream(app_server["pipeline"], "x" * 2001, [], [])
    assert "keep it under 2,000" in history[-1]["content"]


def test_exports_in_gradios_cache_are_few_recent_and_private(app_server, monkeypatch):
    """Each answer's export, as Gradio serves it, through a real chat session: bounded in number and age, readable by no one else."""
    import os
    import stat
    import tempfile
    import time
    from pathlib import Path

    from gradio_client import Client

    from ui import app

    monkeypatch.setattr(app, "EXPORT_KEEP_FILES", 3)
    cache = Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")  # where Gradio keeps what it serves

    def exports() -> set[Path]:
        return set(cache.rglob("newsqa-conversation-*.md"))

    stale = app.export_dir() / "newsqa-conversation-stale.md"
    stale.write_text("an export from yesterday")
    a_day_ago = time.time() - 86_400
    os.utime(stale, (a_day_ago, a_day_ago))
    before = exports() - {stale}
    client = Client(app_server["url"], auth=("alice", "s3cret"), verbose=False, download_files=False)
    for question in [*QUESTIONS, *QUESTIONS][:7]:  # one conversation, seven answers
        client.predict(question, [], "", "", [], api_name="/ask_chat")
    made = exports() - before
    assert 1 <= len(made) <= 3, sorted(made)  # on main: 7 more, and Gradio's copies are never removed
    newest = max(made, key=lambda path: path.stat().st_mtime).read_text()
    assert newest.count("\n## ") == 7  # the last export holds the whole conversation
    assert not stale.exists()
    for path in made:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path  # other users of the machine cannot read a conversation
    assert stat.S_IMODE(cache.stat().st_mode) & 0o077 == 0
