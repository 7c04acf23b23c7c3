"""Words of opposite polarity: a sentence that says one where its quote says the other contradicts it.

Word vectors put a word and its opposite close together ("approved" and "rejected" are used in
the same places), so the claim check (`qa.claims`) cannot tell them apart by closeness alone, and
no WordNet is available offline. This is the one lexicon of such opposites: each axis is a line of
two poles, each pole the base forms (lemmas) of words that say the same direction on that axis.
A word on one pole contradicts every word on the other pole of the same axis; it is not a synonym of
the other words of its own pole ("allowed" is not "praised"), so poles never count as a match.

The axes are chosen for news: votes and verdicts, amounts that rise or fall, contests won or lost,
claims confirmed or denied, things opened or closed, people hired or fired, arrested or released.
Each word is given in its base form; `forms` adds its inflections (regular ones by rule, irregular
ones from `IRREGULAR`), so "rose" and "risen" are "rise" and "fell" is "fall" without a lemmatizer.
A word with two senses sits on an axis only when both senses would contradict there ("decline":
refuse, or fall); words whose other senses are everyday ("back", "pass", "block", "contract") are
left out.
"""

from __future__ import annotations

import re
from functools import cache

AXES: tuple[tuple[str, str], ...] = (
    # votes, decisions and rulings
    ("approve accept endorse ratify uphold adopt authorise authorize grant", "reject refuse veto overturn deny"),
    ("allow permit legalise legalize", "ban forbid prohibit outlaw"),
    ("support favour favor welcome praise", "oppose condemn criticise criticize denounce"),
    ("agree", "disagree refuse decline"),
    ("lift", "impose"),
    ("guilty convict convicted", "acquit acquitted innocent"),
    ("legal lawful", "illegal unlawful"),
    # statements
    ("confirm admit acknowledge", "deny dispute"),
    ("true", "false"),
    # amounts
    (
        "rise increase grow gain climb jump soar surge raise boost expand higher highest more most up",
        "fall decrease shrink decline drop slump plunge sink slide cut lower lowest reduce less least fewer fewest down",
    ),
    ("profit surplus", "loss deficit"),
    ("largest biggest", "smallest"),
    # contests and outcomes
    ("win beat victory winner", "lose defeat loser"),
    ("succeed success", "fail failure"),
    ("improve strengthen better best", "worsen weaken worse worst deteriorate"),
    # states and moves
    ("open reopen resume start begin launch", "close shut suspend halt stop end"),
    ("hire appoint recruit", "fire dismiss sack"),
    ("buy purchase", "sell"),
    ("import", "export"),
    ("lend", "borrow"),
    ("arrive enter join", "depart leave exit quit"),
    ("include add", "exclude remove"),
    ("arrest detain jail imprison", "release free"),
    ("survive", "die kill"),
    ("earlier early", "later late"),
    ("positive", "negative"),
    ("majority", "minority"),
)
"""The axes: (one pole, the other pole), each a space-separated list of base forms."""

IRREGULAR: dict[str, tuple[str, ...]] = {
    "rise": ("rose", "risen"),
    "grow": ("grew", "grown"),
    "fall": ("fell", "fallen"),
    "shrink": ("shrank", "shrunk", "shrunken"),
    "sink": ("sank", "sunk"),
    "slide": ("slid",),
    "cut": ("cut",),
    "win": ("won",),
    "lose": ("lost",),
    "beat": ("beaten",),
    "begin": ("began", "begun"),
    "shut": ("shut",),
    "sell": ("sold",),
    "buy": ("bought",),
    "lend": ("lent",),
    "leave": ("left",),
    "quit": ("quit",),
    "free": ("freed",),
    "forbid": ("forbade", "forbidden"),
}
"""Irregular inflections of the words above (the regular ones follow from `forms`)."""


def _regular(base: str, kind: str) -> str:
    """`base` inflected by the regular rules: "s" (rises, denies, closes), "ed" (closed, denied, stopped) or "ing" (closing,
    dying, stopping). Some results are not words ("guiltied"): no harm, nothing writes them."""
    consonant_y = base.endswith("y") and base[-2:-1] not in ("a", "e", "i", "o", "u")
    if kind == "s":
        return base + "es" if base.endswith(("s", "x", "z", "ch", "sh", "o")) else base[:-1] + "ies" if consonant_y else base + "s"
    if kind == "ed":
        return base + "d" if base.endswith("e") else base[:-1] + "ied" if consonant_y else _doubled(base) + "ed"
    if base.endswith("ie"):
        return base[:-2] + "ying"
    return base[:-1] + "ing" if base.endswith("e") and not base.endswith("ee") else _doubled(base) + "ing"


def _doubled(base: str) -> str:
    """The stem -ed and -ing go on: a one-syllable word ending in one vowel and a consonant doubles it (stop → stopp-, ban →
    bann-; open → open-), and so do the longer ones stressed at the end (`_STRESSED_LAST`)."""
    if base in _STRESSED_LAST:
        return base + base[-1]
    syllables = len(re.findall(r"[aeiouy]+", base))
    ends = len(base) >= 3 and base[-1] not in "aeiouwxy" and base[-2] in "aeiou" and base[-3] not in "aeiou"
    return base + base[-1] if ends and syllables == 1 else base


_STRESSED_LAST = frozenset({"admit", "acquit", "begin", "forbid", "permit"})


def _inflections(base: str) -> set[str]:
    """A base form and its inflections: the regular ones and `IRREGULAR`."""
    return {base, *(_regular(base, kind) for kind in ("s", "ed", "ing")), *IRREGULAR.get(base, ())}


def inflect(base: str, kind: str) -> str:
    """`base` as `kind` says: "base", "s" (rises), "past" (rose), "participle" (risen) or "ing" (rising)."""
    irregular = IRREGULAR.get(base, ())
    if kind in ("past", "participle") and irregular:
        return irregular[0] if kind == "past" or len(irregular) == 1 else irregular[1]
    if kind == "base":
        return base
    return _regular(base, {"s": "s", "past": "ed", "participle": "ed", "ing": "ing"}[kind])


@cache
def _poles() -> dict[str, list[tuple[int, int]]]:
    """Every form of every word of the lexicon → the (axis, pole) places it stands on."""
    places: dict[str, list[tuple[int, int]]] = {}
    for axis, poles in enumerate(AXES):
        for pole, words in enumerate(poles):
            for base in words.split():
                for form in _inflections(base):
                    if (axis, pole) not in places.setdefault(form, []):
                        places[form].append((axis, pole))
    return places


def forms(base: str) -> frozenset[str]:
    """A base form with its inflections ("rise" → rise, rises, rose, risen, rising, ...)."""
    return frozenset(_inflections(base.lower()))


def opposes(word: str, other: str) -> bool:
    """Whether `word` and `other` (any form, any case) stand on opposite poles of one axis ("approved", "rejected")."""
    mine, theirs = _poles().get(word.lower(), []), _poles().get(other.lower(), [])
    return any(axis == their_axis and pole != their_pole for axis, pole in mine for their_axis, their_pole in theirs)


def opposites_in(word: str, words: set[str]) -> list[str]:
    """The words of `words` that stand on the opposite pole of an axis of `word`, sorted."""
    return sorted(other for other in words if opposes(word, other))


def opposite_bases(word: str) -> list[str]:
    """The base forms on the other pole of each axis `word` stands on ("approved" → reject, refuse, veto, overturn, deny)."""
    places = _poles().get(word.lower(), [])
    found: list[str] = []
    for axis, pole in places:
        found += [w for w in AXES[axis][1 - pole].split() if w not in found]
    return found
