"""The chat page in a real Chromium: answers with highlighted sources, uploads, safety, follow-ups."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import Settings, update_index
from tests.conftest import ROOT, SEEDS, free_port

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
NEW_ARTICLE = (
    "Harbour bridge closes for repairs\n\n"
    "The Kestrel Harbour bridge will close for eleven weeks from March 3 so that engineers can replace its corroded cables, "
    "the city transport office said on Monday. Ferry services will run every ten minutes while the bridge is shut.\n"
)
HOSTILE_ARTICLE = (
    "Council publishes odd memo\n\n"
    'The council memo contained the text <script>window.__pwned = "script"</script> in its first line. '
    'It also held <img src="x" onerror="window.__pwned = \'img\'"> and a link <a href="javascript:window.__pwned=1">click</a> in the zebra crossing plan.\n'
)


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    from qa import Pipeline
    from ui.app import launch

    base = tmp_path_factory.mktemp("ui")
    shutil.copytree(SEEDS, base / "articles")
    settings = Settings(articles_dir=base / "articles", db_dir=base / "db")
    update_index(settings, embedder=embedder)
    port = free_port()
    demo = launch(settings, host="127.0.0.1", port=port, block=False, pipeline=Pipeline(settings, embedder=embedder))
    yield {"url": f"http://127.0.0.1:{port}/", "settings": settings}
    demo.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `apt-get install -y chromium` (make test does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1200, "height": 1100})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server["url"])
    page.wait_for_selector("#nq-question textarea")
    page.dialogs = dialogs
    yield page
    context.close()


def ask(page, question: str, *, nth: int) -> object:
    page.fill("#nq-question textarea", question)
    page.click("#nq-ask")
    message = page.locator("#nq-chat .nq-message").nth(nth)
    message.locator(".nq-sources").wait_for(timeout=60_000)
    return message


def test_seed_question_shows_answer_and_highlighted_source(page):
    expect_status = page.locator("#nq-status")
    expect_status.get_by_text("1 article ·").wait_for()
    message = ask(page, "What did Pistorius regret?", nth=0)
    assert "concessions made by the United States" in message.locator(".nq-answer").inner_text()
    assert "[1]" in message.locator(".nq-answer").inner_text()
    source = message.locator(".nq-source").first
    assert "Nato allies defense spending" in source.locator(".nq-source-head").inner_text()
    highlighted = source.locator("mark").inner_text()
    assert highlighted.startswith("Pistorius told reporters he regretted")
    assert len(source.locator(".nq-passage").inner_text()) > len(highlighted)  # the quote sits inside its passage
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-answer.png"), full_page=True)


def test_follow_up_uses_the_conversation_and_clear_forgets_it(page):
    ask(page, "What did Pistorius regret?", nth=0)
    message = ask(page, "What about Healey?", nth=1)
    assert "Healey" in message.inner_text()  # answered, or abstained with Healey's own words as the closest passage
    assert "What did Healey regret?" in message.inner_text()
    page.click("#nq-clear")
    page.locator("#nq-chat .nq-message").first.wait_for(state="detached")
    after = ask(page, "What did Hegseth rule out?", nth=0)
    assert "Searched as" not in after.inner_text()  # a fresh conversation carries nothing over


def upload(page, tmp_path, name: str, content: str, *extra: str) -> str:
    path = tmp_path / name
    path.write_text(content)
    page.click("#nq-articles button >> nth=0")
    page.set_input_files("#nq-upload input[type=file]", [str(path), *extra])
    page.wait_for_timeout(500)
    page.click("#nq-add")
    report = page.locator("#nq-report")
    report.get_by_text("added").first.wait_for(timeout=60_000)
    return report.inner_text()


def test_upload_new_article_then_ask_it(page, tmp_path, server):
    refused = tmp_path / "slides.pdf"
    refused.write_bytes(b"%PDF-1.4")
    report = upload(page, tmp_path, "bridge.txt", NEW_ARTICLE, str(refused))
    assert "1 added" in report and "bridge.txt" in report
    assert page.get_by_text("Invalid file type: slides.pdf").is_visible()  # refused where the user sees it
    assert (server["settings"].articles_dir / "bridge.txt").exists()
    message = ask(page, "How long will the Kestrel Harbour bridge close?", nth=0)
    assert "eleven weeks" in message.locator(".nq-answer").inner_text()
    assert "Harbour bridge closes for repairs" in message.locator(".nq-source-head").first.inner_text()


def test_hostile_article_runs_no_script(page, tmp_path):
    upload(page, tmp_path, "memo.txt", HOSTILE_ARTICLE)
    message = ask(page, "What did the council memo contain in its zebra crossing plan?", nth=0)
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert page.dialogs == []
    text = message.inner_text()
    assert "<script>" in text or "<img" in text  # shown as text, not run
    assert page.locator("#nq-chat img[src='x']").count() == 0
    assert page.locator("#nq-chat script").count() == 0
    ask(page, "<img src=x onerror=\"window.__pwned='q'\"> what memo?", nth=1)
    assert page.evaluate("window.__pwned") is None


def test_oversized_upload_is_refused_visibly(page, tmp_path, server):
    big = tmp_path / "huge.txt"
    big.write_bytes(b"Long story\n\n" + b"word " * (2_200_000))  # 11 MB, over the 5 MB upload cap
    page.click("#nq-articles button >> nth=0")
    page.set_input_files("#nq-upload input[type=file]", str(big))
    page.get_by_text('exceed the maximum allowed size of 5.0 Mb: "huge.txt"').wait_for(timeout=30_000)
    assert not (server["settings"].articles_dir / "huge.txt").exists()
