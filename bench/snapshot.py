"""Every gold set's answers written down, to check that a change leaves them as they were (or to see what it changed).

Each set is indexed once into `--stores/<set>` (kept, so the code before and after a change reads the very same
store: Chroma's HNSW graph is built once) and every question is asked; one JSON line per question holds what a
reader sees (text, short answer, abstention, confidence, each citation's article, offsets and role).

    .venv/bin/python bench/snapshot.py --stores /tmp/stores --out before.jsonl     # on main
    .venv/bin/python bench/snapshot.py --stores /tmp/stores --out after.jsonl      # on the change, same stores
    .venv/bin/python bench/snapshot.py --compare before.jsonl after.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from gold_sets import GOLD_SETS  # bench/ is scripts: its folder is on sys.path


def snapshot(stores: Path, names: list[str], out: Path) -> None:
    """Ask every question of `names` against its store in `stores` (indexing it first when it is not there yet)."""
    from index import update_index
    from qa import Settings
    from qa.evaluate import load_gold
    from qa.pipeline import Pipeline

    logging.disable(logging.WARNING)
    with out.open("w", encoding="utf-8") as lines:
        for name in names:
            gold = GOLD_SETS[name]
            if not gold.available():
                print(f"{name}: not on this machine, skipped", file=sys.stderr)
                continue
            db = stores / name.replace(" ", "_").replace("(", "").replace(")", "")
            settings = Settings(articles_dir=gold.articles, db_dir=db)
            if not db.exists():
                update_index(settings)
            pipeline = Pipeline(settings)
            for i, item in enumerate(load_gold(gold.questions)):
                answer = pipeline.ask(item.question, today=item.asked_on)
                row = {
                    "set": name,
                    "i": i,
                    "question": item.question,
                    "text": answer.text,
                    "short": answer.short,
                    "abstained": answer.abstained,
                    "confidence": answer.confidence,
                    "clues": answer.clues,
                    "citations": [(c.article_id, c.start, c.end, c.role, c.clue) for c in answer.citations],
                }
                lines.write(json.dumps(row, ensure_ascii=False) + "\n")
            print(f"{name}: done", file=sys.stderr)


def compare(before: Path, after: Path) -> int:
    """Print the questions answered differently; return how many."""
    old = {(r["set"], r["i"]): r for r in map(json.loads, before.read_text().splitlines())}
    new = {(r["set"], r["i"]): r for r in map(json.loads, after.read_text().splitlines())}
    differ = [key for key in old if key in new and old[key] != new[key]]
    for key in differ:
        a, b = old[key], new[key]
        print(f"{key}: {a['question'][:100]}")
        for field in a:
            if a[field] != b[field]:
                print(f"   {field}: {str(a[field])[:160]}\n   {' ' * len(field)}  {str(b[field])[:160]}")
    print(f"{len(old) - len(differ)} of {len(old)} answered identically ({len(set(old) ^ set(new))} asked on one side only)")
    return len(differ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=Path, help="folder of one store per gold set (made when missing)")
    parser.add_argument("--sets", nargs="+", default=list(GOLD_SETS), choices=list(GOLD_SETS))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
    elif args.stores and args.out:
        snapshot(args.stores, args.sets, args.out)
    else:
        parser.error("give --stores and --out, or --compare BEFORE AFTER")


if __name__ == "__main__":
    main()
