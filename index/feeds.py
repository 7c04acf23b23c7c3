"""Turn RSS/Atom feed entries into article files in the articles folder (`newsqa fetch`).

Each entry becomes `<articles>/<feeds.subfolder>/<hash>.md`, named by a hash of its guid (else its
link, else its title and text), with YAML front matter (title, date, source = the feed's title,
url). A file that already exists is left alone, so fetching again adds nothing twice. The text is
the entry's full content; when the entry has only a summary, the linked page's main text
(trafilatura) when it can be downloaded, else the summary. Files are written whole (to a temporary
name, then renamed), so a watcher never sees half an entry. A feed that cannot be read or parsed,
and an entry that cannot be saved, is reported in `FetchReport.problems`; nothing else stops.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from index.settings import Settings

log = logging.getLogger("newsqa")

USER_AGENT = "newsqa-fetch/0.1"
"""Sent with every download."""


class FetchReport(BaseModel):
    """What one `fetch_feeds` run did."""

    saved: list[str] = Field(default_factory=list, description="Article files written, relative to the articles folder.")
    known: int = Field(0, description="Entries already saved by an earlier fetch.")
    failed_feeds: int = Field(0, description="Feeds that could not be read or parsed.")
    problems: list[str] = Field(default_factory=list, description="Each feed or entry that was skipped or saved incomplete, and why.")


class _TextOf(HTMLParser):
    """Plain text of an HTML fragment, paragraphs on their own lines."""

    BLOCKS = frozenset({"p", "br", "div", "li", "h1", "h2", "h3", "h4", "blockquote", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment (feed content is often HTML), whitespace tidied."""
    parser = _TextOf()
    parser.feed(fragment)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _download(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return bytes(response.read())


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _entry_date(entry: Any) -> str:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return time.strftime("%Y-%m-%d", parsed)
    return ""


def _entry_text(entry: Any, timeout: float) -> tuple[str, str | None]:
    """The entry's text, and a note when it had to make do with less than the full content."""
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    if contents:
        return html_to_text("\n".join(contents)), None
    summary = html_to_text(entry.get("summary", ""))
    link = entry.get("link", "")
    if _is_url(link):
        try:
            import trafilatura

            page = trafilatura.extract(_download(link, timeout).decode("utf-8", "replace"))
        except Exception as error:  # any download or extraction failure falls back to the summary
            return summary, f"its page {link} could not be read ({error}); saved its summary"
        if page and len(page) > len(summary):
            return page, None
    return summary, None


def fetch_feeds(sources: list[str], settings: Settings) -> FetchReport:
    """Save every entry of these feeds (files or http(s) URLs) not saved before as an article file."""
    report = FetchReport()
    articles = Path(settings.articles_dir)
    folder = articles / settings.feeds.subfolder
    for source in sources:
        import feedparser

        try:
            raw = _download(source, settings.feeds.timeout_seconds) if _is_url(source) else Path(source).read_bytes()
        except Exception as error:  # unreachable URL, missing file: say which and go on
            report.failed_feeds += 1
            report.problems.append(f"{source}: could not be read ({error}); nothing was saved from it")
            continue
        parsed = feedparser.parse(raw)
        if not parsed.entries and (parsed.bozo or not parsed.get("version")):
            reason = parsed.get("bozo_exception") or "no RSS or Atom entries"
            report.failed_feeds += 1
            report.problems.append(f"{source}: is not an RSS or Atom feed ({reason}); nothing was saved from it")
            continue
        feed_title = str(parsed.feed.get("title") or source)
        for number, entry in enumerate(parsed.entries, start=1):
            _save_entry(entry, f"{source} entry {number}", feed_title, folder, articles, settings, report)
    return report


def _save_entry(entry: Any, where: str, feed_title: str, folder: Path, articles: Path, settings: Settings, report: FetchReport) -> None:
    title = " ".join(str(entry.get("title", "")).split())
    link = str(entry.get("link", ""))
    key = str(entry.get("id") or link)
    if not key:
        key = f"{title}\n{entry.get('summary', '')}"
        report.problems.append(f"{where} ({title or 'untitled'}): has neither guid nor link; named by its title and text instead")
    target = folder / f"{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}.md"
    if target.exists():
        report.known += 1
        return
    text, note = _entry_text(entry, settings.feeds.timeout_seconds)
    if note:
        report.problems.append(f"{where} ({title or 'untitled'}): {note}")
    if not text.strip():
        report.problems.append(f"{where} ({title or 'untitled'}): has no text; not saved")
        return
    date = _entry_date(entry)
    if not date:
        report.problems.append(f"{where} ({title or 'untitled'}): has no date; saved without one")
    front = {"title": title or text.split("\n", 1)[0][:120], "date": date, "source": feed_title, "url": link}
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")  # not an article suffix: loaders and watchers skip it until the rename
    partial.write_text(f"---\n{yaml.safe_dump(front, allow_unicode=True, sort_keys=False)}---\n{text}\n", encoding="utf-8")
    os.replace(partial, target)
    report.saved.append(str(target.relative_to(articles)))
