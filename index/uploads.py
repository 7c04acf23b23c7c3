"""Save uploaded article files into the articles folder, safely."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from pydantic import BaseModel, Field

from index.articles import SUPPORTED_SUFFIXES

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


def save_uploads(files: list[tuple[str, Path]], articles_dir: Path, *, max_bytes: int) -> UploadResult:
    """Copy uploaded files (original name, temp path) into `articles_dir`.

    Names are reduced to a bare, safe file name, so nothing lands outside the folder; unsupported
    types and files over `max_bytes` are refused, and nothing already there is touched by a refusal.
    """
    articles_dir.mkdir(parents=True, exist_ok=True)
    result = UploadResult()
    for original, temp in files:
        name = safe_name(original)
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            result.refused.append(f"{original}: unsupported type {suffix or '(none)'}; upload {', '.join(SUPPORTED_SUFFIXES)}")
            continue
        size = temp.stat().st_size
        if size > max_bytes:
            result.refused.append(f"{original}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit")
            continue
        target = (articles_dir / name).resolve()
        if target.parent != articles_dir.resolve():
            result.refused.append(f"{original}: name not allowed")
            continue
        shutil.copyfile(temp, target)
        result.saved.append(name)
    return result
