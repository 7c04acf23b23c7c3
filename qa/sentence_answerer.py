"""Answer a question with the sentences of the retrieved chunks that best answer it: the answerer that takes every question.

It reads the question (`qa.question.analyze_question`: what it expects, its names, focus and
period), retrieves the chunks for its search text (hybrid, `qa.retriever`) and picks the one to
three sentences that answer it, and the phrase that does (`qa.evidence.EvidencePicker`).
"""

from __future__ import annotations

from index import Embedder
from index.words import WordVectors, words_of
from qa.answerers import Retrieved
from qa.evidence import Evidence, EvidencePicker
from qa.query import Query
from qa.question import Question, analyze_question
from qa.retriever import HybridRetriever


class SentenceAnswerer:
    """Answers with the best sentences (`qa.answerers.Answerer`).

    Args:
        embedder: The model that embeds the question (and the words the store has not met).
        words: Word vectors for the picker's alignment (`index.words`).
        retriever: Hybrid retrieval over the store.
        picker: Scores the retrieved sentences and decides.
    """

    def __init__(self, embedder: Embedder, words: WordVectors, retriever: HybridRetriever, picker: EvidencePicker) -> None:
        self.embedder = embedder
        self.words = words
        self.retriever = retriever
        self.picker = picker

    def read(self, query: Query) -> Question:
        """The question as the sentence picker reads it: every question is of this kind."""
        return analyze_question(query.question, today=query.today)

    def retrieve(self, query: Query, reading: Question) -> Retrieved:
        """The chunks for the query's search text, within the user's filters."""
        # one forward pass for every text of the question and its words the store has not met, so nothing encodes alone later
        texts = list(dict.fromkeys(t for t in (query.search_text, reading.text, reading.focus_text) if t))
        unknown = [w for w in self.words.unknown(words_of(reading.text)) if w not in texts]
        _, word_vectors = self.embedder.encode_questions(texts, words=unknown)
        self.words.remember(unknown, word_vectors)
        return Retrieved(self.retriever.retrieve(query.search_text, chunk_filter=query.filters, revision=query.revision))

    def answer(self, query: Query, reading: Question, retrieved: Retrieved) -> Evidence:
        """The best sentences of what was retrieved, or an abstention (`qa.evidence.EvidencePicker.pick`)."""
        return self.picker.pick(reading, retrieved.hits, self.retriever.term_weights)
