"""Answer a descriptive question with the entity its clues agree on, across articles.

"Which company, reported by TechCrunch and The Verge, enforces uniform terms on developers through its
store and also justifies its choice of a default search engine?" asks for an entity that the
articles describe in pieces. The answerer (weights and thresholds are the described fields of
`EntityAnswerSettings`):

1. Matches every clue (`qa.clues`) with every sentence of the chunks retrieved for the clues: the
   cosine of their embeddings (the sentence's was stored at index time) plus `lexical_share` times
   the IDF-weighted share of the clue's terms in the sentence, relative to that clue's best match.
2. Takes as candidates the named entities of those chunks under their names in the article
   (`index.entities`: a later "Bankman-Fried" is "Sam Bankman-Fried"), merged across articles when
   the retrieved articles use one as the short form of the other (`merge_share`: "Vikings" →
   "Minnesota Vikings"). Never a name the question itself holds, an outlet, or (unless a product
   is asked for) a name with digits in it, which is a tagging slip ("Wes Welker 2011").
3. Counts a sentence as about an entity when it names it first (1: the clue is said of its
   subject) or later (`object_share`), when a sentence up to `look_back` before it in the passage
   does (`mention_decay` to that power: "He ..."), and in part when the entity is one of its
   article's `top_names` most mentioned names (`salience_share` times its share). A clue's
   support for an entity is its best match among the sentences about it; at `clue_support` the
   clue counts as supported.
4. Scores each candidate by these features, each divided by the best candidate's value of it, then
   weighted:
   - `clues`: the share of the clues it supports;
   - `articles`: distinct articles (up to 3) holding a sentence that supports a clue for it;
   - `outlets`: the share of the outlets the question names among those articles' outlets;
   - `mentions`: log(1 + how often the retrieved sentences name it);
   - `salience`: its largest share of an article's names among the retrieved articles;
   - `subject`: the share of its mentions that come first in their sentence (its subject);
   - `kind`: how well its full form's NER labels fit the kind asked for (`qa.clues.EntityKind.fit`,
     smoothed: spaCy's small model often tags a person ORG);
   - `kind_words`: how often (up to 3) the question's kind words stand next to it ("the chatbot
     ChatGPT", "Snapchat, the social media platform");
   - `period`: the share of its supporting articles published in the period the question names.
5. Answers with the best candidate when it supports at least `min_clue_coverage` of the clues,
   else abstains; a name in the question that no indexed article holds means the question is
   about something not indexed (`qa.names`), and it abstains too. The confidence is a Platt scaling of the
   best candidate's lead: the share of its score that the runner-up lacks.
6. Quotes, for each clue it supports, the best sentence about it (from an article not quoted yet,
   and from an outlet the question names, where one supports the clue), then sentences of further
   articles, up to `max_sentences`, and a sentence naming it in full when none of those does; the
   short answer is that full name, underlined where a quoted sentence holds it.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from index import Embedder, StoredChunk
from index.dates import story_date
from index.entities import SalientName, clean_name, shortens
from index.filters import source_key
from index.lexical import TermWeights, term_set, terms
from index.settings import EntityAnswerSettings
from qa.clues import DescriptiveQuestion, outlet_forms
from qa.decision import ABSTAINED_CONFIDENCE, RELATED_PASSAGES
from qa.evidence import Evidence
from qa.sentences import Quote, Sentence, chunk_sentences
from qa.short_answer import ShortAnswer

NamesCheck = Callable[[str, list[str], frozenset[str]], list[str]]
"""Which names of a text no indexed chunk holds, given the retrieved chunks' texts and terms that are no names there."""

FEATURES = ("clues", "articles", "outlets", "mentions", "salience", "subject", "kind", "kind_words", "period")
"""The candidate features, in the order of the module docstring; each has a `<name>_weight` in `EntityAnswerSettings`."""
_NEXT_TO = 3
"""Words between a name and the kind words for them to stand next to each other."""
_DIGIT = re.compile(r"\d")


@dataclass
class Candidate:
    """One entity the clues may describe, with what supports it."""

    name: str
    support: np.ndarray
    """Per clue: its best match among the sentences about this entity, relative to the clue's best match anywhere."""
    by_article: list[dict[str, tuple[float, Sentence]]]
    """Per clue: for each article, its best sentence about this entity and how well it matches the clue."""
    mentions: int = 0
    first: int = 0
    kind_words: int = 0
    salience: float = 0.0
    labels: Counter[str] = field(default_factory=Counter)
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0

    def supporting(self, threshold: float) -> list[tuple[int, float, Sentence]]:
        """(clue, match, sentence) for each clue and article where a sentence about this entity supports the clue at `threshold`."""
        return [
            (row, value, sentence)
            for row, articles in enumerate(self.by_article)
            for value, sentence in articles.values()
            if value >= threshold
        ]

    def record(self, row: int, value: float, sentence: Sentence) -> None:
        """Keep `sentence` as the article's best for clue `row` if it matches better than the one kept."""
        kept = self.by_article[row].get(sentence.article_id)
        if kept is None or value > kept[0]:
            self.by_article[row][sentence.article_id] = (value, sentence)


@dataclass
class EntityEvidence(Evidence):
    """Evidence for a descriptive question: the chosen sentences, and the candidates as ranked (best first)."""

    candidates: list[Candidate] = field(default_factory=list)
    unknown_names: list[str] = field(default_factory=list)


class EntityAnswerer:
    """Finds the entity a descriptive question's clues agree on, in already retrieved chunks."""

    def __init__(self, embedder: Embedder, settings: EntityAnswerSettings) -> None:
        self.embedder = embedder
        self.settings = settings

    def answer(
        self,
        question: DescriptiveQuestion,
        chunks: Iterable[tuple[StoredChunk, int]],
        weights: TermWeights,
        *,
        outlets: list[str],
        clue_vectors: np.ndarray | None = None,
        names_not_indexed: NamesCheck | None = None,
    ) -> EntityEvidence:
        """The evidence for `question` among the retrieved `chunks` (each with its best rank).

        Args:
            question: The question as `qa.clues.read_descriptive` read it.
            chunks: The chunks retrieved for its clues, each with the best rank it got.
            weights: IDF of the indexed terms (from the BM25 index).
            outlets: Every indexed outlet, so that an outlet is never an answer.
            clue_vectors: The clues' embeddings, when the caller has encoded them already.
            names_not_indexed: Which names of a text no indexed chunk holds (`qa.names`), given the texts of the chunks
                retrieved for it and terms to ignore; the question is abstained on when its names are not indexed.
        """
        chunks = list(chunks)
        unknown = (
            names_not_indexed(question.about or question.text, [chunk.text for chunk, _ in chunks], frozenset(question.kind_words))
            if names_not_indexed is not None
            else []
        )
        sentences = self._sentences(chunks)
        if unknown or not sentences:
            return self._abstain(sentences, unknown)
        match = self._match(question, sentences, weights, clue_vectors)
        candidates = self._candidates(question, sentences, match, outlets)
        if not candidates:
            return self._abstain(sentences, unknown)
        self._score(question, candidates)
        best = candidates[0]
        coverage = float((best.support >= self.settings.clue_support).mean())
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        lead = (best.score - runner_up) / best.score if best.score > 0 else 0.0
        confidence = self.confidence(lead)
        if coverage < self.settings.min_clue_coverage:
            return EntityEvidence(
                sentences=self._related(sentences, match),
                abstained=True,
                confidence=round(min(confidence, ABSTAINED_CONFIDENCE), 4),
                best_score=lead,
                clues=question.clues,
                candidates=candidates,
            )
        chosen, clue_of, short = self._quote(best, sentences, {source_key(o) for o in question.outlets})
        return EntityEvidence(
            sentences=chosen,
            abstained=False,
            confidence=round(confidence, 4),
            best_score=lead,
            short=short,
            clues=question.clues,
            clue_of=clue_of,
            candidates=candidates,
        )

    def confidence(self, lead: float) -> float:
        """The chance that the best candidate is right, from its lead over the runner-up (the share of its score the runner-up
        lacks; Platt scaling fitted by bench/calibrate.py): the clues agree on it, and on no other as well."""
        z = self.settings.confidence_slope * lead + self.settings.confidence_intercept
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def _sentences(self, chunks: Iterable[tuple[StoredChunk, int]]) -> list[Sentence]:
        """Every quotable sentence of the chunks, once (chunks overlap), with its stored vector."""
        found: dict[tuple[str, int], Sentence] = {}
        dimension = self.embedder.dimension
        for chunk, rank in chunks:
            for sentence in chunk_sentences(chunk, rank, dimension):
                found.setdefault(sentence.key, sentence)
        return list(found.values())

    def _match(
        self, question: DescriptiveQuestion, sentences: list[Sentence], weights: TermWeights, clue_vectors: np.ndarray | None
    ) -> np.ndarray:
        """How well each sentence matches each clue (clues × sentences), relative to the clue's best match."""
        if clue_vectors is None:
            clue_vectors = self.embedder.encode(question.clues)
        vectors = [s.vector for s in sentences]
        assert all(v is not None for v in vectors), "every sentence has its vector (`_sentences` fills them)"
        matrix = np.stack([v for v in vectors if v is not None])
        cosine = clue_vectors @ matrix.T
        sentence_terms = [term_set(s.text) for s in sentences]
        lexical = np.zeros_like(cosine)
        for row, clue in enumerate(question.clues):
            idf = {t: weights.idf(t) for t in set(terms(clue))}
            total = sum(idf.values()) or 1.0
            for column, present in enumerate(sentence_terms):
                lexical[row, column] = sum(value for t, value in idf.items() if t in present) / total
        score = np.maximum(cosine + self.settings.lexical_share * lexical, 0.0)
        return score / np.maximum(score.max(axis=1, keepdims=True), 1e-9)

    def _candidates(
        self, question: DescriptiveQuestion, sentences: list[Sentence], match: np.ndarray, outlets: list[str]
    ) -> list[Candidate]:
        """Every entity the sentences are about, with its clue support and counts, merged across articles."""
        s = self.settings
        clues = len(question.clues)
        found: dict[str, Candidate] = {}
        seen_articles: set[str] = set()
        seen_chunks: set[str] = set()
        uses: dict[str, set[tuple[str, str]]] = defaultdict(set)  # article → (mention, its name in the article)

        def candidate(name: str) -> Candidate:
            if name not in found:
                found[name] = Candidate(name=name, support=np.zeros(clues), by_article=[{} for _ in range(clues)])
            return found[name]

        names_of: dict[str, list[SalientName]] = {}
        for column, sentence in enumerate(sentences):
            chunk = sentence.chunk
            about: dict[str, float] = {}
            names = names_of.get(chunk.id)
            if names is None:
                names = names_of[chunk.id] = chunk.article_names
            if names:
                top = max(n.mentions for n in names)
                for salient in names[: s.top_names]:
                    about[salient.name] = s.salience_share * salient.mentions / top
            if chunk.article_id not in seen_articles:
                seen_articles.add(chunk.article_id)
                top = max((n.mentions for n in names), default=1)
                for salient in names:
                    entry = candidate(salient.name)
                    entry.salience = max(entry.salience, salient.mentions / top)
                    entry.labels.update(salient.labels)
            if chunk.id not in seen_chunks:
                seen_chunks.add(chunk.id)
                uses[chunk.article_id] |= _mention_names(chunk)
            position = next(i for i, other in enumerate(sentence.siblings) if other.start == sentence.start)
            for distance in range(s.look_back, 0, -1):
                if position - distance >= 0:
                    for entity in sentence.siblings[position - distance].entities:
                        if entity.name:
                            about[entity.name] = max(about.get(entity.name, 0.0), s.mention_decay**distance)
            named = [e for e in sorted(sentence.entities, key=lambda e: e.start) if e.name]
            for order, entity in enumerate(named):
                entry = candidate(entity.name)
                about[entity.name] = max(about.get(entity.name, 0.0), 1.0 if entity.name == named[0].name else s.object_share)
                entry.mentions += 1
                entry.first += order == 0 or named[0].name == entity.name
                if sentence.phrase(entity).endswith(entity.name):  # its full form: tagged more reliably than a short one
                    entry.labels[entity.label] += 1
                entry.kind_words += self._next_to_kind_words(sentence, entity.start, entity.end, question.kind_words)
            for name, share in about.items():
                entry = candidate(name)
                values = match[:, column] * share
                for row in np.nonzero(values >= s.clue_support)[0]:  # only supporting sentences are quoted or counted
                    entry.record(int(row), float(values[row]), sentence)
                entry.support = np.maximum(entry.support, values)
        aliases: dict[str, Counter[str]] = defaultdict(Counter)
        alone: Counter[str] = Counter()
        for pairs in uses.values():
            for mention, name in pairs:
                if mention == name:
                    alone[mention] += 1
                else:
                    aliases[mention][name] += 1
        self._merge(found, aliases, alone)
        excluded = self._excluded(question, outlets)
        return [c for c in found.values() if c.support.any() and not excluded(c.name)]

    def _merge(self, found: dict[str, Candidate], aliases: dict[str, Counter[str]], alone: Counter[str]) -> None:
        """Fold a candidate into the longer name the retrieved articles use it as a short form of (`merge_share`)."""
        into: dict[str, str] = {}
        for name in found:
            if aliases[name]:
                longer, uses = aliases[name].most_common(1)[0]
                if longer in found and uses >= self.settings.merge_share * max(1, alone[name]) and shortens(name, longer):
                    into[name] = longer
        for name, longer in into.items():
            seen = {name}
            while longer in into and longer not in seen:  # a chain of short forms ends at the fullest
                seen.add(longer)
                longer = into[longer]
            if longer == name:
                continue
            short, full = found.pop(name), found[longer]
            for row, articles in enumerate(short.by_article):
                for value, sentence in articles.values():
                    full.record(row, value, sentence)
            full.support = np.maximum(full.support, short.support)
            full.mentions += short.mentions
            full.first += short.first
            full.kind_words += short.kind_words
            full.salience = max(full.salience, short.salience)
            full.labels.update(short.labels)

    @staticmethod
    def _excluded(question: DescriptiveQuestion, outlets: list[str]) -> Callable[[str], bool]:
        """A test for names that cannot answer: held by the question, an outlet, or (unless a product is asked for) with digits."""
        asked = set(terms(question.text))
        outlet_names = {source_key(form) for outlet in outlets for form, _ in outlet_forms(outlet)}

        def excluded(name: str) -> bool:
            name_terms = set(terms(name))
            return (
                not name_terms
                or name_terms <= asked
                or source_key(name) in outlet_names
                or (question.kind.name != "product" and bool(_DIGIT.search(name)))
            )

        return excluded

    @staticmethod
    def _next_to_kind_words(sentence: Sentence, start: int, end: int, kind_words: set[str]) -> int:
        """1 when the kind words stand right before the mention ("the chatbot ChatGPT") or in an apposition after it
        ("Snapchat, the social media platform"; "Binance is an exchange"), else 0."""
        if not kind_words:
            return 0
        before = re.findall(r"[\w'’-]+", sentence.text[: start - sentence.start])[-_NEXT_TO:]
        after = re.match(
            rf"\s*(?:,|\s(?:is|was|as))\s*(?:(?:a|an|the|its|one)\s+)?((?:[\w-]+\s+){{0,{_NEXT_TO - 1}}}[\w-]+)",
            sentence.text[end - sentence.start :],
        )
        return int(bool(term_set(" ".join(before)) & kind_words or (after and term_set(after.group(1)) & kind_words)))

    def _score(self, question: DescriptiveQuestion, candidates: list[Candidate]) -> None:
        """Fill each candidate's features and score, and sort them best first."""
        s = self.settings
        named_outlets = {source_key(o) for o in question.outlets}
        for c in candidates:
            supporting = [sentence for _, _, sentence in c.supporting(s.clue_support)]
            articles = {x.article_id for x in supporting}
            labels = sum(c.labels.values())
            fitting = sum(n * question.kind.fit.get(label, 0.0) for label, n in c.labels.items())
            c.features = {
                "clues": float((c.support >= s.clue_support).mean()),
                "articles": min(len(articles), 3) / 3,
                "outlets": len({x.chunk.source_key for x in supporting} & named_outlets) / len(named_outlets) if named_outlets else 0.0,
                "mentions": math.log1p(c.mentions),
                "salience": c.salience,
                "subject": c.first / c.mentions if c.mentions else 0.0,
                "kind": (fitting + 0.5) / (labels + 1),
                "kind_words": min(c.kind_words, 3) / 3,
                "period": self._in_period(supporting, question.published),
            }
        best = {f: max(c.features[f] for c in candidates) for f in FEATURES}
        weights = {f: getattr(s, f"{f}_weight") for f in FEATURES}
        for c in candidates:
            c.score = sum(weights[f] * c.features[f] / best[f] for f in FEATURES if best[f] > 0)
        candidates.sort(key=lambda c: (-c.score, -c.mentions, c.name))

    @staticmethod
    def _in_period(supporting: list[Sentence], period: tuple[date, date] | None) -> float:
        """The share of the supporting articles published in `period` (0 when the question names none)."""
        if period is None or not supporting:
            return 0.0
        days = {x.article_id: story_date(x.chunk.date) for x in supporting}
        return sum(1 for day in days.values() if day is not None and period[0] <= day <= period[1]) / len(days)

    def _quote(
        self, best: Candidate, retrieved: list[Sentence], named_outlets: set[str]
    ) -> tuple[list[Quote], dict[tuple[str, int], int], ShortAnswer]:
        """The sentences to quote for the best candidate (with the clue each supports), and its full name (placed where a
        quoted sentence holds it).

        Each supported clue gets its best sentence, from an article not quoted yet where one supports it, one from a
        named outlet first; then, while there is room, the best sentences of other articles. When no quoted sentence
        names the entity in full ("the Fed"), a retrieved sentence that does is quoted too, as context: from the same
        passage if one there does, else from the same article, else from any.
        """
        s = self.settings
        options = sorted(best.supporting(s.clue_support), key=lambda option: -option[1])
        chosen: dict[tuple[str, int], tuple[Sentence, int, float]] = {}
        articles: set[str] = set()

        def take(row: int, value: float, sentence: Sentence) -> None:
            chosen[sentence.key] = (sentence, row, value)
            articles.add(sentence.article_id)

        for row in sorted({row for row, _, _ in options}, key=lambda r: -best.support[r]):
            if len(chosen) >= s.max_sentences:
                break
            mine = [o for o in options if o[0] == row and o[2].key not in chosen]
            if mine:
                take(*min(mine, key=lambda o: (o[2].article_id in articles, o[2].chunk.source_key not in named_outlets, -o[1])))
        for row, value, sentence in options:
            if len(chosen) < s.max_sentences and sentence.article_id not in articles:
                take(row, value, sentence)
        quoted = [Quote(sentence, "answer", value) for sentence, _, value in chosen.values()]
        clue_of = {key: row for key, (_, row, _) in chosen.items()}
        short = next((found for found in (_full_name_in(x.sentence, best.name) for x in quoted) if found is not None), None)
        if short is None:
            naming = _naming_sentence([x.sentence for x in quoted], best.name, retrieved)
            if naming is not None:
                quoted.append(Quote(naming, "context", max((x.score for x in quoted), default=0.0)))
                short = _full_name_in(naming, best.name)
        return quoted, clue_of, short or ShortAnswer(text=best.name, start=None, end=None, sentence=None)

    @staticmethod
    def _related(sentences: list[Sentence], match: np.ndarray) -> list[Quote]:
        """The closest passages of an abstained answer: the best sentence for each clue, from different chunks."""
        related: list[Quote] = []
        for row in match:
            for column in np.argsort(-row):
                sentence = sentences[int(column)]
                if all(sentence.chunk.id != r.sentence.chunk.id for r in related):
                    related.append(Quote(sentence, "related", float(row[column])))
                    break
            if len(related) == 3:
                break
        return related

    @staticmethod
    def _abstain(sentences: list[Sentence], unknown: list[str]) -> EntityEvidence:
        """An abstention before any candidate was scored, listing the first sentences of the best retrieved chunks as related."""
        related: list[Quote] = []
        for sentence in sorted(sentences, key=lambda x: (x.chunk_rank, x.start)):
            if len(related) < RELATED_PASSAGES and all(sentence.chunk.id != r.sentence.chunk.id for r in related):
                related.append(Quote(sentence, "related", 0.0))
        return EntityEvidence(sentences=related, abstained=True, confidence=0.0, best_score=0.0, unknown_names=unknown)


def _mention_names(chunk: StoredChunk) -> set[tuple[str, str]]:
    """Each mention of the chunk (as a name) with its name in the article: ("Bankman-Fried", "Sam Bankman-Fried")."""
    begin = chunk.start
    return {(clean_name(chunk.text[e.start - begin : e.end - begin]), e.name) for e in chunk.entities if e.name}


def _full_name_in(sentence: Sentence, name: str) -> ShortAnswer | None:
    """The place of `name`, verbatim, inside one of the sentence's mentions of it."""
    for entity in sentence.entities:
        if entity.name != name:
            continue
        mention = sentence.text[entity.start - sentence.start : entity.end - sentence.start]
        at = mention.find(name)
        if at >= 0:
            start = entity.start + at
            return ShortAnswer(text=name, start=start, end=start + len(name), sentence=sentence)
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
        if other.key not in keys and _full_name_in(other, name) is not None:
            return other
    return None
