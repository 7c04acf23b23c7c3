"""The article formats newsqa reads: one registry (`FORMATS`, suffix → parser) from which everything else derives.

The folder loader dispatches on it (`index.articles.ArticleLoader`), and so do the messages that
say what can be indexed (`format_names`, `SUFFIXES`), the upload check (`index.uploads`) and the
chat's upload widget and its label (`ui.app`). A new format is one `ArticleFormat` entry here, with
its parser, plus a row in the README's table.

A parser turns one file's text into articles through a `RecordReader` (`index.articles`), which
applies the limits (`LimitSettings`) to what it builds, and raises `BadArticleError` for a file it
cannot read; the loader runs it inside a guard, so a parser never has to catch anything.

What each format reads:
- `.txt`, `.md`: optional YAML front matter (`title`, `date`, `source`, `url`, `id`; plain values
  only, see `load_front_matter`); otherwise the first line is the title when it is short and
  followed by more text, else the file name is;
- `.html`, `.htm`: main text and metadata, extracted with trafilatura;
- `.json`: one object (or a list of them): `title`, `text` (or `body`, `content`), optional `id`,
  `date`, `source`, `url`;
- `.jsonl`: one such object per line; a bad line is skipped alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from index.errors import BadArticleError

if TYPE_CHECKING:
    from index.articles import Article, RecordReader, SkippedFile

TEXT_FIELDS = ("text", "body", "content")
"""Fields of a JSON record that may hold the article's text, in the order they are tried."""
META_FIELDS = ("id", "title", "date", "source", "url")
"""Fields read from front matter or a JSON record besides the text: each must be a plain value."""
MAX_TITLE_CHARS = 150
"""A first line counts as the title only up to this length (longer ones are the start of the text)."""
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_JSON_STRUCTURE = re.compile(r'[\[\]{}"\\]')

Parser = Callable[[str, str, "RecordReader"], "tuple[list[Article], list[SkippedFile]]"]
"""(file text, path relative to the folder, reader) → the file's articles and the lines of it that were skipped."""


@dataclass(frozen=True)
class ArticleFormat:
    """One kind of article file: how messages name it, the suffixes it has, and its parser."""

    name: str
    """How messages and the upload label name it (its main suffix)."""
    suffixes: tuple[str, ...]
    """The file suffixes (lower case) read with this parser."""
    parse: Parser
    """Turns a file's text into articles."""


def title_from_name(path: Path) -> str:
    """A title made of a file name: `kessel-bridge_closes.md` → "Kessel bridge closes"."""
    words = re.sub(r"[-_]+", " ", path.stem).strip()
    return words[:1].upper() + words[1:] if words else path.name


def as_text(value: Any) -> str:
    """A front matter or JSON value as stripped text ("" for none); a lone surrogate becomes U+FFFD (it cannot be stored)."""
    if value is None:
        return ""
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON or YAML escape: it cannot be stored or hashed
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # one U+FFFD each; a valid pair stays
    return text.strip()


def plain_fields(record: dict[Any, Any], relative: str, *, line: int | None = None) -> None:
    """Refuse a record whose id, title, date, outlet or url is not a plain value (a YAML `!!set` would read differently each
    time, `!!binary` as "b'...'", a list as "['...']")."""
    for name in META_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str | int | float | date):
            kinds: dict[type, str] = {set: "a set", bytes: "binary data", list: "a list", dict: "a mapping"}
            kind = kinds.get(type(value), type(value).__name__)
            raise BadArticleError(relative, f"has {kind} as its `{name}`; write it as plain text", line=line)


def json_too_deep(text: str, limit: int) -> bool:
    """Whether JSON `text` nests arrays/objects deeper than `limit`, found by a flat scan (no recursion)."""
    depth, in_string, escaped_at = 0, False, -1
    for match in _JSON_STRUCTURE.finditer(text):
        position, char = match.start(), match.group()
        if position == escaped_at:
            continue
        if in_string:
            if char == "\\":
                escaped_at = position + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class RefusedYAML(yaml.YAMLError):
    """Front matter that is valid YAML but not allowed here (anchors, aliases, deep nesting)."""


class _FrontMatterLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that refuses anchors and aliases (a 399-byte alias bomb expands to gigabytes) and deep nesting."""

    def __init__(self, stream: str, *, max_depth: int) -> None:
        super().__init__(stream)
        self.max_depth = max_depth
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose one node, refusing aliases, anchors and nesting deeper than `max_depth`."""
        if self.check_event(yaml.AliasEvent):
            raise RefusedYAML("uses a YAML alias (*name); write the value out instead")
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise RefusedYAML("uses a YAML anchor (&name); write the values out instead")
        if str(getattr(event, "tag", None) or "").startswith("tag:yaml.org,2002:python/"):
            raise RefusedYAML("uses a !!python tag, which is never run; write plain values")
        self._depth += 1
        if self._depth > self.max_depth:
            raise RefusedYAML(f"nests deeper than {self.max_depth} levels (NEWSQA_LIMITS__MAX_NESTING)")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_front_matter(text: str, *, max_depth: int) -> Any:
    """Parse YAML front matter safely: plain data only, no anchors or aliases, at most `max_depth` deep."""
    loader = _FrontMatterLoader(text, max_depth=max_depth)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _plain(text: str, relative: str, reader: RecordReader, *, markdown: bool) -> Article:
    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        meta = reader.front_matter(match.group(1), relative)
        text = text[match.end() :]
    body = text.strip()
    if not body:
        raise BadArticleError(relative, "has front matter but no article text")
    title = as_text(meta.get("title"))
    if not title:
        first, _, rest = body.partition("\n")
        candidate = first.strip().lstrip("#").strip() if markdown else first.strip()
        if rest.strip() and candidate and len(candidate) <= MAX_TITLE_CHARS and not candidate.endswith("."):
            title, body = candidate, rest.strip()
        else:
            title = title_from_name(Path(relative))
    return reader.article(
        relative,
        id=as_text(meta.get("id")) or relative,
        title=title,
        text=body,
        date=as_text(meta.get("date")),
        source=as_text(meta.get("source")),
        url=as_text(meta.get("url")),
    )


def parse_text(text: str, relative: str, reader: RecordReader) -> tuple[list[Article], list[SkippedFile]]:
    """A plain-text article (front matter optional; else a short first line is its title)."""
    return [_plain(text, relative, reader, markdown=False)], []


def parse_markdown(text: str, relative: str, reader: RecordReader) -> tuple[list[Article], list[SkippedFile]]:
    """A Markdown article: as plain text, and a first line's `#` marks are not part of its title."""
    return [_plain(text, relative, reader, markdown=True)], []


def parse_html(html: str, relative: str, reader: RecordReader) -> tuple[list[Article], list[SkippedFile]]:
    """An HTML page: its main text and metadata, extracted with trafilatura."""
    import trafilatura  # heavy; only HTML needs it

    extracted = trafilatura.extract(html, output_format="json", with_metadata=True, include_comments=False, favor_recall=True)
    data = json.loads(extracted) if extracted else {}
    body = as_text(data.get("text"))
    if not body:
        raise BadArticleError(relative, "no article text could be extracted from this HTML")
    article = reader.article(
        relative,
        id=relative,
        title=as_text(data.get("title")) or title_from_name(Path(relative)),
        text=body,
        date=as_text(data.get("date")),
        source=as_text(data.get("sitename")) or as_text(data.get("source-hostname")) or as_text(data.get("hostname")),
        url=as_text(data.get("url")) or as_text(data.get("source")),
    )
    return [article], []


def parse_json(text: str, relative: str, reader: RecordReader) -> tuple[list[Article], list[SkippedFile]]:
    """One JSON record, or a list of them (ids default to the path, plus `#<n>` in a list)."""
    data = reader.json(text, relative)
    if isinstance(data, list):
        return [reader.record(item, relative, f"{relative}#{i}") for i, item in enumerate(data)], []
    return [reader.record(data, relative, relative)], []


def parse_jsonl(text: str, relative: str, reader: RecordReader) -> tuple[list[Article], list[SkippedFile]]:
    """One JSON record per line (ids default to the path plus `#L<line>`); a bad line is skipped, the others read."""
    articles: list[Article] = []
    skipped: list[SkippedFile] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            articles.append(reader.record(reader.json(line, relative, line=number), relative, f"{relative}#L{number}", line=number))
        except Exception as error:  # one bad line must never stop the others
            skipped.append(reader.skip(relative, error, line=number))
    return articles, skipped


FORMATS: tuple[ArticleFormat, ...] = (
    ArticleFormat(".txt", (".txt",), parse_text),
    ArticleFormat(".md", (".md",), parse_markdown),
    ArticleFormat(".html", (".html", ".htm"), parse_html),
    ArticleFormat(".json", (".json",), parse_json),
    ArticleFormat(".jsonl", (".jsonl",), parse_jsonl),
)
"""Every article format, in the order messages list them."""
SUFFIXES: tuple[str, ...] = tuple(suffix for each in FORMATS for suffix in each.suffixes)
"""Every suffix an article file may have (lower case)."""


def format_for(suffix: str) -> ArticleFormat | None:
    """The format of files with this suffix (any case), or None when newsqa reads no such file."""
    return next((each for each in FORMATS if suffix.lower() in each.suffixes), None)


def format_names() -> str:
    """The formats as a message names them: ".txt, .md, .html, .json or .jsonl"."""
    names = [each.name for each in FORMATS]
    return f"{', '.join(names[:-1])} or {names[-1]}"
