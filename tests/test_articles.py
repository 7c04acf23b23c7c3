"""Loading every article format, and skipping bad files with a reason."""

from __future__ import annotations

import json

import pytest

from index import ArticleLoader, NoArticlesError

pytestmark = pytest.mark.unit


def load(tmp_path):
    return ArticleLoader(tmp_path).load()


def test_seed_article_title_falls_back_to_file_name(tmp_path):
    from tests.conftest import SEED_ARTICLE

    (tmp_path / SEED_ARTICLE.name).write_text(SEED_ARTICLE.read_text())
    [article] = load(tmp_path).articles
    assert article.id == "nato-allies-defense-spending.txt"
    assert article.title == "Nato allies defense spending"  # the first line is a long sentence, not a headline
    assert article.text.startswith("Multiple NATO allies")
    assert len(article.content_hash) == 64


def test_txt_short_first_line_is_the_title(tmp_path):
    (tmp_path / "a.txt").write_text("Storm hits coast\n\nA storm hit the coast on Monday. Roads were closed.\n")
    [article] = load(tmp_path).articles
    assert article.title == "Storm hits coast"
    assert article.text == "A storm hit the coast on Monday. Roads were closed."


def test_one_line_file_is_an_article(tmp_path):
    (tmp_path / "one.txt").write_text("The council approved the budget on Tuesday.")
    [article] = load(tmp_path).articles
    assert article.text == "The council approved the budget on Tuesday."
    assert article.title == "One"


def test_markdown_front_matter(tmp_path):
    (tmp_path / "m.md").write_text(
        "---\ntitle: Rates held\ndate: 2024-05-01\nsource: Example Wire\nurl: https://example.com/rates\n---\n"
        "The central bank held rates steady.\n\nIt cited inflation.\n"
    )
    [article] = load(tmp_path).articles
    assert (article.title, article.date, article.source, article.url) == (
        "Rates held",
        "2024-05-01",
        "Example Wire",
        "https://example.com/rates",
    )
    assert article.text == "The central bank held rates steady.\n\nIt cited inflation."


def test_markdown_heading_title(tmp_path):
    (tmp_path / "h.md").write_text("# Bridge reopens\n\nThe bridge reopened after repairs.\n")
    assert load(tmp_path).articles[0].title == "Bridge reopens"


def test_html_extracted_with_trafilatura(tmp_path):
    body = " ".join(f"The mayor announced a new transit plan for the city, sentence {i}." for i in range(12))
    (tmp_path / "page.html").write_text(
        "<html><head><title>Transit plan unveiled</title><meta name='date' content='2024-03-02'></head>"
        f"<body><nav>Home | Sports</nav><article><h1>Transit plan unveiled</h1><p>{body}</p></article>"
        "<footer>Copyright</footer></body></html>"
    )
    [article] = load(tmp_path).articles
    assert article.title == "Transit plan unveiled"
    assert "new transit plan" in article.text
    assert "Home | Sports" not in article.text


def test_json_object_and_body_field(tmp_path):
    (tmp_path / "a.json").write_text(
        json.dumps({"id": "wire-1", "title": "Vote delayed", "body": "The vote was delayed.", "source": "Wire"})
    )
    [article] = load(tmp_path).articles
    assert (article.id, article.title, article.text, article.source) == ("wire-1", "Vote delayed", "The vote was delayed.", "Wire")


@pytest.mark.unit
def test_a_lone_surrogate_in_json_is_one_replacement_character(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"title": "Odd \ud800 title", "text": "Smile \ud83d\ude00 and \udc00 lone."}))
    (article,) = ArticleLoader(tmp_path).load().articles
    assert article.title == "Odd \ufffd title"
    assert article.text.endswith("Smile \U0001f600 and \ufffd lone.")  # a valid pair stays one character


def test_jsonl_ids_and_bad_lines(tmp_path, caplog):
    lines = [
        json.dumps({"title": "First", "text": "First story text."}),
        "{not json",
        json.dumps({"title": "No text"}),
        "",
        json.dumps({"id": "x9", "title": "Second", "content": "Second story text."}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines))
    result = load(tmp_path)
    assert [a.id for a in result.articles] == ["feed.jsonl#L1", "x9"]
    assert [(s.path, s.line) for s in result.skipped] == [("feed.jsonl", 2), ("feed.jsonl", 3)]
    assert "feed.jsonl:2" in caplog.text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"   \n", "empty"),
        ("binary.txt", b"\x00\x01\x02PNG", "binary"),
        ("latin.txt", "Caf\xe9 news".encode("latin-1"), "UTF-8"),
        ("bad.json", b"{oops", "not valid JSON"),
        ("list.json", b"[1, 2]", "JSON object"),
        ("photo.png", b"not really", "unsupported"),
        ("fm.md", b"---\ntitle: [unclosed\n---\nText here.", "front matter"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(tmp_path, name, content, reason):
    (tmp_path / "good.txt").write_text("Good story\n\nIt is fine.")
    (tmp_path / name).write_bytes(content)
    result = load(tmp_path)
    assert [a.id for a in result.articles] == ["good.txt"]
    assert len(result.skipped) >= 1
    assert reason in str(result.skipped[0])
    assert result.skipped[0].path == name


def test_recursive_and_hidden_files_ignored(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.txt").write_text("Deep story\n\nBody.")
    (tmp_path / ".hidden.txt").write_text("Hidden\n\nBody.")
    assert [a.id for a in load(tmp_path).articles] == ["sub/deep.txt"]


def test_duplicate_ids_are_skipped(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"id": "same", "title": "A", "text": "A text."}))
    (tmp_path / "b.json").write_text(json.dumps({"id": "same", "title": "B", "text": "B text."}))
    result = load(tmp_path)
    assert [a.path for a in result.articles] == ["a.json"]
    assert "duplicate article id" in result.skipped[0].reason


def test_missing_folder_says_what_to_do(tmp_path):
    with pytest.raises(NoArticlesError, match="does not exist"):
        ArticleLoader(tmp_path / "nope").load()


@pytest.mark.unit
def test_one_format_registry_drives_the_loader_the_messages_and_the_upload_widget(tmp_path):
    from index.formats import FORMATS, SUFFIXES, format_for, format_names
    from ui.app import UPLOAD_NAMES, UPLOAD_TYPES

    assert set(UPLOAD_TYPES) == set(SUFFIXES) == {suffix for each in FORMATS for suffix in each.suffixes}
    assert UPLOAD_NAMES.split() == [each.name for each in FORMATS]
    assert format_names() == ".txt, .md, .html, .json or .jsonl"
    assert format_for(".HTM") is format_for(".html")
    assert format_for(".docx") is None
    (tmp_path / "notes.docx").write_text("not read")
    _, [skip] = ArticleLoader(tmp_path).load_file(tmp_path / "notes.docx")
    assert skip.reason == f"unsupported file type; use one of {', '.join(SUFFIXES)}"
    with pytest.raises(NoArticlesError, match=f"put {format_names()} articles in it"):
        ArticleLoader(tmp_path / "missing").load()
