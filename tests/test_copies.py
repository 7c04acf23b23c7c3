"""Copy detection on the written pairs: true syndicated copies grouped, same-topic stories kept apart, earliest copy names the story."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index.copies import COPY_THRESHOLD, StoryInput, similarity, story_ids
from tests.conftest import ROOT

pytestmark = pytest.mark.unit

PAIRS = [json.loads(line) for line in (ROOT / "bench" / "data" / "copies" / "pairs.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("pair", PAIRS, ids=[p["id"] for p in PAIRS])
def test_threshold_separates_copies_from_same_topic_stories(pair):
    a, b = pair["a"]["text"], pair["b"]["text"]
    grouped = story_ids([StoryInput("a", a, "2025-01-02"), StoryInput("b", b, "2025-01-01")])
    assert (grouped["a"] == grouped["b"]) is pair["copy"]
    margin = similarity(a, b) - COPY_THRESHOLD
    assert margin >= 0.1 if pair["copy"] else margin <= -0.3  # not a near miss either way


def test_earliest_dated_copy_names_the_story_and_copies_group_transitively():
    original = PAIRS[0]["a"]["text"]
    copy = PAIRS[0]["b"]["text"]
    copy_of_copy = copy.replace("in light rain", "under grey skies").replace("More AP sports", "More from our sports desk")
    other = PAIRS[5]["b"]["text"]
    stories = story_ids(
        [
            StoryInput("z-undated", copy_of_copy, ""),
            StoryInput("m-later", copy, "2025-04-02"),
            StoryInput("y-first", original, "2025-04-01"),
            StoryInput("other", other, "2025-03-01"),
        ]
    )
    assert stories == {"z-undated": "y-first", "m-later": "y-first", "y-first": "y-first", "other": "other"}


def test_the_same_words_a_year_later_are_another_story():
    race = "{winner} won the Glenmoor half marathon on Sunday in {time}, ahead of a field of {field} runners. The race raised money for the town's hospice."
    first = race.format(winner="Ruth Okafor", time="1 hour 12 minutes", field="2,100")
    later = race.format(winner="Lena Sorvik", time="1 hour 10 minutes", field="2,600")
    assert similarity(first, later) >= COPY_THRESHOLD  # the text alone cannot tell them apart ...
    assert story_ids([StoryInput("2024", first, "2024-04-14"), StoryInput("2025", later, "2025-04-14")]) == {"2024": "2024", "2025": "2025"}
    # ... the dates can: republished within the week, the same text is one story
    assert story_ids([StoryInput("wire", first, "2024-04-14"), StoryInput("paper", first, "2024-04-16")]) == {
        "wire": "wire",
        "paper": "wire",
    }


@pytest.mark.unit
def test_banding_proposes_exactly_the_pairs_minhashlsh_would():
    from datasketch import MinHash, MinHashLSH

    from index.copies import PERMUTATIONS, _candidates

    rng = np.random.default_rng(7)
    originals = rng.integers(0, 2**32, size=(300, PERMUTATIONS), dtype=np.uint64)
    edited = originals.copy()
    for row, changed in zip(edited, rng.integers(60, 120, size=len(edited)), strict=True):
        row[rng.choice(PERMUTATIONS, size=changed, replace=False)] = rng.integers(0, 2**32, size=changed, dtype=np.uint64)
    rows = np.vstack([originals, edited, originals[:4]])  # near copies (some bands kept), and exact copies
    lsh = MinHashLSH(threshold=0.4, num_perm=PERMUTATIONS)
    signatures = [MinHash(num_perm=PERMUTATIONS, hashvalues=row, scheme="affine32") for row in rows]
    for i, signature in enumerate(signatures):
        lsh.insert(i, signature)
    expected = {(i, j) for i, signature in enumerate(signatures) for j in lsh.query(signature) if i < j}
    proposed = list(_candidates(rows, 0.4))
    assert all(i < j for i, j in proposed)
    assert set(proposed) == expected
    assert {(i, 600 + i) for i in range(4)} <= expected  # the exact copies
    assert sum(j == i + 300 for i, j in expected) > 20  # and edited ones, many sharing a single band


def test_the_catalog_lists_a_storys_other_copies_earliest_first_and_its_outlets_once():
    from index.catalog import Catalog, CatalogEntry
    from index.dates import date_ordinal

    def entry(article_id: str, day: str, source: str) -> CatalogEntry:
        return CatalogEntry(article_id, article_id, day, source, "", 1, "story", date_ordinal(day), source.casefold())

    catalog = Catalog([entry("a-undated", "", "AP"), entry("b-later", "2025-04-02", "ap"), entry("c-first", "2025-04-01", "Reuters")])
    assert [e.id for e in catalog.copies_of("a-undated")] == ["c-first", "b-later"]  # by date, undated last (not by id)
    assert [e.id for e in catalog.copies_of("c-first")] == ["b-later", "a-undated"]
    assert catalog.copies_of("not-indexed") == []
    assert catalog.outlets() == ["AP", "Reuters"]  # as the first article (by id) names it


STUB = "Subscribe to continue reading this story. Already a subscriber? Log in to read the {token} story in full from our newsroom."


def stubs(count: int, number: bool) -> list[StoryInput]:
    """`count` paywall stubs that differ by one word (a made-up lower-case word, or a number), dated over four weeks."""
    words = ["".join("abcdefghijklmnopqrstuvwxyz"[(i // 26**k) % 26] for k in range(3)) for i in range(count)]
    return [
        StoryInput(f"stub-{i:05d}", STUB.format(token=str(1000 + i) if number else words[i]), f"2025-01-{1 + i % 28:02d}")
        for i in range(count)
    ]


@pytest.mark.parametrize("number", [False, True], ids=["a word", "a number"])
def test_near_identical_stubs_cost_about_one_comparison_each(number):
    from index.copies import group_stories

    work = {}
    for count in (250, 500, 1000):
        found = group_stories(stubs(count, number))
        work[count] = (found.pairs_compared, found.texts_aligned)
        # a word changed is the same story; a number changed is another one each time
        assert len(set(found.ids.values())) == (count if number else 1)
    for count, (compared, aligned) in work.items():
        assert compared <= 2 * count, work  # every pair of every band would be about 16 * count * count
        assert aligned < count, work
    assert work[1000][0] <= 5 * work[250][0], work  # grows with the count, not its square


def test_a_copy_that_swaps_a_name_number_or_date_is_another_story():
    wire = (
        "Nimbus Robotics, a Pittsburgh startup, has raised 80 million dollars in a round led by Foundry Ventures. The company "
        "will open an office in Rotterdam on Monday. Nimbus Robotics was founded in 2021 by Dana Okafor, who said its forklifts "
        "run in 40 warehouses. Foundry Ventures partner Mei Tanaka will join the board of Nimbus Robotics."
    )
    versions = {
        "wire": wire,
        "byline": f"By Jo Park, Business Desk. {wire} Sign up for our newsletter to get the latest from Reuters.",
        "edited": wire.replace("will join the board", "is to join the board"),
        "name": wire.replace("Nimbus Robotics", "Zephyr Dynamics"),
        "number": wire.replace("40 warehouses", "400 warehouses"),
        "day": wire.replace("on Monday", "on Friday"),
    }
    stories = story_ids([StoryInput(name, text, "2025-03-04") for name, text in versions.items()])
    assert stories["byline"] == stories["edited"] == stories["wire"] == "byline"  # the earliest by id names it
    assert [stories[name] for name in ("name", "number", "day")] == ["name", "number", "day"]
