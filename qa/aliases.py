"""Short forms merged into the names they shorten, across the retrieved articles ("Vikings" into "Minnesota Vikings").

Each article names an entity in full once and then shortens it; `index.entities` resolved every
mention to its name within the article. Across articles a bare short form ("Vikings", in an article
that never says "Minnesota Vikings") is still its own candidate: it joins the longer name when the
retrieved articles use it as that name's short form at least `merge_share` times as often as they
use it alone, and it does shorten it (`index.entities.shortens`). A chain of short forms ends at
the fullest name.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from index.entities import shortens

if TYPE_CHECKING:
    from qa.candidates import Candidate


def merge_short_forms(found: dict[str, Candidate], uses: Iterable[set[tuple[str, str]]], *, merge_share: float) -> None:
    """Fold each candidate of `found` that the articles use as a short form of a longer candidate into that one.

    Args:
        found: The candidates by name; merged ones are removed from it, their support added to the longer name's.
        uses: Per retrieved article, each mention (as a name) with its name in the article: ("Bankman-Fried", "Sam Bankman-Fried").
        merge_share: How many times more often a mention must stand for the longer name than alone.
    """
    aliases: dict[str, Counter[str]] = defaultdict(Counter)
    alone: Counter[str] = Counter()
    for pairs in uses:
        for mention, name in pairs:
            if mention == name:
                alone[mention] += 1
            else:
                aliases[mention][name] += 1
    into: dict[str, str] = {}
    for name in found:
        if aliases[name]:
            longer, count = aliases[name].most_common(1)[0]
            if longer in found and count >= merge_share * max(1, alone[name]) and shortens(name, longer):
                into[name] = longer
    for name, longer in into.items():
        seen = {name}
        while longer in into and longer not in seen:  # a chain of short forms ends at the fullest
            seen.add(longer)
            longer = into[longer]
        if longer != name:
            found[longer].absorb(found.pop(name))
