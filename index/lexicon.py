"""The words and labels every reader of text shares, defined once: what is a name, months, weekdays, capitalised words.

The indexer (`index.entities`, `index.chunking`) and the question readers (`qa.question`, `qa.clues`,
`qa.names`, `qa.claims`) all ask "is this a name?", "is this a month?": they ask it here. Labels are
spaCy's OntoNotes labels; each set says what it is for.
"""

from __future__ import annotations

import re

PERSON_LABELS = frozenset({"PERSON"})
"""A person."""
GROUP_LABELS = frozenset({"ORG", "NORP"})
"""An organisation, or a nationality, religious or political group."""
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
"""A country, city or state; another location; a building, airport, road or bridge."""
THING_LABELS = frozenset({"PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})
"""Named things: a product, an event, a work, a law."""
TIME_LABELS = frozenset({"DATE", "TIME"})
"""A date or a time of day."""
AMOUNT_LABELS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
"""A count, a measure, a sum of money, a share."""

NAME_LABELS = PERSON_LABELS | GROUP_LABELS | PLACE_LABELS | THING_LABELS
"""Entities that have names (people, organisations, places, things), as opposed to dates, amounts and numbers."""
SUBJECT_LABELS = NAME_LABELS - PERSON_LABELS
"""What a story is about besides people: once named, "the bridge" or "the council" later in the story refers to it."""
SPEAKER_LABELS = PERSON_LABELS | GROUP_LABELS
"""Who can speak: a question asking for one may be answered by the sentence that names a quote's speaker."""
PLAIN_NAME_LABELS = PERSON_LABELS | GROUP_LABELS | PLACE_LABELS
"""Names that never hold a digit: "Wes Welker 2011" is a tagging slip, where "iPhone 15" (a thing) is a name."""

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
"""The month names, lower case, January first."""
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""The weekday names, lower case, Monday first (as `date.weekday()` counts)."""
MONTH_PATTERN = "|".join(MONTHS)
"""The month names as a regex alternation (lower case; match with IGNORECASE)."""
WEEKDAY_PATTERN = "|".join(WEEKDAYS)
"""The weekday names as a regex alternation (lower case; match with IGNORECASE)."""

CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")
"""A capitalised word ("Healey", "Bankman-Fried", "O’Neill"): where a name may be (stopwords such as "The" aside)."""
