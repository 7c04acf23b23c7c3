"""Names that imitate another: an outlet written with letters that look like other letters.

A forger can name an outlet `TеchCrunch`, with a Cyrillic е, and every page shows it as TechCrunch.
newsqa never matches one for the other (filters and questions compare code points), and shows such
a name as what it is: `lookalike_note` says what makes it look like another name, and
`shown_outlet` is the name as every medium prints it (the chat, the terminal, the export, the
articles listing), the note beside it. A name is a look-alike when:

- a word of it mixes letters of two scripts (Latin and Cyrillic, Latin and Greek, ...);
- it is written in Cyrillic or Greek letters that all look Latin (`АР` for AP);
- it holds characters that Unicode itself folds into plain ones (fullwidth `ＡＰ`, mathematical
  bold `𝐀𝐏`): `unicodedata.normalize("NFKC")` changes it;
- it holds an invisible character (a zero-width space or joiner) that splits or joins what shows.

Names in one script are plain, whichever script it is (`Süddeutsche Zeitung`, `Новая газета`).
`imitated` is the plain name a look-alike reads as (`TechCrunch`).
"""

from __future__ import annotations

import unicodedata

LOOKS_LATIN: dict[str, str] = {
    **dict(zip("АВЕКМНОРСТХаеорсухіјѕһԁԛԝЅІЈҮӏ", "ABEKMHOPCTXaeopcyxijshdqwSIJYl", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοινκα", "ABEZHIKMNOPTYXoivka", strict=True)),
}
"""Cyrillic and Greek letters that look like Latin ones, and the Latin letter each looks like."""


def _script(char: str) -> str:
    """The script of a letter as Unicode names it: LATIN, CYRILLIC, GREEK, ... ("" for what is not a letter)."""
    if not char.isalpha():
        return ""
    return unicodedata.name(char, "").split(" ", 1)[0]


def lookalike_note(name: str) -> str:
    """What makes `name` look like another name ("mixes Cyrillic 'е' into Latin letters"), or "" for a plain name."""
    hidden = [char for char in name if unicodedata.category(char) == "Cf"]
    if hidden:
        return f"holds an invisible character (U+{ord(hidden[0]):04X})"
    folded = [char for char in name if unicodedata.normalize("NFKC", char) != char and char.isalnum()]
    if folded:
        return f"uses look-alike characters ('{folded[0]}' is {unicodedata.name(folded[0], 'a variant').lower()})"
    for word in name.split():
        scripts = {_script(char) for char in word} - {""}
        if len(scripts) > 1 and "LATIN" in scripts:
            odd = next(char for char in word if _script(char) not in ("", "LATIN"))
            return f"mixes {_script(odd).capitalize()} '{odd}' into Latin letters"
        if len(scripts) > 1:
            return f"mixes {' and '.join(sorted(script.capitalize() for script in scripts))} letters in one word"
    letters = [char for char in name if char.isalpha()]
    if letters and all(char in LOOKS_LATIN for char in letters):
        return f"is written in {_script(letters[0]).capitalize()} letters that look Latin"
    return ""


def imitated(name: str) -> str:
    """The plain name a look-alike reads as: folded, invisible characters dropped, look-alike letters made Latin."""
    folded = unicodedata.normalize("NFKC", "".join(char for char in name if unicodedata.category(char) != "Cf"))
    return "".join(LOOKS_LATIN.get(char, char) for char in folded)


def shown_outlet(name: str) -> str:
    """An outlet's name as every medium shows it: itself, and for a look-alike what it is, e.g. "TеchCrunch (look-alike name:
    mixes Cyrillic 'е' into Latin letters; not TechCrunch)"."""
    note = lookalike_note(name)
    if not note:
        return name
    return f"{name} (look-alike name: {note}; not {imitated(name)})"
