"""Read a folder of news articles into `Article` objects, each file with its format's parser (`index.formats`).

Every file, and every JSONL line, is read inside a guard: whatever goes wrong with one (an
exception, a recursion or memory error, a limit in `LimitSettings` hit) skips that one with a
`SkippedFile` naming it, the line and why, and the run goes on. The folder is the boundary: links
that resolve outside it, FIFOs, sockets and devices are skipped unread, and a file is checked again
once it is open (the real path of what was opened must be inside the folder), so a file swapped for
a link between the folder scan and the read is refused, not followed. Parsing is bounded before it
starts: file and front-matter sizes are checked first, JSON nesting is counted by a flat scan before
`json.loads`, and YAML front matter refuses anchors, aliases and deep nesting while it is composed.

What an article says is data: its title, date, outlet and url must be plain values (text, numbers,
dates; not lists, sets or bytes), its url a plain web address (`index.urls`; otherwise dropped with
a warning), and its outlet is stored in Unicode NFC so "Su\u0308ddeutsche" and "Süddeutsche" are one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import BaseModel, Field

from index.errors import BadArticleError, NoArticlesError
from index.formats import (
    SUFFIXES,
    TEXT_FIELDS,
    RefusedYAML,
    as_text,
    format_for,
    format_names,
    json_too_deep,
    load_front_matter,
    plain_fields,
    title_from_name,
)
from index.settings import IndexSettings, LimitSettings, megabytes
from index.urls import url_problem

log = logging.getLogger("newsqa")

_WORD_CHARACTER = re.compile(r"[^\W_]")


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


class FileStamp(NamedTuple):
    """What `os.stat` says of a file, enough to tell that it was not written since (see `index.manifest`)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, info: os.stat_result) -> FileStamp:
        """The stamp of a file from its `os.stat` result."""
        return cls(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


class LoadResult(BaseModel):
    """Articles read from a folder, and what was skipped."""

    articles: list[Article] = Field(default_factory=list, description="Readable articles, in path order.")
    skipped: list[SkippedFile] = Field(default_factory=list, description="Files or lines that were not read.")
    stamps: dict[str, FileStamp | None] = Field(
        default_factory=dict,
        description="Every file looked at (relative path) with its stamp taken before it was read; None for a file refused unread.",
    )


def _opened_path(descriptor: int) -> str | None:
    """The real path of an open file (Linux `/proc/self/fd`, macOS `F_GETPATH`), or None where the system cannot tell."""
    try:
        return os.readlink(f"/proc/self/fd/{descriptor}")
    except OSError:
        pass
    if sys.platform == "darwin":  # pragma: no cover - not run here
        import fcntl

        try:
            return os.fsdecode(fcntl.fcntl(descriptor, fcntl.F_GETPATH, bytes(1024)).rstrip(b"\0"))  # type: ignore[attr-defined]
        except OSError:
            return None
    return None


def _shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, ending with '…' when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


class RecordReader:
    """Builds articles from what a format's parser found (`index.formats`), within the limits; says why a file or line is skipped.

    Args:
        limits: The bounds on an article (`LimitSettings`): title length, front matter size, nesting depth.
    """

    def __init__(self, limits: LimitSettings) -> None:
        self.limits = limits

    def article(self, relative: str, *, line: int | None = None, **fields: Any) -> Article:
        """An `Article` with every field within the limits: long titles, dates and outlets cut, an over-long url dropped."""
        limit = self.limits.max_title_chars
        if len(fields["id"]) > limit:
            raise BadArticleError(
                relative, f"has an id of {len(fields['id']):,} characters, over {limit} (NEWSQA_LIMITS__MAX_TITLE_CHARS)", line=line
            )
        if not _WORD_CHARACTER.search(fields["text"]):
            raise BadArticleError(relative, "has no words in its text (only punctuation, control or zero-width characters)", line=line)
        fields["source"] = unicodedata.normalize("NFC", fields["source"])  # one outlet, however its name was encoded
        for name in ("title", "date", "source"):
            fields[name] = _shorten(fields[name], limit)
        problem = "is longer than NEWSQA_LIMITS__MAX_TITLE_CHARS" if len(fields["url"]) > limit else url_problem(fields["url"])
        if fields["url"] and problem:
            where = f"{relative}:{line}" if line is not None else relative
            log.warning("%s: its url %s; the article is indexed without it", where, problem)
            fields["url"] = ""
        return Article(path=relative, **fields)

    def record(self, record: Any, relative: str, default_id: str, *, line: int | None = None) -> Article:
        """The article a JSON record (or front matter and text) describes: `title`, `text` (or `body`, `content`), `id`, ..."""
        if not isinstance(record, dict):
            raise BadArticleError(relative, "must be a JSON object with `title` and `text`", line=line)
        plain_fields(record, relative, line=line)
        body = next((record[key] for key in TEXT_FIELDS if isinstance(record.get(key), str) and record[key].strip()), None)
        if body is None:
            raise BadArticleError(relative, "has no article text: give it a non-empty `text` (or `body`, `content`)", line=line)
        return self.article(
            relative,
            line=line,
            id=as_text(record.get("id")) or default_id,
            title=as_text(record.get("title")) or title_from_name(Path(relative)),
            text=as_text(body),
            date=as_text(record.get("date")),
            source=as_text(record.get("source")),
            url=as_text(record.get("url")),
        )

    def json(self, text: str, relative: str, *, line: int | None = None) -> Any:
        """Parsed JSON, after counting its nesting with a flat scan (`NEWSQA_LIMITS__MAX_NESTING`)."""
        limit = self.limits.max_nesting
        if json_too_deep(text, limit):
            raise BadArticleError(relative, f"nests JSON deeper than {limit} levels (NEWSQA_LIMITS__MAX_NESTING); flatten it", line=line)
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            where = "" if line is not None else f" at line {error.lineno}"
            raise BadArticleError(relative, f"is not valid JSON ({error.msg}{where})", line=line) from error
        except ValueError as error:  # e.g. an integer longer than Python parses
            raise BadArticleError(relative, f"is not usable JSON ({error})", line=line) from error

    def front_matter(self, block: str, relative: str) -> dict[str, Any]:
        """The `key: value` pairs of a YAML front matter block: within the size and nesting limits, plain values only."""
        limit = self.limits.max_front_matter_bytes
        if len(block.encode("utf-8", "surrogatepass")) > limit:
            raise BadArticleError(
                relative, f"has front matter over {limit / 1024:g} KB (NEWSQA_LIMITS__MAX_FRONT_MATTER_BYTES); shorten it"
            )
        try:
            loaded = load_front_matter(block, max_depth=self.limits.max_nesting)
        except RefusedYAML as error:
            raise BadArticleError(relative, f"has front matter that {error}") from error
        except yaml.YAMLError as error:
            raise BadArticleError(relative, f"has malformed YAML front matter ({_shorten(' '.join(str(error).split()), 300)})") from error
        if loaded is not None and not isinstance(loaded, dict):
            raise BadArticleError(relative, "front matter must be `key: value` lines")
        meta = loaded or {}
        plain_fields(meta, relative)
        return meta

    @staticmethod
    def skip(relative: str, error: BaseException, *, line: int | None = None) -> SkippedFile:
        """The `SkippedFile` for a file (or one line of it) that failed with `error`, with a reason a user can act on; logged."""
        if isinstance(error, BadArticleError):
            skip = SkippedFile(path=relative, line=error.line if line is None else line, reason=error.reason)
        elif isinstance(error, RecursionError):
            skip = SkippedFile(path=relative, line=line, reason="nests too deeply to be read; flatten it")
        elif isinstance(error, MemoryError):
            skip = SkippedFile(path=relative, line=line, reason="needs too much memory to be read")
        else:
            skip = SkippedFile(path=relative, line=line, reason=f"cannot be read ({type(error).__name__}: {_shorten(str(error), 200)})")
        log.warning("Skipping %s", skip)
        return skip


class ArticleLoader:
    """Reads every supported article file below a folder.

    Bad files are skipped with a warning naming the file (and line); they never stop the others.
    `limits` bounds what one file may cost; by default they come from `IndexSettings()` (`NEWSQA_LIMITS__*`).
    """

    def __init__(self, root: Path, *, limits: LimitSettings | None = None) -> None:
        self.root = Path(root)
        self.limits = limits if limits is not None else IndexSettings().limits
        self.reader = RecordReader(self.limits)

    def load(self) -> LoadResult:
        """Read the whole folder; raise `NoArticlesError` if it does not exist."""
        self._check_folder()
        result = LoadResult()
        found: list[Article] = []
        for path, stamp, refusal in self._files():
            result.stamps[path.relative_to(self.root).as_posix()] = stamp
            if refusal is not None:
                log.warning("Skipping %s", refusal)
                result.skipped.append(refusal)
                continue
            articles, skipped = self.load_file(path)
            result.skipped.extend(skipped)
            found.extend(articles)
        # an id is first of all the path of the file it names: a file at that path keeps it, whatever another file claims
        # (an upload naming itself `feeds/<hash>.md` cannot take the id of the feed entry saved there later)
        owners = {article.id: article.path for article in found if article.id == article.path}
        seen: dict[str, str] = {}
        for article in found:
            owner = owners.get(article.id, article.path)
            if article.id in seen or owner != article.path:
                skip = SkippedFile(
                    path=article.path,
                    reason=f"duplicate article id {article.id!r} (also in {seen.get(article.id, owner)}); give it its own id",
                )
                log.warning("Skipping %s", skip)
                result.skipped.append(skip)
                continue
            seen[article.id] = article.path
            result.articles.append(article)
        return result

    def stamps(self) -> dict[str, FileStamp | None]:
        """Every file `load` would look at (relative path) with its stamp, None for one it would refuse; nothing is read.

        Raises `NoArticlesError` if the folder does not exist.
        """
        self._check_folder()
        return {path.relative_to(self.root).as_posix(): stamp for path, stamp, _ in self._files()}

    def _check_folder(self) -> None:
        if not self.root.is_dir():
            raise NoArticlesError(
                f"Articles folder {self.root} does not exist: create it and put {format_names()} articles in it, "
                "or point NEWSQA_ARTICLES_DIR / --articles at one."
            )

    def _files(self) -> Iterator[tuple[Path, FileStamp | None, SkippedFile | None]]:
        """Each candidate file with its stamp, or why it is refused unread (a link out of the folder, a FIFO, a socket, a device)."""
        root = self.root.resolve()
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root)
            if any(part.startswith(".") for part in relative.parts):
                continue
            try:
                resolved = path.resolve(strict=True)
                info = resolved.stat()
            except (OSError, RuntimeError) as error:  # a dangling or looping link
                yield path, None, SkippedFile(path=relative.as_posix(), reason=f"cannot be reached ({error}); fix or remove the link")
                continue
            if not resolved.is_relative_to(root):
                yield path, None, SkippedFile(path=relative.as_posix(), reason="links to a file outside the articles folder; not read")
                continue
            if stat.S_ISDIR(info.st_mode):
                continue  # rglob walks real folders; a link to a folder inside is reached through its real path
            if not stat.S_ISREG(info.st_mode):
                yield (
                    path,
                    None,
                    SkippedFile(path=relative.as_posix(), reason=f"is {_file_kind(info.st_mode)}, not an article file; not read"),
                )
                continue
            yield path, FileStamp.of(info), None

    def load_file(self, path: Path) -> tuple[list[Article], list[SkippedFile]]:
        """Read one file with its format's parser (`index.formats`); a bad file comes back as a `SkippedFile`, whatever went wrong."""
        relative = path.relative_to(self.root).as_posix()
        try:
            kind = format_for(path.suffix)
            if kind is None:
                raise BadArticleError(relative, f"unsupported file type; use one of {', '.join(SUFFIXES)}")
            return kind.parse(self._read_text(path, relative), relative, self.reader)
        except Exception as error:  # one bad file must never stop the others
            return [], [self.reader.skip(relative, error)]

    def _read_text(self, path: Path, relative: str) -> str:
        limit = self.limits.max_article_bytes
        try:
            # O_NONBLOCK: a FIFO swapped in after the folder scan must not hang the run; fstat then refuses it
            descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as error:
            raise BadArticleError(relative, f"cannot be read ({error.strerror}); check its permissions") from error
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise BadArticleError(relative, f"is {_file_kind(info.st_mode)}, not an article file; not read")
            self._check_inside(handle.fileno(), path, info, relative)
            if info.st_size > limit:
                raise BadArticleError(relative, self._too_big(info.st_size))
            data = handle.read(limit + 1)
        if len(data) > limit:  # grew while being read
            raise BadArticleError(relative, self._too_big(len(data)))
        if b"\x00" in data[:8192]:
            raise BadArticleError(relative, "looks like a binary file, not an article")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise BadArticleError(relative, f"is not UTF-8 text (bad byte at {error.start}); save it as UTF-8") from error
        if not text.strip():
            raise BadArticleError(relative, "is empty")
        return text

    def _check_inside(self, descriptor: int, path: Path, info: os.stat_result, relative: str) -> None:
        """Refuse an opened file that is not inside the folder: it was swapped for a link after the folder scan checked it."""
        root = self.root.resolve()
        opened = _opened_path(descriptor)
        if opened is not None:
            inside = Path(opened).is_relative_to(root)
        else:  # no way to ask what was opened: compare it with what the path leads to now
            try:
                now = path.resolve(strict=True)
                inside = now.is_relative_to(root) and os.stat(now).st_ino == info.st_ino and os.stat(now).st_dev == info.st_dev
            except (OSError, RuntimeError):
                inside = False
        if not inside:
            raise BadArticleError(relative, "changed into a link to a file outside the articles folder while being read; not read")

    def _too_big(self, size: int) -> str:
        limit = self.limits.max_article_bytes
        return f"is {megabytes(size)}, over the {megabytes(limit)} limit (NEWSQA_LIMITS__MAX_ARTICLE_BYTES); split it or raise the limit"
