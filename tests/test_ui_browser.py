"""The chat page in a real Chromium: answers with highlighted sources, uploads, safety, follow-ups."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from index import update_index
from qa import Settings
from tests.conftest import QUICK_WATCH, ROOT, SEEDS, free_port

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
    highlighted = source.locator(".nq-passage mark").inner_text()
    assert highlighted.startswith("Pistorius told reporters he regretted")
    assert len(source.locator(".nq-passage").inner_text()) > len(highlighted)  # the quote sits inside its passage
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-answer.png"), full_page=True)


def test_show_in_article_scrolls_the_quote_into_view(page):
    page.set_viewport_size({"width": 600, "height": 1000})  # narrow: the quote sits below the article box's first screen
    card = ask(page, "What did Hegseth rule out?", nth=0).locator(".nq-source").first
    card.locator(".nq-in-article summary").click()
    article = card.locator(".nq-article-text")
    quote = article.locator("mark").last
    quote.wait_for()
    page.wait_for_timeout(300)
    assert article.evaluate("element => element.scrollTop") > 0
    box, mark = article.bounding_box(), quote.bounding_box()
    assert box
    assert mark
    assert box["y"] <= mark["y"]
    assert mark["y"] + mark["height"] <= box["y"] + box["height"]
    assert article.inner_text().startswith(quote.inner_text()) is False
    assert "He ruled out" in quote.inner_text()


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
    assert "1 added" in report
    assert "bridge.txt" in report
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


@pytest.fixture
def pixel_server():
    """A server that logs every request: an image or link in an article that loads from it leaks the reader."""
    import http.server
    import threading

    hits: list[str] = []

    class Pixel(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    pixel = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pixel)
    threading.Thread(target=pixel.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{pixel.server_address[1]}", hits
    pixel.shutdown()
    pixel.server_close()


def test_markdown_in_an_article_stays_text_and_loads_nothing(page, tmp_path, pixel_server):
    base, hits = pixel_server
    article = (
        "---\n"
        f'title: "Ferry ![t]({base}/title.png?leak=t) timetable"\n'
        f'source: "[Harbour Desk]({base}/outlet)"\n'
        'url: "https://example.com/b\\n\\n<img src=x onerror=alert(1)>"\n'
        "---\n"
        "The ferry timetable changes on Friday.\r\r"
        f"![p]({base}/pixel.png?leak=x) [click](https://evil.example/phish)\r\r"
        "The harbour master said the pelican ferry will sail every twenty minutes from the north pier.\u2028"
        f"![q]({base}/pixel.png?leak=y)\r\n\r\n**bold** and <b>tags</b> stay text.\n"
    )
    upload(page, tmp_path, "ferry.md", article)
    message = ask(page, "How often will the pelican ferry sail from the north pier?", nth=0)
    message.locator(".nq-in-article summary").first.click()  # the whole article too
    page.wait_for_timeout(1000)
    assert hits == [], f"the chat loaded {hits} from an article"
    chat = page.locator("#nq-chat")
    assert chat.locator(f"img[src^='{base}']").count() == 0
    assert chat.locator(".nq-message img").count() == 0
    assert chat.locator("a[href*='evil.example'], a[href*='/outlet'], a[href^='javascript']").count() == 0
    text = message.inner_text()
    assert f"![p]({base}/pixel.png?leak=x)" in text
    assert "[click](https://evil.example/phish)" in text  # shown as the article wrote it
    assert "<b>tags</b>" in text or "twenty minutes" in text
    assert message.locator(".nq-source").count() >= 1
    assert message.locator(".nq-source-head a").count() == 0  # its url was dropped


def test_oversized_upload_is_refused_visibly(page, tmp_path, server):
    big = tmp_path / "huge.txt"
    big.write_bytes(b"Long story\n\n" + b"word " * (2_200_000))  # 11 MB, over the 5 MB upload cap
    page.click("#nq-articles button >> nth=0")
    page.set_input_files("#nq-upload input[type=file]", str(big))
    page.get_by_text('exceed the maximum allowed size of 5.0 Mb: "huge.txt"').wait_for(timeout=30_000)
    assert not (server["settings"].articles_dir / "huge.txt").exists()


@pytest.fixture(scope="module")
def news_server(tmp_path_factory, embedder):
    """The chat over the filter and copy articles (two copies of a wire story, a 2024 ferry story, an undated one)."""
    from qa import Pipeline
    from ui.app import launch

    base = tmp_path_factory.mktemp("ui-news")
    shutil.copytree(Path(__file__).parent / "data" / "news_filters", base / "articles")
    settings = Settings(articles_dir=base / "articles", db_dir=base / "db")
    update_index(settings, embedder=embedder)
    port = free_port()
    demo = launch(settings, host="127.0.0.1", port=port, block=False, pipeline=Pipeline(settings, embedder=embedder))
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture
def news_page(browser, news_server):
    context = browser.new_context(viewport={"width": 1200, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    page.goto(news_server)
    page.wait_for_selector("#nq-question textarea")
    yield page
    context.close()


def fill(page, elem_id: str, value: str) -> None:
    page.locator(f"#{elem_id}").locator("input, textarea").first.fill(value)


def test_date_range_limits_sources_and_follow_ups_keep_it(news_page):
    fill(news_page, "nq-since", "2024-01-01")
    fill(news_page, "nq-until", "2024-12-31")
    message = ask(news_page, "What happened to the Lorvik harbour ferry?", nth=0)
    titles = message.locator(".nq-source-head").all_inner_texts()
    assert titles
    assert all("Harbour ferry fares rise" in t and "2024-06-01" in t for t in titles)
    assert "Searched articles dated from 2024-01-01 to 2024-12-31" in message.inner_text()
    follow_up = ask(news_page, "What about the Kessel Bridge?", nth=1)
    assert "Searched articles dated from 2024-01-01 to 2024-12-31" in follow_up.inner_text()
    assert "Kessel Bridge to close" not in follow_up.inner_text()  # the 2025 wire story stays out
    bad = fill(news_page, "nq-until", "soon") or news_page
    bad.fill("#nq-question textarea", "What happened to the ferry?")
    bad.click("#nq-ask")
    news_page.get_by_text("until 'soon' is not a date").wait_for(timeout=30_000)


def test_outlet_selector_copies_link_article_and_export(news_page, tmp_path):
    news_page.locator("#nq-outlets input").click()
    options = news_page.locator("#nq-outlets [role=option]")
    options.first.wait_for()
    assert [options.nth(i).get_attribute("aria-label") for i in range(options.count())] == ["AP", "Harbour Ledger", "Reuters"]
    news_page.locator("#nq-outlets [role=option][aria-label=AP]").click()
    news_page.keyboard.press("Escape")
    message = ask(news_page, "How long will the Kessel Bridge close?", nth=0)
    assert "Searched articles from AP" in message.inner_text()
    card = message.locator(".nq-source").first
    assert "Lorvik's main bridge shuts for 11 weeks" in card.inner_text()  # the selected outlet's copy is cited ...
    assert "Also reported by: Reuters (2025-03-04)" in card.inner_text()  # ... and the other listed, not cited
    assert message.locator(".nq-source").count() == 1
    link = card.locator("a").first
    assert link.get_attribute("href") == "https://example.com/ap/lorvik-bridge"
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert link.get_attribute("target") == "_blank"

    card.locator(".nq-in-article summary").click()
    quote = card.locator(".nq-article-text mark").first
    quote.wait_for()
    news_page.wait_for_timeout(300)
    assert quote.is_visible()
    assert quote.inner_text() in card.locator(".nq-passage mark").first.inner_text()
    box = card.locator(".nq-article-text").bounding_box()
    mark = quote.bounding_box()
    assert box
    assert mark
    assert box["y"] <= mark["y"] <= box["y"] + box["height"]  # scrolled into view inside the article
    assert "LORVIK (AP)" in card.locator(".nq-article-text").inner_text()  # the cited copy's own whole text

    with news_page.expect_download() as download:
        news_page.click("#nq-export")
    saved = tmp_path / "conversation.md"
    download.value.save_as(saved)
    exported = saved.read_text()
    unescaped = exported.replace("\\", "")  # every ASCII punctuation mark of article text is backslash-escaped
    assert "## How long will the Kessel Bridge close?" in unescaped
    assert message.locator(".nq-answer").inner_text().strip() in unescaped
    assert "[Lorvik's main bridge shuts for 11 weeks](https://example.com/ap/lorvik-bridge) (AP, 2025-03-05)" in unescaped
    assert "Also reported by: Reuters (2025-03-04)" in unescaped
    assert "*Searched articles from AP*" in exported


@pytest.fixture(scope="module")
def compare_server(compare_settings, embedder):
    """The chat over nine real MultiHop-RAG articles (`compare_settings`), for questions that set articles side by side."""
    from qa import Pipeline
    from ui.app import launch

    port = free_port()
    pipeline = Pipeline(compare_settings, embedder=embedder)
    demo = launch(compare_settings, host="127.0.0.1", port=port, block=False, pipeline=pipeline)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


def test_a_comparison_shows_each_articles_quote_on_a_dated_timeline(browser, compare_server):
    context = browser.new_context(viewport={"width": 1200, "height": 1100})
    page = context.new_page()
    page.goto(compare_server)
    page.wait_for_selector("#nq-question textarea")
    question = (
        "Between the TechCrunch report on Meta's moderation bias problem suppressing Palestinian voices published on October 19, "
        "2023, and the TechCrunch report on Meta's alleged violations of the Children’s Online Privacy Protection Act published "
        "on November 27, 2023, was there a change in the nature of issues reported concerning Meta's platform practices?"
    )
    message = ask(page, question, nth=0)
    moments = message.locator(".nq-timeline .nq-moment")
    assert moments.count() >= 2
    heads = moments.locator(".nq-when").all_inner_texts()
    assert heads[0] == "2023-10-19 · TechCrunch"
    assert "2023-11-27 · TechCrunch" in heads
    assert heads == sorted(heads)  # earliest first
    first = moments.first
    assert "[1]" in first.locator(".nq-quote").inner_text()
    assert "answers the TechCrunch article on Meta's moderation bias problem" in first.locator(".nq-reference").inner_text()
    assert message.locator(".nq-source").count() >= 2  # each quote also has its source card, highlighted in its passage
    assert message.locator(".nq-passage mark").count() >= 2
    ARTIFACTS.mkdir(exist_ok=True)
    message.locator(".nq-timeline").evaluate("element => element.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(ARTIFACTS / "chat-comparison.png"))
    context.close()


@pytest.fixture
def watched_page(browser, tmp_path, embedder, start_watcher):
    """The chat of `serve --watch`: a watcher thread syncing a copy of the seeds, shown in the status line."""
    from qa import Pipeline
    from ui.app import launch

    shutil.copytree(SEEDS, tmp_path / "articles")
    settings = Settings(articles_dir=tmp_path / "articles", db_dir=tmp_path / "db", watch=QUICK_WATCH)
    pipeline = Pipeline(settings, embedder=embedder)
    run = start_watcher(settings, store=pipeline.store)
    port = free_port()
    demo = launch(settings, host="127.0.0.1", port=port, block=False, pipeline=pipeline, watcher=run.watcher)
    context = browser.new_context(viewport={"width": 1200, "height": 700})
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{port}/")
    page.wait_for_selector("#nq-question textarea")
    yield page, settings.articles_dir
    context.close()
    demo.close()


def test_status_line_shows_the_watchers_last_sync_without_a_reload(watched_page):
    page, articles = watched_page
    status = page.locator("#nq-status")
    status.get_by_text(re.compile(r"1 article · .* last sync \d\d:\d\d:\d\d UTC: 1 added, 0 updated, 0 removed")).wait_for(timeout=60_000)
    (articles / "bridge.txt").write_text(NEW_ARTICLE)
    status.get_by_text(re.compile(r"2 articles · .* last sync \d\d:\d\d:\d\d UTC: 1 added, 0 updated, 0 removed")).wait_for(timeout=30_000)
    (articles / "bridge.txt").unlink()
    status.get_by_text(re.compile(r"1 article · .* last sync \d\d:\d\d:\d\d UTC: 0 added, 0 updated, 1 removed")).wait_for(timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    status.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "status-last-sync.png"), clip={"x": 0, "y": 0, "width": 1200, "height": 160})
