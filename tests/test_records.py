"""The stored chunk record: it alone writes and reads chunk metadata, and it owns the chunk id format."""

from __future__ import annotations

import pytest

from index import Article, OutdatedIndexError
from index.chunking import Chunk
from index.entities import Entity, SalientName
from index.records import CHUNK_SCHEMA, StoredChunk, article_key, chunk_id

pytestmark = pytest.mark.unit

ARTICLE = Article(id="news/bridge.md", title="Bridge shuts", text="The Kessel Bridge shut on Monday. It reopens in May.", date="2025-03-04")


def record(index: int = 1) -> StoredChunk:
    digest = ARTICLE.content_hash[:16]
    chunk = Chunk(
        id=chunk_id(ARTICLE.id, digest, index),
        article_id=ARTICLE.id,
        index=index,
        text=ARTICLE.text[34:],
        start=34,
        end=len(ARTICLE.text),
        sentences=[(34, len(ARTICLE.text))],
        entities=[Entity(50, 53, "DATE", "")],
        article_names=[SalientName("Kessel Bridge", 2, {"FAC": 2})],
        subject_words="bridge shuts kessel",
        prior_words="bridge shuts the kessel",
    )
    return StoredChunk.build(ARTICLE, chunk, 3, version=ARTICLE.content_hash, story_id="news/bridge.md", sentence_vectors="")


def test_what_is_written_reads_back_field_for_field():
    written = record()
    read = StoredChunk.from_stored(written.id, written.text, written.metadata())
    assert read == written
    assert read.entities == [Entity(50, 53, "DATE", "")]
    assert read.article_names == [SalientName("Kessel Bridge", 2, {"FAC": 2})]
    assert read.sentences == [(34, len(ARTICLE.text))]
    assert read.date_ordinal > 0
    assert read.schema == CHUNK_SCHEMA
    assert read.sentence_vectors(384).shape == (0, 384)


def test_a_neighbour_is_asked_for_by_article_and_index_and_keeps_the_version():
    chunk = record(1)
    assert chunk.sibling_id(0) == record(0).id
    assert chunk.sibling_id(2) == record(2).id
    assert article_key(chunk.sibling_id(2)) == article_key(chunk.id)  # every chunk of an article shares its key
    other_version = Article(**{**ARTICLE.model_dump(), "text": ARTICLE.text + " More."})
    assert chunk_id(ARTICLE.id, other_version.content_hash[:16], 0) != chunk.sibling_id(0)


def test_an_older_or_foreign_chunk_says_to_rebuild():
    metadata = record().metadata()
    with pytest.raises(OutdatedIndexError, match=r"chunk schema 1; .*newsqa index --rebuild"):
        StoredChunk.from_stored("x", "", {**metadata, "schema": 1})
    without = {k: v for k, v in metadata.items() if k != "article_names"}
    with pytest.raises(OutdatedIndexError, match=r"lacks its 'article_names' field.*newsqa index --rebuild"):
        StoredChunk.from_stored("x", "", without)
