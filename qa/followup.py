"""Turn a follow-up question into one that stands alone, from the conversation so far.

"What did Pistorius regret?" then "What about Healey?" becomes "What did Healey regret?";
"Why did he say that?" becomes "Why did Pistorius say that?" and is searched together with the
question it follows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from qa.lexical import is_stopword, terms

_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<subject>.+?)\s*\??\s*$", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(he|she|they|him|her|them|his|hers|their|theirs)\b", re.IGNORECASE)
_REFERENCE = re.compile(r"\b(that|this|it|those|these)\b", re.IGNORECASE)
_NAME_RUN = re.compile(r"\b(?:[A-Z][\w’'.-]*)(?:\s+[A-Z][\w’'.-]*)*")


def previous_questions(history: Iterable[Any] | None) -> list[str]:
    """The user's earlier questions, from a list of strings, (question, answer) pairs or chat messages."""
    questions: list[str] = []
    for item in history or []:
        if isinstance(item, str):
            questions.append(item)
        elif isinstance(item, dict) and item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, str):
                questions.append(content)
        elif isinstance(item, Sequence) and len(item) == 2 and isinstance(item[0], str):
            questions.append(item[0])
        elif hasattr(item, "question"):
            questions.append(str(item.question))
    return [q for q in questions if q.strip()]


def subjects(question: str) -> list[str]:
    """Runs of capitalised words that name someone or something (question words excluded)."""
    found = []
    for match in _NAME_RUN.finditer(question):
        words = match.group(0).split()
        while words and is_stopword(words[0]):
            words = words[1:]
        if words:
            found.append(" ".join(words))
    return found


def resolve(question: str, previous: str | None) -> tuple[str, str]:
    """The follow-up rewritten to stand alone, and the text to search with."""
    if not previous:
        return question, question
    about = _WHAT_ABOUT.match(question)
    if about:
        subject = about.group("subject")
        old = subjects(previous)
        if old:
            rewritten = previous.replace(old[0], subject, 1)
            return rewritten, rewritten
        return f"{previous} {subject}", f"{previous} {subject}"
    if subjects(question):
        return question, question
    old = subjects(previous)
    if _PRONOUN.search(question) and old:
        rewritten = _PRONOUN.sub(
            lambda m: old[0] + ("'s" if m.group(1).lower() in {"his", "their", "hers", "theirs"} else ""), question, count=1
        )
        return rewritten, f"{rewritten} {previous}"
    if _REFERENCE.search(question) and len(terms(question)) <= 1:  # "When did that happen?" says nothing on its own
        return question, f"{question} {previous}"
    return question, question


def standalone_question(question: str, history: Iterable[Any] | None) -> tuple[str, str]:
    """Resolve `question` against the whole conversation; returns (rewritten question, search text)."""
    context: str | None = None
    for earlier in previous_questions(history):
        context, _ = resolve(earlier, context)
    return resolve(question, context)
