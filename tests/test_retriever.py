"""The hybrid retriever against LangChain's standard retriever suite, and its fusion."""

from __future__ import annotations

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from index import ChunkStore, update_index
from qa import HybridRetriever, Settings
from tests.conftest import SEEDS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory, embedder) -> ChunkStore:
    settings = Settings(articles_dir=SEEDS, db_dir=tmp_path_factory.mktemp("retriever") / "db")
    update_index(settings, embedder=embedder)
    return ChunkStore(settings)


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _store(self, seed_store, embedder):
        self.__class__.store = seed_store
        self.__class__.embedder = embedder

    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"store": self.store, "embedder": self.embedder}

    @property
    def retriever_query_example(self) -> str:
        return "defense spending"


def test_fusion_puts_exact_name_match_first(seed_pipeline):
    documents = seed_pipeline.retriever.invoke("Yuriko Backes Luxembourg")
    assert "Backes" in documents[0].page_content
    assert {"rank", "rrf_score", "chunk_id"} <= set(documents[0].metadata)
    assert "bm25_score" in documents[0].metadata
    assert "dense_score" in documents[0].metadata


def test_bm25_index_follows_the_store(make_settings, embedder):
    settings = make_settings()
    update_index(settings, embedder=embedder)
    retriever = HybridRetriever(store=ChunkStore(settings), embedder=embedder)
    assert not any("Avon" in d.page_content for d in retriever.invoke("Avon flood Bath"))
    (settings.articles_dir / "flood.txt").write_text("Flood\n\nThe river Avon flooded Bath on Sunday.")
    update_index(settings, embedder=embedder)
    assert "Avon" in retriever.invoke("Avon flood Bath")[0].page_content


def test_a_chunk_deleted_between_the_dense_ids_and_the_read_of_its_record_is_left_out(make_settings, embedder):
    """The dense side asks for ids first and reads the records after (`HybridRetriever.search`): a chunk a writer deletes in
    between is left out of the hits, and the rest are still returned (a real Chroma store; the delete done by hand where a
    writer in another process would do it)."""
    settings = make_settings()
    update_index(settings, embedder=embedder)
    store = ChunkStore(settings)
    retriever = HybridRetriever(store=store, embedder=embedder)
    question = "How much will Luxembourg spend on defence?"
    before = [hit.chunk.id for hit in retriever.retrieve(question)]
    read_ids = store.dense_ids_many
    deleted: list[str] = []

    def ids_then_delete(vectors, k, *, chunk_filter=None):
        found = read_ids(vectors, k, chunk_filter=chunk_filter)
        deleted.append(found[0][0][0])
        store.collection.delete([deleted[0]])
        return found

    store.dense_ids_many = ids_then_delete  # type: ignore[method-assign]
    after = [hit.chunk.id for hit in retriever.retrieve(question)]
    assert deleted and deleted[0] in before
    assert deleted[0] not in after
    assert after
