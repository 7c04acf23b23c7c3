"""Turn a follow-up question into one that stands alone, from the conversation so far.

"What did Pistorius regret?" then "What about Healey?" becomes "What did Healey regret?";
"Why did he say that?" becomes "Why did Pistorius say that?" and is searched together with the
question it follows.

The work per question is bounded: whitespace runs are collapsed before any pattern runs, only the
last `LimitSettings.max_history_turns` questions are read, and every pattern here is linear (no
two quantifiers that can match the same characters next to each other, so nothing backtracks).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from index.lexical import is_stopword, terms
from index.settings import LimitSettings

_WHAT_ABOUT_PREFIXES = ("what about ", "how about ", "and what about ", "and how about ")
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


def _collapse(text: str) -> str:
    """`text` with every whitespace run made one space and the ends stripped."""
    return " ".join(text.split())


def _what_about(question: str) -> str | None:
    """The subject of "What about X?" / "And how about X?", else None (plain string tests, no regex)."""
    lowered = question.lower()
    for prefix in _WHAT_ABOUT_PREFIXES:
        if lowered.startswith(prefix):
            subject = question[len(prefix) :].rstrip("?").rstrip()
            return subject or None
    return None


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
    question = _collapse(question)
    if not previous:
        return question, question
    previous = _collapse(previous)
    subject = _what_about(question)
    if subject:
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


def standalone_question(question: str, history: Iterable[Any] | None, *, max_turns: int | None = None) -> tuple[str, str]:
    """Resolve `question` against the conversation; returns (rewritten question, search text).

    Only the last `max_turns` earlier questions are read (default: `LimitSettings.max_history_turns`).
    """
    turns = LimitSettings().max_history_turns if max_turns is None else max_turns
    context: str | None = None
    earlier_questions = previous_questions(history)
    for earlier in earlier_questions[len(earlier_questions) - turns :] if turns else []:
        context, _ = resolve(earlier, context)
    return resolve(question, context)
