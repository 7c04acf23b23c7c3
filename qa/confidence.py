"""How sure an answer is: a Platt scaling of an answerer's raw score, and the cap an abstention reports.

Each answerer has its own raw score (the sentence answerer its best sentence's score, the entity
answerer its best entity's lead over the next); `bench/calibrate.py` fits each one's slope and
intercept on the dev sets, so that of answers given confidence c, about c are right.
"""

from __future__ import annotations

import math

ABSTAINED_CONFIDENCE = 0.5
"""The highest confidence an abstention reports: it says the articles do not answer, and may be wrong about that."""


def platt_scaling(score: float, *, slope: float, intercept: float) -> float:
    """The chance that an answer with raw score `score` is right: 1 / (1 + exp(-(slope · score + intercept)))."""
    z = slope * score + intercept
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))
