"""How well each retrieved sentence matches each clue of a descriptive question, relative to the clue's best match.

A sentence's match with a clue is the cosine of their embeddings (the sentence's was stored at
index time) plus `lexical_share` times the IDF-weighted share of the clue's terms found in the
sentence, floored at 0 and divided by the clue's best match among the retrieved sentences: 1 is
the best sentence for that clue, whatever its absolute score.
"""

from __future__ import annotations

import numpy as np

from index.lexical import TermWeights, term_set, terms
from qa.sentences import Sentence


def match_clues(
    clues: list[str], clue_vectors: np.ndarray, sentences: list[Sentence], weights: TermWeights, *, lexical_share: float
) -> np.ndarray:
    """The match of each clue with each sentence (clues × sentences), relative to the clue's best match (see the module docstring).

    Args:
        clues: The question's clues.
        clue_vectors: Their embeddings, one row each.
        sentences: The retrieved sentences, each with its stored vector.
        weights: IDF of the indexed terms (from the BM25 index).
        lexical_share: Weight of the lexical share beside the cosine (`EntityAnswerSettings.lexical_share`).
    """
    vectors = [s.vector for s in sentences]
    assert all(v is not None for v in vectors), "every sentence has its vector (`collect_sentences` reads them)"
    matrix = np.stack([v for v in vectors if v is not None])
    cosine = clue_vectors @ matrix.T
    sentence_terms = [term_set(s.text) for s in sentences]
    lexical = np.zeros_like(cosine)
    for row, clue in enumerate(clues):
        idf = {t: weights.idf(t) for t in set(terms(clue))}
        total = sum(idf.values()) or 1.0
        for column, present in enumerate(sentence_terms):
            lexical[row, column] = sum(value for t, value in idf.items() if t in present) / total
    score = np.maximum(cosine + lexical_share * lexical, 0.0)
    return score / np.maximum(score.max(axis=1, keepdims=True), 1e-9)
