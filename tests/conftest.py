"""Shared fixtures: the real embedding model (loaded once), real Chroma stores in temp folders."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_ARTICLE = SEEDS / "nato-allies-defense-spending.txt"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def embedder():
    from index import Embedder

    return Embedder()


@pytest.fixture
def make_settings(tmp_path):
    """Settings with a fresh store and a copy of the seeds, in this test's temp folder."""
    from index import Settings

    def make(articles: Path | None = None, **overrides) -> Settings:
        folder = articles or tmp_path / "articles"
        if articles is None and not folder.exists():
            shutil.copytree(SEEDS, folder)
        return Settings(articles_dir=folder, db_dir=tmp_path / "db", **overrides)

    return make


@pytest.fixture(scope="session")
def seed_pipeline(tmp_path_factory, embedder):
    """A pipeline over the indexed seed article, shared by the read-only question tests."""
    from index import Settings, update_index
    from qa import Pipeline

    base = tmp_path_factory.mktemp("seed")
    settings = Settings(articles_dir=SEEDS, db_dir=base / "db")
    update_index(settings, embedder=embedder)
    return Pipeline(settings, embedder=embedder)
