"""What spaCy's parse says of a sentence for the claim check (`qa.claims`): its clauses, its lemmas, what it negates.

A generated sentence can state two things ("The council approved the terminal, and the mayor was
arrested"), and each must be supported; a quote can negate what a sentence asserts ("did not say
whether anyone was hurt"). The parse comes from `index.entities.parse` (the spaCy package the index
already loads for its entities, with its tagger, parser and lemmatizer).

- `clauses_of`: the sentence cut at its clauses (the root, and each verb attached as a coordinated,
  adverbial, relative or complement clause), each read with its subject, or the noun a relative
  clause describes, when it has none of its own;
- `lemmas_of`, `nouns_of`: the lemmas of a quote's words, the nouns of a title;
- `negated_words`: the words a negation governs (the whole clause it negates), and the others.
"""

from __future__ import annotations

from typing import Any

from index.lexical import is_stopword

_CLAUSE_DEPS = frozenset({"conj", "advcl", "relcl", "ccomp", "parataxis"})
"""Dependencies that attach a clause of its own, when their head is a verb: "..., and the mayor was arrested", "because ...",
"who finished ...", "said (that) ..."."""
_EDGE_DEPS = frozenset({"cc", "punct", "mark", "preconj"})
"""Words that join a clause to the sentence ("and", a comma, "because"), dropped from its edges."""
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
"""Dependencies of a clause's own subject."""


def clauses_of(doc: Any, ignored: frozenset[str] = frozenset(), *, every: bool = False) -> list[str]:
    """The clauses of a parsed sentence that state something of their own (two content words or more that are neither names
    nor `ignored`; none when the sentence has only one clause).

    A clause without its own subject is read with the subject of the clause it hangs from ("..., and broke the course
    record": "Okonjo broke the course record"), a relative clause with the noun it describes ("Bekele, who finished in
    ..."): what a clause says is compared with the quotes, not a fragment of it. `ignored` words state nothing of their own
    (framing words, an outlet's: "Newsqa test wire reported" says who reported it). With `every`, every clause of a sentence
    of two clauses or more, whatever it states (a quote's clauses, which a sentence's are compared with).
    """
    heads = [t for t in doc if t.dep_ == "ROOT" or (t.dep_ in _CLAUSE_DEPS and t.pos_ in {"VERB", "AUX"})]
    if len(heads) < 2:
        return []
    starts = {t.i for t in heads}

    def own(head: Any) -> list[Any]:
        """The head's words, without the clauses that hang from it."""
        tokens, stack = [], [head]
        while stack:
            token = stack.pop()
            tokens.append(token)
            stack.extend(child for child in token.children if child.i not in starts)
        return sorted(tokens, key=lambda t: t.i)

    clauses = []
    for head in heads:
        tokens = own(head)
        while tokens and tokens[0].dep_ in _EDGE_DEPS:
            tokens.pop(0)
        while tokens and tokens[-1].dep_ in _EDGE_DEPS:
            tokens.pop()
        content = [t for t in tokens if _states(t) and t.text.lower() not in ignored]
        if len(content) < 2 and not every:
            continue  # "Northern Courier reported", "he said": who said it, checked with the names
        lead: list[Any] = []
        if head.dep_ == "relcl":
            lead = [t for t in head.head.subtree if t.i <= head.head.i and t.dep_ not in _EDGE_DEPS]
        elif head.dep_ != "ROOT" and not any(child.dep_ in _SUBJECTS for child in head.children):
            governor = next((a for a in head.ancestors if a.i in starts), None)
            subject = next((c for c in governor.children if c.dep_ in _SUBJECTS), None) if governor is not None else None
            lead = list(subject.subtree) if subject is not None else []
        text = "".join(t.text_with_ws for t in tokens).strip()
        if lead:
            text = f"{''.join(t.text_with_ws for t in lead).strip()} {text}"
        clauses.append(text)
    return clauses if len(clauses) >= 2 or every else []


def _states(token: Any) -> bool:
    """Whether a word of a clause states something of its own: a content word that is no name or number."""
    word = token.text.lower()
    return token.pos_ not in {"PROPN", "NUM", "PUNCT"} and not token.like_num and not is_stopword(word) and any(ch.isalpha() for ch in word)


_NEGATIONS = frozenset({"not", "n't", "never", "no", "nobody", "nothing", "none", "neither", "nor", "without"})
"""Words that negate the clause they stand in, besides what the parser labels `neg`."""


def negated_words(doc: Any) -> tuple[set[str], set[str]]:
    """The words (and lemmas) of a parsed text that a negation governs (all of the clause it negates: "did not say whether
    anyone was hurt" governs "hurt"), and the words it states outside every negation."""
    under: set[int] = set()
    for token in doc:
        if token.dep_ == "neg" or token.lower_ in _NEGATIONS:
            clause = token.head
            while clause.pos_ not in {"VERB", "AUX"} and clause.head.i != clause.i:
                clause = clause.head  # "no one was hurt": "no" hangs from "one", the negation from the verb
            under |= {t.i for t in clause.subtree if t.i != token.i}
    negated = {form for t in doc if t.i in under for form in (t.lower_, t.lemma_.lower())}
    stated = {form for t in doc if t.i not in under for form in (t.lower_, t.lemma_.lower())}
    return negated, stated


def lemmas_of(doc: Any) -> set[str]:
    """The lemmas of a parsed quote's words, lower-cased."""
    return {token.lemma_.lower() for token in doc if not token.is_punct}


def nouns_of(doc: Any) -> set[str]:
    """The nouns of a parsed title, lower-cased, as written and as lemmas."""
    return {form for token in doc if token.pos_ in {"NOUN", "PROPN"} for form in (token.text.lower(), token.lemma_.lower())}
