"""Turn RSS/Atom feed entries into article files in the articles folder (`newsqa fetch`).

Each entry becomes `<articles>/<feeds.subfolder>/<hash>.md`, named by a hash of its guid (else its
link, else its title and text), with YAML front matter (title, date, source = the feed's title,
url). A file that already exists is left alone, so fetching again adds nothing twice. The text is
the entry's full content; when the entry has only a summary, the linked page's main text
(trafilatura) when it can be downloaded, else the summary. Files are written whole (to a temporary
name, then renamed), so a watcher never sees half an entry; a hidden temporary file left by a run
that died before its rename is never read by the loader, and the next fetch removes it once it is
older than `STALE_PART_SECONDS`. A feed that cannot be read or parsed, and an entry that cannot be
saved (its page too slow, too big, unreachable), is reported in `FetchReport.problems`; nothing else stops.

Trust: the feeds given (a file, or the URL the user typed) are trusted to be read; everything a
feed says is not. Its links are followed only to public addresses (`index.download`), a link that is
not a plain web address (`index.urls`) is neither followed nor saved, and every download is bounded
in time and bytes (`FeedSettings`). An entry that cannot be kept (its page is over
`max_page_bytes`, or its text over the article size limit) is recorded as seen and skipped, with the
reason, in `<feeds.subfolder>/.skipped.jsonl` (hidden: the loader never reads it), and is not
downloaded again by later fetches.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from index.download import AddressPolicy, Resolver, download, system_resolver
from index.errors import BlockedAddressError, DownloadError, TooLargeError
from index.settings import IndexSettings, megabytes
from index.urls import url_problem

log = logging.getLogger("newsqa")

SKIPPED_LEDGER = ".skipped.jsonl"
"""File in the feeds folder listing the entries seen and not kept, one JSON object a line (file, link, title, reason, at)."""
PART_SUFFIX = ".part"
"""An entry is written as `.<name>.part` (hidden: the loader never reads it) and renamed to `<name>` once whole."""
STALE_PART_SECONDS = 300.0
"""Age past which a temporary entry file belongs to a run that died before renaming it (writing one takes milliseconds):
the next fetch removes it, whether or not its entry is still in the feed."""


class FetchReport(BaseModel):
    """What one `fetch_feeds` run did."""

    saved: list[str] = Field(default_factory=list, description="Article files written, relative to the articles folder.")
    known: int = Field(0, description="Entries already saved by an earlier fetch.")
    failed_feeds: int = Field(0, description="Feeds that could not be read or parsed.")
    problems: list[str] = Field(default_factory=list, description="Each feed or entry that was skipped or saved incomplete, and why.")
    stale_removed: list[str] = Field(
        default_factory=list,
        description="Temporary entry files left by a fetch that died before finishing them, removed (relative to the articles folder).",
    )


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


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _entry_date(entry: Any) -> str:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return time.strftime("%Y-%m-%d", parsed)
    return ""


class _Skip(Exception):
    """An entry that is seen but not kept; recorded in the ledger with this reason."""


def _entry_text(entry: Any, link: str, settings: IndexSettings, resolver: Resolver) -> tuple[str, str | None]:
    """The entry's text, and a note when it had to make do with less than the full content; `_Skip` when it cannot be kept."""
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    if contents:
        return html_to_text("\n".join(contents)), None
    summary = html_to_text(entry.get("summary", ""))
    if link:
        feeds = settings.feeds
        try:
            page = download(
                link,
                policy=AddressPolicy(tuple(feeds.allowed_private_hosts)),
                timeout=feeds.timeout_seconds,
                max_bytes=feeds.max_page_bytes,
                what="NEWSQA_FEEDS__MAX_PAGE_BYTES",
                resolver=resolver,
            )
        except TooLargeError as error:
            raise _Skip(f"its page {link} {error}") from error
        except BlockedAddressError as error:
            return summary, f"its page was not fetched: {error}; saved its summary"
        except DownloadError as error:
            return summary, f"its page {link} could not be read ({error}); saved its summary"
        try:
            import trafilatura

            text = trafilatura.extract(page.decode("utf-8", "replace"))
        except Exception as error:  # any extraction failure falls back to the summary
            return summary, f"its page {link} could not be read ({type(error).__name__}: {error}); saved its summary"
        if text and len(text) > len(summary):
            return text, None
    return summary, None


def _read_feed(source: str, settings: IndexSettings, resolver: Resolver) -> bytes:
    """The bytes of a feed (a file, or the URL the user typed: trusted), at most `feeds.max_feed_bytes` of them."""
    feeds = settings.feeds
    limit = "NEWSQA_FEEDS__MAX_FEED_BYTES"
    if _is_url(source):
        policy = AddressPolicy(tuple(feeds.allowed_private_hosts), trusted=source)
        return download(source, policy=policy, timeout=feeds.timeout_seconds, max_bytes=feeds.max_feed_bytes, what=limit, resolver=resolver)
    with Path(source).open("rb") as handle:
        raw = handle.read(feeds.max_feed_bytes + 1)
    if len(raw) > feeds.max_feed_bytes:
        raise TooLargeError(f"is over the {megabytes(feeds.max_feed_bytes)} limit ({limit}); stopped reading there")
    return raw


def skipped_entries(folder: Path) -> dict[str, str]:
    """The entries recorded as seen and skipped in `folder` (the feeds folder): file name → reason."""
    try:
        lines = (folder / SKIPPED_LEDGER).read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    seen: dict[str, str] = {}
    for line in lines:
        try:
            record = json.loads(line)
            seen[str(record["file"])] = str(record["reason"])
        except (ValueError, KeyError, TypeError):
            continue  # a torn last line from a killed run
    return seen


def _record_skip(folder: Path, name: str, link: str, title: str, reason: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    record = {"file": name, "link": link, "title": title, "reason": reason, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    with (folder / SKIPPED_LEDGER).open("a", encoding="utf-8") as ledger:
        ledger.write(json.dumps(record, ensure_ascii=False) + "\n")


def remove_stale_parts(folder: Path, *, older_than: float = STALE_PART_SECONDS) -> list[Path]:
    """Remove the temporary entry files in `folder` (the feeds folder) that a dead fetch left behind; the paths removed."""
    removed = []
    cutoff = time.time() - older_than
    for partial in folder.glob(f".*{PART_SUFFIX}"):
        try:
            if partial.is_file() and partial.lstat().st_mtime < cutoff:
                partial.unlink()
                removed.append(partial)
        except OSError:  # removed meanwhile by another fetch
            continue
    return removed


def fetch_feeds(sources: list[str], settings: IndexSettings, *, resolver: Resolver = system_resolver) -> FetchReport:
    """Save every entry of these feeds (files or http(s) URLs) not saved before as an article file.

    `resolver`: how host names become addresses (the system's resolver by default); every lookup is bounded by
    `feeds.timeout_seconds` with the rest of its download.
    """
    report = FetchReport()
    articles = Path(settings.articles_dir)
    folder = articles / settings.feeds.subfolder
    report.stale_removed = [str(p.relative_to(articles)) for p in remove_stale_parts(folder)]
    for source in sources:
        import feedparser

        try:
            raw = _read_feed(source, settings, resolver)
        except (OSError, DownloadError) as error:  # unreachable URL, missing file, too big, too slow: say which and go on
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
        skipped = skipped_entries(folder)
        for number, entry in enumerate(parsed.entries, start=1):
            _save_entry(entry, f"{source} entry {number}", feed_title, folder, articles, settings, report, skipped, resolver)
    return report


def _save_entry(
    entry: Any,
    where: str,
    feed_title: str,
    folder: Path,
    articles: Path,
    settings: IndexSettings,
    report: FetchReport,
    skipped: dict[str, str],
    resolver: Resolver,
) -> None:
    title = " ".join(str(entry.get("title", "")).split())
    link = str(entry.get("link", ""))
    key = str(entry.get("id") or link)
    if not key:
        key = f"{title}\n{entry.get('summary', '')}"
        report.problems.append(f"{where} ({title or 'untitled'}): has neither guid nor link; named by its title and text instead")
    target = folder / f"{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}.md"
    if target.exists() or target.name in skipped:
        report.known += 1
        return
    problem = url_problem(link) if link else None
    if problem:
        report.problems.append(f"{where} ({title or 'untitled'}): its link {problem}; not followed, and saved without it")
        link = ""
    try:
        text, note = _entry_text(entry, link, settings, resolver)
        if len(text.encode("utf-8")) > settings.limits.max_article_bytes:
            raise _Skip(
                f"its text is over the {megabytes(settings.limits.max_article_bytes)} article limit (NEWSQA_LIMITS__MAX_ARTICLE_BYTES)"
            )
    except _Skip as skip:
        _record_skip(folder, target.name, link, title, str(skip))
        skipped[target.name] = str(skip)
        report.problems.append(f"{where} ({title or 'untitled'}): {skip}; recorded as skipped, not fetched again")
        return
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
    partial = target.with_name(f".{target.name}{PART_SUFFIX}")  # a hidden file: the loader skips it, unreported, until the rename
    partial.write_text(f"---\n{yaml.safe_dump(front, allow_unicode=True, sort_keys=False)}---\n{text}\n", encoding="utf-8")
    os.replace(partial, target)
    report.saved.append(str(target.relative_to(articles)))
