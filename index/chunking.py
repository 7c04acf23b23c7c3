"""Split articles into sentence-aligned chunks that remember their character offsets."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Any

from langchain_text_splitters import TextSplitter
from pydantic import BaseModel, Field

from index.articles import Article
from index.entities import Entity, SalientName, find_entities, name_entities, salient_names
from index.lexicon import SUBJECT_LABELS
from index.records import DIGEST_CHARS, chunk_id
from index.settings import LimitSettings
from index.words import WORD

SCOPE_WORDS = 300
"""At most this many distinct words are stored for each of a chunk's two scopes."""
PRIOR_CHARS = 20_000
"""Article text read for a chunk's `prior_words` (a long article's names are mostly introduced early)."""
LEDE_SENTENCES = 2
"""The opening sentences that establish a story's subject ("Engineers closed the Kessel Bridge ...")."""

MAX_QUOTE_MERGE = 4
"""At most this many segments are glued together to close one quotation (guards a stray quote mark)."""

MAX_SENTENCE_CHARS: int = LimitSettings.model_fields["max_sentence_chars"].default
"""The default of `LimitSettings.max_sentence_chars` (one number, there): the longest run of text pysbd sees at once."""

log = logging.getLogger("newsqa")


class _NoPerChunkWarnings(logging.Filter):
    """Drops LangChain's "Created a chunk of size ..." warning, logged once per long sentence (278 lines for one
    unpunctuated file): `chunk_article` logs one line per article instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record but the per-chunk size warning."""
        return not str(record.msg).startswith("Created a chunk of size")


logging.getLogger("langchain_text_splitters.base").addFilter(_NoPerChunkWarnings())

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_WORD_CHARACTER = re.compile(r"[^\W_]")


class Chunk(BaseModel):
    """A run of whole sentences from one article, with its place in the article text."""

    id: str = Field(description="Deterministic id: article id, content hash and position (`index.records.chunk_id`).")
    article_id: str = Field(description="Id of the article the chunk belongs to.")
    index: int = Field(description="Position of the chunk in its article, from 0.")
    text: str = Field(description="The chunk text, equal to article.text[start:end].")
    start: int = Field(description="Offset of the chunk's first character in the article text.")
    end: int = Field(description="Offset just past the chunk's last character.")
    sentences: list[tuple[int, int]] = Field(description="Sentence spans inside the chunk, as offsets into the article text.")
    entities: list[Entity] = Field(
        default_factory=list, description="Named entities of those sentences (article offsets, NER label, name in the article)."
    )
    article_names: list[SalientName] = Field(
        default_factory=list, description="The article's most mentioned names (`index.entities.salient_names`): what it is about."
    )
    subject_words: str = Field(
        "",
        description="Words of the title, the lede and the places, organisations and things named before the chunk: the story's subject.",
    )
    prior_words: str = Field("", description="Words of the title and of all the article text before the chunk: every name it has used.")


_local = threading.local()


def _segmenter() -> Any:
    """This thread's pysbd segmenter (a Segmenter keeps per-call state, so threads must not share one)."""
    segmenter = getattr(_local, "segmenter", None)
    if segmenter is None:
        import pysbd

        segmenter = _local.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return segmenter


def _invisible(char: str, *, leading: bool) -> bool:
    """Whitespace, zero-width and control characters (and, at a sentence's start, a combining mark with no letter)."""
    category = unicodedata.category(char)
    return char.isspace() or category in ("Cc", "Cf") or (leading and category.startswith("M"))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without invisible characters at either edge, so a quote never starts or ends with one."""
    while start < end and _invisible(text[start], leading=True):
        start += 1
    while end > start and _invisible(text[end - 1], leading=False):
        end -= 1
    return start, end


def _word_cut(text: str, start: int, limit: int) -> int:
    """Where to cut a run that starts at `start` and is longer than `limit`: after the last whitespace in reach, else at `limit`."""
    end = start + limit
    for position in range(end - 1, start + limit // 2, -1):
        if text[position].isspace():
            return position + 1
    return end


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Spans of `text` between blank lines (no sentence crosses a blank line)."""
    cursor = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        yield cursor, match.start()
        cursor = match.end()
    yield cursor, len(text)


def _segment(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """pysbd's sentence spans of `text[start:end]`, as offsets into `text`, surrounding whitespace excluded."""
    piece = text[start:end]
    spans: list[tuple[int, int]] = []
    cursor = 0
    for segment in _segmenter().segment(piece):
        sentence = segment.sent.strip()
        if not sentence:
            continue
        found = piece.find(sentence, cursor)
        if found < 0:  # pysbd altered the text; fall back to its own span
            found, sentence = segment.start, piece[segment.start : segment.end].strip()
            if not sentence:
                continue
        spans.append((start + found, start + found + len(sentence)))
        cursor = found + len(sentence)
    return spans


def _bounded_sentences(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """Sentence spans of one paragraph, handing pysbd at most `limit` characters at a time.

    Each window's sentences are kept except the last, which may run past the window and is read
    again at the start of the next one; a window holding a single over-long sentence is cut at a
    word boundary. Every window moves on by at least half of `limit` over two steps, so the work is
    linear in the paragraph's length (pysbd alone is about quadratic).
    """
    cursor = start
    while cursor < end:
        if end - cursor <= limit:
            yield from _segment(text, cursor, end)
            return
        window = _word_cut(text, cursor, limit)
        spans = _segment(text, cursor, window)
        if len(spans) >= 2:
            yield from spans[:-1]
            cursor = spans[-1][0]
        else:
            stripped = text[cursor:window].strip()
            if stripped:
                first = text.index(stripped[0], cursor)
                yield first, first + len(stripped)
            cursor = window


def _open_quote(text: str) -> bool:
    """Whether a quotation opened in `text` is still open at its end."""
    straight = text.count('"') % 2 == 1
    curly = text.count("\u201c") > text.count("\u201d")
    return straight or curly


def split_sentences(text: str, *, max_sentence_chars: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """Sentence spans of `text` (start, end), trailing whitespace excluded; `text[start:end]` is the sentence.

    pysbd finds the boundaries inside each paragraph, seeing at most `max_sentence_chars` at a
    time, so the time is linear in the text with or without punctuation; a run longer than that
    with no sentence end is cut at a word boundary. A sentence that leaves a quotation open is
    joined to the next one, so a quote and its attribution ("... not ever," the minister said.)
    stay one sentence. Sentences with no letter or digit (only zero-width, control or combining
    characters, or punctuation) are not sentences: nothing in them can answer a question.
    Safe to call from several threads.
    """
    if not text.strip():
        return []
    spans = [
        _trim(text, *span)
        for start, end in _paragraphs(text)
        for span in _bounded_sentences(text, start, end, max_sentence_chars)
        if _WORD_CHARACTER.search(text, span[0], span[1])  # letters and digits only: not zero-width, control or combining marks
    ]
    merged: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    glued = 0
    for span in spans:
        if pending is None:
            pending, glued = span, 1
        else:
            pending, glued = (pending[0], span[1]), glued + 1
        if not _open_quote(text[pending[0] : pending[1]]) or glued >= MAX_QUOTE_MERGE:
            merged.append(pending)
            pending = None
    if pending is not None:
        merged.append(pending)
    return merged


class SentenceTextSplitter(TextSplitter):
    """A LangChain text splitter whose pieces are whole sentences (pysbd, quote-aware).

    Each piece keeps its trailing whitespace and pieces are joined with no separator, so every
    chunk is an exact substring of the input and offsets can be recovered.
    """

    def __init__(self, *, max_sentence_chars: int = MAX_SENTENCE_CHARS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_sentence_chars = max_sentence_chars

    def split_text(self, text: str) -> list[str]:
        """Split `text` into chunks of whole sentences, up to the chunk size."""
        return self.merge_sentences(text, split_sentences(text, max_sentence_chars=self.max_sentence_chars))

    def merge_sentences(self, text: str, spans: list[tuple[int, int]]) -> list[str]:
        """Chunks of `text` made of the already found sentence `spans`, up to the chunk size."""
        pieces = [text[start : spans[i + 1][0] if i + 1 < len(spans) else end] for i, (start, end) in enumerate(spans)]
        return self._merge_splits(pieces, "")


def chunk_article(
    article: Article, *, chunk_size: int, chunk_overlap: int, max_sentence_chars: int = MAX_SENTENCE_CHARS, version: str | None = None
) -> list[Chunk]:
    """Split one article into chunks with offsets, named entities and deterministic ids (sentences are found once).

    `version`: the article's indexed version (`index.records.article_version`), part of each chunk's id; its content
    hash when not given."""
    splitter = SentenceTextSplitter(
        chunk_size=chunk_size, chunk_overlap=min(chunk_overlap, chunk_size - 1), max_sentence_chars=max_sentence_chars
    )
    sentences = split_sentences(article.text, max_sentence_chars=max_sentence_chars)
    entities = name_entities(article.text, find_entities(article.text, sentences))
    names = salient_names(article.text, entities)
    lede = article.text[: sentences[min(LEDE_SENTENCES, len(sentences)) - 1][1]] if sentences else ""
    digest = (version or article.content_hash)[:DIGEST_CHARS]
    chunks: list[Chunk] = []
    start = -1
    pieces = splitter.merge_sentences(article.text, sentences)
    oversized = sum(len(piece) > chunk_size for piece in pieces)
    if oversized:
        log.warning(
            "%s: %d %s longer than the %d-character chunk size (NEWSQA_CHUNKING__CHUNK_SIZE): kept whole, one chunk each",
            article.path or article.id,
            oversized,
            "sentence is" if oversized == 1 else "sentences are",
            chunk_size,
        )
    scopes = _Scopes(article, lede, entities)
    entity_starts = [e.start for e in entities]
    sentence_starts = [s for s, _ in sentences]
    for index, text in enumerate(pieces):
        start = article.text.find(text, start + 1)  # chunks are exact substrings, in order
        end = start + len(text)
        # sentences and entities are in order: each chunk's are found by bisection, not by scanning the article again
        first_sentence = bisect_left(sentence_starts, start)
        inside = [(s, e) for s, e in sentences[first_sentence : bisect_right(sentence_starts, end)] if e <= end]
        first_entity = bisect_left(entity_starts, start)
        chunks.append(
            Chunk(
                id=chunk_id(article.id, digest, index),
                article_id=article.id,
                index=index,
                text=text,
                start=start,
                end=end,
                sentences=inside,
                entities=[e for e in entities[first_entity : bisect_right(entity_starts, end)] if e.end <= end],
                article_names=names,
                subject_words=scopes.subject_words(start),
                prior_words=scopes.prior_words(start),
            )
        )
    return chunks


class _Scopes:
    """The words a chunk's story has established before it (`subject_words`, `prior_words`), for chunks in order.

    Each is the first `SCOPE_WORDS` distinct words of a text that only grows with the chunk's start,
    so they are read once for the article, in order, and each chunk takes a prefix (linear in the
    article's length, where reading them again for every chunk was quadratic).
    """

    def __init__(
        self, article: Article, lede: str, entities: list[Entity], *, scope_words: int = SCOPE_WORDS, prior_chars: int = PRIOR_CHARS
    ) -> None:
        self.text = article.text
        self.scope_words = scope_words
        self.prior_chars = prior_chars
        self.entities = [e for e in entities if e.label in SUBJECT_LABELS]
        self.subjects = dict.fromkeys(w.lower() for text in (article.title, lede) for w in WORD.findall(text))
        self.taken = 0
        """Subject entities taken into `subjects` so far (they end before the last chunk's start)."""
        title = dict.fromkeys(w.lower() for w in WORD.findall(article.title))
        self.spans = [(m.start(), m.end()) for m in WORD.finditer(self.text, 0, prior_chars)]
        """Every word of the text's first `PRIOR_CHARS` characters (what a chunk's prior words are read from)."""
        self.span_starts = [begin for begin, _ in self.spans]
        self.prior: list[tuple[str, int]] = [(w, 0) for w in list(title)[:scope_words]]
        """Each distinct word of the title and the text in order of first use, with where its first use ends (up to
        `SCOPE_WORDS` of them)."""
        seen = set(title)
        for begin, end in self.spans:
            if len(self.prior) >= scope_words:
                break
            word = self.text[begin:end].lower()
            if word not in seen:
                seen.add(word)
                self.prior.append((word, end))
        self.prior_ends = [end for _, end in self.prior]

    def subject_words(self, start: int) -> str:
        """The title, the lede and the subjects named before `start` (places, organisations, things), as distinct words."""
        while self.taken < len(self.entities) and self.entities[self.taken].end <= start and len(self.subjects) < self.scope_words:
            entity = self.entities[self.taken]
            self.subjects.update(dict.fromkeys(w.lower() for w in WORD.findall(self.text[entity.start : entity.end])))
            self.taken += 1
        return " ".join(list(self.subjects)[: self.scope_words])

    def prior_words(self, start: int) -> str:
        """The title and the article's text before `start` (at most `PRIOR_CHARS` of it), as distinct words; a word the
        boundary cuts counts as the part before it."""
        cut = min(start, self.prior_chars)
        words = [w for w, _ in self.prior[: bisect_right(self.prior_ends, cut)]]
        at = bisect_left(self.span_starts, cut) - 1
        if at >= 0 and self.spans[at][1] > cut and len(words) < self.scope_words:
            part = self.text[self.spans[at][0] : cut].lower()
            if part not in words:
                words.append(part)
        return " ".join(words)


def _distinct_words(*texts: str, limit: int = SCOPE_WORDS) -> str:
    """The distinct lower-cased words of `texts`, in order, capped at `limit` (what `_Scopes` reads once for every chunk)."""
    words = dict.fromkeys(w.lower() for text in texts for w in WORD.findall(text))
    return " ".join(list(words)[:limit])
