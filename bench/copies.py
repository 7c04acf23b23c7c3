"""Similarity of the syndicated-copy pairs in bench/data/copies/: exact and MinHash-estimated Jaccard, and the verdict.

python bench/copies.py
"""

from __future__ import annotations

import json
from pathlib import Path

from index.copies import COPY_THRESHOLD, shingles, similarity

PAIRS = Path(__file__).parent / "data" / "copies" / "pairs.jsonl"


def main() -> None:
    """Print one line per pair and whether the threshold separates copies from different stories."""
    print(f"threshold {COPY_THRESHOLD}")
    print(f"{'pair':26} {'copy':5} {'exact':>6} {'minhash':>8}  verdict")
    wrong = 0
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        a, b = pair["a"]["text"], pair["b"]["text"]
        first, second = shingles(a), shingles(b)
        exact = len(first & second) / len(first | second)
        estimate = similarity(a, b)
        right = (estimate >= COPY_THRESHOLD) == pair["copy"]
        wrong += not right
        print(f"{pair['id']:26} {pair['copy']!s:5} {exact:6.3f} {estimate:8.3f}  {'ok' if right else 'WRONG'}")
    print(f"{wrong} wrong")


if __name__ == "__main__":
    main()
