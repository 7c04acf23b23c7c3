"""Find syndicated copies: the same wire story republished with another headline, byline or a few edits.

Each article's text (not its title: outlets rewrite headlines) becomes a set of word shingles,
`SHINGLE_WORDS` consecutive lower-cased words, summarised by a `datasketch.MinHash` of `PERMUTATIONS`
permutations. The signatures are split into the bands `datasketch.MinHashLSH` chooses for
`COPY_THRESHOLD`; two articles that agree on a whole band are a candidate pair, and a pair is a copy
when the MinHash estimate of their Jaccard similarity reaches the threshold. (The bands are grouped
by sorting a matrix of signatures, 1 KB an article; `MinHashLSH`'s own tables hold about 10 KB an
article, 10 GB at a million.) Copies are grouped
transitively (A~B and B~C put A, B and C in one story). Two dated articles more than
`COPY_WINDOW_DAYS` apart are never copies: outlets republish a wire story within days, while the
same words a year later are the next edition of an event ("Okafor won the Glenmoor half marathon
on Sunday in ..." in 2024, "Sorvik won ..." in 2025), which must stay its own story. A story's id is the article id of its
earliest copy (by date, undated last, then by id), so an article with no copies is its own story.

Articles with identical signatures (2,000 copies of one paywall stub) are banded once, as one row:
within such a group every pair is a copy, so the group is joined by date alone (sorted, each to
the next within the window), and a candidate pair of groups joins the members of both that are
within the window of each other the same way. The work is then linear in the size of a group
instead of quadratic, and the stories are exactly those of comparing every pair.

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

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from index.dates import NO_DATE, date_ordinal
from index.settings import CopySettings

if TYPE_CHECKING:
    from datasketch import MinHash

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


def _minhash(text: str, shared: MinHash | None = None) -> MinHash:
    """The text's MinHash; with `shared` (another MinHash), reusing its permutations instead of drawing them again."""
    from datasketch import MinHash

    if shared is None:
        signature = MinHash(num_perm=PERMUTATIONS)
    else:
        signature = MinHash(num_perm=PERMUTATIONS, permutations=shared.permutations, scheme=shared.scheme)
    signature.update_batch([s.encode("utf-8") for s in sorted(shingles(text))])
    return signature


def similarity(first: str, second: str) -> float:
    """The MinHash estimate of the Jaccard similarity of two texts' shingle sets (what `story_ids` compares)."""
    return float(_minhash(first).jaccard(_minhash(second)))


def _signatures(texts: Sequence[str]) -> NDArray[np.uint64]:
    """One row of MinHash values per text: 1 KB an article, however many there are."""
    from datasketch import MinHash

    shared = MinHash(num_perm=PERMUTATIONS)  # its permutations are drawn once, for every signature
    rows = np.empty((len(texts), PERMUTATIONS), dtype=np.uint64)
    for row, text in enumerate(texts):
        rows[row] = _minhash(text, shared).hashvalues
    return rows


def _candidates(rows: NDArray[np.uint64], threshold: float) -> Iterator[tuple[int, int]]:
    """Pairs of rows (lower index first) that agree on a whole band, once per band they agree on.

    The bands are those `datasketch.MinHashLSH` uses for `threshold` (`b` bands of `r` values; 32 of 4
    at 0.4). Rows are grouped by sorting each band's values instead of filling `MinHashLSH`'s dict of
    sets per band, which holds about 10 KB an article.
    """
    from datasketch import MinHashLSH

    banding = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS)
    for start in range(0, banding.b * banding.r, banding.r):
        band = np.ascontiguousarray(rows[:, start : start + banding.r]).view(np.dtype((np.void, 8 * banding.r))).ravel()
        order = np.argsort(band, kind="stable")
        ordered = band[order]
        run_starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        run_lengths = np.diff(np.r_[run_starts, len(ordered)])
        shared = run_lengths > 1
        for run_start, run_length in zip(run_starts[shared].tolist(), run_lengths[shared].tolist(), strict=True):
            bucket = sorted(order[run_start : run_start + run_length].tolist())
            for i, first in enumerate(bucket[:-1]):
                for second in bucket[i + 1 :]:
                    yield first, second


def story_ids(articles: Iterable[StoryInput], *, threshold: float = COPY_THRESHOLD, window_days: int = COPY_WINDOW_DAYS) -> dict[str, str]:
    """Each article's story id: the id of the earliest article it is a copy of (its own id when it has none).

    Article ids must be unique (they are file paths, with a line number for JSONL).
    """
    items = list(articles)
    if not items:
        return {}
    rows = _signatures([a.text for a in items])
    parent = list(range(len(items)))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def join(first: int, second: int) -> None:
        a, b = root(first), root(second)
        if a != b:
            parent[b] = a

    days = [date_ordinal(a.date) for a in items]

    def join_by_date(members: list[int]) -> None:
        """Join articles that are all copies of each other by text: dated ones within the window, undated with all."""
        undated = [m for m in members if days[m] == NO_DATE]
        if undated:  # an undated article is close in time to every other: all of them are one story
            for member in members:
                join(undated[0], member)
            return
        ordered = sorted(members, key=lambda m: days[m])
        for earlier, later in itertools.pairwise(ordered):
            if days[later] - days[earlier] <= window_days:
                join(earlier, later)

    # one row per distinct signature; `groups[g]` are the articles that share row g
    unique, inverse = np.unique(rows, axis=0, return_inverse=True)
    groups: list[list[int]] = [[] for _ in range(len(unique))]
    for article, group in enumerate(inverse.reshape(-1).tolist()):
        groups[group].append(article)
    for members in groups:
        if len(members) > 1:
            join_by_date(members)
    for first, second in _candidates(unique, threshold):
        # the MinHash estimate of their Jaccard similarity, as `datasketch.MinHash.jaccard` computes it
        if np.count_nonzero(unique[first] == unique[second]) / PERMUTATIONS >= threshold:
            join_by_date(groups[first] + groups[second])

    def age(row: int) -> tuple[bool, int, str]:
        return days[row] == NO_DATE, days[row], items[row].id

    earliest: dict[int, str] = {}
    for row in sorted(range(len(items)), key=age):
        earliest.setdefault(root(row), items[row].id)
    return {a.id: earliest[root(row)] for row, a in enumerate(items)}
