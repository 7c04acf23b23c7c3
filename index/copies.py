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

The work stays near-linear however many articles look alike. Articles with identical signatures
(2,000 copies of one paywall stub) are banded once, as one row, and joined by date alone (sorted,
each to the next within the window). Articles that share a band (1,000 stubs that differ by one
word share nearly all of them) are not compared pair by pair: walked in date order, each is
compared with the latest copy of each story already met in that band (`group_stories`), so a
band of near-identical articles costs about one comparison per article.

Copies that differ in a name, number or date are not the same story: a word-for-word copy of a
story with its company swapped ("Nimbus Robotics" for "Zephyr Dynamics") would otherwise be
grouped with it and could be quoted for it. Each copy is aligned word by word with its story's
first copy (`conflicts`); one that puts another name, number or date in place of one of the
story's, inside the text they share, is a story of its own, with the copies that put the same
there. Bylines, datelines and boilerplate at the start and end, and words added or dropped, change
nothing; a correction ("12 killed" becoming "14 killed") makes two stories, each quoted for itself.

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

import difflib
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from index.dates import NO_DATE, date_ordinal
from index.lexical import is_stopword
from index.settings import CopySettings
from index.words import WORD

if TYPE_CHECKING:
    from datasketch import MinHash

COPY_RULES = 2
"""Version of how copies are grouped (2: copies that swap a name, number or date are separate stories). Part of the sync
manifest's fingerprint (`index.manifest`), so the first sync after a change regroups every story."""
SHINGLE_WORDS = 3
"""Words per shingle: long enough that two stories on one topic share few, short enough that an edit costs few."""
PERMUTATIONS = 128
"""MinHash permutations: the Jaccard estimate's standard error is sqrt(J(1-J)/128), at most 0.044."""
COPY_THRESHOLD = CopySettings().threshold
"""Default estimated Jaccard similarity at or above which two articles are copies (`NEWSQA_COPIES__THRESHOLD`; see the module docstring)."""
COPY_WINDOW_DAYS = CopySettings().window_days
"""Default of how many days apart dated copies may be (`NEWSQA_COPIES__WINDOW_DAYS`); undated articles are compared by text alone."""


def story_order(day: int, article_id: str) -> tuple[bool, int, str]:
    """How the copies of a story are ordered, earliest first: by `day` (a `date_ordinal`), undated ones last, then by id.

    A story is named after its first copy in this order, and answers quote and list copies in it.
    """
    return day == NO_DATE, day, article_id


@dataclass(frozen=True)
class StoryInput:
    """What copy detection needs of an article."""

    id: str
    text: str
    date: str = ""


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The text's runs of `size` consecutive lower-cased words (the whole text when it is shorter)."""
    words = [w.casefold() for w in WORD.findall(text)]
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


def _buckets(rows: NDArray[np.uint64], threshold: float) -> Iterator[list[int]]:
    """Groups of rows (in row order) that agree on a whole band, one group per band value shared by two rows or more.

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
            yield sorted(order[run_start : run_start + run_length].tolist())


def _candidates(rows: NDArray[np.uint64], threshold: float) -> Iterator[tuple[int, int]]:
    """Pairs of rows (lower index first) that agree on a whole band, once per band they agree on: what `MinHashLSH` proposes.

    `story_ids` does not compare them all (see `group_stories`); this is the reference it is measured against.
    """
    for bucket in _buckets(rows, threshold):
        for i, first in enumerate(bucket[:-1]):
            for second in bucket[i + 1 :]:
                yield first, second


@dataclass(frozen=True)
class StoryGroups:
    """The stories `group_stories` found, and how much work it took."""

    ids: dict[str, str]
    """Each article id → its story id (the id of the story's first copy, `story_order`)."""
    pairs_compared: int
    """Signature comparisons made: near-linear in the articles, however many share a band."""
    texts_aligned: int
    """Copies aligned word by word with their story's first copy, to compare their names, numbers and dates."""


def story_ids(articles: Iterable[StoryInput], *, threshold: float = COPY_THRESHOLD, window_days: int = COPY_WINDOW_DAYS) -> dict[str, str]:
    """Each article's story id: the id of the earliest article it is a copy of (its own id when it has none).

    Article ids must be unique (they are file paths, with a line number for JSONL).
    """
    return group_stories(articles, threshold=threshold, window_days=window_days).ids


def group_stories(articles: Iterable[StoryInput], *, threshold: float = COPY_THRESHOLD, window_days: int = COPY_WINDOW_DAYS) -> StoryGroups:
    """The stories of `articles` (see the module docstring), with the work it took.

    First by text: articles with identical signatures are joined by date alone; then each band's
    bucket (the articles agreeing on it) is walked in date order, and each article is compared
    with the latest copy of each story already met in that bucket and still within the window, not
    with every member: a bucket of 1,000 near-identical stubs costs about 1,000 comparisons, not
    500,000 (an article that only an older member of a story would match is missed in that bucket,
    and almost always met in another). Then by facts: each copy is aligned word by word with its
    story's first copy, and copies that replace a name, number or date inside the shared text
    with another (`conflicts`) become stories of their own, grouped by what they replaced.
    """
    items = list(articles)
    if not items:
        return StoryGroups({}, 0, 0)
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
    # one row per distinct signature; `groups[g]` are the articles that share row g: all copies of each other by text
    unique, inverse = np.unique(rows, axis=0, return_inverse=True)
    row_of = inverse.reshape(-1).tolist()
    groups: list[list[int]] = [[] for _ in range(len(unique))]
    for article, group in enumerate(row_of):
        groups[group].append(article)
    for members in groups:
        undated = [m for m in members if days[m] == NO_DATE]
        for member in members if undated else []:  # an undated article is close in time to every other: one story
            join(undated[0], member)
        dated = sorted(members, key=lambda m: days[m])
        for earlier, later in itertools.pairwise(dated if not undated else []):
            if days[later] - days[earlier] <= window_days:
                join(earlier, later)

    compared = 0

    def copies(first: int, second: int) -> bool:
        nonlocal compared
        a, b = row_of[first], row_of[second]
        if a == b:
            return True
        compared += 1
        return bool(np.count_nonzero(unique[a] == unique[b]) / PERMUTATIONS >= threshold)  # MinHash.jaccard's estimate

    for bucket in _buckets(unique, threshold):
        members = [m for row in bucket for m in groups[row]]
        latest: dict[int, int] = {}  # story (its root) → its latest copy met in this bucket, oldest first
        for member in sorted((m for m in members if days[m] != NO_DATE), key=lambda m: days[m]):
            for story in [s for s, last in latest.items() if days[member] - days[last] > window_days]:
                del latest[story]  # too old for this member, so for every later one
            matched = [s for s, last in latest.items() if root(member) == root(last) or copies(last, member)]
            for story in matched:
                join(latest.pop(story), member)
            latest[root(member)] = member
        stories = {root(m): m for m in latest.values()} | {root(m): m for m in members if days[m] != NO_DATE and root(m) not in latest}
        for member in (m for m in members if days[m] == NO_DATE):  # close in time to every copy: compared with each story
            for other in list(stories.values()):
                if root(other) != root(member) and copies(other, member):
                    join(other, member)
            stories = {root(m): m for m in [*stories.values(), member]}

    by_text: dict[int, list[int]] = {}
    for row in sorted(range(len(items)), key=lambda row: story_order(days[row], items[row].id)):
        by_text.setdefault(root(row), []).append(row)
    ids: dict[str, str] = {}
    aligned = 0
    for members in by_text.values():
        first = members[0]
        keys: dict[str, tuple[tuple[int, tuple[str, ...]], ...]] = {items[first].text: ()}
        versions: dict[tuple[tuple[int, tuple[str, ...]], ...], str] = {}  # what a copy replaced → its story
        for member in members:  # earliest first: each story is named after its own earliest copy
            text = items[member].text
            if text not in keys:
                keys[text] = conflicts(items[first].text, text)
                aligned += 1
            ids[items[member].id] = versions.setdefault(keys[text], items[member].id)
    return StoryGroups(ids, compared, aligned)


_TOKEN = re.compile(r"\d[\d,.]*\d|\d|[\w’'-]+|[.!?]")
"""Words, numbers (with their separators) and sentence ends, as `conflicts` aligns them."""


def _facts(tokens: Sequence[str], start: int, end: int) -> tuple[str, ...]:
    """The names, numbers and dates among `tokens[start:end]`: a number, or a capitalised word that is neither a sentence's
    first word nor a stopword ("Robotics", "Tuesday", "80", not "The" or a first "Sales")."""
    found = []
    for at in range(start, end):
        token = tokens[at]
        if any(ch.isdigit() for ch in token):
            found.append(token.replace(",", ""))
        elif token[:1].isupper() and at > 0 and tokens[at - 1] not in {".", "!", "?"} and not is_stopword(token):
            found.append(token)
    return tuple(sorted(set(found)))


def conflicts(first: str, second: str) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Where `second` puts another name, number or date in place of one of `first`'s, inside the text they share: each place
    (a word offset in `first`) with the facts `second` has there; empty for a copy that only adds or drops words or edits
    its opening and closing lines (a byline, a dateline, an outlet's boilerplate)."""
    a, b = _TOKEN.findall(first), _TOKEN.findall(second)
    opcodes = difflib.SequenceMatcher(None, a, b).get_opcodes()
    found = []
    for tag, i1, i2, j1, j2 in opcodes[1:-1]:  # the first and last differences are where copies put their own lines
        if tag == "replace":
            mine, theirs = _facts(a, i1, i2), _facts(b, j1, j2)
            if mine and theirs and mine != theirs:
                found.append((i1, theirs))
    return tuple(found)
