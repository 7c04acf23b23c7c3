"""The public surface: what `from qa import ...` and `from index import ...` promise."""

from __future__ import annotations

import pytest

import index
import qa

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("module", [index, qa])
def test_all_is_sorted_and_importable(module):
    assert module.__all__ == sorted(module.__all__)
    for name in module.__all__:
        assert getattr(module, name) is not None


def test_front_door_names():
    from qa import Answer, Citation, Settings, ask  # noqa: F401

    assert set(Answer.model_fields) >= {"text", "citations", "abstained", "confidence", "timings_ms"}
    assert set(Citation.model_fields) >= {"n", "article_id", "title", "date", "source", "url", "chunk_id", "quote", "start", "end", "score"}


def test_settings_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSQA_DB_DIR", str(tmp_path))
    monkeypatch.setenv("NEWSQA_ANSWER__ABSTAIN_BELOW", "0.7")
    settings = qa.Settings()
    assert settings.db_dir == tmp_path
    assert settings.answer.abstain_below == 0.7
    for field in qa.Settings.model_fields.values():
        assert field.description


def test_secret_settings_are_found_by_their_type():
    from index.settings import secret_settings

    assert secret_settings(qa.Settings) == {("chroma_token",), ("ui_auth",), ("llm", "api_key")}
    settings = qa.Settings(chroma_token="token-1", llm={"model": "openai:gpt-4o-mini", "api_key": "key-2"})
    assert sorted(settings.secret_values()) == ["key-2", "token-1"]
    assert "key-2" not in settings.model_dump_json()


def test_layers_import_one_way():
    import pathlib
    import re

    root = pathlib.Path(index.__file__).parents[1]
    for path in (root / "index").glob("*.py"):
        assert not re.search(r"^\s*(from|import) (qa|ui)\b", path.read_text(), re.M), path
    for path in (root / "qa").glob("*.py"):
        assert not re.search(r"^\s*(from|import) ui\b", path.read_text(), re.M), path


def test_readme_settings_table_matches_the_defaults():
    import pathlib
    import re

    readme = (pathlib.Path(index.__file__).parents[1] / "README.md").read_text()
    rows = re.findall(r"^\| `(NEWSQA_[A-Z_]+)`(?:, `(NEWSQA_[A-Z_]+)`)? \| ([^|]+) \|", readme, flags=re.MULTILINE)
    assert len(rows) >= 5
    settings = qa.Settings()
    for *names, defaults in rows:
        for name, default in zip([n for n in names if n], defaults.split(","), strict=True):
            value: object = settings
            for part in name.removeprefix("NEWSQA_").lower().split("__"):
                value = getattr(value, part)
            expected = default.strip().strip("`")
            assert (value is None) if expected == "unset" else str(value) == expected, f"README says {name} defaults to {expected}"
