"""The settings only questions read (retrieval, answering, the language model, the claim check), composed with the index's.

`Settings` is the one settings model a user sees (`from qa import Settings`, `NEWSQA_*` variables):
the index's (`index.settings.IndexSettings`: where articles and the store are, chunking, limits,
feeds, copies) and, in sections here, what only `qa/` reads: `retrieval` (`qa.retriever`),
`answer` (the sentence answerer: `qa.features`, `qa.decision`, `qa.short_answer`, `qa.names`),
`entity_answer` (`qa.entity_answerer` and its parts), `compare` (`qa.compare_answerer`,
`qa.timeline_answerer`), `llm` (`qa.generate`), `claims`
(`qa.claims`), and the question's own limits (`today`, `max_question_chars`). Same names, same
checks: an unknown variable or key is an error naming the closest setting, and every number must be
finite.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource

from index.settings import IndexSettings, Section


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
        description="Share of a dense hit's score taken from its closest stored sentence rather than the passage's mean vector, which blurs a passage whose one sentence answers.",
    )


class AnswerSettings(Section):
    """The extractive answerer: how sentences are scored, which to quote, and when to abstain.

    The score of a sentence is the weighted sum of its features (see `qa/features.py`); weights are
    set on the dev splits only. When to abstain and what to quote: `qa/decision.py`.
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
        0.6,
        ge=0,
        description="Penalty when the story's date is outside the question's 'last year' or 'this week' (in full past `period_margin_days`).",
    )
    period_margin_days: int = Field(
        7,
        ge=0,
        le=365,
        description="A story dated this many days outside the question's period ('this week': the seven days up to today) still "
        "counts, less for each day, rather than being ruled out: readers' 'this week' is loose, and a story may be dated the "
        "day before the event it previews.",
    )
    undated_period_credit: float = Field(
        0.5,
        ge=0,
        le=1,
        description="The period feature of an undated story when the question names a period: it may or may not fall in it.",
    )
    second_sentence_margin: float = Field(0.3, ge=0, description="Add a further sentence only when its score is within this of the best.")
    abstain_below: float = Field(1.0, description="Abstain when the best sentence's score is below this.")
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
        description="Word-vector similarity at which a question word counts as matched by a sentence word (reopen ~ reopening).",
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

    Each candidate entity's score is the weighted sum of its features (`qa/entity_scoring.py` lists
    them), each divided by the best candidate's value of it, so weights compare features on one
    scale. Every weight is 1: weights fitted on the development questions did no better on questions
    they were not fitted on (`bench/FOLDS.md`, leave-answer-out cross-validation).
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
    class_sentences: int = Field(
        20,
        ge=1,
        le=200,
        description="For a question asking for a group or a type: how many of the sentences that best match its clues are "
        "parsed for the common noun phrases that may answer it (each costs a few milliseconds).",
    )
    merge_share: float = Field(
        0.1,
        ge=0,
        description="Treat a name as the short form of a longer one (Vikings → Minnesota Vikings) across articles when the retrieved "
        "articles use it as that short form at least this often per article where it stands alone.",
    )
    clues_weight: float = Field(1.0, ge=0, description="Share of the clues the entity supports: the clues agree on it.")
    articles_weight: float = Field(1.0, ge=0, description="Distinct articles supporting it (up to 3): a multi-article answer.")
    outlets_weight: float = Field(1.0, ge=0, description="Share of the outlets the question names whose articles support it.")
    mentions_weight: float = Field(1.0, ge=0, description="How often the retrieved sentences name it (log scale).")
    salience_weight: float = Field(1.0, ge=0, description="How much one of the retrieved articles is about it (its share of the names).")
    subject_weight: float = Field(1.0, ge=0, description="How often it is the first entity of the sentences naming it (their subject).")
    kind_weight: float = Field(1.0, ge=0, description="How often its full form is tagged with a label of the kind asked for.")
    kind_words_weight: float = Field(
        1.0, ge=0, description="How often the question's kind words stand next to it ('the chatbot ChatGPT', 'Snapchat, the platform')."
    )
    period_weight: float = Field(
        1.0,
        ge=0,
        description="Share of its supporting articles published in the period the question names.",
    )
    names_weight: float = Field(
        1.0, ge=0, description="Share of the question's names that its supporting articles hold: the story the question is about."
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
    max_words: int = Field(
        40,
        ge=1,
        le=1000,
        description="Most words of the sentences quoted for the clues together (the first is quoted whatever its length): the "
        "clues that decide, not all of them.",
    )
    confidence_slope: float = Field(
        5.2,
        description="Platt scaling of the best entity's lead into a probability of being right (bench/calibrate.py).",
    )
    confidence_intercept: float = Field(-0.08, description="Intercept of that Platt scaling.")


class CompareSettings(Section):
    """Answers that set articles side by side: a comparison's references (`qa.compare_answerer`) and a timeline's articles
    (`qa.timeline_answerer`).

    A sentence's score for a reference is the weighted sum of its features (`qa/reference_match.py` lists them); the
    weights were chosen on MultiHop-RAG's development comparison questions (`bench/compare.py` reports them by fold).
    """

    chunks_per_reference: int = Field(8, ge=1, le=50, description="Chunks retrieved for each reference, for its topic and for the claim.")
    topic_weight: float = Field(1.0, ge=0, description="Embedding cosine with the reference's topic: it states what the question says.")
    claim_weight: float = Field(1.0, ge=0, description="Embedding cosine with what the articles are compared on.")
    topic_terms_weight: float = Field(0.0, ge=0, description="IDF-weighted share of the topic's terms the sentence holds.")
    claim_terms_weight: float = Field(0.25, ge=0, description="Summed IDF of the claim's terms the sentence holds, over 10.")
    title_terms_weight: float = Field(1.0, ge=0, description="IDF-weighted share of the topic's terms the article's title holds.")
    period_weight: float = Field(1.0, ge=0, description="The article was published on the day, or in the period, the reference gives.")
    rank_weight: float = Field(0.0, ge=0, description="Rank of the sentence's chunk in the reference's retrieval (subtracted, per chunk).")
    min_topic_similarity: float = Field(
        0.35,
        ge=-1,
        le=1,
        description="A reference none of whose retrieved sentences is this close to its topic (embedding cosine) matches no indexed "
        "article, and the answer says so (on the development questions: 0.99 of the references kept, 0.66 of those whose outlet "
        "was swapped for another said not indexed).",
    )
    another_article: bool = Field(
        True,
        description="Also quote the sentence closest to the claim from one more article of the outlets named: comparisons often "
        "rest on an article they do not name (MultiHop-RAG's do, a third of the time).",
    )
    second_sentence_margin: float = Field(
        0.4, ge=0, description="Quote an article's second sentence for its reference when it scores within this of its best."
    )
    max_words: int = Field(
        110, ge=20, le=1000, description="Second sentences are added only while the answer stays within this many words."
    )
    timeline_articles: int = Field(8, ge=1, le=30, description="Most articles a timeline quotes (one dated sentence each).")
    timeline_min_similarity: float = Field(
        0.3, ge=-1, le=1, description="A timeline quotes an article only when its best sentence is at least this close to the subject."
    )
    confidence_slope: float = Field(
        0.0,
        description="Slope of the Platt scaling of the weakest matched reference's score; 0: the scores did not tell right from "
        "wrong on the development questions (ROC AUC 0.36), so every comparison gets the same confidence.",
    )
    confidence_intercept: float = Field(
        0.58,
        description="Intercept of that Platt scaling: 0.58 gives 0.64, the share of development answers citing every evidence article.",
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
    quotes say (`bench/claims.py --calibrate` sets them on the dev sets).
    """

    min_similarity: float = Field(
        0.6,
        ge=-1,
        le=1,
        description="Embedding cosine between a sentence and its cited quotes (the closest quote or clause, or all together) below which it is "
        "unsupported.",
    )
    min_alignment: float = Field(
        1.0,
        ge=0,
        le=1,
        description="Share of the sentence's content words (names aside) that must be in the cited quotes, as themselves, their stem or "
        "lemma, or a close word that is not their opposite (1.0: every one; a word the quotes lack says more than they do).",
    )
    min_clause_similarity: float = Field(
        0.6,
        ge=-1,
        le=1,
        description="Embedding cosine between each clause of a sentence (of two content words or more, when it has several) and its "
        "cited quotes below which the sentence is unsupported: an appended event or cause is a clause no quote is close to.",
    )
    word_match_similarity: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Word-vector similarity at which a sentence word counts as found in the quotes, unless it is its opposite "
        "(organizers ~ organisers; names stay apart).",
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


class Settings(IndexSettings):
    """Everything newsqa can be told; every field has a default."""

    complete: ClassVar[bool] = True

    today: date | None = Field(
        None, description="The date relative questions ('last year', 'this week') are read against; unset means today."
    )
    max_question_chars: int = Field(2000, ge=1, le=1_000_000, description="Longest question accepted.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="Hybrid retrieval.")
    answer: AnswerSettings = Field(default_factory=AnswerSettings, description="Evidence picking and abstention.")
    entity_answer: EntityAnswerSettings = Field(
        default_factory=EntityAnswerSettings, description="Answers to descriptive questions: the entity the clues agree on."
    )
    compare: CompareSettings = Field(
        default_factory=CompareSettings, description="Answers that set articles side by side: comparisons and timelines."
    )
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
