"""What an entity answer quotes: for each clue the entity supports, its best sentence, and a sentence naming it in full.

Each supported clue, best supported first, gets its best sentence, from an article not quoted yet
where one supports it, one from an outlet the question names, one within the words left and one
naming the entity in full first; then the best sentences of other articles; all while there is room
(`max_sentences`, and `max_words` together: the clues that decide, not all of them; the first
sentence is quoted whatever its length). When no quoted sentence names the entity in full ("the
Fed"), a sentence that does is quoted too: one supporting a clue if there is one (from an article
not quoted yet first), else a retrieved one, as context: from the same passage if one there does,
else from the same article, else from any. The short answer is that full name, placed where a
quoted sentence holds it verbatim.
"""

from __future__ import annotations

from qa.candidates import Candidate
from qa.sentences import Quote, Sentence
from qa.short_answer import ShortAnswer


def quote_entity(
    best: Candidate,
    retrieved: list[Sentence],
    named_outlets: set[str],
    *,
    clue_support: float,
    max_sentences: int,
    max_words: int,
    name: str = "",
) -> tuple[list[Quote], dict[tuple[str, int], int], ShortAnswer]:
    """The sentences to quote for the chosen entity (see the module docstring), the clue each supports, and its full name.

    Args:
        best: The chosen candidate.
        retrieved: Every retrieved sentence (where a sentence naming it in full is looked for).
        named_outlets: The outlets the question names, as `source_key`s: their sentences are quoted first.
        clue_support: The match at which a sentence supports a clue.
        max_sentences: The most sentences quoted for the clues.
        max_words: The most words they may hold together (one sentence is quoted whatever its length).
        name: The name to answer with, when fuller than the candidate's (`qa.entity_forms.fullest_name`).
    """
    name = name or best.name
    options = sorted(best.supporting(clue_support), key=lambda option: -option[1])
    chosen: dict[tuple[str, int], tuple[Sentence, int, float]] = {}
    articles: set[str] = set()

    words = 0

    def room(sentence: Sentence) -> bool:
        return not chosen or (len(chosen) < max_sentences and words + len(sentence.text.split()) <= max_words)

    def take(row: int, value: float, sentence: Sentence) -> None:
        nonlocal words
        chosen[sentence.key] = (sentence, row, value)
        articles.add(sentence.article_id)
        words += len(sentence.text.split())

    for row in sorted({row for row, _, _ in options}, key=lambda r: -best.support[r]):
        mine = [o for o in options if o[0] == row and o[2].key not in chosen and room(o[2])]
        if mine:  # from an article not quoted yet, an outlet the question names, within the words left, naming it in full, best
            take(
                *min(
                    mine,
                    key=lambda o: (
                        o[2].article_id in articles,
                        o[2].chunk.source_key not in named_outlets,
                        words + len(o[2].text.split()) > max_words,
                        full_name_in(o[2], name) is None,
                        -o[1],
                    ),
                )
            )
    for row, value, sentence in options:
        if sentence.article_id not in articles and sentence.key not in chosen and room(sentence):
            take(row, value, sentence)
    quoted = [Quote(sentence, "answer", value) for sentence, _, value in chosen.values()]
    clue_of = {key: row for key, (_, row, _) in chosen.items()}
    short = next((found for found in (full_name_in(x.sentence, name) for x in quoted) if found is not None), None)
    naming_support = [o for o in options if o[2].key not in chosen and full_name_in(o[2], name) is not None] if short is None else []
    if naming_support:  # one that supports a clue too, from another article first
        row, value, sentence = min(naming_support, key=lambda o: (o[2].article_id in articles, -o[1]))
        quoted.append(Quote(sentence, "answer", value))
        clue_of[sentence.key] = row
        short = full_name_in(sentence, name)
    if short is None:
        naming = _naming_sentence([x.sentence for x in quoted], name, retrieved)
        if naming is not None:
            quoted.append(Quote(naming, "context", max((x.score for x in quoted), default=0.0)))
            short = full_name_in(naming, name)
    return quoted, clue_of, short or ShortAnswer(text=name, start=None, end=None, sentence=None)


def full_name_in(sentence: Sentence, name: str) -> ShortAnswer | None:
    """The place of `name`, verbatim, inside one of the sentence's mentions of it."""
    for entity in sentence.entities:
        if entity.name != name:
            continue
        mention = sentence.text[entity.start - sentence.start : entity.end - sentence.start]
        at = mention.lower().find(name.lower())  # a phrase's name is lower-cased where it starts a sentence ("Parents")
        if at >= 0:
            start = entity.start + at
            return ShortAnswer(text=mention[at : at + len(name)], start=start, end=start + len(name), sentence=sentence)
    return None


def _naming_sentence(quoted: list[Sentence], name: str, retrieved: list[Sentence]) -> Sentence | None:
    """A sentence that names the entity in full: in a quoted sentence's passage (nearest before it first), else in a
    quoted sentence's article, else anywhere retrieved."""
    keys = {q.key for q in quoted}
    articles = {q.article_id for q in quoted}
    nearby = [
        other
        for sentence in quoted
        for other in [x for x in sentence.siblings if x.start < sentence.start][::-1]
        + [x for x in sentence.siblings if x.start > sentence.start]
    ]
    same_article = [x for x in retrieved if x.article_id in articles]
    for other in [*nearby, *same_article, *retrieved]:
        if other.key not in keys and full_name_in(other, name) is not None:
            return other
    return None
