"""bench/RESULTS.md is written by several benchmarks: `bench/quality.py` writes the whole file and keeps the sections the
others (`bench/claims.py`, `bench/compare.py`) put between their own markers."""

from __future__ import annotations

import re
from pathlib import Path

_SECTION = re.compile(r"<!-- (bench/[\w.]+): start -->\n.*?\n<!-- \1: end -->", re.DOTALL)


def markers(script: str) -> tuple[str, str]:
    """The lines that open and close `script`'s section ("bench/claims.py")."""
    return f"<!-- {script}: start -->", f"<!-- {script}: end -->"


def write_section(out: Path, script: str, text: str) -> None:
    """Put `script`'s section into `out` between its markers, in its place if it has one, else at the end; the rest stays."""
    start, end = markers(script)
    whole = out.read_text(encoding="utf-8") if out.exists() else ""
    block = f"{start}\n{text}\n{end}"
    if start in whole and end in whole:
        head, rest = whole.split(start, 1)
        whole = head + block + rest.split(end, 1)[1]
    else:
        whole = whole.rstrip("\n") + "\n\n" + block + "\n"
    out.write_text(whole, encoding="utf-8")


def marked_sections(text: str) -> str:
    """Every section of `text` that a benchmark put between its markers, in order, with its markers."""
    return "\n\n".join(match.group(0) for match in _SECTION.finditer(text))
