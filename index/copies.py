"""Find syndicated copies: the same wire story republished with another headline, byline or a few edits.

Each article's text (not its title: outlets rewrite headlines) becomes a set of word shingles,
`SHINGLE_WORDS` consecutive lower-cased words, summarised by a MinHash of `PERMUTATIONS`
permutations; `datasketch.MinHashLSH` proposes pairs whose estimated Jaccard similarity may reach
`COPY_THRESHOLD`, and a pair is a copy when the MinHash estimate does reach it. Copies are grouped
transitively (A~B and B~C put A, B and C in one story). Two dated articles more than
`COPY_WINDOW_DAYS` apart are never copies: outlets republish a wire story within days, while the
same words a year later are the next edition of an event ("Okafor won the Glenmoor half marathon
on Sunday in ..." in 2024, "Sorvik won ..." in 2025), which must stay its own story. A story's id is the article id of its
earliest copy (by date, undated last, then by id), so an article with no copies is its own story.

The threshold is measured on the pairs in `bench/data/copies/` (`bench/copies.py` prints the
similarities; `tests/test_copies.py` holds them to it). Exact Jaccard of the shingle sets: five
true copies with a new headline, byline, outlet boilerplate and one or two reworded sentences
score 0.60-0.82; six different stories on the same topic (the same race a year later, another
council's budget, the same storm's aftermath) score 0.00-0.04. At 128 permutations the estimate's
standard error is about 0.04 near 0.6 and under 0.02 near 0.04, so 0.4 leaves more than four
standard errors on both sides. A copy edited more heavily (a third of its sentences rewritten)
falls below it and is treated as its own story, which is what "editing splits it off" asks.
Shingles of 3 words keep a reworded sentence from costing more than the few shingles around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from index.dates import NO_DATE, date_ordinal
from index.settings import CopySettings

SHINGLE_WORDS = 3
"""Words per shingle: long enough that two stories on one topic share few, short enough that an edit costs few."""
PERMUTATIONS = 128
"""MinHash permutations: the Jaccard estimate's standard error is sqrt(J(1-J)/128), at most 0.044."""
COPY_THRESHOLD = CopySettings().threshold
"""Default estimated Jaccard similarity at or above which two articles are copies (`NEWSQA_COPIES__THRESHOLD`; see the module docstring)."""
COPY_WINDOW_DAYS = CopySettings().window_days
"""Default of how many days apart dated copies may be (`NEWSQA_COPIES__WINDOW_DAYS`); undated articles are compared by text alone."""
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class StoryInput:
    """What copy detection needs of an article."""

    id: str
    text: str
    date: str = ""


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The text's runs of `size` consecutive lower-cased words (the whole text when it is shorter)."""
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _minhash(text: str) -> object:
    from datasketch import MinHash

    signature = MinHash(num_perm=PERMUTATIONS)
    signature.update_batch([s.encode("utf-8") for s in sorted(shingles(text))])
    return signature


def similarity(first: str, second: str) -> float:
    """The MinHash estimate of the Jaccard similarity of two texts' shingle sets (what `story_ids` compares)."""
    return float(_minhash(first).jaccard(_minhash(second)))  # type: ignore[attr-defined]


def story_ids(articles: Iterable[StoryInput], *, threshold: float = COPY_THRESHOLD, window_days: int = COPY_WINDOW_DAYS) -> dict[str, str]:
    """Each article's story id: the id of the earliest article it is a copy of (its own id when it has none)."""
    from datasketch import MinHashLSH

    items = list(articles)
    signatures = {a.id: _minhash(a.text) for a in items}
    lsh = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS)
    for article_id, signature in signatures.items():
        lsh.insert(article_id, signature)
    parent = {a.id: a.id for a in items}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    days = {a.id: date_ordinal(a.date) for a in items}

    def close_in_time(first: str, second: str) -> bool:
        return NO_DATE in (days[first], days[second]) or abs(days[first] - days[second]) <= window_days

    for article_id, signature in signatures.items():
        for other in lsh.query(signature):
            if (
                other != article_id and close_in_time(article_id, other) and signature.jaccard(signatures[other]) >= threshold  # type: ignore[attr-defined]
            ):
                parent[root(other)] = root(article_id)

    def age(article: StoryInput) -> tuple[bool, int, str]:
        return days[article.id] == NO_DATE, days[article.id], article.id

    earliest: dict[str, StoryInput] = {}
    for article in sorted(items, key=age):
        earliest.setdefault(root(article.id), article)
    return {a.id: earliest[root(a.id)].id for a in items}
