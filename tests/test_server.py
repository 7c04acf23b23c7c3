"""Server mode: index into and answer from a real `chroma run` server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from index import StoreError, update_index
from qa import Pipeline, Settings
from tests.conftest import ROOT, SEEDS, free_port
from tests.test_manifest import full_sync_forbidden

pytestmark = [pytest.mark.integration, pytest.mark.server]


def test_index_and_ask_through_a_chroma_server(chroma_server, tmp_path, embedder, monkeypatch):
    settings = Settings(articles_dir=SEEDS, chroma_host="127.0.0.1", chroma_port=chroma_server.port, db_dir=tmp_path / "unused")
    report = update_index(settings, embedder=embedder)
    assert report.added == 1
    assert report.total_chunks > 1
    with full_sync_forbidden(monkeypatch):  # the no-op reads no file and no chunk metadata from the server
        assert update_index(settings, embedder=embedder).unchanged == 1
    answer = Pipeline(settings, embedder=embedder).ask("What did Pistorius regret?")
    assert "concessions" in answer.citations[0].quote
    # nothing but the BM25 cache, the word vectors and the sync manifest is written locally
    assert sorted(p.name for p in (tmp_path / "unused").iterdir()) == ["bm25", "sync", "words"]


def test_two_readers_of_one_server_agree_and_follow_a_third_writer_at_their_next_question(chroma_server, tmp_path, embedder):
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    server = {"chroma_host": "127.0.0.1", "chroma_port": chroma_server.port}
    update_index(Settings(articles_dir=articles, db_dir=tmp_path / "writer", **server), embedder=embedder)
    # two chat servers: their own Chroma clients and their own local caches (BM25, word vectors)
    readers = [Pipeline(Settings(articles_dir=articles, db_dir=tmp_path / f"reader-{n}", **server), embedder=embedder) for n in (1, 2)]
    question = "How many homes did the river Avon flood in Bath?"
    before = [reader.ask(question) for reader in readers]
    assert all("Avon" not in c.quote for answer in before for c in answer.citations)
    assert readers[0].catalog() == readers[1].catalog()

    (articles / "flood.txt").write_text(
        "Flood warning issued\n\nThe river Avon burst its banks on Sunday, flooding 40 homes in Bath. Officials opened a shelter."
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "NEWSQA_ARTICLES_DIR": str(articles),
        "NEWSQA_DB_DIR": str(tmp_path / "third"),
        "NEWSQA_CHROMA_HOST": "127.0.0.1",
        "NEWSQA_CHROMA_PORT": str(chroma_server.port),
    }
    run = subprocess.run([sys.executable, "-m", "ui", "index", "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    after = [reader.ask(question) for reader in readers]  # the very next question, no restart
    for answer in after:
        assert not answer.abstained
        assert "40 homes" in answer.citations[0].quote
    assert readers[0].catalog() == readers[1].catalog()
    assert len(readers[0].catalog()) == 2


def test_unreachable_server_is_a_clear_error(embedder):
    settings = Settings(chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(StoreError, match="chroma run"):
        Pipeline(settings, embedder=embedder)


class AuthProxy:
    """A reverse proxy in front of `chroma run` that lets through only `Authorization: Bearer <token>`, and records what it saw.

    The open-source Chroma 1.x server does not check tokens itself (chroma-core/chroma#4965), so a
    team puts it behind a proxy like this one; the test checks that the token really is on the wire.
    """

    def __init__(self, upstream_port: int, token: str) -> None:
        import http.client
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.seen: list[str | None] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _relay(self) -> None:
                proxy.seen.append(self.headers.get("Authorization"))
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != f"Bearer {token}":
                    payload = b'{"error": "Unauthorized", "message": "missing or wrong token"}'
                    self.send_response(401)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "connection", "authorization"}}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in {"transfer-encoding", "connection", "content-length"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                upstream.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def auth_proxy(chroma_server):
    proxy = AuthProxy(chroma_server.port, "s3cret-team-token")
    yield proxy
    proxy.close()


def test_the_token_reaches_the_server_and_a_wrong_one_is_refused(auth_proxy, tmp_path, embedder, caplog):
    from pydantic import SecretStr

    from index import ChunkStore

    settings = Settings(
        articles_dir=SEEDS,
        chroma_host="127.0.0.1",
        chroma_port=auth_proxy.port,
        db_dir=tmp_path / "cache",
        chroma_token=SecretStr("s3cret-team-token"),
    )
    assert update_index(settings, embedder=embedder).added == 1
    answer = Pipeline(settings, embedder=embedder).ask("What did Pistorius regret?")
    assert "concessions" in answer.citations[0].quote
    assert auth_proxy.seen
    assert set(auth_proxy.seen) == {"Bearer s3cret-team-token"}
    assert "s3cret" not in repr(settings)
    assert all("s3cret" not in part for part in settings.store_key())
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["bm25", "sync", "words"]  # only caches and the manifest are local
    assert not any("s3cret" in path.read_text() for path in (tmp_path / "cache" / "sync").iterdir())
    assert not any("s3cret" in str(p) for p in (tmp_path / "cache").rglob("*"))

    for wrong in (None, SecretStr("guess")):
        with pytest.raises(StoreError, match="NEWSQA_CHROMA_TOKEN") as refused:
            ChunkStore(settings.model_copy(update={"chroma_token": wrong})).count()
        assert "s3cret" not in str(refused.value)
    assert "s3cret" not in caplog.text


def test_ssl_setting_makes_the_client_speak_https(chroma_server, embedder):
    settings = Settings(chroma_host="127.0.0.1", chroma_port=chroma_server.port, chroma_ssl=True)
    assert settings.chroma_url == f"https://127.0.0.1:{chroma_server.port}"
    with pytest.raises(StoreError, match=f"https://127.0.0.1:{chroma_server.port}"):  # the plain-HTTP server cannot answer a TLS hello
        Pipeline(settings, embedder=embedder)
