"""`newsqa fetch`: feed entries become article files once, then answerable; bad feeds are reported, nothing lost."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import update_index
from index.feeds import fetch_feeds
from index.settings import FeedSettings
from qa import Pipeline, Settings
from tests.conftest import ROOT, SEEDS

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Harbour Gazette</title>
  <link>{base}/</link>
  <item>
    <title>Storm closes Dover port</title>
    <link>{base}/storm.html</link>
    <guid>gazette-storm-1</guid>
    <pubDate>Fri, 14 Feb 2025 09:00:00 GMT</pubDate>
    <content:encoded><![CDATA[<p>A storm closed the port of Dover on Friday, stranding 300 lorries.</p><p>Ferries resumed on Saturday.</p>]]></content:encoded>
  </item>
  <item>
    <title>Museum reopens</title>
    <link>{base}/museum.html</link>
    <pubDate>Sat, 15 Feb 2025 10:00:00 GMT</pubDate>
    <description>The museum reopened.</description>
  </item>
  <item>
    <title>Undated note</title>
    <description>The harbour master retired after 31 years at the port.</description>
  </item>
</channel>
</rss>
"""

MUSEUM_PAGE = """<html><head><title>Museum reopens</title></head><body><article>
<h1>Museum reopens</h1>
<p>The maritime museum of Dover reopened on Saturday after a two-year renovation that cost 12 million pounds.</p>
<p>Its new gallery shows the wreck of a Bronze Age boat found in 1992 during road works near the harbour.</p>
<p>Visitors queued from early morning, and the curator said tickets for the first week had sold out.</p>
</article></body></html>"""


@pytest.fixture
def feed_server(tmp_path) -> Iterator[str]:
    """A local HTTP server on 127.0.0.1 serving a feed and the page of one of its entries."""
    site = tmp_path / "site"
    site.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (site / "feed.xml").write_text(RSS.format(base=base))
    (site / "museum.html").write_text(MUSEUM_PAGE)
    (site / "broken.xml").write_text("this is not a feed at all, just text")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()


LOCAL_PAGES = FeedSettings(allowed_private_hosts=["127.0.0.1"])
"""These feeds link to pages on this machine's test server, which feeds may reach only when it is allowed."""


@pytest.fixture
def settings(tmp_path) -> Settings:
    import shutil

    shutil.copytree(SEEDS, tmp_path / "articles")
    return Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db", feeds=LOCAL_PAGES)


@pytest.mark.unit
def test_entries_become_article_files_once(feed_server, settings):
    report = fetch_feeds([f"{feed_server}/feed.xml"], settings)
    assert len(report.saved) == 3
    assert report.failed_feeds == 0
    assert any("Undated note" in p and "has no date" in p for p in report.problems)
    assert any("neither guid nor link" in p for p in report.problems)
    files = {p: (settings.articles_dir / p).read_text() for p in report.saved}
    storm = next(text for text in files.values() if "Storm closes" in text)
    assert "source: Harbour Gazette" in storm
    assert "date: '2025-02-14'" in storm
    assert f"url: {feed_server}/storm.html" in storm
    assert "300 lorries.\nFerries resumed" in storm
    museum = next(text for text in files.values() if "Museum reopens" in text)
    assert "Bronze Age boat" in museum  # only a summary in the feed: the page's text was fetched
    again = fetch_feeds([f"{feed_server}/feed.xml"], settings)
    assert (again.saved, again.known) == ([], 3)


@pytest.mark.unit
def test_a_bad_feed_is_reported_and_nothing_is_saved(feed_server, settings, tmp_path):
    missing = tmp_path / "missing.xml"
    report = fetch_feeds([f"{feed_server}/broken.xml", str(missing), f"{feed_server}/nowhere.xml"], settings)
    assert report.saved == []
    assert report.failed_feeds == 3
    assert "is not an RSS or Atom feed" in report.problems[0]
    assert str(missing) in report.problems[1]
    assert "404" in report.problems[2]


@pytest.mark.integration
@pytest.mark.slow
def test_fetch_command_saves_and_syncs_and_a_bad_feed_loses_nothing(feed_server, settings, embedder, tmp_path):
    update_index(settings, embedder=embedder)
    feed_file = tmp_path / "local-feed.xml"
    feed_file.write_text(RSS.format(base=feed_server))
    env = {
        **os.environ,
        "NEWSQA_DB_DIR": str(settings.db_dir),
        "NEWSQA_ARTICLES_DIR": str(settings.articles_dir),
        "NEWSQA_FEEDS__ALLOWED_PRIVATE_HOSTS": '["127.0.0.1"]',
        "PYTHONPATH": str(ROOT),
    }

    def fetch(*feeds: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "ui", "fetch", *feeds]
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    done = fetch(str(feed_file))
    assert done.returncode == 0, done.stderr
    assert "3 new entries saved" in done.stdout
    assert "3 added" in done.stdout
    answer = Pipeline(settings, embedder=embedder).ask("How many lorries were stranded at Dover?")
    assert "300 lorries" in answer.citations[0].quote
    assert answer.citations[0].source == "Harbour Gazette"

    bad = fetch(f"{feed_server}/broken.xml")
    assert bad.returncode == 1
    assert "is not an RSS or Atom feed" in bad.stderr
    assert "0 removed" in bad.stdout
    assert "4 unchanged" in bad.stdout
    assert len(list(Path(settings.articles_dir, "feeds").iterdir())) == 3
