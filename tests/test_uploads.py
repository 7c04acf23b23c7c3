"""Uploaded articles: safe names, refused types and sizes, indexed incrementally."""

from __future__ import annotations

import pytest

from index.uploads import safe_name, save_uploads

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../x.txt", "x.txt"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\win.md", "win.md"),
        ("/abs/path/a.json", "a.json"),
        ("we ird<>name.txt", "we ird_name.txt"),
        ("..", "article.txt"),
    ],
)
def test_safe_name_strips_folders(name, expected):
    assert safe_name(name) == expected


def test_save_uploads_refuses_and_keeps_inside(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "old.txt").write_text("Old story\n\nAlready indexed.")
    sources = tmp_path / "uploads"
    sources.mkdir()
    good, evil, big, pdf = (sources / n for n in ("good.txt", "evil.txt", "big.txt", "doc.pdf"))
    good.write_text("Good\n\nText.")
    evil.write_text("Evil\n\nText.")
    big.write_bytes(b"a" * 2048)
    pdf.write_bytes(b"%PDF")
    result = save_uploads([("good.txt", good), ("../evil.txt", evil), ("big.txt", big), ("doc.pdf", pdf)], articles, max_bytes=1024)
    assert result.saved == ["good.txt", "evil.txt"]
    assert any("big.txt" in r and "limit" in r for r in result.refused)
    assert any("doc.pdf" in r and "unsupported" in r for r in result.refused)
    assert sorted(p.name for p in articles.iterdir()) == ["evil.txt", "good.txt", "old.txt"]
    assert not (tmp_path / "evil.txt").exists()
    assert (articles / "old.txt").read_text() == "Old story\n\nAlready indexed."
