"""Save uploaded article files into the articles folder, safely.

An upload never replaces anything: a name already taken gets a free one (`name-2.txt`), and a file
whose article id (front matter or JSON `id`) is already used by another article, or lies in the
folder `newsqa fetch` writes to (`reserved`, e.g. `feeds/`: a future feed entry's id), is refused. Each
upload is read with the folder loader's own limits before it is saved, so a file the index would
skip is refused here with the same reason.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field

from index.articles import ArticleLoader
from index.formats import SUFFIXES
from index.settings import LimitSettings, megabytes

_UNSAFE = re.compile(r"[^\w.\- ]+")


class UploadResult(BaseModel):
    """Which uploads were saved, and which were refused and why."""

    saved: list[str] = Field(default_factory=list, description="File names written into the articles folder.")
    refused: list[str] = Field(default_factory=list, description="One line per refused file: its name and why.")


def safe_name(name: str) -> str:
    """A file name with no folder parts and no odd characters (`../x.txt` → `x.txt`)."""
    base = Path(name.replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    return cleaned or "article.txt"


def free_name(articles_dir: Path, name: str) -> str:
    """`name`, or `stem-2.ext`, `stem-3.ext`, ... : the first one not yet in `articles_dir`."""
    path = Path(name)
    candidate, number = name, 1
    while (articles_dir / candidate).exists() or (articles_dir / candidate).is_symlink():
        number += 1
        candidate = f"{path.stem}-{number}{path.suffix}"
    return candidate


def save_uploads(
    files: list[tuple[str, Path]],
    articles_dir: Path,
    *,
    max_bytes: int,
    limits: LimitSettings | None = None,
    reserved: str | None = None,
) -> UploadResult:
    """Copy uploaded files (original name, temp path) into `articles_dir`.

    Names are reduced to a bare, safe file name, so nothing lands outside the folder; unsupported
    types, files over `max_bytes`, files the loader would skip, articles whose id is taken and ids
    starting with `reserved` (the feeds folder, e.g. `feeds/`) are refused; a taken name gets a free
    one. Nothing already in the folder is ever replaced.
    """
    articles_dir.mkdir(parents=True, exist_ok=True)
    loader = ArticleLoader(articles_dir, limits=limits)
    taken = {article.id: article.path for article in loader.load().articles} if any(articles_dir.iterdir()) else {}
    result = UploadResult()
    for original, temp in files:
        name = safe_name(original)
        suffix = Path(name).suffix.lower()
        if suffix not in SUFFIXES:
            result.refused.append(f"{original}: unsupported type {suffix or '(none)'}; upload {', '.join(SUFFIXES)}")
            continue
        size = temp.stat().st_size
        if size > max_bytes:
            result.refused.append(f"{original}: {megabytes(size)} is over the {megabytes(max_bytes)} limit")
            continue
        name = free_name(articles_dir, name)
        target = (articles_dir / name).resolve()
        if target.parent != articles_dir.resolve():
            result.refused.append(f"{original}: name not allowed")
            continue
        with tempfile.TemporaryDirectory() as staging:  # read it exactly as the folder loader will, before it is in the folder
            staged = Path(staging) / name
            shutil.copyfile(temp, staged)
            articles, skipped = ArticleLoader(Path(staging), limits=loader.limits).load_file(staged)
        if not articles:  # a JSONL file with some bad lines is kept: the index run reports those lines
            result.refused.append(f"{original}: {'; '.join(str(s) for s in skipped)}")
            continue
        claimed = next((a.id for a in articles if reserved and a.id.startswith(reserved)), None)
        if claimed is not None:
            result.refused.append(
                f"{original}: article id {claimed!r} is in {reserved}, which only `newsqa fetch` writes; give it another id"
            )
            continue
        clash = next((a.id for a in articles if a.id in taken), None)
        if clash is not None:
            result.refused.append(f"{original}: article id {clash!r} is already used by {taken[clash]}; give it its own id")
            continue
        with temp.open("rb") as source, target.open("xb") as copy:  # "x": never overwrite, even if the name was taken meanwhile
            shutil.copyfileobj(source, copy)
        taken.update({a.id: name for a in articles})
        result.saved.append(name)
    return result
