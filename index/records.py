"""The stored chunk: one typed record that owns the chunk metadata schema and the chunk id format.

Everything newsqa keeps with a chunk in Chroma is written by `StoredChunk.metadata()` and read back
by `StoredChunk.from_stored()`, and nowhere else: the rest of the code reads named, typed fields
(`chunk.article_id`, `chunk.entities`, `chunk.sentence_vectors(...)`), never string keys. A chunk id
is built by `chunk_id()` and read by `article_key()`, both here; a neighbour is asked for by its
article and index (`StoredChunk.sibling_id`), never rebuilt from another id's text.

`CHUNK_SCHEMA` versions what a chunk holds. It is stored with every chunk (`schema`) and with
every collection this code writes (`chunk_schema` in the collection's metadata, `index.collection`);
a collection of an older schema is refused once, when it is opened, with a message that says to
rebuild it (`newsqa index --rebuild`), instead of every reader guessing what an old index lacks.
Chroma's `where` clauses query three fields by name: `chunk_index` and `article_id` (here,
`FIRST_CHUNKS` and `of_article`) and `date_ordinal` / `source_key` (`index.filters.ChunkFilter`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from index.dates import date_ordinal
from index.embedding import unpack_vectors
from index.entities import Entity, SalientName
from index.errors import OutdatedIndexError
from index.filters import ChunkFilter, source_key
from index.settings import ChunkingSettings, IndexSettings, LimitSettings

if TYPE_CHECKING:
    from index.articles import Article
    from index.chunking import Chunk

CHUNK_SCHEMA = 2
"""Version of what a stored chunk holds (2: entity names and the article's salient names). An index of an older version
is refused when it is opened: `newsqa index --rebuild` builds it again."""
DIGEST_CHARS = 16
"""Characters of the article's version (`article_version`) in its chunk ids: old and new versions of an article have
different ids."""
FIRST_CHUNKS: dict[str, Any] = {"chunk_index": 0}
"""A Chroma `where` for each article's first chunk (one per article and version)."""


def yield_fingerprint(settings: IndexSettings) -> str:
    """A hash of everything besides an article's own content that decides what it yields in the store: the chunk schema,
    the chunk size and overlap, the longest sentence and title read. A setting added here re-indexes every article at the
    next sync; the embedding model is checked apart (an index built with another one is refused: `newsqa index --rebuild`)."""
    return _fingerprint(settings.chunking, settings.limits)


def _fingerprint(chunking: ChunkingSettings, limits: LimitSettings) -> str:
    decisive = {
        "schema": CHUNK_SCHEMA,
        "chunking": chunking.model_dump(),
        "max_sentence_chars": limits.max_sentence_chars,
        "max_title_chars": limits.max_title_chars,
    }
    return hashlib.sha256(json.dumps(decisive, sort_keys=True).encode()).hexdigest()[:16]


def article_version(content_hash: str, fingerprint: str) -> str:
    """An article's indexed version: its content (`Article.content_hash`) as the settings make it yield (`yield_fingerprint`).

    Stored with each chunk and part of its id, so changing either re-indexes the article at the next sync. Under the
    default settings it is the content hash itself, as it was before settings were part of it: an index built then keeps
    its ids and is not embedded again."""
    if fingerprint == _DEFAULT_FINGERPRINT:
        return content_hash
    return hashlib.sha256(f"{content_hash}\n{fingerprint}".encode()).hexdigest()


def outdated_index(where: str, schema: int) -> OutdatedIndexError:
    """The one error for an index written by an older newsqa: what it is, and to rebuild it."""
    return OutdatedIndexError(
        f"The index in {where} was built by an older version of newsqa (chunk schema {schema}; this version reads "
        f"{CHUNK_SCHEMA}): rebuild it with `newsqa index --rebuild`."
    )


def chunk_id(article_id: str, digest: str, index: int) -> str:
    """Deterministic chunk id: a key of the article id, the content hash (`digest`) and the position; old and new versions differ."""
    key = hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:12]
    return f"{key}-{digest}-{index:04d}"


def article_key(chunk_id: str) -> str:
    """The part of a chunk id that names its article (the same for every chunk and version of it)."""
    return chunk_id.split("-", 1)[0]


def of_article(article_id: str) -> dict[str, Any]:
    """A Chroma `where` for every chunk of one article."""
    return {"article_id": article_id}


def story_update(story_id: str) -> dict[str, Any]:
    """The metadata update that moves a chunk to another story: the only field a sync rewrites in place."""
    return {"story_id": story_id}


@dataclass(frozen=True)
class StoredChunk:
    """One chunk as stored: its text and every field of its metadata, typed.

    Fields holding lists (sentence spans, entities, salient names, sentence vectors) are kept as
    stored and decoded on first use, so reading every chunk of a big index (BM25, the catalog)
    costs no JSON parsing it does not need.
    """

    id: str
    """The chunk id (`chunk_id`)."""
    text: str
    """The chunk text: the article's text from `start` to `end`."""
    article_id: str
    """Id of the chunk's article."""
    story_id: str
    """The story the article is a copy of (`index.copies`); its own id when it has no copies."""
    article_hash: str
    """The article's indexed version (`article_version`: its content and the settings that decide what it yields)."""
    chunk_index: int
    """Position of the chunk in its article, from 0."""
    chunk_count: int
    """How many chunks the article has: an article counts as indexed only when all are stored."""
    title: str
    """The article's title."""
    date: str
    """The article's date as written, "" if unknown."""
    source: str
    """The article's outlet, "" if unknown."""
    url: str
    """The article's url (checked by `index.urls`), "" if none."""
    path: str
    """The file the article was read from, relative to the articles folder."""
    start: int
    """Offset of the chunk's first character in the article text."""
    end: int
    """Offset just past its last character."""
    date_ordinal: int
    """The article's date as `date.toordinal()` (`index.dates.NO_DATE` when unknown): what date filters compare."""
    source_key: str
    """The outlet folded by `index.filters.source_key`: what outlet filters compare."""
    subject_words: str
    """Words of the title, the lede and the subjects named before the chunk: what the story is about."""
    prior_words: str
    """Words of the title and of all the article text before the chunk: every name it has used."""
    schema: int = CHUNK_SCHEMA
    """The `CHUNK_SCHEMA` it was written with."""
    sentences_json: str = field(default="[]", repr=False)
    """The sentence spans, as stored (see `sentences`)."""
    entities_json: str = field(default="[]", repr=False)
    """The named entities, as stored (see `entities`)."""
    article_names_json: str = field(default="[]", repr=False)
    """The article's salient names, as stored (see `article_names`)."""
    packed_vectors: str = field(default="", repr=False)
    """The sentences' unit vectors, packed by `index.embedding.pack_vectors` ("" for a chunk without sentences)."""

    @classmethod
    def build(cls, article: Article, chunk: Chunk, chunk_count: int, *, version: str, story_id: str, sentence_vectors: str) -> StoredChunk:
        """The record of a freshly split chunk, ready to store (`version`: the article's, `article_version`;
        `sentence_vectors`: its sentences' packed unit vectors)."""
        return cls(
            id=chunk.id,
            text=chunk.text,
            article_id=article.id,
            story_id=story_id,
            article_hash=version,
            chunk_index=chunk.index,
            chunk_count=chunk_count,
            title=article.title,
            date=article.date,
            source=article.source,
            url=article.url,
            path=article.path,
            start=chunk.start,
            end=chunk.end,
            date_ordinal=date_ordinal(article.date),
            source_key=source_key(article.source),
            subject_words=chunk.subject_words,
            prior_words=chunk.prior_words,
            sentences_json=json.dumps(chunk.sentences),
            entities_json=json.dumps([e.as_list() for e in chunk.entities]),
            article_names_json=json.dumps([n.as_list() for n in chunk.article_names]),
            packed_vectors=sentence_vectors,
        )

    def metadata(self) -> dict[str, Any]:
        """The metadata Chroma stores with the chunk: enough to cite it, filter it, group its copies, know what is indexed and
        score its sentences."""
        return {
            "article_id": self.article_id,
            "story_id": self.story_id,
            "date_ordinal": self.date_ordinal,
            "source_key": self.source_key,
            "article_hash": self.article_hash,
            "chunk_index": self.chunk_index,
            "chunk_count": self.chunk_count,
            "title": self.title,
            "date": self.date,
            "source": self.source,
            "url": self.url,
            "path": self.path,
            "start": self.start,
            "end": self.end,
            "sentences": self.sentences_json,
            "entities": self.entities_json,
            "article_names": self.article_names_json,
            "schema": self.schema,
            "subject_words": self.subject_words,
            "prior_words": self.prior_words,
            "sentence_vectors": self.packed_vectors,
        }

    @classmethod
    def from_stored(cls, chunk_id: str, text: str | None, metadata: dict[str, Any], *, where: str = "the store") -> StoredChunk:
        """Read a chunk back from what Chroma returned; a chunk of an older schema, or missing a field, is an
        `OutdatedIndexError` saying to rebuild the index."""
        try:
            schema = int(metadata.get("schema", 1))
            if schema < CHUNK_SCHEMA:
                raise outdated_index(where, schema)
            return cls(
                id=chunk_id,
                text=text or "",
                article_id=str(metadata["article_id"]),
                story_id=str(metadata["story_id"]),
                article_hash=str(metadata["article_hash"]),
                chunk_index=int(metadata["chunk_index"]),
                chunk_count=int(metadata["chunk_count"]),
                title=str(metadata["title"]),
                date=str(metadata["date"]),
                source=str(metadata["source"]),
                url=str(metadata["url"]),
                path=str(metadata["path"]),
                start=int(metadata["start"]),
                end=int(metadata["end"]),
                date_ordinal=int(metadata["date_ordinal"]),
                source_key=str(metadata["source_key"]),
                subject_words=str(metadata["subject_words"]),
                prior_words=str(metadata["prior_words"]),
                schema=schema,
                sentences_json=str(metadata["sentences"]),
                entities_json=str(metadata["entities"]),
                article_names_json=str(metadata["article_names"]),
                packed_vectors=str(metadata["sentence_vectors"]),
            )
        except KeyError as missing:  # written by something else, or damaged
            raise OutdatedIndexError(
                f"A chunk in {where} lacks its {missing} field: the index is damaged or not newsqa's; rebuild it with `newsqa index --rebuild`."
            ) from None

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans (article offsets) inside this chunk, in order."""
        return [(int(s), int(e)) for s, e in json.loads(self.sentences_json)]

    @cached_property
    def entities(self) -> list[Entity]:
        """Named entities (article offsets, NER label, name in the article) inside this chunk."""
        return [Entity.from_list(item) for item in json.loads(self.entities_json)]

    @cached_property
    def article_names(self) -> list[SalientName]:
        """The article's most mentioned names with their counts and labels (`index.entities.salient_names`)."""
        return [SalientName.from_list(item) for item in json.loads(self.article_names_json)]

    def sentence_vectors(self, dimension: int) -> NDArray[np.float32]:
        """The unit vectors of the chunk's sentences, in span order, as stored at index time ((0, dimension) without sentences)."""
        if not self.packed_vectors:
            return np.zeros((0, dimension), dtype=np.float32)
        return unpack_vectors(self.packed_vectors, dimension)

    def sibling_id(self, index: int) -> str:
        """The id of the chunk at `index` of the same version of the same article (its neighbours are `chunk_index` ± 1)."""
        return chunk_id(self.article_id, self.article_hash[:DIGEST_CHARS], index)

    def passes(self, chunk_filter: ChunkFilter | None) -> bool:
        """Whether the chunk's article passes `chunk_filter` (None passes everything)."""
        return chunk_filter is None or chunk_filter.admits(self.date_ordinal, self.source_key)


_DEFAULT_FINGERPRINT = _fingerprint(ChunkingSettings(), LimitSettings())
