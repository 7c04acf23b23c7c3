"""Read a folder of news articles (txt, md, html, json, jsonl) into `Article` objects."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from index.errors import BadArticleError, NoArticlesError

log = logging.getLogger("newsqa")

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
TEXT_FIELDS = ("text", "body", "content")
MAX_TITLE_CHARS = 150
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class Article(BaseModel):
    """One news article, as read from the articles folder."""

    id: str = Field(description="Stable id: the explicit `id` field, else the path relative to the folder (plus `#L<line>` for JSONL).")
    title: str = Field(description="Headline: front matter or JSON `title`, a short first line, else the file name.")
    text: str = Field(description="The article body; citation offsets index into this string.")
    date: str = Field("", description="Publication date as written in the source, if known.")
    source: str = Field("", description="Publisher or outlet, if known.")
    url: str = Field("", description="Where the article was published, if known.")
    path: str = Field("", description="File it was read from, relative to the articles folder.")

    @property
    def content_hash(self) -> str:
        """SHA-256 of everything that is indexed, so any edit marks the article as changed."""
        payload = json.dumps([self.title, self.text, self.date, self.source, self.url], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class SkippedFile(BaseModel):
    """A file, or one JSONL line, that was not indexed, and why."""

    path: str = Field(description="File relative to the articles folder.")
    line: int | None = Field(None, description="JSONL line number, when only that line was bad.")
    reason: str = Field(description="What was wrong, in words a user can act on.")

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


class LoadResult(BaseModel):
    """Articles read from a folder, and what was skipped."""

    articles: list[Article] = Field(default_factory=list, description="Readable articles, in path order.")
    skipped: list[SkippedFile] = Field(default_factory=list, description="Files or lines that were not read.")


def _title_from_name(path: Path) -> str:
    words = re.sub(r"[-_]+", " ", path.stem).strip()
    return words[:1].upper() + words[1:] if words else path.name


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


class ArticleLoader:
    """Reads every supported article file below a folder.

    Bad files are skipped with a warning naming the file (and line); they never stop the others.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def load(self) -> LoadResult:
        """Read the whole folder; raise `NoArticlesError` if it does not exist."""
        if not self.root.is_dir():
            raise NoArticlesError(
                f"Articles folder {self.root} does not exist: create it and put .txt, .md, .html, .json "
                "or .jsonl articles in it, or point NEWSQA_ARTICLES_DIR / --articles at one."
            )
        result = LoadResult()
        seen: dict[str, str] = {}
        for path in self._files():
            articles, skipped = self.load_file(path)
            result.skipped.extend(skipped)
            for article in articles:
                if article.id in seen:
                    skip = SkippedFile(
                        path=article.path, reason=f"duplicate article id {article.id!r} (also in {seen[article.id]}); give it its own id"
                    )
                    log.warning("Skipping %s", skip)
                    result.skipped.append(skip)
                    continue
                seen[article.id] = article.path
                result.articles.append(article)
        return result

    def _files(self) -> Iterator[Path]:
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root)
            if any(part.startswith(".") for part in relative.parts) or not path.is_file():
                continue
            yield path

    def load_file(self, path: Path) -> tuple[list[Article], list[SkippedFile]]:
        """Read one file; a bad file (or bad JSONL line) comes back as a `SkippedFile`."""
        relative = path.relative_to(self.root).as_posix()
        try:
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise BadArticleError(relative, f"unsupported file type; use one of {', '.join(SUPPORTED_SUFFIXES)}")
            text = self._read_text(path, relative)
            if path.suffix.lower() == ".jsonl":
                return self._parse_jsonl(text, relative)
            return self._parse(path.suffix.lower(), text, relative), []
        except BadArticleError as error:
            skip = SkippedFile(path=relative, line=error.line, reason=error.reason)
            log.warning("Skipping %s", skip)
            return [], [skip]

    @staticmethod
    def _read_text(path: Path, relative: str) -> str:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise BadArticleError(relative, f"cannot be read ({error.strerror}); check its permissions") from error
        if b"\x00" in data[:8192]:
            raise BadArticleError(relative, "looks like a binary file, not an article")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise BadArticleError(relative, f"is not UTF-8 text (bad byte at {error.start}); save it as UTF-8") from error
        if not text.strip():
            raise BadArticleError(relative, "is empty")
        return text

    def _parse(self, suffix: str, text: str, relative: str) -> list[Article]:
        if suffix in (".txt", ".md"):
            return [self._parse_plain(text, relative, markdown=suffix == ".md")]
        if suffix in (".html", ".htm"):
            return [self._parse_html(text, relative)]
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise BadArticleError(relative, f"is not valid JSON ({error.msg} at line {error.lineno})") from error
        if isinstance(data, list):
            return [self._from_record(item, relative, f"{relative}#{i}") for i, item in enumerate(data)]
        return [self._from_record(data, relative, relative)]

    def _parse_jsonl(self, text: str, relative: str) -> tuple[list[Article], list[SkippedFile]]:
        articles: list[Article] = []
        skipped: list[SkippedFile] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise BadArticleError(relative, f"malformed JSON ({error.msg})", line=number) from error
                articles.append(self._from_record(record, relative, f"{relative}#L{number}", line=number))
            except BadArticleError as error:
                skip = SkippedFile(path=relative, line=number, reason=error.reason)
                log.warning("Skipping %s", skip)
                skipped.append(skip)
        return articles, skipped

    @staticmethod
    def _from_record(record: Any, relative: str, default_id: str, *, line: int | None = None) -> Article:
        if not isinstance(record, dict):
            raise BadArticleError(relative, "must be a JSON object with `title` and `text`", line=line)
        body = next((record[key] for key in TEXT_FIELDS if isinstance(record.get(key), str) and record[key].strip()), None)
        if body is None:
            raise BadArticleError(relative, "has no article text: give it a non-empty `text` (or `body`, `content`)", line=line)
        return Article(
            id=_as_text(record.get("id")) or default_id,
            title=_as_text(record.get("title")) or _title_from_name(Path(relative)),
            text=body.strip(),
            date=_as_text(record.get("date")),
            source=_as_text(record.get("source")),
            url=_as_text(record.get("url")),
            path=relative,
        )

    @staticmethod
    def _parse_plain(text: str, relative: str, *, markdown: bool) -> Article:
        meta: dict[str, Any] = {}
        match = _FRONT_MATTER.match(text)
        if match:
            try:
                loaded = yaml.safe_load(match.group(1))
            except yaml.YAMLError as error:
                raise BadArticleError(relative, f"has malformed YAML front matter ({error})") from error
            if loaded is not None and not isinstance(loaded, dict):
                raise BadArticleError(relative, "front matter must be `key: value` lines")
            meta = loaded or {}
            text = text[match.end() :]
        body = text.strip()
        if not body:
            raise BadArticleError(relative, "has front matter but no article text")
        title = _as_text(meta.get("title"))
        if not title:
            first, _, rest = body.partition("\n")
            candidate = first.strip().lstrip("#").strip() if markdown else first.strip()
            if rest.strip() and candidate and len(candidate) <= MAX_TITLE_CHARS and not candidate.endswith("."):
                title, body = candidate, rest.strip()
            else:
                title = _title_from_name(Path(relative))
        return Article(
            id=_as_text(meta.get("id")) or relative,
            title=title,
            text=body,
            date=_as_text(meta.get("date")),
            source=_as_text(meta.get("source")),
            url=_as_text(meta.get("url")),
            path=relative,
        )

    @staticmethod
    def _parse_html(html: str, relative: str) -> Article:
        import trafilatura  # heavy; only HTML needs it

        extracted = trafilatura.extract(html, output_format="json", with_metadata=True, include_comments=False, favor_recall=True)
        data = json.loads(extracted) if extracted else {}
        body = _as_text(data.get("text"))
        if not body:
            raise BadArticleError(relative, "no article text could be extracted from this HTML")
        return Article(
            id=relative,
            title=_as_text(data.get("title")) or _title_from_name(Path(relative)),
            text=body,
            date=_as_text(data.get("date")),
            source=_as_text(data.get("sitename")) or _as_text(data.get("source-hostname")) or _as_text(data.get("hostname")),
            url=_as_text(data.get("url")) or _as_text(data.get("source")),
            path=relative,
        )
