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
