"""The untuned entity vote: a simple baseline for questions that ask for an entity across articles.

BM25 over the LangChain tutorial's chunks (1,000 characters, 200 overlap) finds the question's top
10 chunks; spaCy's named entities of the kind the question asks for (who → PERSON, which company →
ORG, ..., else any name) that the question does not already hold get a vote of 1 / (1 + rank) from
each chunk they appear in, and half again when a second article names them; a short form's votes
go to the longer name it shortens ("Fed" to "Federal Reserve"). The answer is the entity with most
votes. Nothing is tuned: it is the floor a careful entity answerer must beat on
questions it was not tuned on.
"""

from __future__ import annotations

import re
from collections import defaultdict

from index.entities import clean_name, ner_model, shortens
from index.lexical import terms
from index.lexicon import NAME_LABELS, PERSON_LABELS, PLACE_LABELS

TOP = 10
"""Chunks that vote."""
SECOND_ARTICLE_BONUS = 1.5
"""Votes are multiplied by this for an entity that two articles or more name."""
_LABELS = (
    (re.compile(r"\b(?:who|person|individual|player|ceo|founder|executive|filmmaker|director|actor|singer|star)\b", re.I), PERSON_LABELS),
    (re.compile(r"\b(?:team|club|franchise)\b", re.I), frozenset({"ORG", "GPE", "NORP"})),
    (re.compile(r"\b(?:country|city|state|region|place|venue|stadium)\b", re.I), PLACE_LABELS),
    (re.compile(r"\b(?:company|organi[sz]ation|firm|entity|institution|agency|bank|startup|exchange|brand)\b", re.I), frozenset({"ORG"})),
    (
        re.compile(r"\b(?:product|chatbot|app|platform|service|device|game|model|show|film)\b", re.I),
        frozenset({"ORG", "PRODUCT", "WORK_OF_ART"}),
    ),
)


def asked_labels(question: str) -> frozenset[str]:
    """The entity labels the question asks for (the first kind word it uses), else every label of a name."""
    head = question.split(",")[0]
    return next((labels for pattern, labels in _LABELS if pattern.search(head)), NAME_LABELS)


class EntityVote:
    """Answers with the entity the top BM25 chunks name most (see the module docstring)."""

    def __init__(self, chunks: list[tuple[str, str]]) -> None:
        """`chunks`: (article id, text) of every tutorial chunk."""
        import bm25s

        self.chunks = chunks
        self.bm25 = bm25s.BM25()
        self.bm25.index(bm25s.tokenize([text for _, text in chunks], stopwords="en", show_progress=False), show_progress=False)
        self.nlp = ner_model()

    def answer(self, question: str) -> tuple[str | None, list[str]]:
        """The entity with most votes (None when no chunk names one of the kind), and the top chunks' texts."""
        import bm25s

        found, _ = self.bm25.retrieve(
            bm25s.tokenize([question], stopwords="en", show_progress=False), k=min(TOP, len(self.chunks)), show_progress=False
        )
        top = [self.chunks[int(i)] for i in found[0]]
        labels, asked = asked_labels(question), set(terms(question))
        votes: dict[str, float] = defaultdict(float)
        articles: dict[str, set[str]] = defaultdict(set)
        for rank, (article, text) in enumerate(top):
            names = {clean_name(e.text) for e in self.nlp(text).ents if e.label_ in labels}
            for name in names:
                if terms(name) and not set(terms(name)) <= asked:
                    votes[name] += 1 / (1 + rank)
                    articles[name].add(article)
        if not votes:
            return None, [text for _, text in top]
        for name in sorted(votes, key=len):
            longer = [other for other in votes if other != name and shortens(name, other)]
            if longer:
                into = max(longer, key=lambda other: votes[other])
                votes[into] += votes.pop(name)
                articles[into] |= articles.pop(name)
        best = max(votes, key=lambda n: (votes[n] * (SECOND_ARTICLE_BONUS if len(articles[n]) > 1 else 1.0), n))
        return best, [text for _, text in top]
