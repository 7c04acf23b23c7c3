"""The forms an entity answer takes beyond one name: a class named by a common noun phrase, a pair, a name in full.

- **A class** ("What group of people ...?"): the sentences that best match the clues are read for
  their common noun phrases (`qa.noun_phrases`), which stand in for their named entities as
  mentions, beside the names of peoples and groups (NORP: "Republicans").
- **Two or three entities** ("Which two companies ...?"): the best candidate and the others of the
  kind the clues agree on most, every sentence about them counting however weakly it supports a
  clue.
- **A name in full**: the chosen entity is answered by the fuller name a retrieved sentence uses
  for it ("Martin Scorsese" for "Scorsese", "International Trade Commission" for "ITC"), where
  it can stand for only one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np

from index.entities import Entity, name_tokens, shortens
from index.lexical import terms
from qa.entity_scoring import ScoredCandidate
from qa.noun_phrases import NounPhrase, noun_phrases
from qa.sentences import Sentence


def class_mentions(sentences: list[Sentence], match: np.ndarray, *, limit: int) -> list[Sentence]:
    """The sentences, the `limit` that best match a clue with their noun phrases (and NORP names) as their mentions, the
    others with none: what a question asking for a class reads."""
    best = match.max(axis=0) if match.size else np.zeros(len(sentences))
    chosen = {int(i) for i in np.argsort(-best)[:limit]}
    by_key = {s.key: s for s in sentences}
    parsed = {
        key: [p for p in phrases if not _inside_an_entity(p, by_key[key])]
        for key, phrases in noun_phrases([s for i, s in enumerate(sentences) if i in chosen]).items()
    }
    names = _phrase_names([p for phrases in parsed.values() for p in phrases])
    read = []
    for sentence in sentences:
        phrases = sorted(parsed.get(sentence.key, []), key=lambda p: (not p.subject, p.start))  # its subject first: what it is about
        mentions = [Entity(p.start, p.end, "PHRASE" if p.plural else "ONE_THING", names[_key(p.text)]) for p in phrases]
        mentions += [e for e in sentence.entities if e.label == "NORP" and e.name and sentence.key in parsed]
        read.append(replace(sentence, entities=mentions))
    return read


def _inside_an_entity(phrase: NounPhrase, sentence: Sentence) -> bool:
    """Whether the phrase's head is part of a named entity, a date or an amount the index tagged ("nearly two months")."""
    return any(e.start < phrase.end and e.end > phrase.start and e.label != "NORP" for e in sentence.entities)


def _key(phrase: str) -> tuple[str, ...]:
    """What makes two phrases the same class: their stemmed words ("parent" and "Parents")."""
    return tuple(terms(phrase))


def _phrase_names(phrases: list[NounPhrase]) -> dict[tuple[str, ...], str]:
    """The name of each class the phrases name: its most used plural form, lower-cased where only the start of a sentence
    capitalised it ("Parents" → "parents")."""
    forms: dict[tuple[str, ...], Counter[str]] = {}
    for p in phrases:
        text = p.text[:1].lower() + p.text[1:] if p.text.split()[0][1:].islower() else p.text
        forms.setdefault(_key(p.text), Counter())[text] += 2 if p.plural else 1
    return {key: counts.most_common(1)[0][0] for key, counts in forms.items()}


def partners(ranked: list[ScoredCandidate], count: int) -> list[ScoredCandidate]:
    """The best candidate and the `count` - 1 others of the kind that the clues agree on most, counting every sentence about
    them however weakly it supports a clue (the second of a pair is often "the social network" of the sentence that
    names the first)."""
    best = ranked[0]
    fitting = [c for c in ranked[1:] if c.features.kind >= best.features.kind / 2]
    return [best, *sorted(fitting, key=lambda c: -float(c.candidate.support.sum()))[: count - 1]]


def fullest_name(name: str, sentences: list[Sentence]) -> str:
    """The one fuller name the retrieved sentences use that `name` stands for (`_stands_for`), else `name` (also when it could
    stand for several)."""
    fuller = {e.name for s in sentences for e in s.entities if e.name and e.name != name and _stands_for(name, e.name)}
    longest = [n for n in fuller if not any(n != other and shortens(n, other) for other in fuller)]
    return longest[0] if len(longest) == 1 else name


def _stands_for(short: str, full: str) -> bool:
    """Whether `short` is how a later mention shortens `full`: its acronym ("ITC") or its last words ("Scorsese", "Vikings").
    A name's first words stand for other things as often ("Google" is not "Google Search")."""
    if not shortens(short, full):
        return False
    words, full_words = name_tokens(short), name_tokens(full)
    return short.isupper() or full_words[-len(words) :] == words
